//! Times `serve`'s incremental rebuilds without a browser: builds a site in
//! memory once, then saves N times, rebuilding after each, and prints the
//! median time of every phase. A save is a paragraph appended to the
//! newest article (`paragraph`, the default), or a copy of it added as a
//! newer article and deleted again at the next save (`add`: half the saves
//! add, half delete).
//!
//! ```sh
//! cargo run --release --example rebuild -- /tmp/broadsheet-bench/b10000 20
//! cargo run --release --example rebuild -- /tmp/broadsheet-bench/b10000 20 add
//! ```
//!
//! The site is put back as it was at the end.

use std::path::PathBuf;

use broadsheet::SiteOptions;
use broadsheet::serve::Preview;

// As in the binary, so that the figures are serve's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().expect("usage: rebuild SITE [N]"));
    let runs: usize = args.next().map_or(20, |n| n.parse().expect("N is a number"));
    let adding = match args.next().as_deref() {
        None | Some("paragraph") => false,
        Some("add") => true,
        Some(other) => panic!("a save is `paragraph` or `add`, not {other:?}"),
    };
    let root = std::path::absolute(root).unwrap();
    // Future articles published, as serve --future does: the added one is dated 2099.
    let options = SiteOptions { root: root.clone(), drafts: false, future: true };
    let mut preview = Preview::new(options, "http://127.0.0.1:8000");
    preview.build(&[]).unwrap_or_else(|e| panic!("{e}"));
    broadsheet::serve::settle_memory();
    let newest = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .max_by_key(|e| e.file_name().to_owned())
        .expect("an article")
        .into_path();
    let original = std::fs::read_to_string(&newest).unwrap();
    // Newer than any article of the corpus, in the newest one's folder.
    let added = newest.with_file_name("2099-01-01-added-by-the-benchmark.md");
    let copy: String = original
        .lines()
        .map(|line| if line.starts_with("date = ") { "date = 2099-01-01T00:00:00" } else { line })
        .flat_map(|line| [line, "\n"])
        .collect();
    let mut phases: Vec<(&'static str, Vec<f64>)> = Vec::new();
    let mut totals = Vec::new();
    for run in 0..runs {
        let saved = if !adding {
            std::fs::write(&newest, format!("{original}\nA paragraph added at save {run}.\n")).unwrap();
            &newest
        } else if run % 2 == 0 {
            std::fs::write(&added, &copy).unwrap();
            &added
        } else {
            std::fs::remove_file(&added).unwrap();
            &added
        };
        // The whole save, the served files changed included.
        let started = std::time::Instant::now();
        let (report, _) = preview.build(std::slice::from_ref(saved)).unwrap_or_else(|e| panic!("{e}"));
        totals.push(started.elapsed().as_secs_f64() * 1000.0);
        for (at, (name, took, _)) in report.timings.iter().enumerate() {
            if phases.len() <= at {
                phases.push((name, Vec::new()));
            }
            phases[at].1.push(took.as_secs_f64() * 1000.0);
        }
    }
    std::fs::write(&newest, original).unwrap();
    let _ = std::fs::remove_file(&added);
    let median = |values: &mut Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let what = if adding { "an article added or deleted beside" } else { "a paragraph appended to" };
    println!("{runs} rebuilds after {what} {}:", newest.display());
    for (name, values) in &mut phases {
        println!("{name:>20}: {:>7.1} ms", median(values));
    }
    println!("{:>20}: {:>7.1} ms", "total", median(&mut totals));
}
