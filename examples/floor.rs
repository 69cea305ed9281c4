//! The floor of a build: what it costs merely to read every Markdown file
//! of a site, render its body with pulldown-cmark (broadsheet's options) and
//! write one HTML file per article, in parallel, with no front matter
//! parsing, no templates and no highlighting. bench/run.sh reports every
//! build figure as a ratio to this, measured in the same run.
//!
//! ```sh
//! cargo run --release --example floor -- /tmp/corpus/broadsheet /dev/shm/floor
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [site, out] = args.as_slice() else {
        eprintln!("usage: floor <site> <output>");
        std::process::exit(2);
    };
    let content = Path::new(site).join("content");
    let files: Vec<PathBuf> = walkdir::WalkDir::new(&content)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(walkdir::DirEntry::into_path)
        .collect();
    let out = Path::new(out);
    let written: usize = files
        .par_iter()
        .map(|path| {
            let text = fs::read_to_string(path).expect("readable article");
            // The body follows the second `+++` fence.
            let body = text.splitn(3, "+++").nth(2).unwrap_or(&text);
            let mut html = String::with_capacity(body.len() * 3 / 2);
            pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new_ext(body, options()));
            let rel = path.strip_prefix(&content).expect("under content/").with_extension("");
            let dir = out.join(rel);
            fs::create_dir_all(&dir).expect("output folder");
            fs::write(dir.join("index.html"), html).expect("written");
            1
        })
        .sum();
    println!("{written} articles");
}

fn options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options;
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}
