//! JSON Feed 1.1 (`/feed.json`, `/<category>/feed.json`): the same articles
//! as the RSS feeds, with their full bodies, serialized by serde_json.

use serde::Serialize;

use super::feeds::Item;
use crate::config::Config;
use crate::parse::frontmatter::rfc3339;
use crate::parse::spill::Html;
use crate::render::views::CategoryView;

#[derive(Serialize)]
struct Feed<'a> {
    version: &'static str,
    title: String,
    home_page_url: &'a str,
    feed_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    language: &'a str,
    items: Vec<FeedItem<'a>>,
}

#[derive(Serialize)]
struct FeedItem<'a> {
    id: &'a str,
    url: &'a str,
    title: &'a str,
    content_html: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    date_published: &'a str,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    tags: Vec<&'a str>,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
    url: &'a str,
}

/// The JSON Feed of `items`; `category` narrows it to one category.
pub fn feed(
    config: &Config,
    categories: &[CategoryView],
    items: &[Item],
    bodies: &[Html],
    feed_url: &str,
    category: Option<usize>,
) -> Vec<u8> {
    let home = config.url("/");
    let (title, home_page_url, description) = match category {
        Some(c) => {
            let view = &categories[c];
            (format!("{} — {}", config.title, view.name), view.url.as_str(), view.description.as_deref())
        }
        None => (config.title.clone(), home.as_str(), config.description.as_deref()),
    };
    let items = items
        .iter()
        .zip(bodies)
        .map(|(Item { article, summary }, body)| FeedItem {
            id: summary.url,
            url: summary.url,
            title: summary.title,
            content_html: body.feed(),
            summary: summary.description,
            image: summary.image.as_ref().map(|i| i.src),
            date_published: &summary.date.iso,
            date_modified: rfc3339(article.modified()),
            authors: summary.authors.iter().map(|a| Author { name: a.name, url: &a.url }).collect(),
            tags: std::iter::once(summary.category.name.as_str()).chain(summary.tags.iter().map(|t| t.name)).collect(),
        })
        .collect();
    let feed = Feed {
        version: "https://jsonfeed.org/version/1.1",
        title,
        home_page_url,
        feed_url,
        description,
        language: &config.language,
        items,
    };
    let mut json = serde_json::to_vec_pretty(&feed).expect("a feed serializes");
    json.push(b'\n');
    json
}
