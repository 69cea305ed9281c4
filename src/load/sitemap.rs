//! The sitemap of the output a build is about to replace: every URL the
//! site published last time, so that a URL that disappears can be told
//! (the link-rot guard).

use std::path::Path;

use quick_xml::events::Event;

/// The site paths of every `<loc>` in the sitemap of the output folder
/// `output` (its parts too, when the sitemap is an index), or nothing when
/// there is no sitemap or it cannot be read.
pub fn previous_paths(output: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(output.join("sitemap.xml")) else { return Vec::new() };
    let (locs, index) = locs(&text);
    if !index {
        return locs.iter().filter_map(|url| path_of(url)).collect();
    }
    let mut paths = Vec::new();
    for part in &locs {
        let Some(name) = part.rsplit('/').next().filter(|n| n.starts_with("sitemap-") && n.ends_with(".xml")) else {
            continue;
        };
        if let Ok(text) = std::fs::read_to_string(output.join(name)) {
            paths.extend(locs_of(&text).iter().filter_map(|url| path_of(url)));
        }
    }
    paths
}

fn locs_of(text: &str) -> Vec<String> {
    locs(text).0
}

/// The texts of every `<loc>`, and whether the document is a sitemap index.
fn locs(text: &str) -> (Vec<String>, bool) {
    let mut reader = quick_xml::Reader::from_str(text);
    let (mut locs, mut index) = (Vec::new(), false);
    // The text of the `<loc>` being read: text and entity references come
    // as separate events.
    let mut loc: Option<String> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(start)) => {
                if start.name().as_ref() == "loc" {
                    loc = Some(String::new());
                }
                index |= start.name().as_ref() == "sitemapindex";
            }
            Ok(Event::Text(t)) => {
                if let Some(loc) = &mut loc {
                    loc.push_str(&t.xml10_content());
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let Some(loc) = &mut loc {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => loc.push(c),
                        _ => loc.push_str(quick_xml::escape::resolve_xml_entity(&r).unwrap_or("")),
                    }
                }
            }
            Ok(Event::End(_)) => locs.extend(loc.take().map(|l| l.trim().to_string())),
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    (locs, index)
}

/// The path of an absolute URL: `https://x.test/a/b/` → `/a/b/`.
fn path_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let path = rest.find('/').map_or("/", |at| &rest[at..]);
    Some(path.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_paths_of_a_sitemap_and_of_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let urlset = |urls: &[&str]| {
            let entries: String = urls.iter().map(|u| format!("<url><loc>{u}</loc></url>")).collect();
            format!("<?xml version=\"1.0\"?><urlset xmlns=\"x\">{entries}</urlset>")
        };
        std::fs::write(dir.path().join("sitemap.xml"), urlset(&["https://x.test/", "https://x.test/a/b/?q=1&amp;r"]))
            .unwrap();
        assert_eq!(previous_paths(dir.path()), ["/", "/a/b/?q=1&r"]);
        std::fs::write(
            dir.path().join("sitemap.xml"),
            "<sitemapindex><sitemap><loc>https://x.test/sitemap-1.xml</loc></sitemap></sitemapindex>",
        )
        .unwrap();
        std::fs::write(dir.path().join("sitemap-1.xml"), urlset(&["https://x.test/c/"])).unwrap();
        assert_eq!(previous_paths(dir.path()), ["/c/"]);
        assert!(previous_paths(&dir.path().join("none")).is_empty());
    }
}
