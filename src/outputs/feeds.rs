//! RSS 2.0 (`/feed.xml`, `/<category>/feed.xml`) and Atom 1.0 (`/atom.xml`)
//! with the full rendered body of each article.

use super::Xml;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::parse::Article;
use crate::parse::spill::Html;
use crate::render::Views;
use crate::render::views::{CategoryView, Summary};

/// One article of a feed or of the news sitemap: what they show of it.
pub struct Item<'a> {
    pub article: &'a Article,
    pub summary: Summary<'a>,
}

/// The items of the articles at `indices`.
pub fn items<'a>(views: &'a Views, indices: &[usize]) -> Vec<Item<'a>> {
    indices.iter().map(|&i| Item { article: &views.site.articles[i], summary: views.summary(i) }).collect()
}

/// The body HTML of each of `items` (read back from the build's spill
/// file: see [`crate::parse::spill`]).
pub fn bodies<'a>(views: &Views, items: &[Item<'a>]) -> Result<Vec<Html<'a>>, Diagnostic> {
    use rayon::prelude::*;
    items.par_iter().map(|item| views.bodies.html(item.article)).collect()
}

/// An RSS 2.0 feed of `items`, whose bodies are `bodies`; `category` narrows the channel to one.
pub fn rss(
    config: &Config,
    categories: &[CategoryView],
    items: &[Item],
    bodies: &[Html],
    self_url: &str,
    category: Option<usize>,
) -> Vec<u8> {
    let (title, link, description) = match category {
        Some(c) => {
            let view = &categories[c];
            (
                format!("{} — {}", config.title, view.name),
                view.url.clone(),
                view.description.clone().or_else(|| config.description.clone()).unwrap_or_else(|| view.name.clone()),
            )
        }
        None => {
            (config.title.clone(), config.url("/"), config.description.clone().unwrap_or_else(|| config.title.clone()))
        }
    };
    let mut xml = Xml::new();
    let namespaces = [
        ("version", "2.0"),
        ("xmlns:atom", "http://www.w3.org/2005/Atom"),
        ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"),
        ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
    ];
    xml.element("rss", &namespaces, |xml| {
        xml.element("channel", &[], |xml| {
            xml.text("title", &[], &title);
            xml.text("link", &[], &link);
            xml.text("description", &[], &description);
            xml.text("language", &[], &config.language);
            xml.text("generator", &[], "broadsheet");
            xml.empty("atom:link", &[("href", self_url), ("rel", "self"), ("type", "application/rss+xml")]);
            if !items.is_empty() {
                // The newest change, never the build time: the same input
                // gives the same feed.
                xml.text("lastBuildDate", &[], &rfc2822(latest_change(items.iter().map(|i| i.article))));
            }
            for (item, body) in items.iter().zip(bodies) {
                rss_item(xml, item, body);
            }
        });
    });
    xml.finish()
}

fn rss_item(xml: &mut Xml, item: &Item, body: &Html) {
    let Item { summary, article } = item;
    xml.element("item", &[], |xml| {
        xml.text("title", &[], summary.title);
        xml.text("link", &[], summary.url);
        xml.text("guid", &[("isPermaLink", "true")], summary.url);
        xml.text("pubDate", &[], &rfc2822(&article.front.date));
        if let Some(description) = summary.description {
            xml.text("description", &[], description);
        }
        for author in &summary.authors {
            xml.text("dc:creator", &[], author.name);
        }
        xml.text("category", &[], &summary.category.name);
        for tag in &summary.tags {
            xml.text("category", &[], tag.name);
        }
        if let Some(image) = &summary.image {
            xml.empty("enclosure", &[("url", image.src), ("length", "0"), ("type", media_type(image.src))]);
        }
        xml.text("content:encoded", &[], body.feed());
    });
}

/// `/corrections/feed.xml`: each correction an item, linking to the notice
/// on its article's page; `notices` pairs each article with the place of
/// the correction in its list.
pub fn corrections(config: &Config, notices: &[(&Item, usize)]) -> Vec<u8> {
    let mut xml = Xml::new();
    let namespaces = [
        ("version", "2.0"),
        ("xmlns:atom", "http://www.w3.org/2005/Atom"),
        ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"),
    ];
    let self_url = config.url("/corrections/feed.xml");
    xml.element("rss", &namespaces, |xml| {
        xml.element("channel", &[], |xml| {
            xml.text("title", &[], &format!("{} — Corrections", config.title));
            xml.text("link", &[], &config.url("/corrections/"));
            xml.text("description", &[], &format!("Every correction {} has published", config.title));
            xml.text("language", &[], &config.language);
            xml.text("generator", &[], "broadsheet");
            xml.empty("atom:link", &[("href", &self_url), ("rel", "self"), ("type", "application/rss+xml")]);
            if let Some((item, j)) = notices.first() {
                xml.text("lastBuildDate", &[], &rfc2822(&item.article.corrections[*j].date));
            }
            for (item, j) in notices {
                let notice = &item.article.corrections[*j];
                let url = format!("{}#{}", item.summary.url, notice.id);
                xml.element("item", &[], |xml| {
                    xml.text("title", &[], &format!("Correction: {}", item.summary.title));
                    xml.text("link", &[], &url);
                    xml.text("guid", &[("isPermaLink", "true")], &url);
                    xml.text("pubDate", &[], &rfc2822(&notice.date));
                    xml.text("description", &[], &notice.plain);
                    xml.text("content:encoded", &[], &notice.html);
                });
            }
        });
    });
    xml.finish()
}

/// The Atom 1.0 feed of the site's newest articles.
pub fn atom(config: &Config, items: &[Item], bodies: &[Html]) -> Vec<u8> {
    let mut xml = Xml::new();
    xml.element("feed", &[("xmlns", "http://www.w3.org/2005/Atom"), ("xml:lang", &config.language)], |xml| {
        xml.text("id", &[], &config.url("/"));
        xml.text("title", &[], &config.title);
        if let Some(description) = &config.description {
            xml.text("subtitle", &[], description);
        }
        xml.empty("link", &[("href", &config.url("/")), ("rel", "alternate"), ("type", "text/html")]);
        xml.empty("link", &[("href", &config.url("/atom.xml")), ("rel", "self"), ("type", "application/atom+xml")]);
        xml.text("generator", &[], "broadsheet");
        let updated = if items.is_empty() {
            "1970-01-01T00:00:00Z".to_string()
        } else {
            rfc3339(latest_change(items.iter().map(|i| i.article)))
        };
        xml.text("updated", &[], &updated);
        for (item, body) in items.iter().zip(bodies) {
            atom_entry(xml, config, item, body);
        }
    });
    xml.finish()
}

fn atom_entry(xml: &mut Xml, config: &Config, item: &Item, body: &Html) {
    let Item { summary, article } = item;
    xml.element("entry", &[], |xml| {
        xml.text("id", &[], summary.url);
        xml.text("title", &[], summary.title);
        xml.empty("link", &[("href", summary.url), ("rel", "alternate"), ("type", "text/html")]);
        xml.text("published", &[], &summary.date.iso);
        xml.text("updated", &[], &rfc3339(article.modified()));
        if summary.authors.is_empty() {
            // Atom requires an author: the publication stands in.
            xml.element("author", &[], |xml| xml.text("name", &[], &config.title));
        }
        for author in &summary.authors {
            xml.element("author", &[], |xml| {
                xml.text("name", &[], author.name);
                xml.text("uri", &[], &author.url);
            });
        }
        xml.empty("category", &[("term", &summary.category.slug), ("label", &summary.category.name)]);
        for tag in &summary.tags {
            xml.empty("category", &[("term", tag.slug), ("label", tag.name)]);
        }
        if let Some(description) = summary.description {
            xml.text("summary", &[], description);
        }
        xml.text("content", &[("type", "html")], body.feed());
    });
}

/// The latest change among `articles` (see [`Article::modified`]).
pub fn latest_change<'a>(articles: impl Iterator<Item = &'a Article>) -> &'a jiff::ZonedDateTime {
    articles.map(Article::modified).max().expect("called with at least one article")
}

pub fn rfc2822(date: &jiff::ZonedDateTime) -> String {
    date.strftime("%a, %d %b %Y %H:%M:%S %z").to_string()
}

pub fn rfc3339(date: &jiff::ZonedDateTime) -> String {
    crate::parse::frontmatter::rfc3339(date)
}

fn media_type(src: &str) -> &'static str {
    let lower = src.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match lower.as_str() {
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "svg" => "image/svg+xml",
        _ => "image/jpeg",
    }
}
