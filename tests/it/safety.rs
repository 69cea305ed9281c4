//! Output safety: every front-matter string, through every context a
//! template puts it in (HTML text, attributes, URLs, JSON-LD, the feeds,
//! the sitemaps), with injection payloads in the shape of OWASP's
//! filter-evasion list. No payload survives unescaped, and every output
//! still parses as HTML, JSON or XML.

use std::collections::BTreeMap;
use std::path::PathBuf;

use scraper::{Html, Selector};

use crate::support::{Site, snapshot};

const PAYLOADS: &[&str] = &[
    "</script><script>alert(1)</script>",
    "\"><svg onload=alert(1)>",
    "'><img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "\" onmouseover=\"alert(1)",
    "' autofocus onfocus='alert(1)",
    "<!--<script>-->",
    "]]><x>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "{{ config }}{% raw %}",
    "a\u{2028}b\u{2029}c",
    "</title><style>*{}</style>",
    "<![CDATA[x]]>",
    "%3Cscript%3E",
    "\\u003cscript\\u003e",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "\u{FEFF}\u{200B}zero width",
];

/// A TOML basic string holding `text`.
fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// An article whose every free-text front-matter field, and a code span of
/// its body, carry `payload`.
fn article(n: usize, payload: &str) -> String {
    let p = toml_string(payload);
    let tagged = toml_string(&format!("tag {n} {payload}"));
    format!(
        "+++\ntitle = {title}\ndescription = {p}\nauthors = [{author}]\ntags = [{tagged}]\n\
         series = {series}\n\
         further_context = [{{ path = \"sport/2025-03-02-final-score.md\", note = {p} }}]\n\
         [image]\nsrc = \"https://images.test/a.jpg\"\nalt = {alt}\ncaption = {p}\ncredit = {p}\n+++\n\n\
         The payload as code: `{code}`.\n",
        title = toml_string(&format!("Payload {n} {payload}")),
        author = toml_string(&format!("Writer {n} {payload}")),
        series = toml_string(&format!("Series {n} {payload}")),
        alt = toml_string(&format!("A dock crane at dusk, {payload}")),
        code = payload.replace('`', "'"),
    )
}

/// Builds a site with one article per payload and returns its files.
fn build(payloads: &[&str]) -> BTreeMap<PathBuf, Vec<u8>> {
    let site = Site::new(&[]);
    for (n, payload) in payloads.iter().enumerate() {
        site.write(&format!("content/world/2025-03-{:02}-payload-{n}.md", 1 + n % 28), &article(n, payload));
    }
    let output = site.run(&["build"]);
    assert_eq!(output.code, 0, "payloads {payloads:?}:\n{}", output.stderr);
    snapshot(&site.root().join("public"))
}

/// Panics unless the output file `rel` parses, carries no script or event
/// handler of an author's making, and its JSON-LD is JSON without
/// `</script`.
fn check(rel: &str, bytes: &[u8], scripts: usize) {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|_| panic!("{rel} is not UTF-8"));
    let name = rel.rsplit('/').next().unwrap();
    if name.ends_with(".html") {
        let document = Html::parse_document(text);
        assert_eq!(document.errors, Vec::<std::borrow::Cow<str>>::new(), "{rel} does not parse cleanly");
        let all = Selector::parse("*").unwrap();
        for element in document.select(&all) {
            let tag = element.value().name();
            // The theme writes none of these; a payload's would be the
            // only ones. Its pictures come from front matter, never `x`.
            assert!(!["svg", "style", "x"].contains(&tag), "{rel}: <{tag}> injected");
            assert!(tag != "img" || element.value().attr("src") != Some("x"), "{rel}: <img src=x> injected");
            for (attr, value) in element.value().attrs() {
                assert!(!attr.starts_with("on"), "{rel}: event handler {attr}={value:?} on <{tag}>");
                let value = value.trim_start().to_ascii_lowercase();
                // A meta's `content` is text (a description may well read
                // "javascript:…"), except where it is a URL.
                let url = ["href", "src", "action", "formaction"].contains(&attr)
                    || (attr == "content" && is_url_meta(element.value()));
                if url {
                    assert!(
                        !value.starts_with("javascript:") && !value.contains("url=javascript:"),
                        "{rel}: {attr}={value:?}"
                    );
                }
                assert!(attr != "autofocus", "{rel}: autofocus on <{tag}>");
            }
        }
        let found = document.select(&Selector::parse("script").unwrap()).count();
        assert_eq!(found, scripts, "{rel}: {found} scripts where the theme writes {scripts}");
        for script in document.select(&Selector::parse(r#"script[type="application/ld+json"]"#).unwrap()) {
            let json = script.inner_html();
            assert!(!json.to_ascii_lowercase().contains("</script"), "{rel}: JSON-LD holds </script");
            assert!(!json.contains('\u{2028}') && !json.contains('\u{2029}'), "{rel}: JSON-LD holds U+2028");
            serde_json::from_str::<serde_json::Value>(&json).unwrap_or_else(|e| panic!("{rel}: JSON-LD: {e}"));
        }
    } else if name.ends_with(".xml") {
        roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{rel} is not XML: {e}"));
    } else if name.ends_with(".json") {
        serde_json::from_str::<serde_json::Value>(text).unwrap_or_else(|e| panic!("{rel} is not JSON: {e}"));
    } else if name == "_redirects" || name.ends_with(".txt") {
        assert!(!text.contains("<script"), "{rel} carries a payload");
    }
}

/// Whether a `<meta>` holds a URL in its `content`: a refresh, or an Open
/// Graph or Twitter card's URL or picture.
fn is_url_meta(element: &scraper::node::Element) -> bool {
    let key = element.attr("property").or(element.attr("name")).unwrap_or("");
    element.attr("http-equiv").is_some_and(|h| h.eq_ignore_ascii_case("refresh"))
        || key.ends_with(":url")
        || key.ends_with(":image")
}

/// The number of scripts each page has in a site without payloads.
fn scripts_of(files: &BTreeMap<PathBuf, Vec<u8>>) -> BTreeMap<String, usize> {
    let selector = Selector::parse("script").unwrap();
    files
        .iter()
        .filter(|(rel, _)| rel.extension().is_some_and(|e| e == "html"))
        .map(|(rel, bytes)| {
            let page = kind_of(&rel.to_string_lossy());
            (page, Html::parse_document(std::str::from_utf8(bytes).unwrap()).select(&selector).count())
        })
        .collect()
}

/// Which template a page comes from, by its path: the scripts a template
/// writes do not depend on the article.
fn kind_of(rel: &str) -> String {
    let first = rel.split('/').next().unwrap_or("");
    match first {
        "world" | "sport" if rel.matches('/').count() >= 2 && !rel.contains("/page/") => "article".into(),
        _ => rel.split('/').next().unwrap_or(rel).into(),
    }
}

fn check_site(files: &BTreeMap<PathBuf, Vec<u8>>, baseline: &BTreeMap<String, usize>) {
    for (rel, bytes) in files {
        let rel = rel.to_string_lossy();
        let scripts = if rel.ends_with(".html") {
            *baseline.get(&kind_of(&rel)).or(baseline.get("article")).unwrap_or(&0)
        } else {
            0
        };
        check(&rel, bytes, scripts);
    }
}

#[test]
fn no_payload_survives_unescaped_in_any_output() {
    let baseline = scripts_of(&build(&["a quiet payload"]));
    let files = build(PAYLOADS);
    check_site(&files, &baseline);
    // The payloads are shown, escaped, not dropped: the title of an article
    // page reads as it was written.
    let page = files.iter().find(|(rel, _)| rel.to_string_lossy().contains("payload-0")).expect("payload-0's page");
    let html = Html::parse_document(std::str::from_utf8(page.1).unwrap());
    let h1 = html.select(&Selector::parse("h1").unwrap()).next().unwrap().text().collect::<String>();
    assert_eq!(h1.trim(), format!("Payload 0 {}", PAYLOADS[0]));
}

/// Random mixtures of the payloads' pieces, in every field, many at once.
#[test]
fn random_mixtures_of_payload_pieces_stay_escaped() {
    let pieces: Vec<&str> = PAYLOADS.iter().flat_map(|p| p.split_inclusive(['>', '"', '\'', ' '])).collect();
    let baseline = scripts_of(&build(&["a quiet payload"]));
    let mut rng = fastrand::Rng::with_seed(15);
    let mixtures: Vec<String> =
        (0..24).map(|_| (0..rng.usize(2..8)).map(|_| pieces[rng.usize(..pieces.len())]).collect::<String>()).collect();
    let mixtures: Vec<&str> = mixtures.iter().map(String::as_str).collect();
    check_site(&build(&mixtures), &baseline);
}

#[test]
fn links_that_run_code_are_errors() {
    let site = Site::new(&[]);
    site.write(
        "content/world/2025-03-05-links.md",
        "+++\ntitle = \"Links\"\ndescription = \"Links.\"\n+++\n\n[Click](JavaScript:alert(1)) and ![x](data:text/html,hi)\n",
    );
    let output = site.run(&["build"]);
    assert_eq!(output.code, 1);
    assert!(
        output.stderr.contains("error: a `javascript:` URL in a link runs code in the reader's browser\n --> content/world/2025-03-05-links.md:6:1"),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("error: a `data:` URL in an image runs code"), "{}", output.stderr);
}
