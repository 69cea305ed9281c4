//! Embeds in the body (issue 14): a fenced block `{name}` with TOML
//! arguments, rendered through templates/embeds/<name>.html, checked against
//! templates/embeds/<name>.toml; in JSON-LD where schema.org has a place,
//! and in feeds as plain HTML without scripts.

use std::fs;

use crate::support::{Site, picture};

const FEATURE: &str = r#"+++
title = "Cranes Arrive"
description = "Two cranes arrive."
+++

The cranes arrived on Monday.

```{figure}
src = "crane.png"
alt = "A crane lifts a container off a ship"
caption = "The first lift, at *dawn*."
credit = "Ana Ruiz"
```

```{pullquote}
text = "We haven't seen cranes like these."
attribution = "A dock worker"
```

```{factbox}
items = ["Two cranes", "**60** metres tall"]
```

```{video}
video = "youtube:aqz-KE-bpKQ"
title = "The cranes arrive"
poster = "crane.png"
```

```{chart}
src = "https://datawrapper.dwcdn.net/abc12/1/"
title = "Lifts a day"
link = "https://datawrapper.dwcdn.net/abc12/1/"
```

```{gallery}
images = [
  { src = "crane.png", alt = "The crane from the quay", caption = "From the quay." },
  { src = "https://images.example.org/ship.jpg", alt = "The ship that brought it" },
]
```

```{related}
article = "@/world/2025-03-01-harbour-reopens.md"
```

Inline code is never an embed: `{figure}`, and neither is a longer fence:

````markdown
```{figure}
src = "nothing.png"
```
````
"#;

fn feature_site() -> Site {
    let site = Site::new(&[]);
    fs::write(site.root().join("content/world/crane.png"), picture(1000, 500, image::ImageFormat::Png)).unwrap();
    site.write("content/world/2025-03-05-cranes.md", FEATURE);
    site
}

#[test]
fn every_built_in_embed_renders_in_the_article() {
    let site = feature_site();
    site.run(&["build"]).success();
    let html = site.read("public/world/cranes/index.html");
    let base = "https://gazette.test/world/cranes";
    let figure = format!(
        "<figure class=\"embed embed-figure\">\n<img src=\"{base}/crane.png\" alt=\"A crane lifts a container off a ship\" \
         srcset=\"{base}/crane-480.webp 480w, {base}/crane-960.webp 960w, {base}/crane.png 1000w\" \
         sizes=\"(min-width: 38rem) 36rem, 100vw\" width=\"1000\" height=\"500\" loading=\"lazy\">\n\
         <figcaption>The first lift, at <em>dawn</em>. <span class=\"credit\">Ana Ruiz</span></figcaption>\n</figure>"
    );
    assert!(html.contains(&figure), "{html}");
    // Typographic apostrophes in arguments, as in the body.
    assert!(html.contains(
        "<blockquote><p>We haven’t seen cranes like these.</p></blockquote>\n<figcaption>A dock worker</figcaption>"
    ));
    assert!(html.contains("<h2 id=\"embed-3-title\" class=\"embed-title\">Key facts</h2>\n<ul>\n<li>Two cranes</li>\n<li><strong>60</strong> metres tall</li>"));
    // The facade: a link to the video and a poster of our own, no frame.
    assert!(html.contains(
        "<div class=\"video-frame\" data-embed-src=\"https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ?autoplay=1\" \
         data-embed-title=\"The cranes arrive\">\n<a class=\"video-play\" href=\"https://www.youtube.com/watch?v=aqz-KE-bpKQ\">"
    ));
    assert!(!html.contains("<iframe src=\"https://www.youtube"), "no request to the host before a click");
    assert!(html.contains("embeds.js"), "the facade's script is loaded");
    assert!(
        html.contains("<iframe src=\"https://datawrapper.dwcdn.net/abc12/1/\" title=\"Lifts a day\" height=\"420\"")
    );
    assert!(html.contains(
        "<img src=\"https://images.example.org/ship.jpg\" alt=\"The ship that brought it\" loading=\"lazy\">"
    ));
    assert!(html.contains(
        "<p class=\"embed-kicker\">World</p>\n<p class=\"embed-headline\"><a href=\"https://gazette.test/world/harbour-reopens/\">Harbour Reopens After Storm</a></p>"
    ));
    // Literal forms stay literal.
    assert!(html.contains("<code>{figure}</code>"));
    assert!(html.contains("{figure}\nsrc = &quot;nothing.png&quot;\n"));
    // Resized variants of images used only by embeds are written too.
    assert!(site.root().join("public/world/cranes/crane-480.webp").exists());
}

#[test]
fn embeds_appear_in_json_ld() {
    let site = feature_site();
    site.run(&["build"]).success();
    let html = site.read("public/world/cranes/index.html");
    let start = html.find("<script type=\"application/ld+json\">").unwrap() + 35;
    let end = start + html[start..].find("</script>").unwrap();
    let ld: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
    let images = ld["image"].as_array().unwrap();
    assert_eq!(images.len(), 3, "the figure and both gallery images: {ld}");
    assert_eq!(
        images[0],
        serde_json::json!({ "@type": "ImageObject", "contentUrl": "https://gazette.test/world/cranes/crane.png",
            "width": 1000, "height": 500, "caption": "The first lift, at dawn.", "creditText": "Ana Ruiz" })
    );
    assert_eq!(images[2]["contentUrl"], "https://images.example.org/ship.jpg");
    assert_eq!(
        ld["video"],
        serde_json::json!([{ "@type": "VideoObject", "name": "The cranes arrive",
            "embedUrl": "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ?autoplay=1",
            "thumbnailUrl": "https://gazette.test/world/cranes/crane.png" }])
    );
}

#[test]
fn feeds_carry_embeds_as_plain_html_without_scripts_or_frames() {
    let site = feature_site();
    site.run(&["build"]).success();
    let feed = site.read("public/atom.xml");
    let entry = &feed[feed.find("<title>Cranes Arrive</title>").unwrap()..];
    let content = &entry[..entry.find("</entry>").unwrap()];
    assert!(content.contains("Watch the video: The cranes arrive"), "{content}");
    assert!(content.contains("See the interactive chart: Lifts a day"));
    assert!(!content.contains("iframe") && !content.contains("script") && !content.contains("data-embed-src"));
    let json: serde_json::Value = serde_json::from_str(&site.read("public/feed.json")).unwrap();
    let item = json["items"].as_array().unwrap().iter().find(|i| i["title"] == "Cranes Arrive").unwrap();
    assert!(!item["content_html"].as_str().unwrap().contains("<iframe"));
}

#[test]
fn a_site_defines_its_own_embeds_and_overrides_built_in_templates() {
    let site = feature_site();
    site.write(
        "templates/embeds/map.toml",
        "description = \"A map of a place.\"\n[args.place]\ntype = \"string\"\nrequired = true\n\
         [args.zoom]\ntype = \"integer\"\ndefault = 12\n",
    );
    site.write("templates/embeds/map.html", "<div class=\"embed map\" data-zoom=\"{{ zoom }}\">{{ place }}</div>\n");
    // Only the template: the built-in declaration still checks the call.
    site.write("templates/embeds/pullquote.html", "<p class=\"embed my-quote\">{{ text }}</p>\n");
    site.write(
        "content/world/2025-03-06-map.md",
        "+++\ntitle = \"Where the Cranes Stand\"\ndescription = \"A map.\"\n+++\n\nSee below.\n\n\
         ```{map}\nplace = \"Quay 4 & the old pier\"\n```\n",
    );
    site.run(&["build"]).success();
    let map = site.read("public/world/map/index.html");
    assert!(map.contains("<div class=\"embed map\" data-zoom=\"12\">Quay 4 &amp; the old pier</div>"), "{map}");
    let cranes = site.read("public/world/cranes/index.html");
    assert!(cranes.contains("<p class=\"embed my-quote\">We haven’t seen cranes like these.</p>"));
}

#[test]
fn an_embed_that_writes_a_script_into_feeds_is_an_error() {
    let site = feature_site();
    site.write("templates/embeds/pullquote.html", "<script>track()</script><p>{{ text }}</p>\n");
    let output = site.run(&["build"]);
    assert_eq!(output.code, 1);
    assert!(output.stderr.contains("error: embed `pullquote` writes a <script> into feeds"), "{}", output.stderr);
    assert!(output.stderr.contains("content/world/2025-03-05-cranes.md:15:1"));
}
