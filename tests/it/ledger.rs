//! `build`'s page ledger (src/write/ledger.rs): a rebuild renders only
//! the pages whose key is not the one the twin's copy was rendered from.
//! After every edit, a build that used the ledger must write exactly the
//! files of a fresh build without one; a ledger (or the parses kept beside
//! it) that is missing, corrupt or from another version must be ignored;
//! and a cache restored in a fresh clone must give the same site as no
//! cache.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{Site, copy_tree, snapshot};

const STORM: &str = "content/world/2025-03-04-storm-damage.md";
/// A page the edits of [`STORM`] below leave as it was.
const SCORE_PAGE: &str = "sport/final-score/index.html";

fn build(site: &Site, out: &str) {
    site.run(&["build", "--output", out]).success();
}

fn ledger(site: &Site, out: &str) -> PathBuf {
    site.root().join(format!(".{out}.broadsheet-cache/pages"))
}

fn twin(site: &Site, out: &str) -> PathBuf {
    site.root().join(format!(".{out}.broadsheet-twin"))
}

/// The files of a build of the site as it is now, into a fresh folder with
/// no cache of any kind.
fn fresh(site: &Site) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let _ = fs::remove_dir_all(site.root().join("fresh"));
    let _ = fs::remove_dir_all(site.root().join(".fresh.broadsheet-cache"));
    build(site, "fresh");
    let files = snapshot(&site.root().join("fresh"));
    fs::remove_dir_all(site.root().join("fresh")).unwrap();
    fs::remove_dir_all(site.root().join(".fresh.broadsheet-cache")).unwrap();
    files
}

/// What a step of a test does, and to what.
type Step<'a, T> = (&'a str, &'a dyn Fn(&T));

fn edit(site: &Site, rel: &str, from: &str, to: &str) {
    let text = site.read(rel);
    assert!(text.contains(from), "{rel} has no {from:?}");
    site.write(rel, &text.replacen(from, to, 1));
}

#[test]
fn rebuilds_from_the_ledger_write_what_a_fresh_build_writes() {
    let site = Site::new(&["incremental"]);
    build(&site, "kept");
    build(&site, "kept");
    assert!(ledger(&site, "kept").is_file(), "a build keeps its page keys");
    let steps: [Step<Site>; 10] = [
        ("nothing changed", &|_| {}),
        // Gone from the output two builds later, when that output is the
        // twin the build writes into: the folders it was put in are read.
        ("files added to the output by hand", &|s| {
            s.write("kept/CNAME", "news.example.org");
            s.write("kept/world/storm-damage/notes.txt", "draft");
        }),
        ("a body edited", &|s| edit(s, STORM, "forty towns", "fifty towns")),
        ("a title edited", &|s| edit(s, STORM, "Storm Damage Tallied", "Storm Damage Counted")),
        ("a tag changed", &|s| edit(s, STORM, "\"insurance\"", "\"claims\"")),
        ("an article added", &|s| {
            s.write("content/world/2025-03-09-new-pier.md", "+++\ntitle = \"A New Pier\"\n+++\nBuilt in a week.\n")
        }),
        ("an article deleted", &|s| fs::remove_file(s.root().join("content/world/2025-03-09-new-pier.md")).unwrap()),
        ("a template edited", &|s| {
            let theme = s.root().join("templates");
            copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/newsroom/templates"), &theme);
            edit(s, "templates/article.html", "</article>", "</article><!-- edited -->");
        }),
        ("config.toml edited", &|s| edit(s, "config.toml", "Fixture Gazette", "Fixture Herald")),
        ("the edit reverted", &|s| edit(s, STORM, "fifty towns", "forty towns")),
    ];
    for (what, change) in steps {
        change(&site);
        build(&site, "kept");
        let expected = fresh(&site);
        let actual = snapshot(&site.root().join("kept"));
        let differ: Vec<_> =
            expected.keys().chain(actual.keys()).filter(|k| expected.get(*k) != actual.get(*k)).collect();
        assert!(differ.is_empty(), "{what}: these files differ from a fresh build: {differ:?}");
    }
}

/// Changes a word of the page at `rel` to another of the same length and
/// gives the file back its time of last change: a change the ledger's
/// checks cannot see.
fn tamper_unseen(page: &Path) {
    let modified = fs::metadata(page).unwrap().modified().unwrap();
    let html = fs::read_to_string(page).unwrap();
    assert!(html.contains("extra time"), "{}", page.display());
    fs::write(page, html.replace("extra time", "EXTRA TIME")).unwrap();
    fs::File::options().write(true).open(page).unwrap().set_modified(modified).unwrap();
}

/// A site built twice into `out`, so that its twin holds a build and the
/// ledger names the twin's pages; then an edit that leaves the final
/// score's page as it was, and that page of the twin changed unseen.
fn twin_changed_unseen(out: &str) -> Site {
    let site = Site::new(&["incremental"]);
    build(&site, out);
    build(&site, out);
    edit(&site, STORM, "forty towns", "fifty towns");
    tamper_unseen(&twin(&site, out).join(SCORE_PAGE));
    site
}

#[test]
fn a_page_whose_key_the_ledger_gives_is_not_rendered_again() {
    // The proof that the ledger is used: a page of the twin changed in a
    // way its checks cannot see is taken as it is.
    let site = twin_changed_unseen("kept");
    build(&site, "kept");
    assert!(site.read(&format!("kept/{SCORE_PAGE}")).contains("EXTRA TIME"), "the page was rendered again");
    assert!(site.read("kept/world/storm-damage/index.html").contains("fifty towns"));
}

#[test]
fn a_feed_whose_key_the_ledger_gives_is_not_made_again() {
    // Feeds are keyed like pages: the sport feed, which the edit of a world
    // article leaves as it was, is taken from the twin as it is; the feeds
    // that list the edited article are made again.
    let site = twin_changed_unseen("kept");
    tamper_unseen(&twin(&site, "kept").join("sport/feed.xml"));
    build(&site, "kept");
    assert!(site.read("kept/sport/feed.xml").contains("EXTRA TIME"), "the feed was made again");
    assert!(site.read("kept/world/feed.xml").contains("fifty towns"));
    assert!(site.read("kept/feed.xml").contains("fifty towns"));
}

#[test]
fn a_ledger_or_parses_missing_corrupt_or_from_another_version_are_ignored() {
    let spoil: [Step<Path>; 4] = [
        ("missing", &|ledger| fs::remove_file(ledger).unwrap()),
        ("cut short", &|ledger| {
            let bytes = fs::read(ledger).unwrap();
            fs::write(ledger, &bytes[..bytes.len() - 7]).unwrap();
        }),
        ("altered", &|ledger| {
            let mut bytes = fs::read(ledger).unwrap();
            let at = bytes.len() / 2;
            bytes[at] ^= 0x20;
            fs::write(ledger, bytes).unwrap();
        }),
        ("from another version", &|ledger| {
            // Whole, with a checksum that holds, but stamped by another
            // version of broadsheet.
            let bytes = fs::read(ledger).unwrap();
            let stamp = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
            let mut other = b"broadsheet 0.0.1 page ledger 2\n".to_vec();
            other.extend_from_slice(&bytes[stamp..bytes.len() - 16]);
            let sum = xxhash_rust::xxh3::xxh3_128(&other);
            other.extend_from_slice(&sum.to_le_bytes());
            fs::write(ledger, other).unwrap();
        }),
    ];
    // The ledger, and the parses kept beside it (src/parse/kept.rs).
    for file in ["pages", "parses", "graph"] {
        for (what, spoil) in &spoil {
            let site = twin_changed_unseen("kept");
            let path = site.root().join(format!(".kept.broadsheet-cache/{file}"));
            spoil(&path);
            build(&site, "kept");
            let expected = fresh(&site);
            if file == "pages" {
                assert!(snapshot(&site.root().join("kept")) == expected, "{file} {what}: differs from a fresh build");
            } else {
                // The ledger still holds: only the parses were spoiled.
                let mut actual = snapshot(&site.root().join("kept"));
                let page = actual.get_mut(Path::new(SCORE_PAGE)).unwrap();
                *page = String::from_utf8(page.clone()).unwrap().replace("EXTRA TIME", "extra time").into_bytes();
                assert!(actual == expected, "{file} {what}: differs from a fresh build");
            }
            assert!(path.is_file(), "{file} {what}: the build writes a new one");
        }
    }
}

/// An article's graph input as src/graph/kept.rs writes it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Input {
    rel: String,
    date: jiff::Timestamp,
    category: usize,
    tags: Vec<String>,
    further: Vec<(String, Option<String>, Option<String>)>,
    links: Vec<(String, Option<String>)>,
    headings: Vec<String>,
}

#[test]
fn related_lists_the_graph_file_gives_are_not_scored_again() {
    // The proof that the kept graph is used: the storm article's related
    // list emptied in a file that is otherwise whole and valid.
    let site = Site::new(&["incremental"]);
    build(&site, "kept");
    build(&site, "kept");
    let storm_page = "kept/world/storm-damage/index.html";
    assert!(site.read(storm_page).contains("class=\"related\""));
    let path = site.root().join(".kept.broadsheet-cache/graph");
    let bytes = fs::read(&path).unwrap();
    let stamp = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    let (head, lists) = bytes[..bytes.len() - 16].split_at(stamp + 16);
    let (versions, inputs, mut related): (Vec<u64>, Vec<Input>, Vec<Vec<usize>>) =
        rmp_serde::from_slice(lists).unwrap();
    let storm = inputs.iter().position(|i| i.rel == "world/2025-03-04-storm-damage.md").unwrap();
    related[storm].clear();
    let mut tampered = head.to_vec();
    tampered.extend(rmp_serde::to_vec(&(versions, inputs, related)).unwrap());
    let sum = xxhash_rust::xxh3::xxh3_128(&tampered);
    tampered.extend_from_slice(&sum.to_le_bytes());
    fs::write(&path, tampered).unwrap();
    build(&site, "kept");
    assert!(!site.read(storm_page).contains("class=\"related\""), "the related list was scored again");
}

#[test]
fn a_page_of_the_twin_changed_or_removed_since_is_rendered_again() {
    let site = Site::new(&["incremental"]);
    build(&site, "kept");
    build(&site, "kept");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let page = twin(&site, "kept").join(SCORE_PAGE);
    let html = fs::read_to_string(&page).unwrap();
    fs::write(&page, html.replace("extra time", "EXTRA TIME")).unwrap();
    fs::remove_file(twin(&site, "kept").join("world/harbour-reopens/index.html")).unwrap();
    build(&site, "kept");
    assert!(snapshot(&site.root().join("kept")) == fresh(&site), "the build differs from a fresh one");
}

#[test]
fn a_cache_restored_in_a_fresh_clone_gives_the_same_site_as_none() {
    let site = Site::new(&["incremental"]);
    build(&site, "public");
    build(&site, "public");
    let expected = fresh(&site);

    // CI: a fresh clone, with the cache folder restored and no output.
    let clone = Site::empty();
    copy_tree(&site.root().join("content"), &clone.root().join("content"));
    fs::copy(site.root().join("config.toml"), clone.root().join("config.toml")).unwrap();
    copy_tree(&site.root().join(".public.broadsheet-cache"), &clone.root().join(".public.broadsheet-cache"));
    build(&clone, "public");
    assert!(snapshot(&clone.root().join("public")) == expected, "a build with the cache restored differs");

    // The output, its twin and the cache restored, and an edit.
    let again = Site::empty();
    for folder in ["content", "public", ".public.broadsheet-twin", ".public.broadsheet-cache"] {
        copy_tree(&site.root().join(folder), &again.root().join(folder));
    }
    fs::copy(site.root().join("config.toml"), again.root().join("config.toml")).unwrap();
    edit(&again, STORM, "Storm Damage Tallied", "Storm Damage Counted");
    build(&again, "public");
    assert!(snapshot(&again.root().join("public")) == fresh(&again), "a restored output, edited, differs");
}
