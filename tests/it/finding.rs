//! Finding stories (issue 13): date archives, series, JSON Feed. The
//! `finding` fixture overlays the base site with a three-part series that
//! ran from December 2024 to May 2025.

use crate::support::Site;

fn finding() -> Site {
    let site = Site::new(&["finding"]);
    site.run(&["build"]).success();
    site
}

#[test]
fn date_archives_list_what_ran_and_skip_empty_periods() {
    let site = finding();
    // March 2025: the base site's two articles; its neighbours with
    // articles are December 2024 and May 2025.
    let march = site.main_of("public/2025/03/index.html");
    assert!(march.contains("<h1>March 2025</h1>"));
    assert!(march.contains("<a href=\"https://gazette.test/2024/12/\">← December 2024</a>"), "{march}");
    assert!(march.contains("<a href=\"https://gazette.test/2025/05/\">May 2025 →</a>"));
    assert!(
        march.contains("<a href=\"https://gazette.test/2025/03/01/\">March 1, 2025</a> <span class=\"count\">1</span>")
    );
    assert!(march.contains("harbour-reopens") && march.contains("final-score"));
    // A year lists its months; with two articles a page, 2025 has two pages.
    let year = site.main_of("public/2025/index.html");
    let months: Vec<&str> =
        ["March 2025", "May 2025"].into_iter().filter(|m| year.contains(&format!(">{m}</a>"))).collect();
    assert_eq!(months, ["March 2025", "May 2025"]);
    assert!(site.root().join("public/2025/page/2/index.html").exists());
    assert!(!site.root().join("public/2025/04").exists(), "no page for a month without articles");
    // A day: its articles; the first period has no earlier neighbour.
    let first = site.main_of("public/2024/12/30/index.html");
    assert!(first.contains("year-end") && !first.contains("← "));
    // The article's date links to its day; the archive is in the sitemap.
    assert!(site.read("public/world/new-berths/index.html").contains(
        "<a class=\"date-link\" href=\"https://gazette.test/2025/05/22/\"><time datetime=\"2025-05-22T00:00:00-06:00\">May 22, 2025</time></a>"
    ));
    let sitemap = site.read("public/sitemap.xml");
    for url in ["2024/", "2025/03/", "2025/05/22/", "series/harbour-works/"] {
        assert!(sitemap.contains(&format!("<loc>https://gazette.test/{url}</loc>")), "{url}");
    }
}

#[test]
fn a_series_reads_in_order_with_a_box_on_each_part() {
    let site = finding();
    // Parts 1 and 3 are numbered; the unnumbered one takes the place left.
    let page = site.main_of("public/series/harbour-works/index.html");
    let order: Vec<usize> = ["year-end", "dredging", "new-berths"]
        .iter()
        .map(|slug| page.find(&format!("/world/{slug}/")).unwrap())
        .collect();
    assert!(order[0] < order[1] && order[1] < order[2], "{page}");
    assert!(page.contains("<h1>Harbour Works</h1>"), "the newest part's spelling");
    let middle = site.main_of("public/world/dredging/index.html");
    assert!(middle.contains("<p class=\"series-part\">Part 2 of 3</p>"));
    assert!(middle.contains("<a href=\"https://gazette.test/world/year-end/\">← Previous part</a>"));
    assert!(middle.contains("<a href=\"https://gazette.test/world/new-berths/\">Next part →</a>"));
    assert!(middle.contains("<span aria-current=\"page\">Dredging the Channel, Part Two</span>"));
    let html = site.read("public/world/dredging/index.html");
    let open = "<script type=\"application/ld+json\">";
    let start = html.find(open).unwrap() + open.len();
    let ld: serde_json::Value =
        serde_json::from_str(&html[start..start + html[start..].find("</script>").unwrap()]).unwrap();
    assert_eq!(
        ld["isPartOf"],
        serde_json::json!({"@type": "CreativeWorkSeries", "name": "Harbour works", "url": "https://gazette.test/series/harbour-works/"})
    );
}

#[test]
fn json_feeds_carry_the_latest_articles_for_a_real_client() {
    let site = finding();
    let feed = feed_rs::parser::parse(site.read("public/feed.json").as_bytes()).unwrap();
    assert_eq!(feed.title.unwrap().content, "Fixture Gazette");
    let titles: Vec<String> = feed.entries.iter().map(|e| e.title.as_ref().unwrap().content.clone()).collect();
    assert_eq!(
        titles,
        [
            "New Berths Open",
            "Dredging the Channel, Part Two",
            "Home Side Wins the Final",
            "Harbour Reopens After Storm",
            "The Harbour’s Year in Review"
        ]
    );
    let first = &feed.entries[0];
    assert_eq!(first.links[0].href, "https://gazette.test/world/new-berths/");
    assert_eq!(first.content.as_ref().unwrap().body.as_deref(), Some("<p>Two berths opened on Thursday.</p>"));
    let json: serde_json::Value = serde_json::from_str(&site.read("public/feed.json")).unwrap();
    assert_eq!(json["items"][0]["content_html"], "<p>Two berths opened on Thursday.</p>\n");
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["feed_url"], "https://gazette.test/feed.json");
    let sport: serde_json::Value = serde_json::from_str(&site.read("public/sport/feed.json")).unwrap();
    assert_eq!(sport["items"].as_array().unwrap().len(), 1);
    // Announced on every page, and the category's on its pages.
    assert!(site.read("public/index.html").contains(
        "<link rel=\"alternate\" type=\"application/feed+json\" title=\"Fixture Gazette (JSON Feed)\" href=\"https://gazette.test/feed.json\">"
    ));
    assert!(site.read("public/sport/index.html").contains("href=\"https://gazette.test/sport/feed.json\">"));
}
