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
/// and the class names come with it); a record follows for each block (its
/// key, the length of its HTML and the HTML: reading 2,400 blocks as JSON
/// lines took 40 ms of every build), and the file ends with the count of
/// blocks and a checksum of the records: a file that is missing, cut
/// short, altered or from another version is ignored and made again,
/// never trusted. What this build highlights is written to the next file
/// as it is made, so a fresh build holds no second copy of its code.
#[derive(Default)]
pub struct Memo {
    path: std::path::PathBuf,
    /// The file as read, and where each block's HTML is in it (checked to
    /// be UTF-8): not copied out, since most builds need few of them.
    file: Vec<u8>,
    stored: std::collections::HashMap<u128, std::ops::Range<usize>>,
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
    /// The file is in place: blocks highlighted after it (for the bodies a
    /// rebuild makes again from kept parses) are not added.
    closed: bool,
}

impl Next {
    fn append(&mut self, path: &std::path::Path, key: u128, html: &str) {
        if self.failed || self.closed {
            return;
        }
        let mut record = Vec::with_capacity(24 + html.len());
        record.extend_from_slice(&key.to_le_bytes());
        record.extend_from_slice(&(html.len() as u64).to_le_bytes());
        record.extend_from_slice(html.as_bytes());
        let written = (|| {
            if self.file.is_none() {
                if let Some(folder) = path.parent() {
                    std::fs::create_dir_all(folder)?;
                }
                let file = std::fs::File::create(partial(path))?;
                let mut file = std::io::BufWriter::new(file);
                std::io::Write::write_all(&mut file, MEMO_STAMP.as_bytes())?;
                self.file = Some(file);
            }
            std::io::Write::write_all(self.file.as_mut().expect("opened above"), &record)
        })();
        self.sum.update(&record);
        self.failed = written.is_err();
    }
}

/// The first line of a memo file.
const MEMO_STAMP: &str = concat!("broadsheet ", env!("CARGO_PKG_VERSION"), " highlight memo 2\n");

impl Memo {
    /// The memo of the file at `path`; an empty one when the file cannot
    /// be trusted.
    pub fn load(path: &std::path::Path) -> Memo {
        // The file of a build killed while writing it.
        let _ = std::fs::remove_file(partial(path));
        let file = std::fs::read(path).unwrap_or_default();
        let stored = Memo::parse(&file).unwrap_or_default();
        let file = if stored.is_empty() { Vec::new() } else { file };
        Memo { path: path.to_path_buf(), file, stored, next: Default::default() }
    }

    fn parse(bytes: &[u8]) -> Option<std::collections::HashMap<u128, std::ops::Range<usize>>> {
        let body = bytes.strip_prefix(MEMO_STAMP.as_bytes())?;
        let (mut records, trailer) = body.split_at_checked(body.len().checked_sub(24)?)?;
        let (count, sum) = trailer.split_at(8);
        if sum != xxhash_rust::xxh3::xxh3_128(records).to_le_bytes() {
            return None;
        }
        let count = usize::try_from(u64::from_le_bytes(count.try_into().ok()?)).ok()?;
        let mut stored = std::collections::HashMap::with_capacity(count.min(records.len() / 24));
        while !records.is_empty() {
            let (key, rest) = records.split_at_checked(16)?;
            let (len, rest) = rest.split_at_checked(8)?;
            let len = usize::try_from(u64::from_le_bytes(len.try_into().ok()?)).ok()?;
            let (html, rest) = rest.split_at_checked(len)?;
            std::str::from_utf8(html).ok()?;
            let start = bytes.len() - 24 - rest.len() - len;
            stored.insert(u128::from_le_bytes(key.try_into().ok()?), start..start + len);
            records = rest;
        }
        (stored.len() == count).then_some(stored)
    }

    /// What [`code_html`] gives, from the memo when it holds the block.
    pub fn code_html(&self, lang: &str, code: &str) -> String {
        let key = block_key(lang, code);
        if let Some(html) = self.get(key) {
            self.next.lock().unwrap_or_else(|e| e.into_inner()).used.entry(key).or_insert(false);
            return html.to_string();
        }
        let html = code_html(lang, code);
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        if next.used.insert(key, true).is_none() {
            next.append(&self.path, key, &html);
        }
        html
    }

    /// The HTML of the block `key`, when the file holds it.
    fn get(&self, key: u128) -> Option<&str> {
        let range = self.stored.get(&key)?;
        std::str::from_utf8(&self.file[range.clone()]).ok()
    }

    /// Finishes the next file with the blocks taken from this one, and puts
    /// it in place, whole or not at all. With `prune`, it keeps only the
    /// blocks this build used, so that it does not grow with deleted
    /// articles; without (a build that kept some bodies of an earlier
    /// one, a save in `serve` or a rebuild from kept parses, and so did not
    /// ask for their code), it keeps every block. When that is just the blocks this file holds, the file stays
    /// as it is.
    pub fn store(&self, prune: bool) -> std::io::Result<()> {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let next = &mut *next;
        let made = next.used.values().filter(|made| **made).count();
        let mut kept: Vec<u128> =
            self.stored.keys().filter(|key| !prune || next.used.contains_key(key)).copied().collect();
        let unchanged = made == 0 && kept.len() == self.stored.len();
        if !unchanged {
            kept.sort();
            for &key in &kept {
                next.append(&self.path, key, self.get(key).expect("checked when read"));
            }
        }
        let count = made + kept.len();
        next.closed = true;
        if unchanged {
            return Ok(());
        }
        let path = &self.path;
        if next.failed {
            let _ = std::fs::remove_file(partial(path));
            return Err(std::io::Error::other("the highlight memo could not be written"));
        }
        let mut trailer = (count as u64).to_le_bytes().to_vec();
        trailer.extend_from_slice(&next.sum.digest128().to_le_bytes());
        let Some(mut file) = next.file.take() else {
            // No block at all: nothing to keep.
            return std::fs::remove_file(path).or(Ok(()));
        };
        std::io::Write::write_all(&mut file, &trailer)?;
        file.into_inner().map_err(std::io::IntoInnerError::into_error)?;
        std::fs::rename(partial(path), path)
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
        memo.store(true).unwrap();

        let memo = Memo::load(&path);
        assert_eq!(memo.stored.len(), 2);
        assert_eq!(memo.get(block_key("rust", "fn a() {}\n")).unwrap(), code_html("rust", "fn a() {}\n"));
        // Only `a` is used this time: the file is written again without `b`.
        assert_eq!(memo.code_html("rust", "fn a() {}\n"), code_html("rust", "fn a() {}\n"));
        memo.store(true).unwrap();
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
        memo.store(true).unwrap();
        let good = std::fs::read(&path).unwrap();
        assert_eq!(Memo::load(&path).stored.len(), 1);

        let replace = |from: &str, to: &str| {
            let at = good.windows(from.len()).position(|w| w == from.as_bytes()).expect("found");
            [&good[..at], to.as_bytes(), &good[at + from.len()..]].concat()
        };
        let altered = replace("hl-source", "hl-sourcf");
        let other_version = replace(env!("CARGO_PKG_VERSION"), "0.0.0-other");
        let cut = &good[..good.len() - 3];
        for bad in [&altered[..], cut, &other_version, b"", b"\n\n", b"garbage"] {
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
