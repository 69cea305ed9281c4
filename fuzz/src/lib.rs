//! What every fuzz target checks beyond "no panic": the invariants a
//! newsroom relies on, whatever a reporter typed.
//!
//! - every error's line and column point inside the file it names, and
//!   it renders;
//! - every page is well-formed HTML (when the Markdown carries no raw
//!   HTML of its own: an author's broken `<div>` is theirs to keep);
//! - every JSON-LD block parses as JSON and never holds `</script`;
//! - every feed and sitemap parses as XML, every `.json` as JSON.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use broadsheet::diag::{Diagnostic, Location};
use broadsheet::driver::{Driver, SiteOptions};
use broadsheet::plan::Plan;
use broadsheet::write::Sink;
use bytes::Bytes;

/// Panics unless `diag`'s location, when it names the file at `path`
/// whose text is `text`, is a line and column inside that text, with an
/// underline inside the line it shows.
pub fn check_location(diag: &Diagnostic, path: &str, text: &str) {
    // The message survives rendering. Its letters and digits are compared:
    // annotate-snippets turns tabs into spaces and shows bidi overrides
    // (U+202E) as U+FFFD, on purpose.
    let squeeze = |s: &str| s.chars().filter(char::is_ascii_alphanumeric).collect::<String>();
    let rendered = diag.render();
    assert!(squeeze(&rendered).contains(&squeeze(&diag.message)), "the rendering lost the message: {rendered}");
    let Some(location) = diag.location.as_deref() else { return };
    let Location { path: at, line, col, source } = location;
    if at != path || *line == 0 {
        return;
    }
    let lines: Vec<&str> = text.split('\n').collect();
    assert!(*line <= lines.len(), "{diag:?}: line {line} of a file of {} lines", lines.len());
    let shown = lines[line - 1].trim_end_matches('\r');
    let chars = shown.chars().count();
    assert!(*col >= 1 && *col <= chars + 1, "{diag:?}: column {col} of a line of {chars} characters");
    if let Some((excerpt, span)) = source {
        assert!(span.start <= span.end && span.end <= excerpt.len(), "{diag:?}: underline outside its line");
        assert!(
            excerpt.is_char_boundary(span.start) && excerpt.is_char_boundary(span.end),
            "{diag:?}: underline splits a character"
        );
        if !excerpt.contains('…') {
            assert_eq!(excerpt, shown, "{diag:?}: shows another line");
        }
    }
}

/// A small site in a temporary folder (two categories, an article to
/// point at, an image) with one article the target writes.
pub struct Site {
    root: PathBuf,
    driver: Driver,
}

/// The article a target writes; the other files are fixed.
pub const ARTICLE: &str = "world/2025-03-03-fuzzed.md";

const CONFIG: &str = r#"title = "Fuzz Gazette"
base_url = "https://gazette.test"
timezone = "America/Mexico_City"
search = false

[categories.world]
name = "World"

[categories.sport]
name = "Sport"

[authors.ana-ruiz]
name = "Ana Ruiz"
"#;

const OTHER: &str = r#"+++
title = "Harbour Reopens After Storm"
description = "Dock workers cleared debris overnight."
authors = ["Ana Ruiz"]
tags = ["ports"]
+++

The harbour reopened on Saturday.

## Key Details

Three berths are in use.
"#;

impl Site {
    pub fn new() -> Site {
        let root = std::env::temp_dir().join(format!("broadsheet-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("content/world")).expect("make the fuzz site");
        std::fs::create_dir_all(root.join("content/sport")).expect("make the fuzz site");
        std::fs::write(root.join("config.toml"), CONFIG).expect("write config.toml");
        std::fs::write(root.join("content/sport/2025-03-01-harbour-reopens.md"), OTHER).expect("write an article");
        let options = SiteOptions { root: root.clone(), drafts: false, future: true };
        // The serve driver: it keeps what did not change, so a run
        // re-renders the fuzzed article's pages only, and fuzzes the
        // incremental path as well.
        Site { root, driver: Driver::keeping(options, None) }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Builds the site with `article` as the text of [`ARTICLE`] and checks
    /// every invariant of the outcome.
    pub fn build_and_check(&mut self, article: &str) {
        let path = self.root.join("content").join(ARTICLE);
        std::fs::write(&path, article).expect("write the fuzzed article");
        let mut sink = Collect::default();
        let changed = [std::path::absolute(&path).expect("an absolute path")];
        match self.driver.build(&changed, &mut sink) {
            Ok(report) => {
                for warning in &report.warnings {
                    check_location(warning, &format!("content/{ARTICLE}"), article);
                }
                let files = sink.files.into_inner().unwrap();
                let raw_html = has_raw_html(article);
                for (rel, bytes) in &files {
                    check_output(rel, bytes, raw_html);
                }
            }
            Err(broadsheet::Error::Site(failed)) => {
                assert!(!failed.diagnostics.is_empty(), "a failed build with no error");
                for diag in &failed.diagnostics {
                    check_location(diag, &format!("content/{ARTICLE}"), article);
                }
            }
            Err(other) => panic!("not an error of the site: {other}"),
        }
    }
}

impl Default for Site {
    fn default() -> Site {
        Site::new()
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Whether the Markdown of `article` holds HTML of its own, which is
/// passed through as written.
fn has_raw_html(article: &str) -> bool {
    use pulldown_cmark::{Event, Options, Parser};
    let options = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    Parser::new_ext(article, options).any(|event| matches!(event, Event::Html(_) | Event::InlineHtml(_)))
}

/// Panics unless the output file `rel` parses as what its name says.
pub fn check_output(rel: &str, bytes: &[u8], raw_html: bool) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        assert!(!rel.ends_with(".html") && !rel.ends_with(".xml") && !rel.ends_with(".json"), "{rel} is not UTF-8");
        return;
    };
    if rel.ends_with(".html") {
        check_html(rel, text, raw_html);
    } else if rel.ends_with(".xml") {
        if let Err(e) = roxmltree::Document::parse(text) {
            panic!("{rel} is not XML: {e}\n{text}");
        }
    } else if rel.ends_with(".json") {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
            panic!("{rel} is not JSON: {e}\n{text}");
        }
    }
}

fn check_html(rel: &str, text: &str, raw_html: bool) {
    let document = scraper::Html::parse_document(text);
    if !raw_html {
        assert!(document.errors.is_empty(), "{rel} is not well-formed HTML: {:?}\n{text}", document.errors);
    }
    let selector = scraper::Selector::parse(r#"script[type="application/ld+json"]"#).unwrap();
    for script in document.select(&selector) {
        let json = script.inner_html();
        assert!(!json.to_ascii_lowercase().contains("</script"), "{rel}: JSON-LD holds </script");
        if let Err(e) = serde_json::from_str::<serde_json::Value>(&json) {
            panic!("{rel}: JSON-LD does not parse: {e}\n{json}");
        }
    }
    // The JSON-LD's end: nothing an author wrote may end the script early.
    let opened = text.matches("<script type=\"application/ld+json\">").count();
    assert_eq!(opened, document.select(&selector).count(), "{rel}: a JSON-LD script was cut short");
}

/// Every file a build writes, kept for the checks.
#[derive(Default)]
pub struct Collect {
    pub files: Mutex<Vec<(String, Bytes)>>,
}

impl Sink for Collect {
    fn write(&self, rel: &str, bytes: Bytes) -> anyhow::Result<()> {
        self.files.lock().unwrap().push((rel.to_string(), bytes));
        Ok(())
    }

    fn copy(&self, _: &str, _: &Path) -> anyhow::Result<()> {
        Ok(())
    }

    fn commit(&mut self, _: &Plan) -> anyhow::Result<()> {
        Ok(())
    }
}
