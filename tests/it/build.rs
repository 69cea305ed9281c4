//! Sites that must build, and what they build into.

use crate::support::{Site, snapshot};

#[test]
fn base_site_builds_every_page() {
    let site = Site::new(&[]);
    let output = site.run(&["build"]);
    output.success();
    assert!(output.stdout.starts_with("Built 2 articles in 2 categories: 32 files in "), "{}", output.stdout);
    let files: Vec<String> =
        snapshot(&site.root().join("public")).into_keys().map(|p| p.display().to_string()).collect();
    assert_eq!(
        files,
        [
            ".broadsheet-output",
            "2025/03/01/index.html",
            "2025/03/02/index.html",
            "2025/03/index.html",
            "2025/index.html",
            "404.html",
            "atom.xml",
            "authors/ana-ruiz/index.html",
            "authors/index.html",
            "corrections/feed.xml",
            "corrections/index.html",
            "embeds.js",
            "feed.json",
            "feed.xml",
            "index.html",
            "news-sitemap.xml",
            "robots.txt",
            "search.js",
            "sitemap.xml",
            "sport/feed.json",
            "sport/feed.xml",
            "sport/final-score/index.html",
            "sport/index.html",
            "style.css",
            "syntax.css",
            "tags/football/index.html",
            "tags/index.html",
            "tags/ports/index.html",
            "tags/weather/index.html",
            "world/feed.json",
            "world/feed.xml",
            "world/harbour-reopens/index.html",
            "world/index.html",
        ]
    );
}

/// The hostile string of the pipeline issue, in every front-matter string.
const HOSTILE: &str = r#"</script><script>alert(1)</script> "quoted" & <b>"#;

#[test]
fn front_matter_strings_are_escaped_everywhere() {
    let site = Site::new(&[]);
    let toml_string = HOSTILE.replace('"', "\\\"");
    site.write(
        "config.toml",
        &format!(
            "title = \"{t}\"\nbase_url = \"https://gazette.test\"\ndescription = \"{t}\"\n\
             [categories.world]\nname = \"{t}\"\ndescription = \"{t}\"\n[categories.sport]\nname = \"Sport\"\n\
             [authors.x]\nname = \"{t}\"\nbio = \"{t}\"\n",
            t = toml_string
        ),
    );
    site.write(
        "content/world/2025-03-03-hostile.md",
        &format!(
            "+++\ntitle = \"{t}\"\ndescription = \"{t}\"\nauthors = [\"x\", \"{t}\"]\ntags = [\"{t}\"]\n\
             further_context = [{{ path = \"world/2025-03-01-harbour-reopens.md\", note = \"{t}\" }}]\n\
             image = {{ src = \"https://cdn.test/a.jpg?{t}\", alt = \"{t}\", caption = \"{t}\", credit = \"{t}\" }}\n\
             [extra]\nkicker = \"{t}\"\n+++\nBody.\n",
            t = toml_string
        ),
    );
    site.run(&["build"]).success();
    let curled = HOSTILE.replacen('"', "“", 1).replacen('"', "”", 1);
    for page in
        ["public/world/hostile/index.html", "public/index.html", "public/world/index.html", "public/tags/index.html"]
    {
        let mut html = site.read(page);
        // The one script element is the JSON-LD: valid JSON holding the
        // title, with nothing in it that could close the element.
        let open = "<script type=\"application/ld+json\">";
        if let Some(start) = html.find(open) {
            let end = start + html[start..].find("</script>").unwrap();
            let json = &html[start + open.len()..end];
            assert!(!json.contains('<') && !json.contains('>'), "{json}");
            let value: serde_json::Value = serde_json::from_str(json).unwrap();
            assert_eq!(value["headline"], curled.as_str());
            assert_eq!(value["author"][1]["name"], HOSTILE);
            html.replace_range(start..end + "</script>".len(), "");
        }
        // And the search box's script, the theme's own file.
        html = html.replace("<script type=\"module\" src=\"https://gazette.test/search.js\"></script>", "");
        for live in ["<script", "</script>", "<b>"] {
            assert!(!html.contains(live), "{page} contains a live {live}:\n{html}");
        }
        assert!(html.contains("&lt;&#x2F;script&gt;") || html.contains("&lt;/script&gt;"), "{page}:\n{html}");
    }
    for feed in ["public/feed.xml", "public/atom.xml", "public/world/feed.xml"] {
        let xml = site.read(feed);
        assert!(!xml.contains("<script") && !xml.contains("<b>"), "{feed}:\n{xml}");
    }
}

#[test]
fn bom_crlf_deep_folders_empty_body_and_big_articles_build() {
    let site = Site::new(&[]);
    site.write("content/world/2025-03-04-bom.md", "\u{feff}+++\ntitle = \"With a BOM\"\n+++\nBody.\n");
    site.write("content/world/2025-03-05-crlf.md", "+++\r\ntitle = \"CRLF\"\r\n+++\r\n## What's Next\r\n\r\nMore.\r\n");
    let deep: String = (0..40).map(|i| format!("d{i}/")).collect();
    site.write(&format!("content/world/{deep}2025-03-06-deep.md"), "+++\ntitle = \"Deep\"\n+++\nDeep.\n");
    site.write("content/sport/2025-03-07-empty.md", "+++\ntitle = \"Empty Body\"\n+++\n");
    let big = "Word after word, the council met again. ".repeat(26_000);
    assert!(big.len() > 1_000_000);
    site.write("content/sport/2025-03-08-big.md", &format!("+++\ntitle = \"Big\"\n+++\n{big}\n"));
    site.run(&["build"]).success();
    assert!(site.read("public/world/bom/index.html").contains("<h1 class=\"headline\">With a BOM</h1>"));
    assert!(site.read("public/world/crlf/index.html").contains("<h2 id=\"whats-next\">What’s Next</h2>"));
    assert!(site.read("public/world/deep/index.html").contains("Deep."));
    assert!(site.read("public/sport/empty/index.html").contains("1 min read"));
    assert!(site.read("public/sport/big/index.html").contains("792 min read"));
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_a_warning() {
    let site = Site::new(&[]);
    std::os::unix::fs::symlink("..", site.root().join("content/world/loop")).unwrap();
    let output = site.run(&["build"]);
    output.success();
    assert!(
        output
            .stderr
            .starts_with("warning: symbolic link loop: leads back to content; not followed\n --> content/world/loop\n"),
        "{}",
        output.stderr
    );
}

#[test]
fn drafts_and_scheduled_articles_need_their_flags() {
    let site = Site::new(&[]);
    site.write("content/world/2025-03-09-draft.md", "+++\ntitle = \"Draft\"\ndraft = true\n+++\n");
    site.write("content/world/2099-01-01-later.md", "+++\ntitle = \"Later\"\n+++\n");
    site.run(&["build"]).success();
    assert!(!site.root().join("public/world/draft").exists());
    assert!(!site.root().join("public/world/later").exists());
    site.run(&["build", "--drafts", "--future"]).success();
    assert!(site.root().join("public/world/draft/index.html").exists());
    assert!(site.root().join("public/world/later/index.html").exists());
    // SOURCE_DATE_EPOCH decides what "now" is.
    site.run_with(&["build"], &[("SOURCE_DATE_EPOCH", "4102444800")]).success();
    assert!(site.root().join("public/world/later/index.html").exists());
}

#[test]
fn categories_paginate_newest_first() {
    let site = Site::new(&[]);
    for day in 10..15 {
        site.write(
            &format!("content/world/2025-03-{day}-story-{day}.md"),
            &format!("+++\ntitle = \"Story {day}\"\n+++\n"),
        );
    }
    site.run(&["build"]).success();
    let first = site.main_of("public/world/index.html");
    let titles = |html: &str| -> Vec<String> {
        html.match_indices("<h3 class=\"card-headline\"><a href=\"")
            .map(|(at, _)| html[at..].split('>').nth(2).unwrap().trim_end_matches("</a").to_string())
            .collect()
    };
    assert_eq!(titles(&first), ["Story 14", "Story 13"]);
    assert_eq!(titles(&site.main_of("public/world/page/3/index.html")), ["Story 10", "Harbour Reopens After Storm"]);
    let page2 = site.read("public/world/page/2/index.html");
    assert!(page2.contains("<link rel=\"prev\" href=\"https://gazette.test/world/\">"));
    assert!(page2.contains("<link rel=\"next\" href=\"https://gazette.test/world/page/3/\">"));
    assert!(!site.root().join("public/world/page/4").exists());
}

#[test]
fn permalink_tokens_and_base_url_override() {
    let site = Site::new(&[]);
    let config =
        site.read("config.toml").replace("articles_per_page = 2", "permalink = \"/{year}/{month}/{day}/{slug}/\"");
    site.write("config.toml", &config);
    site.run(&["build", "--base-url", "http://127.0.0.1:8000/"]).success();
    let html = site.read("public/2025/03/01/harbour-reopens/index.html");
    assert!(html.contains("<link rel=\"canonical\" href=\"http://127.0.0.1:8000/2025/03/01/harbour-reopens/\">"));
}

#[test]
fn check_writes_nothing() {
    let site = Site::new(&[]);
    let output = site.run(&["check"]);
    output.success();
    assert!(output.stdout.starts_with("Checked 2 articles in 2 categories: 32 files in "));
    assert!(!site.root().join("public").exists());
    assert_eq!(std::fs::read_dir(site.root()).unwrap().count(), 2, "only config.toml and content/");
}

#[test]
fn rebuilds_through_the_twin_equal_a_fresh_build() {
    let site = Site::new(&[]);
    let fresh = |site: &Site| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("fresh");
        site.run(&["build", "--output", out.to_str().unwrap()]).success();
        (dir, snapshot(&out))
    };
    // Each step edits the site; every build after the second writes into
    // the twin that holds the site of two builds before.
    let steps: [&dyn Fn(&Site); 4] = [
        &|_| {},
        &|s| std::fs::remove_file(s.root().join("content/sport/2025-03-02-final-score.md")).unwrap(),
        &|s| s.write("content/world/2025-03-05-new.md", "+++\ntitle = \"New\"\ntags = [\"ports\"]\n+++\nBody.\n"),
        &|s| s.write("content/world/2025-03-05-new.md", "+++\ntitle = \"Newer\"\n+++\nEdited body.\n"),
    ];
    for step in steps {
        step(&site);
        site.run(&["build"]).success();
        let (_dir, expected) = fresh(&site);
        assert!(snapshot(&site.root().join("public")) == expected, "incremental output differs from a fresh build");
    }
    assert!(!site.root().join("public/sport/final-score").exists());
    let mut names: Vec<_> = std::fs::read_dir(site.root()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, [".public.broadsheet-cache", ".public.broadsheet-twin", "config.toml", "content", "public"]);
}

/// The repository's sample site (its content and config.toml, the built-in
/// theme), and its *now*: 2026-12-03T12:00:00Z.
fn sample_site() -> (Site, (&'static str, &'static str)) {
    let site = Site::empty();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    crate::support::copy_tree(&repo.join("content"), &site.root().join("content"));
    std::fs::copy(repo.join("config.toml"), site.root().join("config.toml")).unwrap();
    (site, ("SOURCE_DATE_EPOCH", "1796299200"))
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let (site, now) = sample_site();
    site.run_with(&["build", "--output", "one"], &[("RAYON_NUM_THREADS", "1"), now]).success();
    site.run_with(&["build", "--output", "eight"], &[("RAYON_NUM_THREADS", "8"), now]).success();
    let one = snapshot(&site.root().join("one"));
    assert!(one.len() > 15);
    assert!(one == snapshot(&site.root().join("eight")), "outputs differ between 1 and 8 threads");
}

#[test]
fn images_beside_an_article_are_copied_beside_its_output() {
    let site = Site::new(&[]);
    site.write("content/world/harbour.png", "png bytes");
    site.write("content/world/photos/crane.png", "crane bytes");
    site.write("content/world/report.pdf", "pdf bytes");
    site.write(
        "content/world/2025-03-04-gallery.md",
        "+++\ntitle = \"Gallery\"\nimage = { src = \"harbour.png\", alt = \"The harbour at dawn\" }\n+++\n\
         ![A crane unloads a ship](photos/crane.png)\n",
    );
    site.run(&["build"]).success();
    assert_eq!(site.read("public/world/gallery/harbour.png"), "png bytes");
    assert_eq!(site.read("public/world/gallery/photos/crane.png"), "crane bytes");
    // Files no article shows keep their path under content/.
    assert_eq!(site.read("public/world/report.pdf"), "pdf bytes");
    assert!(!site.root().join("public/world/harbour.png").exists());
    let html = site.main_of("public/world/gallery/index.html");
    assert!(html.contains("<img src=\"https://gazette.test/world/gallery/harbour.png\" alt=\"The harbour at dawn\">"));
    assert!(html.contains(
        "<img src=\"https://gazette.test/world/gallery/photos/crane.png\" alt=\"A crane unloads a ship\" loading=\"lazy\">"
    ));
}

#[test]
fn the_root_flag_builds_a_site_elsewhere() {
    let site = Site::new(&[]);
    let elsewhere = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_broadsheet"))
        .args(["build", "--root"])
        .arg(site.root())
        .current_dir(elsewhere.path())
        .env("SOURCE_DATE_EPOCH", crate::support::NOW)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(site.root().join("public/world/harbour-reopens/index.html").exists());
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

#[test]
fn a_static_file_where_pages_need_a_folder_is_an_error() {
    let site = Site::new(&[]);
    site.write("static/tags", "not a folder");
    let output = site.run(&["build"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(
        output
            .stderr
            .starts_with("error: the tag index and static/tags would both write tags, or a folder of that name\n"),
        "{}",
        output.stderr
    );
    assert!(!site.root().join("public").exists());
}

#[cfg(unix)]
#[test]
fn symbolic_links_out_of_the_site_are_not_published() {
    let site = Site::new(&[]);
    let secret = tempfile::tempdir().unwrap();
    std::fs::write(secret.path().join("id_rsa"), "PRIVATE KEY").unwrap();
    std::fs::create_dir_all(site.root().join("static")).unwrap();
    std::os::unix::fs::symlink(secret.path().join("id_rsa"), site.root().join("static/key")).unwrap();
    std::os::unix::fs::symlink(secret.path(), site.root().join("content/world/elsewhere")).unwrap();
    let output = site.run(&["build"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(
        output
            .stderr
            .contains("error: symbolic link leads outside the site; not published\n --> content/world/elsewhere"),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("static/key is a symbolic link that leads outside the site"), "{}", output.stderr);
    assert!(!site.root().join("public").exists());
}

#[test]
fn the_highlight_memo_restored_in_ci_gives_the_same_site_as_no_memo() {
    let site = Site::new(&[]);
    let code = |name: &str| format!("fn {name}() -> u32 {{\n    let total = 2 + 2;\n    total\n}}\n");
    let article = |code: &str| {
        format!(
            "+++\ntitle = \"Code\"\n+++\nThe desk's snippet:\n\n```rust\n{code}```\n\n```json\n{{\"a\": [1, 2]}}\n```\n"
        )
    };
    site.write("content/world/2025-03-06-code.md", &article(&code("first")));
    let build = |out: &str| {
        site.run(&["build", "--output", out]).success();
    };
    let memo = |out: &str| site.root().join(format!(".{out}.broadsheet-cache/highlight"));

    build("plain");
    assert!(memo("plain").is_file(), "the build keeps its highlighted code");
    let expected = snapshot(&site.root().join("plain"));
    let page = String::from_utf8(expected[std::path::Path::new("world/code/index.html")].clone()).unwrap();
    assert!(page.contains("<span class=\"hl-storage hl-type hl-function hl-rust\">fn</span>"), "{page}");

    // A fresh clone in CI with the cache restored: the same site.
    std::fs::create_dir_all(memo("restored").parent().unwrap()).unwrap();
    std::fs::copy(memo("plain"), memo("restored")).unwrap();
    build("restored");
    assert!(snapshot(&site.root().join("restored")) == expected, "a build from the memo differs");

    // A memo altered, cut short or of no use is ignored, never trusted.
    let good = std::fs::read(memo("plain")).unwrap();
    let evil = {
        let at = good.windows(7).position(|w| w == b"hl-rust").expect("the memo holds Rust");
        [&good[..at], b"hl-evil", &good[at + 7..]].concat()
    };
    for (n, bad) in [evil, good[..good.len() / 2].to_vec(), b"{}".to_vec()].into_iter().enumerate() {
        let out = format!("bad{n}");
        std::fs::create_dir_all(memo(&out).parent().unwrap()).unwrap();
        std::fs::write(memo(&out), bad).unwrap();
        build(&out);
        assert!(snapshot(&site.root().join(&out)) == expected, "a build from bad memo {n} differs");
    }

    // Edited code is highlighted again, not taken from the memo.
    site.write("content/world/2025-03-06-code.md", &article(&code("second")));
    build("restored");
    std::fs::remove_dir_all(site.root().join(".plain.broadsheet-cache")).unwrap();
    std::fs::remove_dir_all(site.root().join("plain")).unwrap();
    build("plain");
    let expected = snapshot(&site.root().join("plain"));
    assert!(snapshot(&site.root().join("restored")) == expected, "an edit built from the memo differs");
}

/// `card()` renders each distinct card once and shows it again wherever it
/// is asked for: every page is what including the partial on each page
/// gives, the pages that hide the category kicker included.
#[test]
fn cards_shown_again_are_the_cards_an_include_renders() {
    let (site, now) = sample_site();
    site.run_with(&["build", "--output", "shown"], &[now]).success();

    let include = "{% include \"partials/card.html\" %}";
    let theme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/newsroom/templates");
    for (template, call, instead) in [
        ("partials/listing.html", "{{ card(item=item, hide_kicker=hide_kicker | default(value=false)) }}", include),
        (
            "index.html",
            "{% for item in section.articles %}{{ card(item=item, hide_kicker=true) }}",
            "{% set hide_kicker = true %}{% for item in section.articles %}{% include \"partials/card.html\" %}",
        ),
        ("series.html", "{{ card(item=item, hide_kicker=false) }}", include),
        ("article.html", "{{ card(item=item, hide_kicker=false) }}", include),
    ] {
        let source = std::fs::read_to_string(theme.join(template)).unwrap();
        assert!(source.contains(call), "{template} no longer calls {call}");
        site.write(&format!("templates/{template}"), &source.replace(call, instead));
    }
    site.run_with(&["build", "--output", "included"], &[now]).success();
    let shown = snapshot(&site.root().join("shown"));
    let included = snapshot(&site.root().join("included"));
    assert!(shown.len() > 15);
    for (path, bytes) in &shown {
        assert!(included.get(path) == Some(bytes), "{} differs", path.display());
    }
    assert_eq!(shown.len(), included.len());
}
