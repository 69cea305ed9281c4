//! Code highlighting with syntect, as CSS classes (`hl-…`) so the HTML is
//! the same whatever colour theme a site picks. The syntax set is loaded
//! once per process, on first use. A leaf: config.toml's validation asks it
//! for theme names, the Markdown renderer for code, the outputs for CSS.

use std::sync::LazyLock;

use syntect::highlighting::{Color, Theme, ThemeSet};
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;

use syntect::util::LinesWithEndings;

use crate::diag::Diagnostic;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);
static THEMES: LazyLock<ThemeSet> = LazyLock::new(ThemeSet::load_defaults);

/// The colour theme of code blocks in light mode, unless config.toml names
/// another; dark mode always uses [`DARK_THEME`].
pub const LIGHT_THEME: &str = "InspiredGitHub";
pub const DARK_THEME: &str = "base16-ocean.dark";

/// The names of the themes `[highlight] theme` may name.
pub fn theme_names() -> Vec<&'static str> {
    THEMES.themes.keys().map(String::as_str).collect()
}

/// `/syntax.css`: the `hl-` classes in the light theme, and in the dark
/// theme under `prefers-color-scheme: dark`, every colour made readable.
pub fn stylesheet(light: Option<&str>) -> Result<String, Diagnostic> {
    let css = |name: &str| {
        // config.toml's validation names the unknown theme at its line.
        let theme =
            THEMES.themes.get(name).ok_or_else(|| Diagnostic::error(format!("unknown highlight theme `{name}`")))?;
        css_for_theme_with_class_style(&readable(theme), CLASS_STYLE)
            .map_err(|e| Diagnostic::error(format!("cannot write the CSS of highlight theme `{name}`: {e}")))
    };
    let light = css(light.unwrap_or(LIGHT_THEME))?;
    let dark = css(DARK_THEME)?;
    // Each scheme in its own media block, so that a rule only the light
    // theme has never colours dark-mode code.
    Ok(format!(
        "@media (prefers-color-scheme: light) {{\n{light}}}\n@media (prefers-color-scheme: dark) {{\n{dark}}}\n"
    ))
}

/// The prefix of every highlighting class; `/syntax.css` styles them.
pub const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// The inner HTML of a `<code>` block: highlighted spans when `lang` is a
/// language syntect knows, plain escaped text otherwise.
pub fn code_html(lang: &str, code: &str) -> String {
    highlighted(lang, code).unwrap_or_else(|| plain_html(code))
}

/// How a build makes the HTML of its code blocks.
#[derive(Clone, Copy)]
pub enum Code<'a> {
    Highlighted,
    /// Highlighted, or taken from the last build's [`Memo`].
    Remembered(&'a Memo),
    /// Escaped text (`check`, which writes nothing: highlighting never
    /// fails, so leaving it out validates no less).
    Plain,
}

impl Code<'_> {
    /// The inner HTML of a `<code>` block in `lang`.
    pub fn html(self, lang: &str, code: &str) -> String {
        match self {
            Code::Highlighted => code_html(lang, code),
            Code::Remembered(memo) => memo.code_html(lang, code),
            Code::Plain => plain_html(code),
        }
    }
}

/// The inner HTML of a `<code>` block, not highlighted: escaped text.
pub fn plain_html(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + 16);
    pulldown_cmark_escape::escape_html_body_text(&mut out, code).expect("writing to a String cannot fail");
    out
}

/// The WCAG AA contrast ratio for body text.
const MIN_CONTRAST: f64 = 4.5;

/// A copy of `theme` whose every text colour reaches [`MIN_CONTRAST`]
/// against the theme's background: the stock themes draw comments and
/// parameters too faint to read (InspiredGitHub's comments are 2.9:1).
fn readable(theme: &Theme) -> Theme {
    let mut theme = theme.clone();
    let background = theme.settings.background.unwrap_or(Color::WHITE);
    let fix = |color: &mut Option<Color>| {
        if let Some(c) = color {
            *c = with_contrast(*c, background);
        }
    };
    fix(&mut theme.settings.foreground);
    for item in &mut theme.scopes {
        fix(&mut item.style.foreground);
    }
    theme
}

/// Moves `color` towards black on a light background, towards white on a
/// dark one, until it reaches [`MIN_CONTRAST`].
fn with_contrast(mut color: Color, background: Color) -> Color {
    let target = if luminance(background) > 0.5 { 0.0 } else { 255.0 };
    for _ in 0..20 {
        if contrast(color, background) >= MIN_CONTRAST {
            break;
        }
        let step = |c: u8| (f64::from(c) + (target - f64::from(c)) * 0.15).round() as u8;
        color = Color { r: step(color.r), g: step(color.g), b: step(color.b), a: color.a };
    }
    color
}

fn luminance(c: Color) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.03928 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
}

fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn highlighted(lang: &str, code: &str) -> Option<String> {
    if lang.is_empty() {
        return None;
    }
    let syntaxes = &*SYNTAXES;
    let syntax = syntaxes.find_syntax_by_token(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(generator.finalize())
}

/// Highlighted code kept between builds, in a file of the cache folder
/// beside the output: syntect's parser is most of what rendering a
/// technology desk's archive costs, and a rebuild highlights the same
/// blocks again. A block is found by a hash of its language and code. The
/// file's first line is stamped with broadsheet's version (the syntaxes
/// and the class names come with it), one JSON line `["key","html"]`
/// follows for each block, and the last line holds the count of blocks
/// and a checksum of the lines before it: a file that is missing, cut
/// short, altered or from another version is ignored and made again,
/// never trusted. What this build highlights is written to the next file
/// as it is made, so a fresh build holds no second copy of its code.
#[derive(Default)]
pub struct Memo {
    path: std::path::PathBuf,
    stored: std::collections::HashMap<u128, String>,
    next: std::sync::Mutex<Next>,
}

/// The next memo file, written beside the path while the build runs.
#[derive(Default)]
struct Next {
    /// Opened on the first block the memo did not hold.
    file: Option<std::io::BufWriter<std::fs::File>>,
    sum: xxhash_rust::xxh3::Xxh3Default,
    /// The blocks asked for, and whether each was made now.
    used: std::collections::HashMap<u128, bool>,
    /// Writing failed: the next build highlights again.
    failed: bool,
}

impl Next {
    fn append(&mut self, path: &std::path::Path, key: u128, html: &str) {
        if self.failed {
            return;
        }
        let mut line = serde_json::to_string(&(format!("{key:032x}"), html)).expect("strings serialize");
        line.push('\n');
        let written = (|| {
            if self.file.is_none() {
                if let Some(folder) = path.parent() {
                    std::fs::create_dir_all(folder)?;
                }
                let file = std::fs::File::create(partial(path))?;
                let mut file = std::io::BufWriter::new(file);
                std::io::Write::write_all(&mut file, format!("{MEMO_STAMP}\n").as_bytes())?;
                self.file = Some(file);
            }
            std::io::Write::write_all(self.file.as_mut().expect("opened above"), line.as_bytes())
        })();
        self.sum.update(line.as_bytes());
        self.failed = written.is_err();
    }
}

/// The first line of a memo file.
const MEMO_STAMP: &str = concat!("broadsheet ", env!("CARGO_PKG_VERSION"), " highlight memo");

impl Memo {
    /// The memo of the file at `path`; an empty one when the file cannot
    /// be trusted.
    pub fn load(path: &std::path::Path) -> Memo {
        // The file of a build killed while writing it.
        let _ = std::fs::remove_file(partial(path));
        let stored = std::fs::read_to_string(path).ok().and_then(|text| Memo::parse(&text)).unwrap_or_default();
        Memo { path: path.to_path_buf(), stored, next: Default::default() }
    }

    fn parse(text: &str) -> Option<std::collections::HashMap<u128, String>> {
        let body = text.strip_prefix(MEMO_STAMP)?.strip_prefix('\n')?.strip_suffix('\n')?;
        // The lines of the blocks, each with its newline, and the last line.
        let (lines, last) = match body.rsplit_once('\n') {
            Some((lines, last)) => (&body[..=lines.len()], last),
            None => ("", body),
        };
        let (count, sum) = last.split_once(' ')?;
        if sum != format!("{:032x}", xxhash_rust::xxh3::xxh3_128(lines.as_bytes())) {
            return None;
        }
        let stored: Option<std::collections::HashMap<u128, String>> = lines
            .lines()
            .map(|line| {
                let (key, html): (String, String) = serde_json::from_str(line).ok()?;
                Some((u128::from_str_radix(&key, 16).ok()?, html))
            })
            .collect();
        stored.filter(|stored| count.parse() == Ok(stored.len()))
    }

    /// What [`code_html`] gives, from the memo when it holds the block.
    pub fn code_html(&self, lang: &str, code: &str) -> String {
        let key = block_key(lang, code);
        if let Some(html) = self.stored.get(&key) {
            self.next.lock().unwrap_or_else(|e| e.into_inner()).used.entry(key).or_insert(false);
            return html.clone();
        }
        let html = code_html(lang, code);
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        if next.used.insert(key, true).is_none() {
            next.append(&self.path, key, &html);
        }
        html
    }

    /// Finishes the next file with the blocks taken from this one, and puts
    /// it in place, whole or not at all; when the build used just the blocks
    /// this file holds, the file stays as it is.
    pub fn store(self) -> std::io::Result<()> {
        let Memo { path, stored, next } = self;
        let mut next = next.into_inner().unwrap_or_else(|e| e.into_inner());
        if next.used.len() == stored.len() && next.used.values().all(|made| !made) {
            return Ok(());
        }
        let mut kept: Vec<(&u128, &String)> =
            stored.iter().filter(|(key, _)| next.used.get(key) == Some(&false)).collect();
        kept.sort_by_key(|(key, _)| **key);
        for (key, html) in kept {
            next.append(&path, *key, html);
        }
        if next.failed {
            let _ = std::fs::remove_file(partial(&path));
            return Err(std::io::Error::other("the highlight memo could not be written"));
        }
        let trailer = format!("{} {:032x}\n", next.used.len(), next.sum.digest128());
        let Some(mut file) = next.file.take() else {
            // No block at all: nothing to keep.
            return std::fs::remove_file(&path).or(Ok(()));
        };
        std::io::Write::write_all(&mut file, trailer.as_bytes())?;
        file.into_inner().map_err(std::io::IntoInnerError::into_error)?;
        std::fs::rename(partial(&path), &path)
    }
}

fn partial(path: &std::path::Path) -> std::path::PathBuf {
    path.with_extension("partial")
}

fn block_key(lang: &str, code: &str) -> u128 {
    let mut text = String::with_capacity(lang.len() + 1 + code.len());
    text.push_str(lang);
    text.push('\0');
    text.push_str(code);
    xxhash_rust::xxh3::xxh3_128(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes() {
        let html = code_html("rust", "fn main() {}\n");
        assert!(html.contains("<span class=\"hl-source hl-rust\">"), "{html}");
        assert!(html.contains("hl-storage hl-type hl-function"), "{html}");
    }

    #[test]
    fn the_stylesheet_has_light_and_dark_rules() {
        let css = stylesheet(None).unwrap();
        assert!(css.contains(".hl-code {"), "{css}");
        assert!(css.starts_with("@media (prefers-color-scheme: light) {\n"));
        assert!(css.contains("}\n@media (prefers-color-scheme: dark) {\n"));
        assert!(stylesheet(Some("Solarized (light)")).is_ok());
        assert_eq!(stylesheet(Some("nope")).unwrap_err().message, "unknown highlight theme `nope`");
    }

    #[test]
    fn every_highlight_colour_is_readable() {
        for name in [LIGHT_THEME, DARK_THEME] {
            let theme = readable(&THEMES.themes[name]);
            let background = theme.settings.background.unwrap();
            for item in &theme.scopes {
                if let Some(color) = item.style.foreground {
                    assert!(contrast(color, background) >= MIN_CONTRAST, "{name}: {color:?}");
                }
            }
        }
        let grey = Color { r: 0x96, g: 0x98, b: 0x96, a: 0xff };
        assert!(contrast(grey, Color::WHITE) < MIN_CONTRAST);
        assert!(contrast(with_contrast(grey, Color::WHITE), Color::WHITE) >= MIN_CONTRAST);
    }

    #[test]
    fn the_memo_gives_what_highlighting_gives_and_keeps_only_blocks_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache/highlight");
        let memo = Memo::load(&path);
        assert_eq!(memo.code_html("rust", "fn a() {}\n"), code_html("rust", "fn a() {}\n"));
        memo.code_html("rust", "fn b() {}\n");
        memo.store().unwrap();

        let memo = Memo::load(&path);
        assert_eq!(memo.stored.len(), 2);
        assert_eq!(memo.stored[&block_key("rust", "fn a() {}\n")], code_html("rust", "fn a() {}\n"));
        // Only `a` is used this time: the file is written again without `b`.
        assert_eq!(memo.code_html("rust", "fn a() {}\n"), code_html("rust", "fn a() {}\n"));
        memo.store().unwrap();
        let memo = Memo::load(&path);
        assert_eq!(memo.stored.keys().collect::<Vec<_>>(), [&block_key("rust", "fn a() {}\n")]);
        // The same language and code, not the same code in another language.
        assert_ne!(block_key("rust", "x"), block_key("rus", "tx"));
    }

    #[test]
    fn a_memo_that_is_missing_altered_cut_short_or_of_another_version_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("highlight");
        assert!(Memo::load(&path).stored.is_empty());
        let memo = Memo::load(&path);
        memo.code_html("rust", "let x = 1;\n");
        memo.store().unwrap();
        let good = std::fs::read_to_string(&path).unwrap();
        assert_eq!(Memo::load(&path).stored.len(), 1);

        let altered = good.replacen("hl-source", "hl-sourcf", 1);
        assert_ne!(altered, good);
        let other_version = good.replacen(env!("CARGO_PKG_VERSION"), "0.0.0-other", 1);
        for bad in [altered.as_str(), &good[..good.len() - 3], other_version.as_str(), "", "\n\n", "garbage"] {
            std::fs::write(&path, bad).unwrap();
            assert!(Memo::load(&path).stored.is_empty(), "{bad:?}");
        }

        // The file of a build killed while writing it goes at the next load.
        std::fs::write(partial(&path), &good[..10]).unwrap();
        Memo::load(&path);
        assert!(!partial(&path).exists());
    }

    #[test]
    fn unknown_languages_are_escaped_plain_text() {
        assert_eq!(code_html("klingon", "<b> & \"x\"\n"), "&lt;b&gt; &amp; \"x\"\n");
        assert_eq!(code_html("", "a < b\n"), "a &lt; b\n");
    }
}
