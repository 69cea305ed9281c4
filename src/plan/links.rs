//! Nothing broken publishes: every link and image to a path of this site —
//! in article bodies, corrections and updates, featured images, templates,
//! static HTML and the logo — must name a file the build writes or copies,
//! and a `#fragment` on another page must be one of that page's ids. And no
//! URL the site published before disappears unnoticed (the link-rot guard).

use std::borrow::Cow;
use std::collections::HashSet;

use rustc_hash::{FxHashMap, FxHashSet};

use super::{Page, Plan, Site};
use crate::diag::{Diagnostic, Location};
use crate::load::theme::{StaticFile, Theme};
use crate::text::{did_you_mean, literal_ids};

/// Every broken link and image of the site, each at the line that makes it.
pub fn check(site: &Site, plan: &Plan, theme: &Theme, root: &std::path::Path) -> Vec<Diagnostic> {
    let targets = Targets::new(site, plan, theme);
    let mut problems = Vec::new();
    for article in site.articles {
        for link in &article.body.site_links {
            if let Some(problem) = targets.problem(&link.path, link.fragment.as_deref(), link.image) {
                problems.push(problem.at(link.location.clone()));
            }
        }
    }
    let base_url = &site.config.base_url;
    for (name, source) in &theme.templates {
        let origin = theme.origins.get(name).map_or(name.as_str(), String::as_str);
        for found in urls(source, base_url, true) {
            if let Some(problem) = targets.problem(&found.path, found.fragment.as_deref(), found.image) {
                problems.push(problem.at(Location::span(origin, source, found.span)));
            }
        }
    }
    for (rel, file) in &plan.copies {
        if !(rel.ends_with(".html") || rel.ends_with(".htm")) {
            continue;
        }
        let (shown, text): (String, Cow<str>) = match file {
            StaticFile::Embedded(bytes) => (format!("the theme's static/{rel}"), String::from_utf8_lossy(bytes)),
            StaticFile::Resized { .. } => continue,
            StaticFile::Disk(path) => match std::fs::read(path) {
                Ok(bytes) => {
                    let shown = path.strip_prefix(root).unwrap_or(path).to_string_lossy().into_owned();
                    (shown, String::from_utf8_lossy(&bytes).into_owned().into())
                }
                Err(_) => continue,
            },
        };
        for found in urls(&text, base_url, false) {
            if let Some(problem) = targets.problem(&found.path, found.fragment.as_deref(), found.image) {
                problems.push(problem.at(Location::span(&shown, &text, found.span)));
            }
        }
    }
    if let Some(logo) = site.config.logo.as_deref().filter(|l| l.starts_with('/'))
        && let Some(problem) = targets.problem(logo, None, true)
    {
        problems.push(problem.at(Location::file(crate::config::FILE)).hint("`logo` names a file of static/"));
    }
    problems
}

/// What links may point at: the output files, and the ids of pages.
struct Targets<'a> {
    files: FxHashSet<&'a str>,
    /// Output file → article, for the ids of its page.
    articles: FxHashMap<&'a str, usize>,
    site: &'a Site<'a>,
    /// Ids written literally in the templates: on every page, maybe.
    template_ids: HashSet<String>,
}

impl<'a> Targets<'a> {
    fn new(site: &'a Site<'a>, plan: &'a Plan, theme: &Theme) -> Targets<'a> {
        let mut files: FxHashSet<&str> = plan.page_files.iter().map(String::as_str).collect();
        files.extend(plan.generated.iter().map(|(rel, _)| rel.as_str()));
        files.extend(plan.copies.iter().map(|(rel, _)| rel.as_str()));
        let articles = plan
            .page_files
            .iter()
            .zip(&plan.pages)
            .filter_map(|(file, (_, page))| match page {
                Page::Article(i) => Some((file.as_str(), *i)),
                _ => None,
            })
            .collect();
        let template_ids = theme.templates.values().flat_map(|source| literal_ids(source)).collect();
        Targets { files, articles, site, template_ids }
    }

    /// What is wrong with a link to the site path `path`, if anything.
    fn problem(&self, path: &str, fragment: Option<&str>, image: bool) -> Option<Diagnostic> {
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let file = decoded.trim_start_matches('/');
        let file: Cow<str> =
            if file.is_empty() || file.ends_with('/') { format!("{file}index.html").into() } else { file.into() };
        let found = if self.files.contains(file.as_ref()) {
            Some(file.to_string())
        } else {
            // A folder named without its slash: hosts redirect to it.
            let index = format!("{file}/index.html");
            self.files.contains(index.as_str()).then_some(index)
        };
        let Some(found) = found else {
            let (problem, hint) = if image {
                (
                    format!("broken image: {path} is no file of this site"),
                    "put the file in static/ at that path, or beside the article with a relative path",
                )
            } else {
                (
                    format!("broken link: {path} is no page or file of this site"),
                    "link to an article as [text](@/category/file.md), or fix the path",
                )
            };
            return Some(Diagnostic::error(problem).hint(hint));
        };
        let fragment = fragment.filter(|f| !f.is_empty())?;
        let ids = self.ids_of(&found);
        if ids.iter().any(|id| id == fragment) {
            return None;
        }
        let hint = match did_you_mean(fragment, ids.iter().map(String::as_str)) {
            Some(close) => format!("did you mean `#{close}`?"),
            None => "link to a heading id of that page, or leave the fragment out".to_string(),
        };
        Some(Diagnostic::error(format!("`#{fragment}` is not an id on {path}")).hint(hint))
    }

    /// The ids on the page in output file `file`: an article's anchors and
    /// the ids of its body, else those the templates write.
    fn ids_of(&self, file: &str) -> Vec<String> {
        let mut ids: Vec<String> = self.template_ids.iter().cloned().collect();
        if let Some(&i) = self.articles.get(file) {
            let article = &self.site.articles[i];
            ids.extend(article.anchors().map(str::to_string));
            ids.extend(article.body.ids.iter().cloned());
        }
        ids
    }
}

/// A URL to a path of the site found in HTML or a template.
struct Found {
    path: String,
    fragment: Option<String>,
    image: bool,
    /// Where the URL is in the text.
    span: std::ops::Range<usize>,
}

/// The links (`href`) and images (`src`) to this site in `text`: values that
/// start with `/` or with `base_url`. In a template (`template`), a value
/// starting `{{ site.url }}` or `{{ site.base_url }}` counts as a path of
/// the site; a value with any other expression is the template's data,
/// which the build made itself.
fn urls(text: &str, base_url: &str, template: bool) -> Vec<Found> {
    let mut found = Vec::new();
    for attribute in ["href=", "src="] {
        for (at, _) in text.match_indices(attribute) {
            // `href=` itself, not the end of `data-href=`.
            if text[..at].chars().last().is_some_and(|c| c.is_alphanumeric() || c == '-') {
                continue;
            }
            let rest = &text[at + attribute.len()..];
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else { continue };
            let Some(end) = rest[1..].find(quote) else { continue };
            let value = &rest[1..1 + end];
            let start = at + attribute.len() + 1;
            let Some(path) = site_path(value, base_url, template) else { continue };
            let (path, fragment) = match path.split_once('#') {
                Some((path, fragment)) => (path.to_string(), Some(fragment.to_string())),
                None => (path, None),
            };
            let path = path.split('?').next().unwrap_or("").to_string();
            let path = if path.is_empty() { "/".to_string() } else { path };
            found.push(Found { path, fragment, image: attribute == "src=", span: start..start + value.len() });
        }
    }
    found
}

/// The site path a link's value names, if it names one.
fn site_path(value: &str, base_url: &str, template: bool) -> Option<String> {
    let mut value = value.trim().to_string();
    if template {
        for (expression, replacement) in [("{{ site.url }}", "/"), ("{{ site.base_url }}", "")] {
            if let Some(rest) = value.strip_prefix(expression) {
                value = format!("{replacement}{rest}");
            }
        }
        if value.contains("{{") || value.contains("{%") {
            return None;
        }
    }
    let path = match value.strip_prefix(base_url) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest.to_string(),
        _ => value,
    };
    let path = if path.is_empty() { "/".to_string() } else { path };
    (path.starts_with('/') && !path.starts_with("//")).then_some(path)
}

/// The link-rot guard: each site path of the last output's sitemap
/// (`previous`) that now has neither a page nor an alias (nor any file),
/// as a warning, or an error when `strict`. Expired articles left on
/// purpose; their paths are `gone`. Pages of a listing past its first
/// (`…/page/3/`) and date archive pages (`/2025/03/07/`) come and go with
/// the articles they list, and are not guarded.
pub fn moved(plan: &Plan, previous: &[String], gone: &[String], sitemap: &str, strict: bool) -> Vec<Diagnostic> {
    let mut files: FxHashSet<&str> = plan.page_files.iter().map(String::as_str).collect();
    files.extend(plan.generated.iter().map(|(rel, _)| rel.as_str()));
    files.extend(plan.copies.iter().map(|(rel, _)| rel.as_str()));
    let mut problems = Vec::new();
    for path in previous {
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let file = crate::paths::output_file(&decoded);
        if files.contains(file.as_str()) || gone.iter().any(|g| g == path) || is_later_page(path) || is_archive(path) {
            continue;
        }
        let message = format!("{path} was published, and now has neither a page nor an alias");
        let problem = if strict { Diagnostic::error(message) } else { Diagnostic::warning(message) };
        problems.push(problem.at(Location::file(sitemap)).hint(format!(
            "inbound links to it will break: add aliases = [\"{path}\"] to the article now at its new address"
        )));
    }
    problems
}

/// Whether a site path is a page of the date archive: `/2025/`,
/// `/2025/03/`, `/2025/03/07/`.
fn is_archive(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let numeric = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    (1..=3).contains(&segments.len())
        && segments.iter().enumerate().all(|(at, s)| numeric(s, if at == 0 { 4 } else { 2 }))
}

/// Whether a site path is a page of a listing past its first: `…/page/N/`.
fn is_later_page(path: &str) -> bool {
    let mut segments = path.trim_end_matches('/').rsplit('/');
    let number = segments.next().is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    number && segments.next() == Some("page")
}

#[cfg(test)]
mod tests {
    #[test]
    fn later_pages_of_listings() {
        assert!(super::is_later_page("/world/page/3/"));
        assert!(super::is_later_page("/tags/x/page/12/"));
        assert!(!super::is_later_page("/world/page-3/"));
        assert!(!super::is_later_page("/world/pages/3/"));
        assert!(super::is_archive("/2025/") && super::is_archive("/2025/03/07/"));
        assert!(!super::is_archive("/2025/03/07/slug/") && !super::is_archive("/world/"));
    }

    use super::*;

    #[test]
    fn urls_in_html_and_templates() {
        let html =
            r#"<a href="/a/#x">a</a> <img src="https://x.test/i.png"> <a data-href="/no/"> <a href="https://y.test/">"#;
        let found: Vec<(String, Option<String>, bool)> =
            urls(html, "https://x.test", false).into_iter().map(|f| (f.path, f.fragment, f.image)).collect();
        assert_eq!(found, [("/a/".to_string(), Some("x".to_string()), false), ("/i.png".to_string(), None, true)]);
        let template = r#"<a href="{{ site.url }}tags/">t</a><a href="{{ item.url }}">i</a><link href="{{ site.base_url }}/x.css">"#;
        let found: Vec<String> = urls(template, "https://x.test", true).into_iter().map(|f| f.path).collect();
        assert_eq!(found, ["/tags/", "/x.css"]);
    }

    #[test]
    fn literal_ids_skip_expressions() {
        assert_eq!(literal_ids(r#"<h2 id="a">x</h2><li id="{{ n.id }}"><main id="main">"#), ["a", "main"]);
    }
}
