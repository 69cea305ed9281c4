//! Code highlighting with syntect, as CSS classes (`hl-…`) so the HTML is
//! the same whatever colour theme a site picks. The syntax set is loaded
//! once per process, on first use.

use std::sync::LazyLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

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
    fn unknown_languages_are_escaped_plain_text() {
        assert_eq!(
            code_html("klingon", "<b> & \"x\"\n"),
            "&lt;b&gt; &amp; \"x\"\n"
        );
        assert_eq!(code_html("", "a < b\n"), "a &lt; b\n");
    }
}
