//! Hostile and strange sites: each is a clear error or a correct build,
//! quickly and in bounded memory. (A 1M-character line, escaped control characters, a TOML
//! nested too deep, names that collide by case or Unicode form, an article
//! citing itself and impossible dates have their cases in `build.rs` and
//! the error fixtures.)

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::Site;

/// Runs `broadsheet args` in `site` and returns its output with how long
/// it took, failing the test if it takes more than `limit`.
fn timed(site: &Site, args: &[&str], limit: Duration) -> crate::support::Output {
    let start = Instant::now();
    let output = site.run(args);
    let took = start.elapsed();
    assert!(took < limit, "{args:?} took {took:?}, more than {limit:?}:\n{}", output.stderr);
    output
}

#[test]
fn a_hundred_megabyte_article_is_an_error_before_it_is_read() {
    let site = Site::new(&[]);
    site.run(&["build"]).success();
    let before = crate::support::snapshot(&site.root().join("public"));
    let body = "The council met again. ".repeat(100 * 1024 * 1024 / 23);
    site.write("content/world/2025-03-04-huge.md", &format!("+++\ntitle = \"Huge\"\n+++\n{body}\n"));
    let output = timed(&site, &["build"], Duration::from_secs(20));
    assert_eq!(output.code, 1);
    assert_eq!(
        output.stderr,
        "error: article is 100.0 MB; broadsheet reads articles of up to 16 MB\n \
         --> content/world/2025-03-04-huge.md\n  \
         = help: a news article is rarely more than 1 MB of text: move data, tables or \
         pictures into files under static/ and link to them\n\n\
         error: build failed with 1 error\n"
    );
    assert_eq!(crate::support::snapshot(&site.root().join("public")), before, "public/ changed");
}

#[test]
fn markdown_nested_a_hundred_thousand_deep_builds() {
    let site = Site::new(&[]);
    let deep = 100_000;
    let quotes = format!("{}the innermost quote\n", "> ".repeat(deep));
    let brackets = format!("{}text{}", "[".repeat(deep), "]".repeat(deep));
    let lists = (0..2_000).map(|i| format!("{}- level {i}\n", "  ".repeat(i))).collect::<String>();
    let emphasis = format!("{}bold{}", "*".repeat(deep), "*".repeat(deep));
    let links = format!("{}x{}", "[".repeat(deep), "](/)".repeat(deep));
    for (n, body) in [quotes, brackets, lists, emphasis, links].iter().enumerate() {
        site.write(
            &format!("content/world/2025-03-1{n}-deep-{n}.md"),
            &format!("+++\ntitle = \"Deep {n}\"\n+++\n{body}\n"),
        );
    }
    timed(&site, &["build"], Duration::from_secs(60)).success();
    let quoted = site.read("public/world/deep-0/index.html");
    assert_eq!(quoted.matches("<blockquote>").count(), quoted.matches("</blockquote>").count());
    assert!(quoted.contains("<p>the innermost quote</p>"), "the innermost quote is lost");
    assert!(site.read("public/world/deep-1/index.html").contains("text"));
    assert!(site.read("public/world/deep-2/index.html").contains("level 1999"));
}

#[test]
fn ten_thousand_nested_folders_are_a_clear_error() {
    let site = Site::new(&[]);
    // Deeper than any path the system can name at once (PATH_MAX is 4096):
    // made one folder at a time, relative to the last.
    use rustix::fs::{CWD, Mode, OFlags, mkdirat, openat};
    let mut dir = openat(CWD, site.root().join("content/world"), OFlags::DIRECTORY, Mode::empty()).unwrap();
    for _ in 0..10_000 {
        mkdirat(&dir, "d", Mode::RWXU).unwrap();
        dir = openat(&dir, "d", OFlags::DIRECTORY, Mode::empty()).unwrap();
    }
    let file = openat(&dir, "2025-03-04-bottom.md", OFlags::CREATE | OFlags::WRONLY, Mode::RUSR | Mode::WUSR).unwrap();
    rustix::io::write(&file, b"+++\ntitle = \"Bottom\"\n+++\nDown here.\n").unwrap();
    let output = timed(&site, &["build"], Duration::from_secs(60));
    assert_eq!(output.code, 1, "{}", output.stderr);
    let first = output.stderr.lines().next().unwrap();
    assert!(first.starts_with("error: cannot read: "), "{}", output.stderr);
    assert!(output.stderr.contains("\n --> content/world/d/d/d/"), "{}", output.stderr);
    assert!(!site.root().join("public/world/bottom").exists());
    assert!(
        output
            .stderr
            .contains("= help: the folders nest deeper than the longest path the system can open; move the files up\n"),
        "{}",
        output.stderr
    );
}

#[test]
fn a_hundred_thousand_files_in_one_folder_build() {
    let site = Site::new(&[]);
    let folder = site.root().join("static/scans");
    fs::create_dir_all(&folder).unwrap();
    for n in 0..100_000 {
        fs::write(folder.join(format!("page-{n:06}.txt")), format!("scan {n}\n")).unwrap();
    }
    timed(&site, &["build"], Duration::from_secs(120)).success();
    assert_eq!(fs::read_dir(site.root().join("public/scans")).unwrap().count(), 100_000);
    assert_eq!(site.read("public/scans/page-099999.txt"), "scan 99999\n");
}

#[test]
fn file_and_folder_names_that_are_not_utf8_are_errors_naming_them() {
    let site = Site::new(&[]);
    let world = site.root().join("content/world");
    let article = world.join(std::ffi::OsStr::from_bytes(b"2025-03-04-caf\xe9.md"));
    fs::write(&article, "+++\ntitle = \"Latin-1 name\"\n+++\n").unwrap();
    let folder = world.join(std::ffi::OsStr::from_bytes(b"r\xe9sum\xe9s"));
    fs::create_dir(&folder).unwrap();
    fs::write(folder.join("2025-03-05-inside.md"), "+++\ntitle = \"Inside\"\n+++\n").unwrap();
    let output = site.run(&["build"]);
    assert_eq!(output.code, 1);
    assert_eq!(
        output.stderr,
        "error: file name is not valid UTF-8\n --> content/world/2025-03-04-caf\u{fffd}.md\n  \
         = help: rename it: URLs, feeds and sitemaps are UTF-8\n\n\
         error: file name is not valid UTF-8\n --> content/world/r\u{fffd}sum\u{fffd}s/2025-03-05-inside.md\n  \
         = help: rename it: URLs, feeds and sitemaps are UTF-8\n\n\
         error: build failed with 2 errors\n"
    );
    assert!(!Path::new(&site.root().join("public/world/inside")).exists());
}

#[test]
fn a_raw_nul_byte_in_front_matter_is_an_error_at_the_byte() {
    let site = Site::new(&[]);
    site.write("content/world/2025-03-05-cranes.md", "+++\ntitle = \"Cranes\0 Return\"\n+++\nBody.\n");
    let output = site.run(&["build"]);
    assert_eq!(output.code, 1);
    assert_eq!(
        output.stderr,
        "error: invalid basic string, expected non-double-quote visible characters, `\\`\n \
         --> content/world/2025-03-05-cranes.md:2:16\n  |\n2 | title = \"Cranes\u{2400} Return\"\n  \
         |                ^\n\nerror: build failed with 1 error\n"
    );
}

/// TOML has no references or aliases, so a "billion laughs" can only be
/// as big as its text: a million strings in nested arrays, where a list of
/// tags is expected, is one error pointing at the value, quickly.
#[test]
fn a_billion_laughs_toml_is_one_error_at_the_value() {
    let site = Site::new(&[]);
    let inner = format!("[{}]", ["\"lol\""; 10].join(","));
    let middle = format!("[{}]", vec![inner; 10].join(","));
    let tags = format!("[{}]", vec![middle; 10_000].join(","));
    site.write("content/world/2025-03-05-laughs.md", &format!("+++\ntitle = \"Laughs\"\ntags = {tags}\n+++\nBody.\n"));
    let output = timed(&site, &["build"], Duration::from_secs(60));
    assert_eq!(output.code, 1);
    assert!(
        output.stderr.starts_with(
            "error: invalid type: sequence, expected a string\n --> content/world/2025-03-05-laughs.md:3:9\n"
        ),
        "{}",
        output.stderr
    );
    assert!(output.stderr.ends_with("error: build failed with 1 error\n"));
    assert!(output.stderr.lines().all(|line| line.chars().count() < 200), "the excerpt is not cut");
}
