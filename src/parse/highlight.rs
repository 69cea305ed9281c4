//! Code highlighting with syntect, as CSS classes (`hl-…`) so the HTML is
//! the same whatever colour theme a site picks. The syntax set is loaded
//! once per process, on first use.

use std::sync::LazyLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;

use crate::diag::{Diagnostic, Location};
use syntect::util::LinesWithEndings;

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
/// theme under `prefers-color-scheme: dark`.
pub fn stylesheet(light: Option<&str>) -> Result<String, Diagnostic> {
    let css = |name: &str| {
        let theme = THEMES.themes.get(name).ok_or_else(|| {
            Diagnostic::error(format!("unknown highlight theme `{name}`"))
                .at(Location::file(crate::config::FILE))
        })?;
        css_for_theme_with_class_style(theme, CLASS_STYLE).map_err(|e| {
            Diagnostic::error(format!(
                "cannot write the CSS of highlight theme `{name}`: {e}"
            ))
        })
    };
    let light = css(light.unwrap_or(LIGHT_THEME))?;
    let dark = css(DARK_THEME)?;
    Ok(format!(
        "{light}\n@media (prefers-color-scheme: dark) {{\n{dark}}}\n"
    ))
}

/// The prefix of every highlighting class; `/syntax.css` styles them.
pub const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// The inner HTML of a `<code>` block: highlighted spans when `lang` is a
/// language syntect knows, plain escaped text otherwise.
pub fn code_html(lang: &str, code: &str) -> String {
    if let Some(html) = highlighted(lang, code) {
        return html;
    }
    let mut out = String::with_capacity(code.len() + 16);
    pulldown_cmark_escape::escape_html_body_text(&mut out, code)
        .expect("writing to a String cannot fail");
    out
}

fn highlighted(lang: &str, code: &str) -> Option<String> {
    if lang.is_empty() {
        return None;
    }
    let syntaxes = &*SYNTAXES;
    let syntax = syntaxes.find_syntax_by_token(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes() {
        let html = code_html("rust", "fn main() {}\n");
        assert!(
            html.contains("<span class=\"hl-source hl-rust\">"),
            "{html}"
        );
        assert!(html.contains("hl-storage hl-type hl-function"), "{html}");
    }

    #[test]
    fn the_stylesheet_has_light_and_dark_rules() {
        let css = stylesheet(None).unwrap();
        assert!(css.contains(".hl-code {"), "{css}");
        assert!(css.contains("@media (prefers-color-scheme: dark) {"));
        assert!(stylesheet(Some("Solarized (light)")).is_ok());
        assert_eq!(
            stylesheet(Some("nope")).unwrap_err().message,
            "unknown highlight theme `nope`"
        );
    }

    #[test]
    fn unknown_languages_are_escaped_plain_text() {
        assert_eq!(
            code_html("klingon", "<b> & \"x\"\n"),
            "&lt;b&gt; &amp; \"x\"\n"
        );
        assert_eq!(code_html("", "a < b\n"), "a &lt; b\n");
    }
}
