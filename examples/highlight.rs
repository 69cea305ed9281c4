//! What syntax highlighting costs, on the fenced code of a real site:
//! every fenced block with a language under `<site>/content`, highlighted
//! on all cores the way the build does, three ways (median of 5 rounds):
//!
//! - `parse`: syntect's parser alone, no HTML (the least any class-based
//!   output built on syntect can cost);
//! - `syntect-html`: syntect's `ClassedHTMLGenerator`, which takes the
//!   global scope lock and spells every scope's classes per token;
//! - `broadsheet`: `broadsheet::highlight::code_html`, what builds use.
//!
//! ```sh
//! cargo run --release --example highlight -- /tmp/corpus/broadsheet
//! ```
//!
//! To weigh syntect's other regex engine, build with its `default-fancy`
//! feature in place of the default (onig) and run this again. With the
//! `tree-sitter-comparison` feature, a fourth way: tree-sitter's
//! highlighter with its Rust and JSON grammars (the corpus's languages),
//! writing `hl-` class spans as broadsheet does, on the same blocks.

use std::path::Path;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use syntect::html::ClassedHTMLGenerator;
use syntect::parsing::{ParseState, SyntaxSet};
use syntect::util::LinesWithEndings;

fn main() {
    let Some(site) = std::env::args().nth(1) else {
        eprintln!("usage: highlight <site>");
        std::process::exit(2);
    };
    let blocks = blocks(&Path::new(&site).join("content"));
    let lines: usize = blocks.iter().map(|(_, code)| code.lines().count()).sum();
    println!("{} fenced blocks, {lines} lines", blocks.len());
    let syntaxes = SyntaxSet::load_defaults_newlines();
    // Loads broadsheet's syntax set before timing.
    broadsheet::highlight::code_html("rust", "fn main() {}\n");

    let parse = median(|| {
        blocks.par_iter().for_each(|(lang, code)| {
            let Some(syntax) = syntaxes.find_syntax_by_token(lang) else { return };
            let mut state = ParseState::new(syntax);
            for line in LinesWithEndings::from(code) {
                std::hint::black_box(state.parse_line(line, &syntaxes).expect("parses"));
            }
        })
    });
    let generator = median(|| {
        blocks.par_iter().for_each(|(lang, code)| {
            let Some(syntax) = syntaxes.find_syntax_by_token(lang) else { return };
            let mut html =
                ClassedHTMLGenerator::new_with_class_style(syntax, &syntaxes, broadsheet::highlight::CLASS_STYLE);
            for line in LinesWithEndings::from(code) {
                html.parse_html_for_line_which_includes_newline(line).expect("parses");
            }
            std::hint::black_box(html.finalize());
        })
    });
    let ours = median(|| {
        blocks.par_iter().for_each(|(lang, code)| {
            std::hint::black_box(broadsheet::highlight::code_html(lang, code));
        })
    });
    for (name, time) in [("parse", parse), ("syntect-html", generator), ("broadsheet", ours)] {
        println!("{name:>14}: {:7.1} ms", time.as_secs_f64() * 1000.0);
    }
    #[cfg(feature = "tree-sitter-comparison")]
    println!("{:>14}: {:7.1} ms", "tree-sitter", tree_sitter(&blocks).as_secs_f64() * 1000.0);
}

/// Tree-sitter's highlighter over the Rust and JSON blocks of `blocks`
/// (the others are left out), on all cores, median of 5.
#[cfg(feature = "tree-sitter-comparison")]
fn tree_sitter(blocks: &[(String, String)]) -> Duration {
    use tree_sitter_highlight::{HighlightConfiguration, HighlightEvent, Highlighter};
    // The capture names of the two grammars' highlight queries.
    const NAMES: &[&str] = &[
        "attribute",
        "comment",
        "constant",
        "constant.builtin",
        "constructor",
        "escape",
        "function",
        "function.macro",
        "function.method",
        "keyword",
        "label",
        "number",
        "operator",
        "property",
        "punctuation.bracket",
        "punctuation.delimiter",
        "string",
        "string.special",
        "string.special.key",
        "type",
        "type.builtin",
        "variable.builtin",
        "variable.parameter",
    ];
    let mut rust = HighlightConfiguration::new(
        tree_sitter_rust::LANGUAGE.into(),
        "rust",
        tree_sitter_rust::HIGHLIGHTS_QUERY,
        tree_sitter_rust::INJECTIONS_QUERY,
        "",
    )
    .expect("the grammar's queries");
    rust.configure(NAMES);
    let mut json = HighlightConfiguration::new(
        tree_sitter_json::LANGUAGE.into(),
        "json",
        tree_sitter_json::HIGHLIGHTS_QUERY,
        "",
        "",
    )
    .expect("the grammar's queries");
    json.configure(NAMES);
    median(|| {
        blocks.par_iter().for_each_init(Highlighter::new, |highlighter, (lang, code)| {
            let config = match lang.as_str() {
                "rust" => &rust,
                "json" => &json,
                _ => return,
            };
            let mut html = String::with_capacity(code.len() * 3);
            let events = highlighter.highlight(config, code.as_bytes(), None, None, |_| None).expect("highlights");
            for event in events {
                match event.expect("highlights") {
                    HighlightEvent::Source { start, end } => {
                        pulldown_cmark_escape::escape_html_body_text(&mut html, &code[start..end]).expect("to memory")
                    }
                    HighlightEvent::HighlightStart(name) => {
                        html.push_str("<span class=\"hl-");
                        html.push_str(&NAMES[name.0].replace('.', " hl-"));
                        html.push_str("\">");
                    }
                    HighlightEvent::HighlightEnd => html.push_str("</span>"),
                }
            }
            std::hint::black_box(html);
        })
    })
}

/// Every fenced block with a language: (language, code).
fn blocks(content: &Path) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    for entry in walkdir::WalkDir::new(content).into_iter().filter_map(Result::ok) {
        if entry.path().extension().is_none_or(|x| x != "md") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("readable article");
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            let Some(lang) = line.strip_prefix("```").filter(|l| !l.is_empty()) else { continue };
            let mut code = String::new();
            for line in lines.by_ref().take_while(|l| !l.starts_with("```")) {
                code.push_str(line);
                code.push('\n');
            }
            blocks.push((lang.to_string(), code));
        }
    }
    blocks
}

fn median(mut run: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[2]
}
