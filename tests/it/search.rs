//! Search (issue 13): a Pagefind index built in process, a search box on
//! every page and a search page; kept in a cache beside the output and made
//! again only when an article's record changed. The browser side is
//! tests/e2e/search.cjs.

use std::fs;

use crate::support::{Site, snapshot};

/// The base site with search on.
fn searchable() -> Site {
    let site = Site::new(&[]);
    site.write("config.toml", &site.read("config.toml").replace("search = false\n", ""));
    site
}

#[test]
fn the_index_and_the_search_box_are_written() {
    let site = searchable();
    site.run(&["build"]).success();
    for file in ["public/pagefind/pagefind.js", "public/pagefind/pagefind-entry.json", "public/search/index.html"] {
        assert!(site.root().join(file).is_file(), "{file}");
    }
    let entry: serde_json::Value = serde_json::from_str(&site.read("public/pagefind/pagefind-entry.json")).unwrap();
    assert_eq!(entry["languages"]["en"]["page_count"], 2, "one record per article");
    let home = site.read("public/index.html");
    assert!(home.contains(
        "<div class=\"search\" data-search-index=\"https://gazette.test/pagefind/pagefind.js\">\n    \
         <a class=\"search-link\" href=\"https://gazette.test/search/\">Search</a>"
    ));
    assert!(home.contains("<script type=\"module\" src=\"https://gazette.test/search.js\"></script>"));
    assert!(site.read("public/sitemap.xml").contains("<loc>https://gazette.test/search/</loc>"));
    // `check` makes no index: it writes nothing, and an index validates nothing.
    let check = site.run(&["check"]);
    check.success();
}

#[test]
fn search_off_writes_no_index_and_no_box() {
    let site = Site::new(&[]);
    site.run(&["build"]).success();
    assert!(!site.root().join("public/pagefind").exists());
    assert!(!site.root().join("public/search").exists());
    assert!(!site.read("public/index.html").contains("data-search-index"));
}

#[test]
fn the_index_is_made_again_only_when_a_record_changed() {
    let site = searchable();
    site.run(&["build"]).success();
    let cache = site.root().join(".public.broadsheet-cache/search");
    assert!(cache.join("key").is_file());
    // A cached file marked, to see whether the next build takes it.
    let marked = cache.join("files.d/pagefind-entry.json");
    let entry = fs::read_to_string(&marked).unwrap();
    fs::write(&marked, entry.replace("\"version\"", "\"cached\": true, \"version\"")).unwrap();
    site.run(&["build"]).success();
    assert!(site.read("public/pagefind/pagefind-entry.json").contains("\"cached\": true"), "the cache is used");
    // A template change leaves the records alone: still the cache.
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<p>Gone.</p>{% endblock content %}",
    );
    site.run(&["build"]).success();
    assert!(site.read("public/pagefind/pagefind-entry.json").contains("\"cached\": true"));
    // An article's text changed: the index is made again.
    let article = "content/world/2025-03-01-harbour-reopens.md";
    site.write(article, &site.read(article).replace("Three berths", "Four berths"));
    site.run(&["build"]).success();
    assert!(!site.read("public/pagefind/pagefind-entry.json").contains("\"cached\""));
    // A cache whose files are missing is not trusted.
    let before = snapshot(&site.root().join("public/pagefind"));
    fs::remove_dir_all(cache.join("files.d")).unwrap();
    site.run(&["build"]).success();
    assert_eq!(snapshot(&site.root().join("public/pagefind")), before, "made again, the same");
}
