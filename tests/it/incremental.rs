//! `serve`'s incremental builder against full builds: a site (the `base`
//! fixture with the `incremental` overlay) is edited step by step, the
//! changed paths are handed to [`Incremental::build`] as a file watcher
//! reports them, and after every step its files must be exactly those a full
//! `build --base-url` writes into a fresh folder: the same paths, the same
//! bytes. A step that breaks the site must fail in both, with the same errors,
//! and the step that fixes it must again give equal files.
//!
//! The library reads *now* from `SOURCE_DATE_EPOCH` or the clock, and these
//! tests run in-process, so they leave the environment alone: the fixture's
//! articles are dated in March 2025 (or in 2999, to be scheduled), and the
//! one recent article is dated an hour before [`broadsheet::now`], so the
//! output does not depend on the exact moment of either build.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use broadsheet::serve::Preview as Incremental;
use broadsheet::{BuildOptions, Error, Files, Report, SiteOptions};

use crate::support::Site;

const BASE_URL: &str = "http://127.0.0.1:8000";

const HARBOUR: &str = "content/world/2025-03-01-harbour-reopens.md";
const STORM: &str = "content/world/2025-03-04-storm-damage.md";
const FERRY: &str = "content/world/2025-03-06-ferry-schedule.md";
const SCORE: &str = "content/sport/2025-03-02-final-score.md";
const UNFINISHED: &str = "content/sport/2025-03-07-unfinished.md";
const FEES: &str = "content/business/2025-03-03-port-fees.md";
const SHARES: &str = "content/business/markets/2025-03-08-shares.md";

/// Every file of an output folder, by path, with its bytes.
type Written = BTreeMap<String, Vec<u8>>;

fn options(root: &Path) -> SiteOptions {
    SiteOptions { root: root.to_path_buf(), drafts: false, future: false }
}

/// Every file of a full build of the site as it is now, with its report; or
/// its errors.
fn full_build(root: &Path) -> Result<(Written, Report), Vec<String>> {
    let out = output_folder();
    let output = out.path().join("public");
    let report = broadsheet::build(&BuildOptions {
        site: options(root),
        output: Some(output.clone()),
        base_url: Some(BASE_URL.to_string()),
        strict_urls: false,
    })
    .map_err(rendered)?;
    let files = walkdir::WalkDir::new(&output)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(&output).unwrap().to_str().unwrap().to_string();
            (rel, fs::read(e.path()).unwrap())
        })
        .collect();
    Ok((files, report))
}

/// A temporary folder for a full build's output, outside the site: in
/// memory where the system has /dev/shm, since writing some fifty files to
/// disk at every step would be most of the module's time.
fn output_folder() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(dir) = tempfile::tempdir_in(shm)
    {
        return dir;
    }
    tempfile::tempdir().unwrap()
}

/// Every diagnostic of a failed build, as printed.
fn rendered(error: Error) -> Vec<String> {
    match error {
        Error::Site(failed) => failed.diagnostics.iter().map(|d| d.render()).collect(),
        other => vec![other.to_string()],
    }
}

/// Builds incrementally after the files at `changed` (relative to `root`)
/// changed, and asserts that the files are exactly those of a full build.
fn step(
    builder: &mut Incremental,
    root: &Path,
    what: &str,
    changed: &[impl AsRef<Path>],
) -> (std::sync::Arc<Files>, Report) {
    let changed: Vec<PathBuf> = changed.iter().map(|rel| root.join(rel)).collect();
    // What the server would serve: a copy of the files the build changed.
    let incremental = builder
        .build(&changed)
        .map(|(report, _)| (std::sync::Arc::new(builder.files().read().unwrap().clone()), report))
        .map_err(rendered);
    match (incremental, full_build(root)) {
        (Ok((files, report)), Ok((expected, expected_report))) => {
            assert_same_files(what, &files, &expected);
            assert_eq!(
                summary(&report),
                summary(&expected_report),
                "{what}: the incremental report differs from a full build's"
            );
            (files, report)
        }
        (Err(errors), Ok(_)) => {
            panic!("{what}: the incremental build failed, a full build did not:\n{}", errors.join("\n"))
        }
        (Ok(_), Err(errors)) => {
            panic!("{what}: a full build failed, the incremental build did not:\n{}", errors.join("\n"))
        }
        (Err(incremental), Err(full)) => {
            panic!(
                "{what}: both builds failed\nfull build:\n{}\nincremental:\n{}",
                full.join("\n"),
                incremental.join("\n")
            )
        }
    }
}

/// Builds incrementally after the files at `changed` changed, and asserts
/// that it and a full build fail with the same diagnostics, whose errors say
/// exactly `errors`, in order.
fn fails(builder: &mut Incremental, root: &Path, what: &str, changed: &[impl AsRef<Path>], errors: &[&str]) {
    let changed: Vec<PathBuf> = changed.iter().map(|rel| root.join(rel)).collect();
    let incremental = builder.build(&changed).map(|_| ()).map_err(rendered);
    let full = full_build(root).map(|_| ());
    let outcome = |result: &Result<(), Vec<String>>| match result {
        Ok(()) => "succeeded".to_string(),
        Err(errors) => format!("failed:\n{}", errors.join("\n")),
    };
    let (Err(incremental), Err(full)) = (&incremental, &full) else {
        panic!(
            "{what}: both builds should fail\nincremental build {}\nfull build {}",
            outcome(&incremental),
            outcome(&full)
        );
    };
    assert_eq!(incremental, full, "{what}: the incremental build and a full build report different problems");
    let messages: Vec<&str> =
        full.iter().filter_map(|d| d.lines().next().and_then(|line| line.strip_prefix("error: "))).collect();
    assert_eq!(messages, errors, "{what}: unexpected errors:\n{}", full.join("\n"));
}

/// What a report says besides timings.
fn summary(report: &Report) -> (usize, usize, usize, Vec<String>) {
    (report.articles, report.categories, report.files, report.warnings.iter().map(|d| d.render()).collect())
}

/// Panics with the paths only one side has, the paths whose bytes differ,
/// and the first differing line of the first of those.
fn assert_same_files(what: &str, actual: &Files, expected: &Written) {
    let missing: Vec<&str> = expected.keys().filter(|k| !actual.contains_key(k.as_str())).map(String::as_str).collect();
    let mut extra: Vec<&str> = actual.keys().filter(|k| !expected.contains_key(&***k)).map(|k| &**k).collect();
    extra.sort();
    let differing: Vec<&str> = expected
        .iter()
        .filter(|(path, bytes)| actual.get(path.as_str()).is_some_and(|a| a.packed.bytes()[..] != bytes[..]))
        .map(|(path, _)| path.as_str())
        .collect();
    if missing.is_empty() && extra.is_empty() && differing.is_empty() {
        return;
    }
    let mut report = format!("{what}: the incremental build differs from a full build\n");
    if !missing.is_empty() {
        report.push_str(&format!("only in the full build: {missing:?}\n"));
    }
    if !extra.is_empty() {
        report.push_str(&format!("only in the incremental build: {extra:?}\n"));
    }
    if let Some(first) = differing.first() {
        report.push_str(&format!("different bytes: {differing:?}\n"));
        report.push_str(&first_difference(first, &actual[*first].packed.bytes(), &expected[*first]));
    }
    panic!("{report}");
}

/// The first line where two versions of a file differ, around the first
/// differing character.
fn first_difference(path: &str, actual: &[u8], expected: &[u8]) -> String {
    let actual = String::from_utf8_lossy(actual);
    let expected = String::from_utf8_lossy(expected);
    let (mut a, mut e) = (actual.split('\n'), expected.split('\n'));
    for number in 1.. {
        match (a.next(), e.next()) {
            (None, None) => break,
            (x, y) if x == y => continue,
            (x, y) => {
                let (x, y) = (x.unwrap_or("<end of file>"), y.unwrap_or("<end of file>"));
                let at = x.chars().zip(y.chars()).take_while(|(p, q)| p == q).count();
                let window = |line: &str| -> String { line.chars().skip(at.saturating_sub(60)).take(160).collect() };
                return format!(
                    "{path}, line {number}, from character {}:\n  full build:  {}\n  incremental: {}\n",
                    at.saturating_sub(60) + 1,
                    window(y),
                    window(x)
                );
            }
        }
    }
    format!("{path}: the files differ in bytes that are not valid UTF-8\n")
}

/// A site, its incremental builder, and the edits made to it.
struct Edits {
    site: Site,
    builder: Incremental,
    steps: usize,
    /// Those of the last build that succeeded, as printed.
    warnings: Vec<String>,
}

impl Edits {
    /// The fixture site, built once incrementally with no change.
    fn new() -> Edits {
        let site = Site::new(&["incremental"]);
        let builder = Incremental::new(options(site.root()), BASE_URL);
        let mut edits = Edits { site, builder, steps: 0, warnings: Vec::new() };
        edits.step("the first build", &[] as &[&str]);
        edits
    }

    fn root(&self) -> &Path {
        self.site.root()
    }

    fn read(&self, rel: &str) -> String {
        self.site.read(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        self.site.write(rel, text);
    }

    fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let path = self.root().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }

    /// Replaces the one occurrence of `from` in the file at `rel`.
    fn replace(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert_eq!(text.matches(from).count(), 1, "{rel} should contain {from:?} once:\n{text}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    fn rename(&self, from: &str, to: &str) {
        let to = self.root().join(to);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::rename(self.root().join(from), to).unwrap();
    }

    fn remove(&self, rel: &str) {
        let path = self.root().join(rel);
        // A symbolic link to a folder goes, not what it leads to.
        let folder = fs::symlink_metadata(&path).unwrap().is_dir();
        if folder { fs::remove_dir_all(path) } else { fs::remove_file(path) }.unwrap();
    }

    fn step(&mut self, what: &str, changed: &[impl AsRef<Path>]) -> std::sync::Arc<Files> {
        self.steps += 1;
        let what = format!("step {} ({what})", self.steps);
        let (files, report) = step(&mut self.builder, self.site.root(), &what, changed);
        self.warnings = report.warnings.iter().map(|d| d.render()).collect();
        files
    }

    fn fails(&mut self, what: &str, changed: &[impl AsRef<Path>], errors: &[&str]) {
        self.steps += 1;
        let what = format!("step {} ({what})", self.steps);
        fails(&mut self.builder, self.site.root(), &what, changed, errors);
    }
}

/// An output file as text.
fn page(files: &Files, rel: &str) -> String {
    let bytes = files.get(rel).unwrap_or_else(|| panic!("no {rel} among {:?}", files.keys().collect::<Vec<_>>()));
    String::from_utf8(bytes.packed.bytes().into_owned()).unwrap()
}

/// A PNG header that says `width` × `height`: all an image's size is read
/// from.
fn png(width: u32, height: u32) -> Vec<u8> {
    png_with_comment(width, height, "")
}

/// The same, with a `tEXt` comment when `comment` is not empty: other bytes,
/// the same size.
fn png_with_comment(width: u32, height: u32, comment: &str) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    // 8-bit truecolour, default compression, filter and no interlace.
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    if !comment.is_empty() {
        chunk(&mut out, b"tEXt", format!("Comment\0{comment}").as_bytes());
    }
    chunk(&mut out, b"IEND", &[]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn the_png_header_is_a_valid_png() {
    // The CRC of the IEND chunk is a constant of the format.
    assert_eq!(&png(1, 1)[png(1, 1).len() - 4..], &[0xae, 0x42, 0x60, 0x82]);
}

#[test]
fn body_edits_and_their_revert() {
    let mut site = Edits::new();
    let original = site.read(HARBOUR);
    site.write(HARBOUR, &format!("{original}\nA fourth berth opens on Monday.\n"));
    let files = site.step("a paragraph appended", &[HARBOUR]);
    assert!(page(&files, "world/harbour-reopens/index.html").contains("A fourth berth opens on Monday."));

    let long = "word ".repeat(500);
    site.write(
        HARBOUR,
        &format!("{original}\nA fourth berth opens on Tuesday.\n\n{long}\n\n```rust\nfn main() {{}}\n```\n"),
    );
    let files = site.step("a second edit: longer, with code", &[HARBOUR]);
    assert!(page(&files, "world/page/2/index.html").contains("3 min read"), "the reading time in listings follows");

    site.write(HARBOUR, &original);
    let files = site.step("the original text again", &[HARBOUR]);
    assert!(!page(&files, "world/harbour-reopens/index.html").contains("fourth berth"));
    site.step("nothing changed", &[] as &[&str]);

    // An article without a description: its dek is its first paragraph.
    site.replace(SCORE, "The home side won 2–1 in extra time.", "The home side won 3–1 after a late rally.");
    let files = site.step("the first paragraph of an article without description", &[SCORE]);
    assert!(page(&files, "sport/index.html").contains("won 3–1 after a late rally"));
    assert!(page(&files, "tags/football/index.html").contains("won 3–1 after a late rally"));
}

#[test]
fn pages_whose_context_held_are_taken_from_the_last_build() {
    let mut site = Edits::new();
    let before = site.step("nothing changed", &[] as &[&str]);
    let original = site.read(HARBOUR);
    site.write(HARBOUR, &format!("{original}\nA fourth berth opens on Monday.\n"));
    let after = site.step("a paragraph appended", &[HARBOUR]);
    // A page taken from the last build shares its packed bytes with it; a
    // page rendered again (the same bytes or not) is packed anew.
    let taken = |rel: &str| before[rel].packed.stored().as_ptr() == after[rel].packed.stored().as_ptr();
    assert!(!taken("world/harbour-reopens/index.html"));
    assert!(taken("sport/index.html"), "a listing the article is not on");
    let pages = after.keys().filter(|rel| rel.ends_with(".html")).count();
    let again =
        after.keys().filter(|rel| rel.ends_with(".html") && before.contains_key(&***rel) && !taken(rel)).count();
    assert!(again > 0 && again * 2 < pages, "{again} of {pages} pages rendered again");
    // Held packed: several times smaller than the page.
    let home = &after["index.html"].packed;
    assert!(home.stored().len() * 2 < home.bytes().len(), "{} of {}", home.stored().len(), home.bytes().len());
}

#[test]
fn title_and_description_edits_reach_every_page_that_shows_them() {
    let mut site = Edits::new();
    site.replace(HARBOUR, "\"Harbour Reopens After Storm\"", "\"Harbour Reopens Two Days After the Storm\"");
    let files = site.step("the title of an article others reference", &[HARBOUR]);
    for shown in
        ["index.html", "world/storm-damage/index.html", "tags/weather/index.html", "authors/ana-ruiz/page/2/index.html"]
    {
        assert!(page(&files, shown).contains("Harbour Reopens Two Days After the Storm"), "{shown}");
    }

    site.replace(HARBOUR, "Dock workers cleared debris overnight.", "Crews worked through the night.");
    site.step("its description", &[HARBOUR]);

    site.replace(STORM, "\"Storm Damage Tallied Along the Coast\"", "\"Storm Damage Tallied in Forty Towns\"");
    let files = site.step("the title of an article that references another", &[STORM]);
    assert!(page(&files, "world/harbour-reopens/index.html").contains("Storm Damage Tallied in Forty Towns"));

    site.replace(
        FERRY,
        "title = \"Ferries Return to the Full Timetable\"\n",
        "title = \"Ferries Return\"\ndescription = \"Hourly again.\"\n",
    );
    site.step("a description added where the first paragraph was the dek", &[FERRY]);

    site.replace(FERRY, "description = \"Hourly again.\"\n", "");
    site.step("and removed again", &[FERRY]);
    assert_eq!(site.warnings, Vec::<String>::new());

    let long = "A description that says far too much. ".repeat(9);
    site.replace(STORM, "Insurers count the cost of last week's storm.", long.trim_end());
    site.step("a description over 300 characters: a warning", &[STORM]);
    assert_eq!(site.warnings.len(), 1, "{:?}", site.warnings);

    site.replace(HARBOUR, "on Saturday", "on Sunday");
    site.step("another article edited: the warning stays", &[HARBOUR]);
    assert_eq!(site.warnings.len(), 1, "{:?}", site.warnings);

    site.replace(STORM, long.trim_end(), "Short again.");
    site.step("the description shortened", &[STORM]);
    assert_eq!(site.warnings, Vec::<String>::new());
}

/// A theme may show what the built-in one leaves out: an archive page that
/// shows the counts of the periods before and after it follows an article
/// added to one of them, though none of its own articles changed.
#[test]
fn an_archive_page_follows_the_counts_of_its_neighbours() {
    let mut site = Edits::new();
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/newsroom/templates/archive.html");
    let archive = fs::read_to_string(theme).unwrap();
    let counted = archive
        .replace("{{ archive.prev.title }}</a>", "{{ archive.prev.title }} ({{ archive.prev.count }})</a>")
        .replace("{{ archive.next.title }} →", "{{ archive.next.title }} ({{ archive.next.count }}) →");
    assert_ne!(counted, archive);
    site.write("templates/archive.html", &counted);
    let files = site.step("an archive showing its neighbours' counts", &["templates", "templates/archive.html"]);
    assert!(page(&files, "2025/03/06/index.html").contains("March 5, 2025 (1)"));

    let second = "content/world/2025-03-05-second-storm.md";
    site.write(second, "+++\ntitle = \"A Second Storm\"\nauthors = [\"ana-ruiz\"]\n+++\n\nIt came at night.\n");
    let files = site.step("a second article the day before", &[second]);
    assert!(page(&files, "2025/03/06/index.html").contains("March 5, 2025 (2)"));
}

#[test]
fn tag_and_date_changes_reorder_listings_feeds_and_sitemaps() {
    let mut site = Edits::new();
    site.replace(HARBOUR, "tags = [\"ports\", \"weather\"]", "tags = [\"ports\", \"weather\", \"salvage\"]");
    let files = site.step("a new tag", &[HARBOUR]);
    assert!(files.contains_key("tags/salvage/index.html"));

    site.replace(HARBOUR, "tags = [\"ports\", \"weather\", \"salvage\"]", "tags = [\"ports\", \"salvage\"]");
    let files = site.step("a tag removed", &[HARBOUR]);
    assert!(page(&files, "tags/ports/index.html").contains("/tags/ports/page/2/"));

    // The first page of `ports` keeps its two articles; only its pagination
    // (and the count on /tags/) tells that the third left.
    site.replace(HARBOUR, "tags = [\"ports\", \"salvage\"]", "tags = [\"salvage\"]");
    let files = site.step("the last article of a listing's second page leaves it", &[HARBOUR]);
    assert!(!files.contains_key("tags/ports/page/2/index.html"));
    assert!(!page(&files, "tags/ports/index.html").contains("/tags/ports/page/2/"));

    site.replace(HARBOUR, "tags = [\"salvage\"]", "tags = [\"ports\", \"salvage\"]");
    site.step("and comes back", &[HARBOUR]);

    site.replace(FERRY, "tags = [\"ports\", \"transport\"]", "tags = [\"Ports\"]");
    let files = site.step("the only article of a tag leaves it, another spells a tag differently", &[FERRY]);
    assert!(!files.contains_key("tags/transport/index.html"));

    site.replace(
        HARBOUR,
        "tags = [\"ports\", \"salvage\"]",
        "tags = [\"ports\", \"salvage\"]\ndate = 2025-03-09T08:00:00",
    );
    let files = site.step("a date that makes the oldest article the newest", &[HARBOUR]);
    let world = page(&files, "world/index.html");
    assert!(world.contains("Harbour Reopens After Storm"), "now on the first page of World");

    site.replace(HARBOUR, "date = 2025-03-09T08:00:00", "date = 2025-02-20\nupdated = 2025-03-08T12:00:00");
    site.step("an earlier date and an update", &[HARBOUR]);

    site.replace(STORM, "+++\n\nAssessors", "date = 2999-01-01\n+++\n\nAssessors");
    site.step("a date in the future: scheduled, left out", &[STORM]);

    site.replace(FERRY, "+++\n\nFerries", "date = 2999-01-01\n+++\n\nFerries");
    site.fails(
        "a referenced article scheduled",
        &[FERRY],
        &[
            "reference to a scheduled article: content/world/2025-03-06-ferry-schedule.md is published at 2999-01-01T00:00:00-06:00",
        ],
    );

    site.replace(FERRY, "date = 2999-01-01\n", "");
    site.replace(STORM, "date = 2999-01-01\n", "");
    site.step("both back to their dates", &[FERRY, STORM]);

    site.replace(HARBOUR, "date = 2025-02-20\nupdated = 2025-03-08T12:00:00", "");
    site.step("the date from the file name again", &[HARBOUR]);
}

#[test]
fn an_article_added_renamed_and_deleted() {
    let mut site = Edits::new();
    let new = "content/world/2025-03-09-new-berth.md";
    site.write(
        new,
        "+++\ntitle = \"A New Berth Opens\"\nauthors = [\"ana-ruiz\"]\ntags = [\"ports\", \"berths\"]\n\
         further_context = [\"world/2025-03-01-harbour-reopens.md\"]\n+++\n\nThe fourth berth took a year to build.\n",
    );
    let files = site.step("a new article", &[new]);
    assert!(page(&files, "world/harbour-reopens/index.html").contains("A New Berth Opens"), "a backlink");

    let moved = "content/sport/2025-03-10-new-berth.md";
    site.rename(new, moved);
    let files = site.step("renamed into another category", &[new, moved]);
    assert!(files.contains_key("sport/new-berth/index.html"));
    assert!(!files.contains_key("world/new-berth/index.html"));

    site.remove(moved);
    let files = site.step("deleted", &[moved]);
    assert!(!files.contains_key("sport/new-berth/index.html"));
    assert!(!files.contains_key("tags/berths/index.html"));

    let follow_up = "content/world/2025-03-11-follow-up.md";
    let later = "content/sport/2025-03-12-later.md";
    site.write(
        follow_up,
        "+++\ntitle = \"Follow-Up\"\nfurther_context = [\"sport/2025-03-12-later.md\"]\n+++\n\nMore.\n",
    );
    site.fails(
        "an article that references one not written yet",
        &[follow_up],
        &["broken reference: no article at content/sport/2025-03-12-later.md"],
    );

    site.write(later, "+++\ntitle = \"Later\"\n+++\n\nWritten.\n");
    site.step("the referenced article written", &[later]);

    site.remove(later);
    site.fails(
        "the referenced article deleted",
        &[later],
        &["broken reference: no article at content/sport/2025-03-12-later.md"],
    );

    site.remove(follow_up);
    site.step("the referencing article deleted too", &[follow_up]);

    let twin = "content/world/2025-03-09-harbour-reopens.md";
    site.write(twin, "+++\ntitle = \"Harbour Reopens Again\"\n+++\n\nA second time.\n");
    site.fails(
        "a new article with the URL of another",
        &[twin],
        &[
            "content/world/2025-03-01-harbour-reopens.md and content/world/2025-03-09-harbour-reopens.md would both be written to /world/harbour-reopens/",
        ],
    );

    site.replace(twin, "+++\n\nA second", "slug = \"harbour-reopens-again\"\n+++\n\nA second");
    let files = site.step("given a slug of its own", &[twin]);
    assert!(files.contains_key("world/harbour-reopens-again/index.html"));
}

#[test]
fn further_context_inline_links_and_anchors() {
    let mut site = Edits::new();
    site.replace(
        SCORE,
        "tags = [\"football\"]",
        "tags = [\"football\"]\nfurther_context = [{ path = \"world/2025-03-04-storm-damage.md\", note = \"The storm that delayed the final\" }]",
    );
    let files = site.step("a reference added", &[SCORE]);
    assert!(page(&files, "world/storm-damage/index.html").contains("Home Side Wins the Final"), "a backlink");

    site.replace(SCORE, "The storm that delayed the final", "Why the final was played a week late");
    let files = site.step("its note changed", &[SCORE]);
    assert!(page(&files, "sport/final-score/index.html").contains("Why the final was played a week late"));

    site.replace(
        SCORE,
        "\nfurther_context = [{ path = \"world/2025-03-04-storm-damage.md\", note = \"Why the final was played a week late\" }]",
        "",
    );
    let files = site.step("the reference removed", &[SCORE]);
    assert!(!page(&files, "world/storm-damage/index.html").contains("Home Side Wins the Final"));

    site.replace(
        SCORE,
        "in extra time.",
        "in extra time.\n\nFans went home by [ferry](@/world/2025-03-06-ferry-schedule.md#timetable).",
    );
    let files = site.step("an inline link to a heading", &[SCORE]);
    assert!(
        page(&files, "sport/final-score/index.html").contains(&format!("{BASE_URL}/world/ferry-schedule/#timetable"))
    );

    site.replace(FERRY, "## Timetable", "## Sailings");
    site.fails(
        "the linked heading renamed",
        &[FERRY],
        &["`#timetable` is not a heading id of content/world/2025-03-06-ferry-schedule.md"],
    );

    site.replace(SCORE, "#timetable", "#sailings");
    site.step("the link follows the heading", &[SCORE]);

    site.replace(FERRY, "## Sailings", "## Timetable");
    site.fails(
        "the heading renamed back",
        &[FERRY],
        &["`#sailings` is not a heading id of content/world/2025-03-06-ferry-schedule.md"],
    );

    site.replace(SCORE, "#sailings", "#timetable");
    site.step("the link follows it back", &[SCORE]);

    // A further_context anchor, fixed in the target rather than the source.
    site.replace(HARBOUR, "## Key Details", "## Details");
    site.fails(
        "a heading referenced from further_context renamed",
        &[HARBOUR],
        &["`#key-details` is not a heading id of content/world/2025-03-01-harbour-reopens.md"],
    );

    site.replace(HARBOUR, "## Details", "## Key Details");
    site.step("the heading restored", &[HARBOUR]);

    site.replace(FERRY, "(@/world/2025-03-01-harbour-reopens.md)", "(@/world/2025-03-04-storm-damage.md#roads)");
    let files = site.step("an inline link moved to another article", &[FERRY]);
    assert!(page(&files, "world/ferry-schedule/index.html").contains(&format!("{BASE_URL}/world/storm-damage/#roads")));

    // The URL of a linked article changes; the article that links to it does
    // not change, its page must.
    site.replace(
        FERRY,
        "title = \"Ferries Return to the Full Timetable\"",
        "title = \"Ferries Return to the Full Timetable\"\nslug = \"ferries\"",
    );
    let files = site.step("the slug of a linked article", &[FERRY]);
    let score = page(&files, "sport/final-score/index.html");
    assert!(score.contains(&format!("{BASE_URL}/world/ferries/#timetable")), "{score}");
}

#[test]
fn drafts_published_and_withdrawn() {
    let mut site = Edits::new();
    site.replace(UNFINISHED, "draft = true\n", "");
    let files = site.step("a draft published", &[UNFINISHED]);
    assert!(files.contains_key("sport/unfinished/index.html"));

    site.replace(UNFINISHED, "tags = [\"football\"]\n", "tags = [\"football\"]\ndraft = true\n");
    let files = site.step("and back to a draft", &[UNFINISHED]);
    assert!(!files.contains_key("sport/unfinished/index.html"));

    site.replace(FERRY, "tags = [\"ports\", \"transport\"]", "tags = [\"ports\", \"transport\"]\ndraft = true");
    site.fails(
        "a referenced article made a draft",
        &[FERRY],
        &["reference to a draft: content/world/2025-03-06-ferry-schedule.md"],
    );

    site.replace(FERRY, "\ndraft = true", "");
    site.step("published again", &[FERRY]);

    site.replace(HARBOUR, "tags = [\"ports\", \"weather\"]", "tags = [\"ports\", \"weather\"]\ndraft = true");
    site.fails(
        "an article referenced twice made a draft",
        &[HARBOUR],
        &[
            "reference to a draft: content/world/2025-03-01-harbour-reopens.md",
            "reference to a draft: content/world/2025-03-01-harbour-reopens.md",
        ],
    );

    site.replace(HARBOUR, "\ndraft = true", "\ndraft = false");
    site.step("published again", &[HARBOUR]);
}

#[test]
fn images_beside_an_article_and_their_sizes() {
    let mut site = Edits::new();
    let chart = "content/business/chart.png";
    site.replace(FEES, "by four percent.", "by four percent.\n\n![A bar chart of port fees](chart.png)");
    site.fails("an image not there yet", &[FEES], &["image `chart.png` not found beside the article"]);

    site.write_bytes(chart, &png(10, 20));
    let files = site.step("the image added", &[chart]);
    assert!(page(&files, "business/port-fees/index.html").contains("width=\"10\" height=\"20\""));
    assert_eq!(files["business/port-fees/chart.png"].packed.bytes()[..], png(10, 20)[..]);

    site.write_bytes(chart, &png(30, 40));
    let files = site.step("the image replaced by a larger one", &[chart]);
    assert!(page(&files, "business/port-fees/index.html").contains("width=\"30\" height=\"40\""));
    assert_eq!(files["business/port-fees/chart.png"].packed.bytes()[..], png(30, 40)[..]);

    site.replace(
        FEES,
        "+++\n\nThe port",
        "image = { src = \"chart.png\", alt = \"Port fees since 2015\" }\n+++\n\nThe port",
    );
    site.step("the same image as the featured image", &[FEES]);

    site.write_bytes(chart, &png(50, 60));
    let files = site.step("the featured image replaced", &[chart]);
    assert!(page(&files, "business/port-fees/index.html").contains("width=\"50\" height=\"60\""));

    let graph = "content/business/markets/graph.png";
    site.write_bytes(graph, &png(7, 8));
    site.replace(SHARES, "for a third day.", "for a third day.\n\n![Share prices this week](graph.png)");
    let files = site.step("an image in a subfolder", &[graph, SHARES]);
    assert!(page(&files, "business/shares/index.html").contains("width=\"7\" height=\"8\""));

    site.remove(chart);
    site.fails(
        "the image deleted",
        &[chart],
        &["image `chart.png` not found beside the article", "image `chart.png` not found beside the article"],
    );

    site.write_bytes(chart, &png(10, 20));
    site.step("the image restored", &[chart]);

    let retouched = png_with_comment(10, 20, "retouched");
    site.write_bytes(chart, &retouched);
    let files = site.step("other bytes, the same size", &[chart]);
    assert_eq!(files["business/port-fees/chart.png"].packed.bytes()[..], retouched[..]);

    site.replace(
        FEES,
        "title = \"Port Fees Rise for the First Time in a Decade\"",
        "title = \"Port Fees Rise\"\nslug = \"fees\"",
    );
    let files = site.step("a new slug: the image moves with the page", &[FEES]);
    assert_eq!(files["business/fees/chart.png"].packed.bytes()[..], retouched[..]);
    assert!(!files.contains_key("business/port-fees/chart.png"));

    site.replace(
        STORM,
        "Two bridges remain closed.",
        "Two bridges remain closed.\n\n![Port fees](../business/chart.png)",
    );
    let files = site.step("the image shown by an article of another folder", &[STORM]);
    assert!(page(&files, "world/storm-damage/index.html").contains("width=\"10\" height=\"20\""));

    site.write_bytes(chart, &png(11, 21));
    let files = site.step("the image both show replaced", &[chart]);
    assert!(page(&files, "world/storm-damage/index.html").contains("width=\"11\" height=\"21\""));
    assert!(page(&files, "business/fees/index.html").contains("width=\"11\" height=\"21\""));

    let notes = "content/business/notes.txt";
    site.write(notes, "Fees per berth, 2015 to 2025.\n");
    let files = site.step("a file no article shows", &[notes]);
    assert_eq!(&files["business/notes.txt"].packed.bytes()[..], b"Fees per berth, 2015 to 2025.\n");

    site.write(notes, "Fees per berth, 2010 to 2025.\n");
    site.step("that file changed", &[notes]);

    site.remove(notes);
    site.step("and deleted", &[notes]);
}

#[test]
fn folders_renamed_deleted_and_created() {
    let mut site = Edits::new();
    site.rename("content/business/markets", "content/business/exchanges");
    site.step("a subfolder renamed", &["content/business/markets", "content/business/exchanges"]);

    site.rename("content/business/exchanges", "content/business/markets");
    site.step("renamed back, the new path reported first", &["content/business/markets", "content/business/exchanges"]);

    site.rename("content/business/markets", "content/business/exchanges");
    site.step("and again", &["content/business/markets", "content/business/exchanges"]);

    site.rename("content", "content.old");
    site.fails("content/ renamed away", &["content", "content.old"], &["no content/ folder"]);

    site.rename("content.old", "content");
    site.step("content/ back", &["content", "content.old"]);

    site.rename("content/business", "content/economy");
    let files = site.step("a category folder renamed", &["content/business", "content/economy"]);
    assert!(files.contains_key("economy/port-fees/index.html"));
    assert!(!files.contains_key("business/port-fees/index.html"));

    site.rename("content/economy", "content/finance");
    site.fails(
        "renamed to a category config.toml does not declare",
        &["content/economy", "content/finance"],
        &["category `finance` is not declared in config.toml", "category `finance` is not declared in config.toml"],
    );

    site.rename("content/finance", "content/business");
    site.step("renamed back", &["content/finance", "content/business"]);

    site.rename("content/world", "content/economy");
    site.fails(
        "a folder whose articles are referenced renamed",
        &["content/world", "content/economy"],
        &[
            "broken reference: no article at content/world/2025-03-06-ferry-schedule.md",
            "broken reference: no article at content/world/2025-03-01-harbour-reopens.md",
            "broken reference: no article at content/world/2025-03-01-harbour-reopens.md",
        ],
    );

    site.rename("content/economy", "content/world");
    site.step("renamed back", &["content/economy", "content/world"]);

    site.remove("content/business/exchanges");
    site.step("a subfolder deleted", &["content/business/exchanges"]);

    let outlook = "content/economy/outlook/2025-03-09-outlook.md";
    site.write(outlook, "+++\ntitle = \"The Outlook for Trade\"\ntags = [\"trade\"]\n+++\n\nSteady.\n");
    let files = site.step("a new folder with an article", &["content/economy", "content/economy/outlook", outlook]);
    assert!(files.contains_key("economy/outlook/index.html"));

    site.remove("content/sport");
    let files = site.step("a category folder deleted", &["content/sport"]);
    assert!(!files.contains_key("sport/final-score/index.html"));
}

#[test]
fn config_templates_and_static_files() {
    let mut site = Edits::new();
    site.replace("config.toml", "title = \"Fixture Gazette\"", "title = \"Fixture Times\"");
    let files = site.step("the site title", &["config.toml"]);
    assert!(page(&files, "world/harbour-reopens/index.html").contains("Fixture Times"));

    site.replace("config.toml", "articles_per_page = 2", "articles_per_page = 1");
    let files = site.step("articles_per_page", &["config.toml"]);
    assert!(files.contains_key("world/page/3/index.html"));

    site.replace("config.toml", "feed_limit = 4", "feed_limt = 4");
    site.fails("an unknown key in config.toml", &["config.toml"], &["unknown config key `feed_limt`"]);

    site.replace("config.toml", "feed_limt = 4", "feed_limit = 4");
    site.step("the key fixed", &["config.toml"]);

    let config = site.read("config.toml");
    site.remove("config.toml");
    site.fails("config.toml deleted", &["config.toml"], &["no config.toml in the site folder"]);

    site.write("config.toml", &config);
    site.step("config.toml back", &["config.toml"]);

    site.replace("config.toml", "timezone = \"America/Mexico_City\"", "timezone = \"Asia/Tokyo\"");
    site.step("the time zone: every date moves", &["config.toml"]);

    site.replace(
        "config.toml",
        "title = \"Fixture Times\"",
        "title = \"Fixture Times\"\npermalink = \"/{category}/{year}/{slug}/\"",
    );
    let files = site.step("the permalink", &["config.toml"]);
    assert!(files.contains_key("world/2025/harbour-reopens/index.html"));

    site.write(
        "config.toml",
        &format!(
            "{}\n[authors.marco-villanueva]\nname = \"Marco Villanueva\"\nbio = \"Sport.\"\n",
            site.read("config.toml")
        ),
    );
    let files = site.step("a profile for an author", &["config.toml"]);
    assert!(page(&files, "authors/marco-villanueva/index.html").contains("Sport."));

    let theme_card = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/newsroom/templates/partials/card.html");
    let card = fs::read_to_string(theme_card).unwrap();
    let override_path = "templates/partials/card.html";
    let marked = card.replace("<article class=\"card\">", "<article class=\"card card-marked\">");
    assert_ne!(marked, card);
    site.write(override_path, &marked);
    let files = site.step("a template override added", &["templates", "templates/partials", override_path]);
    assert!(page(&files, "index.html").contains("card-marked"));

    site.write(override_path, &marked.replace("card-marked", "card-remarked"));
    let files = site.step("the override changed", &[override_path]);
    assert!(page(&files, "world/index.html").contains("card-remarked"));

    site.write(override_path, &card.replace("{{ item.title }}", "{{ item.title | no_such_filter }}"));
    site.fails(
        "a template that uses an unknown filter",
        &[override_path],
        &["template error: Unknown filter `no_such_filter`"],
    );

    site.remove(override_path);
    let files = site.step("the override deleted", &[override_path]);
    assert!(!page(&files, "index.html").contains("card-remarked"));

    site.write("static/extra.css", "a { color: red; }\n");
    let files = site.step("a static file added", &["static", "static/extra.css"]);
    assert_eq!(&files["extra.css"].packed.bytes()[..], b"a { color: red; }\n");

    site.write("static/extra.css", "a { color: blue; }\n");
    let files = site.step("the static file changed", &["static/extra.css"]);
    assert_eq!(&files["extra.css"].packed.bytes()[..], b"a { color: blue; }\n");

    site.write("static/style.css", "body { margin: 0; }\n");
    let files = site.step("the theme's stylesheet overridden", &["static/style.css"]);
    assert_eq!(&files["style.css"].packed.bytes()[..], b"body { margin: 0; }\n");

    site.remove("static/style.css");
    let files = site.step("the override deleted", &["static/style.css"]);
    assert_ne!(&files["style.css"].packed.bytes()[..], b"body { margin: 0; }\n");

    site.remove("static");
    let files = site.step("static/ deleted", &["static"]);
    assert!(!files.contains_key("extra.css"));

    let comet = "content/science/2025-03-09-comet.md";
    site.write(comet, "+++\ntitle = \"A Comet Is Seen\"\n+++\n\nLow in the west.\n");
    site.fails(
        "an article in a folder config.toml does not declare",
        &["content/science", comet],
        &["category `science` is not declared in config.toml"],
    );

    site.write("config.toml", &format!("{}\n[categories.science]\nname = \"Science\"\n", site.read("config.toml")));
    let files = site.step("the category declared", &["config.toml"]);
    assert!(files.contains_key("science/2025/comet/index.html"));

    // The theme on disk instead of the built-in one.
    crate::support::copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/newsroom"),
        &site.root().join("themes/newsroom"),
    );
    site.step("the theme copied into the site", &["themes"]);

    site.write("themes/newsroom/static/style.css", "body { color: black; }\n");
    let files = site.step("the theme's stylesheet edited", &["themes/newsroom/static/style.css"]);
    assert_eq!(&files["style.css"].packed.bytes()[..], b"body { color: black; }\n");

    let base = "themes/newsroom/templates/base.html";
    site.replace(base, "<body", "<body data-edited");
    let files = site.step("the theme's layout edited", &[base]);
    assert!(page(&files, "sport/2025/final-score/index.html").contains("<body data-edited"));
}

#[test]
fn hidden_underscore_and_backup_files_in_content() {
    let mut site = Edits::new();
    let hidden = "content/world/.2025-03-09-hidden.md";
    site.write(hidden, "+++\ntitle = \"Hidden\"\n+++\n\nNot published.\n");
    let files = site.step("a hidden article", &[hidden]);
    assert!(!files.contains_key("world/hidden/index.html"));

    let hidden_folder = "content/.archive/world/2025-01-01-old.md";
    site.write(hidden_folder, "+++\ntitle = \"Old\"\n+++\n\nArchived.\n");
    site.step("an article in a hidden folder", &["content/.archive", "content/.archive/world", hidden_folder]);

    let underscore = "content/world/_2025-03-09-notes.md";
    site.write(underscore, "+++\ntitle = \"Notes\"\n+++\n\nNot an article.\n");
    let files = site.step("a file starting with _", &[underscore]);
    assert!(!files.contains_key("world/notes/index.html"));

    site.write(underscore, "+++\ntittle = broken\n");
    site.step("that file broken: still ignored", &[underscore]);

    // An editor saves: the old file becomes the backup, the new text is written.
    let backup = "content/world/2025-03-01-harbour-reopens.md~";
    let original = site.read(HARBOUR);
    site.rename(HARBOUR, backup);
    site.write(HARBOUR, &original.replace("on Saturday", "on Sunday"));
    let files = site.step("a save that keeps a backup ending in ~", &[HARBOUR, backup]);
    assert!(page(&files, "world/harbour-reopens/index.html").contains("on Sunday"));

    let swap = "content/world/.2025-03-01-harbour-reopens.md.swp";
    site.write_bytes(swap, b"\x00\x01swap");
    site.write("content/world/4913", "");
    site.step("a swap file and vim's probe file", &[swap, "content/world/4913"]);

    for rel in [hidden, "content/.archive", underscore, backup, swap, "content/world/4913"] {
        site.remove(rel);
    }
    site.step("all of them deleted", &[hidden, "content/.archive", underscore, backup, swap, "content/world/4913"]);
}

#[test]
fn a_file_that_is_not_utf8_and_its_fix() {
    let mut site = Edits::new();
    let original = site.read(HARBOUR);
    let mut latin1 = original.replace("The harbour reopened", "The caf\u{e9} reopened").into_bytes();
    let at = latin1.windows(2).position(|w| w == "é".as_bytes()).unwrap();
    latin1.splice(at..at + 2, [0xe9]);
    site.write_bytes(HARBOUR, &latin1);
    // The articles that reference it cannot find it either.
    site.fails(
        "an article saved as Latin-1",
        &[HARBOUR],
        &[
            "file is not valid UTF-8",
            "broken reference: no article at content/world/2025-03-01-harbour-reopens.md",
            "broken reference: no article at content/world/2025-03-01-harbour-reopens.md",
        ],
    );

    site.write(HARBOUR, &original.replace("The harbour reopened", "The café reopened"));
    let files = site.step("saved as UTF-8", &[HARBOUR]);
    assert!(page(&files, "world/harbour-reopens/index.html").contains("The café reopened"));

    let new = "content/sport/2025-03-09-latin1.md";
    site.write_bytes(new, b"+++\ntitle = \"Caf\xe9\"\n+++\n\nBody.\n");
    site.fails("a new article that is not UTF-8", &[new], &["file is not valid UTF-8"]);

    site.remove(new);
    site.step("deleted", &[new]);
}

#[test]
fn a_file_name_that_is_not_utf8() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let mut site = Edits::new();
    let name = Path::new("content/world").join(OsStr::from_bytes(b"caf\xe9.png"));
    fs::write(site.root().join(&name), png(1, 1)).unwrap();
    site.fails("a file with a Latin-1 name", &[&name], &["file name is not valid UTF-8"]);

    // While the walk of content/ meets an error every change reads it whole.
    site.replace(HARBOUR, "on Saturday", "on Sunday");
    site.fails("an edit elsewhere", &[HARBOUR], &["file name is not valid UTF-8"]);

    fs::remove_file(site.root().join(&name)).unwrap();
    let files = site.step("the file deleted", &[&name]);
    assert!(page(&files, "world/harbour-reopens/index.html").contains("on Sunday"));
}

#[test]
fn symbolic_links_in_content() {
    let mut site = Edits::new();
    // A folder of business/ that is a link to another of its folders: its
    // articles are published twice, once through the link.
    std::os::unix::fs::symlink("markets", site.root().join("content/business/mirror")).unwrap();
    site.fails(
        "a linked folder publishes a second article with the same URL",
        &["content/business/mirror"],
        &[
            "content/business/markets/2025-03-08-shares.md and content/business/mirror/2025-03-08-shares.md would both be written to /business/shares/",
        ],
    );

    site.replace(SHARES, "for a third day.", "for a fourth day.");
    site.fails(
        "an edit seen only under the target of the link",
        &[SHARES],
        &[
            "content/business/markets/2025-03-08-shares.md and content/business/mirror/2025-03-08-shares.md would both be written to /business/shares/",
        ],
    );

    site.remove("content/business/mirror");
    site.step("the link deleted", &["content/business/mirror"]);

    // A link to a single article under another name and folder.
    std::os::unix::fs::symlink(
        "../world/2025-03-06-ferry-schedule.md",
        site.root().join("content/sport/2025-03-06-ferries.md"),
    )
    .unwrap();
    let files = site.step("a linked article", &["content/sport/2025-03-06-ferries.md"]);
    assert!(files.contains_key("sport/ferries/index.html"));

    site.replace(FERRY, "The first sailing leaves at six.", "The first sailing leaves at five.");
    let files = site.step("the linked article edited through its target only", &[FERRY]);
    assert!(page(&files, "sport/ferries/index.html").contains("leaves at five"));

    site.remove("content/sport/2025-03-06-ferries.md");
    site.step("the linked article deleted", &["content/sport/2025-03-06-ferries.md"]);

    // A link back to an ancestor: a warning, and the walk goes on.
    std::os::unix::fs::symlink("..", site.root().join("content/world/loop")).unwrap();
    site.step("a symbolic link loop", &["content/world/loop"]);
    assert_eq!(site.warnings.len(), 1, "{:?}", site.warnings);
    assert!(site.warnings[0].starts_with("warning: symbolic link loop"), "{:?}", site.warnings);

    site.replace(HARBOUR, "on Saturday", "on Sunday");
    site.step("an edit elsewhere: the warning stays", &[HARBOUR]);
    assert_eq!(site.warnings.len(), 1, "{:?}", site.warnings);

    site.remove("content/world/loop");
    site.step("the loop deleted", &["content/world/loop"]);
    assert_eq!(site.warnings, Vec::<String>::new());
}

#[test]
fn a_site_that_fails_its_first_build() {
    let site = Site::new(&["incremental"]);
    let mut builder = Incremental::new(options(site.root()), BASE_URL);
    site.write(STORM, &site.read(STORM).replace("#key-details", "#key-detail"));
    fails(
        &mut builder,
        site.root(),
        "the first build",
        &[] as &[&str],
        &["`#key-detail` is not a heading id of content/world/2025-03-01-harbour-reopens.md"],
    );
    site.write(STORM, &site.read(STORM).replace("#key-detail", "#key-details"));
    step(&mut builder, site.root(), "fixed", &[STORM]);
}

#[test]
fn an_article_of_the_last_48_hours_in_the_news_sitemap() {
    let mut site = Edits::new();
    // *Now* as the builds see it; an hour before is far from either edge of
    // the window.
    let now = broadsheet::now().unwrap().as_second();
    let hour_ago = jiff::Timestamp::from_second(now - 3600).unwrap();
    let recent = "content/world/breaking.md";
    site.write(recent, &format!("+++\ntitle = \"Breaking: Cranes Return\"\ndate = {hour_ago}\n+++\n\nJust now.\n"));
    let files = site.step("an article of the last hour", &[recent]);
    assert!(page(&files, "news-sitemap.xml").contains("Breaking: Cranes Return"));

    site.replace(recent, "Breaking: Cranes Return", "Breaking: All Cranes Return");
    let files = site.step("its title changed", &[recent]);
    assert!(page(&files, "news-sitemap.xml").contains("Breaking: All Cranes Return"));

    let days_ago = jiff::Timestamp::from_second(now - 3 * 86400).unwrap();
    site.replace(recent, &format!("date = {hour_ago}"), &format!("date = {days_ago}"));
    let files = site.step("dated three days ago: out of the window", &[recent]);
    assert!(!page(&files, "news-sitemap.xml").contains("Cranes Return"));

    site.replace(recent, &format!("date = {days_ago}"), &format!("date = {hour_ago}"));
    site.step("back in the window", &[recent]);

    site.remove(recent);
    let files = site.step("deleted", &[recent]);
    assert!(!page(&files, "news-sitemap.xml").contains("Cranes Return"));
}

/// Related lists on an archive large enough for their limits to matter
/// (tag lists longer than the candidate window, tag weights that differ):
/// random tag, date, category and further-context edits, articles added
/// and deleted, each compared with a full build. `serve` scores again only
/// the articles a change can affect, so this is where a wrong guess would
/// show.
#[test]
fn related_lists_follow_random_edits_on_a_larger_archive() {
    const ARTICLES: usize = 160;
    const TAGS: [&str; 6] = ["ports", "storms", "fares", "courts", "schools", "water"];
    // A fixed sequence (a linear congruential generator): the same edits on
    // every run.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |below: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % below
    };
    let site = Site::empty();
    let root = site.root();
    site.write(
        "config.toml",
        "title = \"Archive\"\nbase_url = \"https://archive.test\"\narticles_per_page = 10\nsearch = false\n\n\
         [categories.world]\nname = \"World\"\n\n[categories.city]\nname = \"City\"\n",
    );
    // Each article's category, tags, day of February and further-context
    // target; `None` once deleted.
    struct Article {
        category: &'static str,
        tags: Vec<&'static str>,
        day: usize,
        further: Option<usize>,
    }
    let mut articles: Vec<Option<Article>> = (0..ARTICLES)
        .map(|i| {
            Some(Article {
                category: if i.is_multiple_of(3) { "city" } else { "world" },
                // Every fourth untagged: its related list comes from its
                // category's window alone. The others also have "news":
                // over 100 articles, whose weight one more or one fewer
                // does not change (counts round to two digits), so only
                // the lists near a change in its list are scored again.
                tags: if i.is_multiple_of(4) { vec![] } else { vec![TAGS[i % 6], TAGS[(i * 7 + 1) % 6], "news"] },
                day: 1 + (i * 13) % 28,
                further: None,
            })
        })
        .collect();
    let path = |i: usize, a: &Article| format!("content/{}/a{i:03}.md", a.category);
    let text = |i: usize, a: &Article, articles: &[Option<Article>]| {
        let tags: Vec<String> = a.tags.iter().map(|t| format!("{t:?}")).collect();
        let mut text = format!(
            "+++\ntitle = \"Article {i}\"\ndescription = \"About {i}.\"\ndate = 2025-02-{:02}T{:02}:00:00\n\
             tags = [{}]\n",
            a.day,
            i % 24,
            tags.join(", ")
        );
        if let Some(target) = a.further {
            let target = path(target, articles[target].as_ref().unwrap());
            text.push_str(&format!("[[further_context]]\npath = {:?}\n", target.trim_start_matches("content/")));
        }
        text.push_str(&format!("+++\n\nBody of article {i}.\n"));
        text
    };
    for (i, a) in articles.iter().enumerate() {
        let a = a.as_ref().unwrap();
        site.write(&path(i, a), &text(i, a, &articles));
    }
    let mut builder = Incremental::new(options(root), BASE_URL);
    step(&mut builder, root, "the archive", &[] as &[&str]);
    for n in 1..=60 {
        let live: Vec<usize> = (0..articles.len()).filter(|&i| articles[i].is_some()).collect();
        let i = live[next(live.len())];
        let mut changed = vec![path(i, articles[i].as_ref().unwrap())];
        let what = match next(9) {
            0 | 1 => {
                let a = articles[i].as_mut().unwrap();
                let tag = if next(4) == 0 { "news" } else { TAGS[next(6)] };
                if a.tags.len() > 1 && a.tags.contains(&tag) {
                    a.tags.retain(|t| *t != tag);
                } else if !a.tags.contains(&tag) {
                    a.tags.push(tag);
                }
                "tags changed"
            }
            2 => {
                articles[i].as_mut().unwrap().tags = match next(3) {
                    0 => vec![],
                    1 => vec![TAGS[next(6)]],
                    _ => vec![TAGS[next(6)], "news"],
                };
                "tags replaced"
            }
            3 => {
                articles[i].as_mut().unwrap().further = Some(live[next(live.len())]).filter(|&target| target != i);
                "further context changed"
            }
            4 => {
                articles[i].as_mut().unwrap().day = 1 + next(28);
                "date changed"
            }
            5 => {
                let a = articles[i].as_mut().unwrap();
                a.tags = vec![TAGS[next(6)], TAGS[next(6)]];
                a.tags.dedup();
                a.day = 1 + next(28);
                "tags and date changed"
            }
            6 => {
                let new = articles.len();
                let category = if next(2) == 0 { "city" } else { "world" };
                let tags = match next(3) {
                    0 => vec![],
                    1 => vec![TAGS[next(6)], TAGS[next(6)]],
                    _ => vec![TAGS[next(6)], "news"],
                };
                articles.push(Some(Article { category, tags, day: 1 + next(28), further: None }));
                changed = vec![path(new, articles[new].as_ref().unwrap())];
                "article added"
            }
            7 => {
                // Articles referring to it let go of it in the same save.
                let referring: Vec<usize> =
                    live.iter().copied().filter(|&j| articles[j].as_ref().unwrap().further == Some(i)).collect();
                for j in referring {
                    articles[j].as_mut().unwrap().further = None;
                    changed.push(path(j, articles[j].as_ref().unwrap()));
                }
                articles[i] = None;
                "article deleted"
            }
            _ => {
                let a = articles[i].as_mut().unwrap();
                a.category = if a.category == "city" { "world" } else { "city" };
                changed.push(path(i, a));
                for j in live.iter().copied().filter(|&j| articles[j].as_ref().unwrap().further == Some(i)) {
                    changed.push(path(j, articles[j].as_ref().unwrap()));
                }
                "moved to the other category"
            }
        };
        for rel in &changed {
            let _ = std::fs::remove_file(root.join(rel));
        }
        for (j, a) in articles.iter().enumerate() {
            if let Some(a) = a
                && changed.contains(&path(j, a))
            {
                site.write(&path(j, a), &text(j, a, &articles));
            }
        }
        step(&mut builder, root, &format!("edit {n}: {what} ({})", changed.join(", ")), &changed);
    }
}

/// Saves that leave the lists and the graph as they were: each page's key
/// is then computed again only when an article it shows changed, so these
/// are the edits where a page left out of that would go stale. The home
/// page's lead is picked by a field (`featured`) of an article it may not
/// yet show.
#[test]
fn edits_that_keep_the_lists_reach_every_page_that_shows_them() {
    const ARTICLES: usize = 40;
    let site = Site::empty();
    let root = site.root();
    site.write(
        "config.toml",
        "title = \"Archive\"\nbase_url = \"https://archive.test\"\narticles_per_page = 5\nsearch = false\n\n\
         [categories.world]\nname = \"World\"\n",
    );
    let path = |i: usize| format!("content/world/a{i:02}.md");
    let text = |i: usize, title: &str, featured: bool, body: &str| {
        format!(
            "+++\ntitle = \"{title}\"\ndate = 2025-02-{:02}T{:02}:00:00\nfeatured = {featured}\ntags = [\"ports\"]\n\
             series = \"Harbour\"\n+++\n\n{body}\n",
            1 + i % 28,
            i % 24,
        )
    };
    for i in 0..ARTICLES {
        site.write(&path(i), &text(i, &format!("Article {i}"), false, "Body."));
    }
    let mut builder = Incremental::new(options(root), BASE_URL);
    step(&mut builder, root, "the archive", &[] as &[&str]);
    // Article 3 is far down every listing; article 20 is among the newest.
    let edits: [(usize, &str, bool, &str, &str); 7] = [
        (3, "Article 3", true, "Body.", "an old article featured: it leads the home page"),
        (20, "Article 20", true, "Body.", "a newer one featured: it leads instead"),
        (20, "Article 20", false, "Body.", "and no longer: the old one leads again"),
        (3, "The Harbour, Revisited", true, "Body.", "the lead's title"),
        (12, "Article 12", false, "A new body.", "the body of an article on the third page of its lists"),
        (12, "Twelve", false, "A new body.", "its title, in its neighbours' series boxes"),
        (3, "The Harbour, Revisited", false, "Body.", "the lead no longer featured"),
    ];
    for (i, title, featured, body, what) in edits {
        site.write(&path(i), &text(i, title, featured, body));
        let (files, _) = step(&mut builder, root, what, &[path(i)]);
        if featured {
            let home = page(&files, "index.html");
            assert!(home.contains(&format!("{title}<")), "{what}: the home page shows {title}");
        }
    }
}

/// A reference to an article that fails to parse is not reported (the
/// article's own errors are); once that article is deleted or made a
/// draft, the reference is, though nothing else about the linking article
/// changed.
#[test]
fn a_reference_to_a_broken_article_is_reported_once_it_is_gone_or_withheld() {
    let mut site = Edits::new();
    site.replace(SCORE, "in extra time.", "in extra time.\n\nSee the [storm](@/world/2025-03-04-storm-damage.md).");
    site.step("an inline link to the storm article", &[SCORE]);
    let storm = site.read(STORM);
    site.replace(STORM, "title =", "tittle =");
    let broken = site.read(STORM);
    site.fails("the storm article broken", &[STORM], &["unknown front-matter key `tittle`"]);
    site.remove(STORM);
    site.fails(
        "the broken article deleted",
        &[STORM],
        &["broken reference: no article at content/world/2025-03-04-storm-damage.md"],
    );
    site.write(STORM, &broken);
    site.fails("the broken article back", &[STORM], &["unknown front-matter key `tittle`"]);
    site.write(STORM, &storm.replace("+++\n\nAssessors", "draft = true\n+++\n\nAssessors"));
    site.fails(
        "the article fixed as a draft",
        &[STORM],
        &["reference to a draft: content/world/2025-03-04-storm-damage.md"],
    );
    site.write(STORM, &storm);
    site.step("the article published", &[STORM]);
}

/// A reference moved from the body into `further_context`: the same
/// target, but the page now has a further-context section.
#[test]
fn a_reference_moved_from_the_body_into_further_context() {
    let mut site = Edits::new();
    site.replace(SCORE, "in extra time.", "in extra time.\n\nSee the [storm](@/world/2025-03-04-storm-damage.md).");
    site.step("an inline link to the storm article", &[SCORE]);
    site.replace(SCORE, "\n\nSee the [storm](@/world/2025-03-04-storm-damage.md).", "");
    site.replace(
        SCORE,
        "tags = [\"football\"]",
        "tags = [\"football\"]\nfurther_context = [{ path = \"world/2025-03-04-storm-damage.md\" }]",
    );
    let files = site.step("the link moved into further_context", &[SCORE]);
    assert!(page(&files, "sport/final-score/index.html").contains("Storm Damage Tallied Along the Coast"));
}

/// A static file that is a symbolic link into a folder serve does not
/// watch: a change there comes with no event for the link, and is served
/// at the next build all the same.
#[test]
fn a_static_file_linked_from_an_unwatched_folder() {
    let mut site = Edits::new();
    site.write("shared/notice.txt", "first notice\n");
    fs::create_dir_all(site.root().join("static")).unwrap();
    std::os::unix::fs::symlink("../shared/notice.txt", site.root().join("static/notice.txt")).unwrap();
    let files = site.step("a linked static file", &["static/notice.txt"]);
    assert_eq!(&files["notice.txt"].packed.bytes()[..], b"first notice\n");
    site.write("shared/notice.txt", "second notice, longer\n");
    let files = site.step("its target changed, no event for the link", &[] as &[&str]);
    assert_eq!(&files["notice.txt"].packed.bytes()[..], b"second notice, longer\n");
}

/// A static file under a watched folder, reached by no symbolic link, is
/// read again when the watcher tells of a change to it, and not looked at
/// on disk at every save (as one linked from elsewhere is, above).
#[test]
fn a_watched_static_file_is_read_again_when_the_watcher_tells() {
    let mut site = Edits::new();
    site.write("static/notice.txt", "first notice\n");
    let files = site.step("a static file", &["static", "static/notice.txt"]);
    assert_eq!(&files["notice.txt"].packed.bytes()[..], b"first notice\n");
    // Changed with no event for it, which a watcher never misses: kept.
    site.write("static/notice.txt", "second notice\n");
    site.builder.build(&[]).unwrap_or_else(|e| panic!("{e}"));
    let served = site.builder.files();
    assert_eq!(&served.read().unwrap()["notice.txt"].packed.bytes()[..], b"first notice\n");
    let files = site.step("the change told", &["static/notice.txt"]);
    assert_eq!(&files["notice.txt"].packed.bytes()[..], b"second notice\n");
}

/// The keys of a story's life after it runs (corrections, updates, live
/// coverage, aliases, expiry), edited at random on an archive, each step
/// compared with a full build: the corrections page and feed, the order of
/// live stories by their newest update, redirect pages and `_redirects`,
/// and articles leaving the site must all follow.
#[test]
fn story_keys_follow_random_edits() {
    const ARTICLES: usize = 40;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |below: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % below
    };
    let site = Site::empty();
    let root = site.root();
    site.write(
        "config.toml",
        "title = \"Archive\"\nbase_url = \"https://archive.test\"\narticles_per_page = 3\nfeed_limit = 4\nsearch = false\n\n\
         [categories.world]\nname = \"World\"\n",
    );
    #[derive(Default)]
    struct Story {
        day: usize,
        /// Days of March of its corrections and (hour, day) of its updates.
        corrections: Vec<usize>,
        updates: Vec<(usize, usize)>,
        live: bool,
        ended: bool,
        aliases: Vec<usize>,
        expired: bool,
        /// A link to another story's newest update, by `@/…#anchor`.
        link: Option<usize>,
        /// A series (0 or 1, spelt two ways) and whether it names its part.
        series: Option<(usize, bool)>,
    }
    let mut stories: Vec<Story> = (0..ARTICLES).map(|i| Story { day: 1 + (i * 11) % 27, ..Story::default() }).collect();
    let text = |i: usize, s: &Story, stories: &[Story]| {
        let mut text = format!(
            "+++\ntitle = \"Story {i}\"\ndescription = \"About {i}.\"\ndate = 2025-02-{:02}T{:02}:00:00\nlive = {}\n",
            s.day,
            i % 24,
            s.live
        );
        if s.ended {
            text.push_str("live_ended = 2025-03-28T23:00:00\n");
        }
        if s.expired {
            text.push_str("expires = 2025-03-15T00:00:00\n");
        }
        if let Some((series, numbered)) = s.series {
            let name = [["Harbour Works", "harbour works"], ["The Vote", "The vote"]][series][i % 2];
            text.push_str(&format!("series = \"{name}\"\n"));
            if numbered {
                // Unique in any series: no two stories claim one part.
                text.push_str(&format!("series_part = {}\n", i + 1));
            }
        }
        let aliases: Vec<String> = s.aliases.iter().map(|k| format!("\"/old/s{i}-{k}/\"")).collect();
        text.push_str(&format!("aliases = [{}]\n", aliases.join(", ")));
        for day in &s.corrections {
            text.push_str(&format!("[[corrections]]\ndate = 2025-03-{day:02}T09:00:00\ntext = \"Fixed on {day}.\"\n"));
        }
        for (hour, day) in &s.updates {
            text.push_str(&format!(
                "[[updates]]\ndate = 2025-03-{day:02}T{hour:02}:00:00\ntext = \"\"\"\nUpdate at {hour} on {day}.\n\nMore.\n\"\"\"\n"
            ));
        }
        text.push_str(&format!("+++\n\nBody of story {i}.\n"));
        if let Some(target) = s.link {
            let (hour, day) = stories[target].updates.iter().max_by_key(|(h, d)| (d, h)).unwrap();
            text.push_str(&format!(
                "\nSee [the latest](@/world/s{target:03}.md#update-2025-03-{day:02}-{hour:02}00).\n"
            ));
        }
        text
    };
    let path = |i: usize| format!("content/world/s{i:03}.md");
    for (i, s) in stories.iter().enumerate() {
        site.write(&path(i), &text(i, s, &stories));
    }
    let mut builder = Incremental::new(options(root), BASE_URL);
    step(&mut builder, root, "the archive", &[] as &[&str]);
    for n in 1..=60 {
        let i = next(ARTICLES);
        let mut changed = vec![i];
        let linked = |stories: &[Story]| (0..ARTICLES).any(|j| stories[j].link == Some(i));
        let what = match next(9) {
            0 => {
                let day = 1 + next(27);
                let s = &mut stories[i];
                if s.corrections.len() < 3 && !s.corrections.contains(&day) {
                    s.corrections.push(day);
                } else {
                    s.corrections.clear();
                }
                "corrections changed"
            }
            1 => {
                let (hour, day) = (next(24), 1 + next(27));
                if stories[i].updates.len() < 3 && !stories[i].updates.contains(&(hour, day)) {
                    stories[i].updates.push((hour, day));
                } else if !linked(&stories) {
                    stories[i].updates.clear();
                }
                // Links to its newest update follow it.
                changed.extend((0..ARTICLES).filter(|&j| stories[j].link == Some(i)));
                "updates changed"
            }
            2 => {
                let s = &mut stories[i];
                (s.live, s.ended) = match (s.live, s.ended) {
                    (false, false) => (true, false),
                    (true, _) => (false, true),
                    (false, true) => (false, false),
                };
                "live coverage changed"
            }
            3 => {
                let s = &mut stories[i];
                if s.aliases.len() < 2 {
                    s.aliases.push(next(1000));
                    s.aliases.dedup();
                } else {
                    s.aliases.remove(0);
                }
                "aliases changed"
            }
            4 if !linked(&stories) => {
                stories[i].expired = !stories[i].expired;
                "expired or back"
            }
            5 => {
                let target = next(ARTICLES);
                let ok = target != i && !stories[target].expired && !stories[target].updates.is_empty();
                stories[i].link = if ok && stories[i].link.is_none() { Some(target) } else { None };
                "a link to another story's newest update"
            }
            6 => {
                stories[i].day = 1 + next(27);
                "date changed"
            }
            7 => {
                stories[i].series = match next(4) {
                    0 => None,
                    n => Some((n % 2, n == 3)),
                };
                "series changed"
            }
            _ => {
                let s = &mut stories[i];
                s.corrections.retain(|d| d % 2 == 0);
                s.updates.truncate(1);
                for (j, story) in stories.iter_mut().enumerate() {
                    if story.link == Some(i) {
                        story.link = None;
                        changed.push(j);
                    }
                }
                "trimmed"
            }
        };
        let changed: Vec<String> = changed.iter().map(|&j| path(j)).collect();
        for (j, s) in stories.iter().enumerate() {
            if changed.contains(&path(j)) {
                site.write(&path(j), &text(j, s, &stories));
            }
        }
        step(&mut builder, root, &format!("edit {n}: {what} ({})", changed.join(", ")), &changed);
    }
}

/// A real photo with resized variants: made, changed, shown by a second
/// article, and removed, each step as a full build makes it.
#[test]
fn resized_images_follow_their_source() {
    let mut site = Edits::new();
    let picture = |width: u32, shade: u8| {
        let image = image::RgbImage::from_fn(width, width / 2, |x, _| image::Rgb([(x % 256) as u8, shade, 60]));
        let mut out = std::io::Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let photo = "content/world/dock.png";
    site.write_bytes(photo, &picture(1000, 10));
    site.replace(
        HARBOUR,
        "The harbour reopened on Saturday.",
        "The harbour reopened on Saturday.\n\n![The dock](dock.png)",
    );
    let files = site.step("a photo shown", &[photo, HARBOUR]);
    assert!(files.contains_key("world/harbour-reopens/dock-960.webp"));
    site.write_bytes(photo, &picture(1000, 200));
    site.step("its pixels changed", &[photo]);
    site.write_bytes(photo, &picture(700, 200));
    let files = site.step("narrower: one variant fewer", &[photo]);
    assert!(!files.contains_key("world/harbour-reopens/dock-960.webp"));
    site.replace(HARBOUR, "\n\n![The dock](dock.png)", "");
    site.remove(photo);
    site.step("removed", &[photo, HARBOUR]);
}

#[test]
fn embeds_follow_their_arguments_templates_and_targets() {
    let mut site = Edits::new();
    let fees = "business/2025-03-03-port-fees.md";
    site.replace(
        STORM,
        "Assessors visited forty towns in three days.",
        &format!(
            "Assessors visited forty towns in three days.\n\n```{{pullquote}}\ntext = \"We lost the roof.\"\n```\n\n\
             ```{{related}}\narticle = \"@/{fees}\"\n```\n\n```{{map}}\nplace = \"The coast road\"\n```\n"
        ),
    );
    let map_toml = "templates/embeds/map.toml";
    let map_html = "templates/embeds/map.html";
    site.write(
        map_toml,
        "[args.place]\ntype = \"string\"\nrequired = true\n[args.zoom]\ntype = \"integer\"\ndefault = 9\n",
    );
    site.write(map_html, "<div class=\"embed map\" data-zoom=\"{{ zoom }}\">{{ place }}</div>\n");
    let files = site.step("three embeds", &[STORM, map_toml, map_html]);
    let storm = page(&files, "world/storm-damage/index.html");
    assert!(storm.contains("data-zoom=\"9\">The coast road</div>"), "{storm}");

    site.replace(STORM, "We lost the roof.", "We lost the roof and the fence.");
    site.step("an argument changed", &[STORM]);
    site.replace(map_toml, "default = 9", "default = 11");
    let files = site.step("a declared default changed", &[map_toml]);
    assert!(page(&files, "world/storm-damage/index.html").contains("data-zoom=\"11\""));
    site.write(map_html, "<p class=\"embed map\">{{ place }} ({{ zoom }})</p>\n");
    site.step("a site embed's template changed", &[map_html]);
    let quote = "templates/embeds/pullquote.html";
    site.write(quote, "<p class=\"embed quote\">{{ text }}</p>\n");
    let files = site.step("a built-in template overridden", &[quote]);
    assert!(
        page(&files, "world/storm-damage/index.html")
            .contains("<p class=\"embed quote\">We lost the roof and the fence.</p>")
    );
    site.remove(quote);
    site.step("the override removed", &[quote]);
    site.replace(FEES, "title = \"Port Fees Rise for the First Time in a Decade\"", "title = \"Port Fees Rise Again\"");
    let files = site.step("the related article retitled", &[FEES]);
    assert!(page(&files, "world/storm-damage/index.html").contains("Port Fees Rise Again</a>"));
    site.remove(map_html);
    site.fails(
        "a declared embed without its template",
        &[map_html],
        &["unknown embed `map`", "embed `map` is declared but has no template"],
    );
    site.write(map_html, "<div class=\"embed map\">{{ place }}</div>\n");
    site.step("its template back", &[map_html]);
    site.replace(STORM, "place = \"The coast road\"", "plaice = \"The coast road\"");
    site.fails("a misspelt argument", &[STORM], &["unknown argument `plaice` of embed `map`"]);
    site.replace(STORM, "plaice = \"The coast road\"", "place = \"The coast road\"");
    site.step("the argument fixed", &[STORM]);
}
