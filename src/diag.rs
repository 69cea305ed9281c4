//! Diagnostics: every problem found in a site, with the file, line and
//! column it comes from, collected so that a build reports all of them at
//! once, and rendered rustc-style by annotate-snippets.

use std::fmt;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Severity {
    Error,
    Warning,
}

/// Where a problem is: a file, and where known the line and column, with the
/// text of that line so the diagnostic can be shown after the file is gone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// Path relative to the site root, with `/` separators.
    pub path: String,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// The source line, and the byte range within it to underline.
    pub source: Option<(String, Range<usize>)>,
}

impl Location {
    pub fn file(path: &str) -> Location {
        Location { path: path.to_string(), line: 0, col: 0, source: None }
    }

    /// The first line of the file `path` whose text is `text`: where a
    /// problem of the whole article (or of its front matter) is shown.
    pub fn first_line(path: &str, text: &str) -> Location {
        let end = text.find('\n').unwrap_or(text.len());
        Location::span(path, text, 0..text[..end].trim_end_matches('\r').len())
    }

    /// The location of byte range `span` of `text`, the whole text of `path`.
    /// A span that runs over several lines is cut at the end of its first.
    pub fn span(path: &str, text: &str, span: Range<usize>) -> Location {
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line_text = text[line_start..line_end].trim_end_matches('\r');
        // A span may start on the line's `\r` or `\n` (an unclosed string in
        // a CRLF file): the caret then goes just after the visible text.
        let text_end = line_start + line_text.len();
        let caret = start.min(text_end);
        let end = floor_char_boundary(text, span.end.clamp(caret, text_end));
        Location {
            path: path.to_string(),
            line: text[..line_start].matches('\n').count() + 1,
            col: text[line_start..caret].chars().count() + 1,
            source: Some(excerpt(line_text, caret - line_start..end - line_start)),
        }
    }
}

impl PartialOrd for Location {
    fn partial_cmp(&self, other: &Location) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Location {
    fn cmp(&self, other: &Location) -> std::cmp::Ordering {
        (&self.path, self.line, self.col).cmp(&(&other.path, other.line, other.col))
    }
}

/// Lines longer than this are shown as an excerpt around the problem.
const LONGEST_SHOWN: usize = 240;

/// The part of `line` an error shows, and the span to underline in it: the
/// whole line, or for a very long one (a minified blob, a million-character
/// paragraph) a window around the span, cut with `…`, so that one error
/// never prints a megabyte.
fn excerpt(line: &str, span: Range<usize>) -> (String, Range<usize>) {
    if line.len() <= LONGEST_SHOWN {
        return (line.to_string(), span);
    }
    let start = floor_char_boundary(line, span.start.saturating_sub(60));
    let end = ceil_char_boundary(line, (span.end.max(span.start + 1) + 60).min(span.start + 160).min(line.len()));
    let (before, after) = (if start > 0 { "…" } else { "" }, if end < line.len() { "…" } else { "" });
    let shift = before.len() + span.start - start;
    let underline = span.end.min(end) - span.start;
    (format!("{before}{}{after}", &line[start..end]), shift..shift + underline)
}

fn ceil_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => write!(f, "{}", self.path),
            line => write!(f, "{}:{}:{}", self.path, line, self.col),
        }
    }
}

/// One problem: what is wrong, where, and how to fix it where a hint helps.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub location: Option<Box<Location>>,
    pub label: Option<String>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, message: message.into(), location: None, label: None, hint: None }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(message) }
    }

    pub fn at(mut self, location: Location) -> Diagnostic {
        self.location = Some(Box::new(location));
        self
    }

    /// A short note printed beside the caret.
    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The rustc-style text: `error: …`, ` --> path:line:col`, the source
    /// line with a caret, and `= help: …`.
    pub fn render(&self) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level.primary_title(self.message.as_str());
        let mut group = match self.location.as_deref() {
            Some(Location { path, line, source: Some((text, span)), .. }) => {
                let mut annotation = AnnotationKind::Primary.span(span.clone());
                if let Some(label) = &self.label {
                    annotation = annotation.label(label.as_str());
                }
                title.element(
                    Snippet::source(text.as_str()).line_start(*line).path(path.as_str()).annotation(annotation),
                )
            }
            // Without a source line annotate-snippets aligns the arrow
            // differently; write the same shape by hand.
            location => {
                let mut text = format!("{}: {}", if self.is_error() { "error" } else { "warning" }, self.message);
                if let Some(location) = location {
                    text.push_str(&format!("\n --> {location}"));
                }
                if let Some(hint) = &self.hint {
                    text.push_str(&format!("\n  = help: {hint}"));
                }
                return text;
            }
        };
        if let Some(hint) = &self.hint {
            group = group.element(Level::HELP.message(hint.as_str()));
        }
        Renderer::plain().term_width(usize::MAX / 2).render(&[group])
    }
}

/// Sorts diagnostics into a stable order (by file, then line), errors and
/// warnings mixed as they occur in the files.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| a.location.cmp(&b.location).then_with(|| a.message.cmp(&b.message)));
}

/// Fails with every diagnostic, sorted and without repeats, when any of
/// them is an error.
pub fn fail_on(mut diagnostics: Vec<Diagnostic>) -> Result<(), Failed> {
    if diagnostics.iter().any(Diagnostic::is_error) {
        sort(&mut diagnostics);
        diagnostics.dedup();
        return Err(Failed { diagnostics });
    }
    Ok(())
}

/// All the problems of one failed run: printed by `main`, exit code 1.
#[derive(Debug)]
pub struct Failed {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.diagnostics.iter().filter(|d| d.is_error()).count();
        write!(f, "build failed with {errors} error{}", if errors == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Failed {}

/// Why a command failed, which decides the exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the site: every one found (exit 1).
    #[error(transparent)]
    Site(#[from] Failed),
    /// A bad flag or a refused output folder (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The filesystem failed us (exit 1).
    #[error(transparent)]
    Io(#[from] anyhow::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_very_long_line_is_shown_as_an_excerpt_around_the_problem() {
        let line = format!("{}é<bad>{}", "x".repeat(100_000), "y".repeat(100_000));
        let at = line.find("<bad>").unwrap();
        let location = Location::span("content/a/b.md", &line, at..at + 5);
        assert_eq!(location.col, 100_002);
        let (shown, span) = location.source.unwrap();
        assert!(shown.len() < 200, "{}", shown.len());
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(&shown[span], "<bad>");
        // A short line is shown whole.
        let location = Location::span("content/a/b.md", "title = 3", 8..9);
        assert_eq!(location.source.unwrap(), ("title = 3".to_string(), 8..9));
    }

    #[test]
    fn renders_with_source_line_caret_and_hint() {
        let text = "+++\ntittle = \"x\"\n+++\n";
        let diag = Diagnostic::error("unknown front-matter key `tittle`")
            .at(Location::span("content/a/b.md", text, 4..10))
            .hint("did you mean `title`?");
        assert_eq!(
            diag.render(),
            "error: unknown front-matter key `tittle`\n \
             --> content/a/b.md:2:1\n  \
             |\n\
             2 | tittle = \"x\"\n  \
             | ^^^^^^\n  \
             |\n  \
             = help: did you mean `title`?"
        );
    }

    #[test]
    fn renders_a_whole_file_problem() {
        let diag = Diagnostic::error("cannot read config.toml").at(Location::file("config.toml"));
        assert_eq!(diag.render(), "error: cannot read config.toml\n --> config.toml");
        let diag = diag.hint("create it");
        assert_eq!(diag.render(), "error: cannot read config.toml\n --> config.toml\n  = help: create it");
    }

    #[test]
    fn a_span_on_the_line_end_of_a_crlf_file_does_not_panic() {
        let text = "title = \"Navy arrives\r\n+++\r\n";
        let loc = Location::span("f", text, 21..22);
        assert_eq!((loc.line, loc.col), (1, 22));
        let diag = Diagnostic::error("invalid basic string").at(loc);
        assert!(diag.render().contains("1 | title = \"Navy arrives"));
    }

    #[test]
    fn span_location_handles_crlf_and_multibyte() {
        let text = "a = 1\r\nb = \"ñé\" x\r\n";
        let loc = Location::span("f", text, 16..17);
        assert_eq!((loc.line, loc.col), (2, 8));
        assert_eq!(loc.source.unwrap().0, "b = \"ñé\" x");
    }
}
