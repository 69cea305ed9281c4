//! The life of a story after it runs (issue 12): corrections, updates and
//! live coverage, moved URLs, expiry, and the link-rot guard. The `story`
//! fixture overlays the base site; *now* is 2025-06-01T00:00:00Z.

use crate::support::{Site, snapshot};

fn story() -> Site {
    let site = Site::new(&["story"]);
    site.run(&["build"]).success();
    site
}

/// The JSON-LD of an output page, parsed.
fn json_ld(site: &Site, rel: &str) -> serde_json::Value {
    let html = site.read(rel);
    let open = "<script type=\"application/ld+json\">";
    let start = html.find(open).unwrap() + open.len();
    serde_json::from_str(&html[start..start + html[start..].find("</script>").unwrap()]).unwrap()
}

#[test]
fn corrections_show_on_the_article_newest_first_with_anchors() {
    let site = story();
    let main = site.main_of("public/world/ferry-fares/index.html");
    let newer = main.find("<div class=\"correction\" id=\"correction-2025-05-25\">").expect("the newer correction");
    let older = main.find("<div class=\"correction\" id=\"correction-2025-05-21\">").expect("the older correction");
    assert!(newer < older, "newest first");
    assert!(main.contains("<h2 id=\"story-corrections\">Corrections</h2>"));
    assert!(main.contains("<p>An earlier version misspelt the operator’s name. It is <em>Islas Ferries</em>.</p>"));
    // Structured data and the Atom feed follow the latest correction.
    let ld = json_ld(&site, "public/world/ferry-fares/index.html");
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["dateModified"], "2025-05-25T16:30:00-06:00");
    let atom = feed_rs::parser::parse(site.read("public/atom.xml").as_bytes()).unwrap();
    let entry = atom.entries.iter().find(|e| e.id == "https://gazette.test/world/ferry-fares/").unwrap();
    assert_eq!(entry.updated.unwrap().to_rfc3339(), "2025-05-25T22:30:00+00:00");
}

#[test]
fn the_corrections_page_and_feed_list_every_correction() {
    let site = story();
    let main = site.main_of("public/corrections/index.html");
    let links: Vec<&str> =
        main.match_indices("<h3 class=\"card-headline\"><a href=\"").map(|(at, _)| &main[at + 35..]).collect();
    let urls: Vec<&str> = links.iter().map(|l| &l[..l.find('"').unwrap()]).collect();
    assert_eq!(
        urls,
        [
            "https://gazette.test/world/ferry-fares/#correction-2025-05-25",
            "https://gazette.test/world/ferry-fares/#correction-2025-05-21"
        ]
    );
    assert!(main.contains("2 corrections"));
    let feed = feed_rs::parser::parse(site.read("public/corrections/feed.xml").as_bytes()).unwrap();
    let titles: Vec<String> = feed.entries.iter().map(|e| e.title.as_ref().unwrap().content.clone()).collect();
    assert_eq!(titles, ["Correction: Ferry Fares Rise Again", "Correction: Ferry Fares Rise Again"]);
    assert_eq!(feed.entries[0].links[0].href, "https://gazette.test/world/ferry-fares/#correction-2025-05-25");
    assert_eq!(
        feed.entries[1].summary.as_ref().unwrap().content,
        "An earlier version gave the new fare as $14. It is $12."
    );
    // The page is in the sitemap; the feed is announced on it.
    assert!(site.read("public/sitemap.xml").contains("<loc>https://gazette.test/corrections/</loc>"));
    assert!(site.read("public/corrections/index.html").contains("href=\"https://gazette.test/corrections/feed.xml\""));
}

#[test]
fn a_live_story_is_labelled_ordered_by_its_newest_update_and_a_live_blog_posting() {
    let site = story();
    let main = site.main_of("public/world/storm-live/index.html");
    assert!(main.contains("<span class=\"live-label\">Live</span>"));
    assert!(main.contains("<h2 id=\"story-updates\">Live updates</h2>"));
    let newer = main.find("<li class=\"update\" id=\"power-restored\">").unwrap();
    let older = main.find("<li class=\"update\" id=\"update-2025-05-10-0800\">").unwrap();
    assert!(newer < older);
    assert!(main.contains("12:00 p.m. CST, May 28, 2025"), "{main}");
    // Listed by its newest update (May 28), before the ferry story (May 20)
    // though it was published earlier.
    let listing = site.main_of("public/world/index.html");
    let live = listing.find("storm-live").unwrap();
    assert!(live < listing.find("ferry-fares").unwrap());
    assert!(listing.contains("<span class=\"live-label\">Live</span>"));
    let ld = json_ld(&site, "public/world/storm-live/index.html");
    assert_eq!(ld["@type"], "LiveBlogPosting");
    assert_eq!(ld["coverageStartTime"], "2025-05-10T06:00:00-06:00");
    assert!(ld.get("coverageEndTime").is_none(), "still live");
    let updates = ld["liveBlogUpdate"].as_array().unwrap();
    assert_eq!(updates.len(), 2);
    assert_eq!(updates[0]["@type"], "BlogPosting");
    assert_eq!(updates[0]["headline"], "Power is back in the old town.");
    assert_eq!(updates[0]["datePublished"], "2025-05-28T12:00:00-06:00");
    assert_eq!(
        updates[0]["articleBody"],
        "Power is back in the old town. Crews expect the rest of the city by Friday."
    );
    assert_eq!(updates[0]["url"], "https://gazette.test/world/storm-live/#power-restored");
    // Coverage that ended says when.
    let ended = json_ld(&site, "public/sport/season-final/index.html");
    assert_eq!(ended["@type"], "LiveBlogPosting");
    assert_eq!(ended["coverageEndTime"], "2025-04-01T20:30:00-06:00");
    assert!(!site.main_of("public/sport/season-final/index.html").contains("live-label"));
    // An `@/` link reaches an update's anchor.
    assert!(
        site.read("public/world/harbour-dredging/index.html")
            .contains("href=\"https://gazette.test/world/storm-live/#power-restored\"")
    );
}

#[test]
fn aliases_redirect_and_are_listed_for_hosts() {
    let site = story();
    assert_eq!(
        site.read("public/_redirects"),
        "/2025/05/dredging.html /world/harbour-dredging/ 301\n/world/dredging/ /world/harbour-dredging/ 301\n"
    );
    for page in ["public/world/dredging/index.html", "public/2025/05/dredging.html"] {
        let html = site.read(page);
        let target = "https://gazette.test/world/harbour-dredging/";
        assert!(html.contains(&format!("<meta http-equiv=\"refresh\" content=\"0; url={target}\">")), "{html}");
        assert!(html.contains(&format!("<link rel=\"canonical\" href=\"{target}\">")));
        assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
        assert!(html.contains(&format!("<a href=\"{target}\">{target}</a>")));
    }
    // Redirect pages are not pages of the sitemap.
    assert!(
        !site
            .read("public/sitemap.xml")
            .contains("dredging/</loc>\n  </url>\n  <url>\n    <loc>https://gazette.test/world/dredging")
    );
    assert!(!site.read("public/sitemap.xml").contains("<loc>https://gazette.test/world/dredging/</loc>"));
}

#[test]
fn an_expired_story_leaves_every_output_and_check_lists_what_expires_soon() {
    let site = story();
    assert!(!site.root().join("public/world/wire-expired").exists());
    for file in
        ["public/feed.xml", "public/atom.xml", "public/sitemap.xml", "public/world/index.html", "public/index.html"]
    {
        assert!(!site.read(file).contains("wire-expired"), "{file}");
    }
    assert!(site.root().join("public/world/wire-soon/index.html").exists());
    let check = site.run(&["check"]);
    check.success();
    assert_eq!(
        check.stderr,
        "note: content/world/2025-05-02-wire-soon.md expires at 2025-06-05T00:00:00-06:00 and leaves the site then\n"
    );
    // Once *now* passes it, it is gone too, and no link-rot warning says so.
    let later = site.run_with(&["build"], &[("SOURCE_DATE_EPOCH", "1749168000")]);
    later.success();
    assert_eq!(later.stderr, "");
    assert!(!site.root().join("public/world/wire-soon").exists());
}

#[test]
fn a_url_that_disappears_is_a_warning_or_with_strict_urls_an_error() {
    let site = story();
    let path = "content/world/2025-05-20-ferry-fares.md";
    site.write(
        path,
        &site.read(path).replace("date = 2025-05-20T09:00:00", "slug = \"fares\"\ndate = 2025-05-20T09:00:00"),
    );
    let before = snapshot(&site.root().join("public"));
    let strict = site.run(&["build", "--strict-urls"]);
    assert_eq!(strict.code, 1);
    assert_eq!(
        strict.stderr,
        "error: /world/ferry-fares/ was published, and now has neither a page nor an alias\n \
         --> public/sitemap.xml\n  \
         = help: inbound links to it will break: add aliases = [\"/world/ferry-fares/\"] to the article now at its new address\n\n\
         error: build failed with 1 error\n"
    );
    assert_eq!(snapshot(&site.root().join("public")), before, "a failed build changes nothing");
    let check = site.run(&["check", "--strict-urls"]);
    assert_eq!((check.code, check.stderr), (1, strict.stderr.clone()));
    // Without the flag, a warning; the build goes on.
    let warned = site.run(&["build"]);
    warned.success();
    assert!(
        warned
            .stderr
            .starts_with("warning: /world/ferry-fares/ was published, and now has neither a page nor an alias\n")
    );
    // The alias that keeps the old address.
    let site = story();
    site.write(
        path,
        &site.read(path).replace(
            "date = 2025-05-20T09:00:00",
            "slug = \"fares\"\naliases = [\"/world/ferry-fares/\"]\ndate = 2025-05-20T09:00:00",
        ),
    );
    let fixed = site.run(&["build", "--strict-urls"]);
    fixed.success();
    assert_eq!(fixed.stderr, "");
}
