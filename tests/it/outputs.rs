//! Feeds, sitemaps, the news sitemap and structured data, parsed back with
//! a feed parser, an XML parser and a JSON parser.

use crate::support::Site;

fn news_site() -> Site {
    let site = Site::new(&["outputs/news"]);
    site.run(&["build"]).success();
    site
}

fn text(t: &Option<feed_rs::model::Text>) -> &str {
    t.as_ref().map(|t| t.content.as_str()).unwrap_or("")
}

#[test]
fn rss_and_atom_carry_the_latest_articles_in_full() {
    let site = news_site();
    for feed in ["feed.xml", "atom.xml"] {
        let bytes = std::fs::read(site.root().join("public").join(feed)).unwrap();
        let parsed = feed_rs::parser::parse(bytes.as_slice()).unwrap_or_else(|e| panic!("{feed}: {e}"));
        assert_eq!(text(&parsed.title), "Fixture Gazette");
        let titles: Vec<&str> = parsed.entries.iter().map(|e| text(&e.title)).collect();
        assert_eq!(
            titles,
            [
                "Published This Instant",
                "Exactly Forty-Eight Hours Old",
                "One Second Too Old",
                "Home Side Wins the Final",
                "Harbour Reopens After Storm",
            ],
            "{feed}"
        );
        let newest = &parsed.entries[0];
        assert_eq!(newest.links[0].href, "https://gazette.test/world/at-now/");
        assert_eq!(newest.published.unwrap().to_rfc3339(), "2025-06-01T00:00:00+00:00");
        let body = newest.content.as_ref().and_then(|c| c.body.as_deref()).unwrap();
        assert!(body.contains("<h2 id=\"key-details\">Key Details</h2>"), "{feed}: {body}");
        assert!(body.contains("Published exactly at <em>now</em>."));
        assert_eq!(newest.summary.as_ref().unwrap().content, "The newest story, with an updated time.");
        let with_authors = &parsed.entries[1];
        let authors: Vec<&str> = with_authors.authors.iter().map(|p| p.name.as_deref().unwrap_or("")).collect();
        assert_eq!(authors, ["Ana Ruiz", "Li Wei"], "{feed}");
        let categories: Vec<String> =
            with_authors.categories.iter().map(|c| c.label.clone().unwrap_or_else(|| c.term.clone())).collect();
        assert_eq!(categories, ["World", "ports", "Breaking News"], "{feed}");
    }
    let atom = site.read("public/atom.xml");
    assert!(atom.contains("<id>https://gazette.test/world/at-now/</id>"));
    assert!(atom.contains("<updated>2025-06-01T00:00:00-06:00</updated>") || atom.contains("<updated>2025-05-31T"));
}

#[test]
fn category_feeds_hold_only_their_category_and_feed_limit_applies() {
    let site = Site::new(&["outputs/news"]);
    let config = site.read("config.toml").replace("articles_per_page = 2", "feed_limit = 2");
    site.write("config.toml", &config);
    site.run(&["build"]).success();
    let titles = |path: &str| -> Vec<String> {
        let bytes = std::fs::read(site.root().join("public").join(path)).unwrap();
        feed_rs::parser::parse(bytes.as_slice()).unwrap().entries.iter().map(|e| text(&e.title).to_string()).collect()
    };
    assert_eq!(titles("sport/feed.xml"), ["Home Side Wins the Final"]);
    assert_eq!(titles("world/feed.xml"), ["Published This Instant", "Exactly Forty-Eight Hours Old"]);
    assert_eq!(titles("feed.xml").len(), 2);
}

#[test]
fn the_sitemap_lists_every_page_with_its_last_change() {
    let site = news_site();
    let xml = site.read("public/sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let entries: Vec<(String, Option<String>)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("url"))
        .map(|url| {
            let child =
                |name: &str| url.children().find(|c| c.has_tag_name(name)).and_then(|c| c.text()).map(str::to_string);
            (child("loc").unwrap(), child("lastmod"))
        })
        .collect();
    let find = |loc: &str| entries.iter().find(|(l, _)| l == loc).unwrap_or_else(|| panic!("{loc} missing")).1.clone();
    assert_eq!(find("https://gazette.test/world/harbour-reopens/").as_deref(), Some("2025-03-01T00:00:00-06:00"));
    assert_eq!(find("https://gazette.test/world/at-now/").as_deref(), Some("2025-05-31T18:00:00-06:00"));
    assert_eq!(find("https://gazette.test/").as_deref(), Some("2025-05-31T18:00:00-06:00"));
    assert_eq!(find("https://gazette.test/sport/").as_deref(), Some("2025-03-02T00:00:00-06:00"));
    find("https://gazette.test/tags/breaking-news/");
    find("https://gazette.test/authors/li-wei/");
    find("https://gazette.test/world/page/2/");
    assert!(!entries.iter().any(|(loc, _)| loc.ends_with("404.html")));
    let pages = walkdir::WalkDir::new(site.root().join("public"))
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_name() == "index.html")
        .count();
    assert_eq!(entries.len(), pages, "one sitemap entry per page");
}

#[test]
fn the_news_sitemap_holds_the_last_48_hours() {
    let site = news_site();
    let xml = site.read("public/news-sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let news = "http://www.google.com/schemas/sitemap-news/0.9";
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "title" && n.tag_name().namespace() == Some(news))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(titles, ["Published This Instant", "Exactly Forty-Eight Hours Old"]);
    let names: Vec<&str> =
        doc.descendants().filter(|n| n.tag_name().name() == "name").filter_map(|n| n.text()).collect();
    assert_eq!(names, ["Fixture Gazette", "Fixture Gazette"]);
    let dates: Vec<&str> =
        doc.descendants().filter(|n| n.tag_name().name() == "publication_date").filter_map(|n| n.text()).collect();
    assert_eq!(dates, ["2025-05-31T18:00:00-06:00", "2025-05-29T18:00:00-06:00"]);
    let languages: Vec<&str> =
        doc.descendants().filter(|n| n.tag_name().name() == "language").filter_map(|n| n.text()).collect();
    assert_eq!(languages, ["en", "en"]);

    // One second later the oldest falls out of the window.
    site.run_with(&["build"], &[("SOURCE_DATE_EPOCH", "1748736001")]).success();
    let xml = site.read("public/news-sitemap.xml");
    assert!(!xml.contains("Exactly Forty-Eight Hours Old") && xml.contains("Published This Instant"));
}

#[test]
fn robots_names_both_sitemaps() {
    let site = news_site();
    assert_eq!(
        site.read("public/robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://gazette.test/sitemap.xml\nSitemap: https://gazette.test/news-sitemap.xml\n"
    );
}

#[test]
fn article_pages_carry_social_tags_and_valid_json_ld() {
    let site = news_site();
    let html = site.read("public/world/edge-in/index.html");
    for tag in [
        "<title>Exactly Forty-Eight Hours Old — Fixture Gazette</title>",
        "<meta name=\"description\" content=\"Published at the very start of the window.\">",
        "<link rel=\"canonical\" href=\"https://gazette.test/world/edge-in/\">",
        "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Fixture Gazette (RSS)\" href=\"https://gazette.test/feed.xml\">",
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Fixture Gazette (Atom)\" href=\"https://gazette.test/atom.xml\">",
        "<meta property=\"og:type\" content=\"article\">",
        "<meta property=\"og:url\" content=\"https://gazette.test/world/edge-in/\">",
        "<meta property=\"article:published_time\" content=\"2025-05-29T18:00:00-06:00\">",
        "<meta property=\"article:section\" content=\"World\">",
        "<meta property=\"article:tag\" content=\"Breaking News\">",
        "<meta name=\"twitter:card\" content=\"summary\">",
    ] {
        assert!(html.contains(tag), "missing {tag}");
    }
    let open = "<script type=\"application/ld+json\">";
    let start = html.find(open).unwrap() + open.len();
    let json: serde_json::Value =
        serde_json::from_str(&html[start..start + html[start..].find("</script>").unwrap()]).unwrap();
    assert_eq!(json["@type"], "NewsArticle");
    assert_eq!(json["headline"], "Exactly Forty-Eight Hours Old");
    assert_eq!(json["datePublished"], "2025-05-29T18:00:00-06:00");
    assert_eq!(json["dateModified"], "2025-05-29T18:00:00-06:00");
    assert_eq!(
        json["author"][1],
        serde_json::json!({"@type": "Person", "name": "Li Wei", "url": "https://gazette.test/authors/li-wei/"})
    );
    assert_eq!(json["publisher"]["name"], "Fixture Gazette");
    assert_eq!(json["mainEntityOfPage"]["@id"], "https://gazette.test/world/edge-in/");
    // Listing pages get canonical and Open Graph too.
    let listing = site.read("public/tags/breaking-news/index.html");
    assert!(listing.contains("<link rel=\"canonical\" href=\"https://gazette.test/tags/breaking-news/\">"));
    assert!(listing.contains("<meta property=\"og:title\" content=\"Topic: Breaking News\">"));
}

#[test]
fn editorial_warnings_do_not_stop_the_build() {
    let site = Site::new(&[]);
    site.write(
        "content/world/2025-03-03-lazy.md",
        "+++\ntitle = \"Cranes Idle\"\nimage = { src = \"https://cdn.test/x.jpg\", alt = \"photo\" }\n+++\n",
    );
    let output = site.run(&["build"]);
    output.success();
    assert_eq!(
        output.stderr,
        "warning: the article has no description and no first paragraph to take one from\n \
         --> content/world/2025-03-03-lazy.md:1:1\n  |\n1 | +++\n  | ^^^\n  |\n  \
         = help: add description = \"…\", the one-sentence dek readers see under the headline\n\n\
         warning: the image's alt text is a generic word: \"photo\"\n \
         --> content/world/2025-03-03-lazy.md:3:49\n  |\n\
         3 | image = { src = \"https://cdn.test/x.jpg\", alt = \"photo\" }\n  \
         |                                                 ^^^^^^^\n  |\n  \
         = help: describe what the image shows: who, what, where\n\n"
    );
}

#[test]
fn the_publisher_logo_appears_when_configured() {
    let site = Site::new(&[]);
    let config = site.read("config.toml").replace("articles_per_page = 2", "logo = \"/logo.png\"");
    site.write("config.toml", &config);
    // The logo must be a file of the site (a missing one is an error).
    site.write("static/logo.png", "png");
    site.run(&["build"]).success();
    let html = site.read("public/world/harbour-reopens/index.html");
    let open = "<script type=\"application/ld+json\">";
    let start = html.find(open).unwrap() + open.len();
    let json: serde_json::Value =
        serde_json::from_str(&html[start..start + html[start..].find("</script>").unwrap()]).unwrap();
    assert_eq!(
        json["publisher"]["logo"],
        serde_json::json!({"@type": "ImageObject", "url": "https://gazette.test/logo.png"})
    );
}
