//! The data templates receive: typed, borrowed `Serialize` structs built once
//! per build. The README documents every field.

use serde::Serialize;

use crate::config::Config;
use crate::graph::Graph;
use crate::parse::Article;
use crate::parse::markdown::{TocEntry, reading_time};
use crate::text::slugify;

/// `site`, given to every template.
#[derive(Debug, Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub language: &'a str,
    pub base_url: &'a str,
    /// The home page URL, with a trailing slash.
    pub url: String,
    pub categories: &'a [CategoryView],
    pub extra: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryView {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DateView {
    /// RFC 3339 with the offset: `2025-03-07T09:30:00-06:00`.
    pub iso: String,
    /// `March 7, 2025`, in the site's time zone.
    pub display: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuthorView<'a> {
    pub name: &'a str,
    pub slug: String,
    pub bio: Option<&'a str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TagView<'a> {
    pub name: &'a str,
    pub slug: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImageView<'a> {
    pub src: &'a str,
    pub alt: &'a str,
    pub caption: Option<&'a str>,
    pub credit: Option<&'a str>,
}

/// What listings, cards and link lists show of an article.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    pub title: &'a str,
    /// The dek: `description`, or the first paragraph of the body.
    pub description: Option<&'a str>,
    pub url: &'a str,
    pub path: &'a str,
    pub date: DateView,
    pub updated: Option<DateView>,
    pub category: &'a CategoryView,
    pub authors: Vec<AuthorView<'a>>,
    pub tags: Vec<TagView<'a>>,
    pub image: Option<ImageView<'a>>,
    pub featured: bool,
    pub reading_time: usize,
    pub word_count: usize,
}

/// `article`, given to article.html.
#[derive(Debug, Serialize)]
pub struct ArticleView<'a> {
    #[serde(flatten)]
    pub summary: &'a Summary<'a>,
    /// The rendered Markdown body: the only raw HTML a template gets.
    pub body: &'a str,
    pub toc: &'a [TocEntry],
    pub further_context: Vec<ContextView<'a>>,
    pub backlinks: Vec<&'a Summary<'a>>,
    pub related: Vec<&'a Summary<'a>>,
    pub extra: serde_json::Value,
}

/// One "Further context" entry: the target article and the note.
#[derive(Debug, Serialize)]
pub struct ContextView<'a> {
    #[serde(flatten)]
    pub article: &'a Summary<'a>,
    pub note: Option<&'a str>,
}

pub fn categories(config: &Config) -> Vec<CategoryView> {
    config
        .categories
        .iter()
        .map(|c| CategoryView {
            slug: c.slug.clone(),
            name: c.name.clone(),
            description: c.description.clone(),
            url: config.url(&format!("/{}/", c.slug)),
        })
        .collect()
}

pub fn date(date: &jiff::ZonedDateTime) -> DateView {
    DateView {
        iso: crate::parse::frontmatter::rfc3339(date),
        display: date.strftime("%B %-d, %Y").to_string(),
    }
}

pub fn summary<'a>(
    config: &'a Config,
    categories: &'a [CategoryView],
    article: &'a Article,
) -> Summary<'a> {
    let front = &article.front;
    let description = front
        .description
        .as_deref()
        .or(Some(article.body.first_paragraph.as_str()).filter(|p| !p.is_empty()));
    Summary {
        title: &front.title,
        description,
        url: &article.url,
        path: &article.path,
        date: date(&front.date),
        updated: front.updated.as_ref().map(date),
        category: &categories[article.category],
        authors: front
            .authors
            .iter()
            .map(|key| author(config, key))
            .collect(),
        tags: front
            .tags
            .iter()
            .zip(&article.tag_slugs)
            .map(|(name, slug)| TagView { name, slug })
            .collect(),
        image: front.image.as_ref().map(|i| ImageView {
            src: &i.src,
            alt: &i.alt,
            caption: i.caption.as_deref(),
            credit: i.credit.as_deref(),
        }),
        featured: front.featured,
        reading_time: reading_time(article.body.word_count),
        word_count: article.body.word_count,
    }
}

/// An author as written in front matter: a profile key, or a plain name.
fn author<'a>(config: &'a Config, key: &'a str) -> AuthorView<'a> {
    match config.author(key) {
        Some(profile) => AuthorView {
            name: &profile.name,
            slug: profile.slug.clone(),
            bio: profile.bio.as_deref(),
        },
        None => AuthorView {
            name: key,
            slug: slugify(key),
            bio: None,
        },
    }
}

pub fn article<'a>(
    index: usize,
    article: &'a Article,
    summaries: &'a [Summary<'a>],
    graph: &Graph,
) -> ArticleView<'a> {
    let further_context = graph.further_context[index]
        .iter()
        .zip(&article.front.further_context)
        .map(|(&target, entry)| ContextView {
            article: &summaries[target],
            note: entry.note.as_deref(),
        })
        .collect();
    ArticleView {
        summary: &summaries[index],
        body: &article.body.html,
        toc: &article.body.toc,
        further_context,
        backlinks: graph.backlinks[index]
            .iter()
            .map(|&i| &summaries[i])
            .collect(),
        related: graph.related[index]
            .iter()
            .map(|&i| &summaries[i])
            .collect(),
        extra: toml_to_json(&article.front.extra),
    }
}

/// TOML tables as JSON for templates; datetimes become RFC 3339 strings
/// (serde would otherwise hand templates toml's private wrapper).
pub fn toml_to_json(table: &toml::Table) -> serde_json::Value {
    fn value(v: &toml::Value) -> serde_json::Value {
        match v {
            toml::Value::String(s) => s.clone().into(),
            toml::Value::Integer(i) => (*i).into(),
            toml::Value::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
            }
            toml::Value::Boolean(b) => (*b).into(),
            toml::Value::Datetime(d) => d.to_string().into(),
            toml::Value::Array(a) => a.iter().map(value).collect(),
            toml::Value::Table(t) => toml_to_json(t),
        }
    }
    serde_json::Value::Object(table.iter().map(|(k, v)| (k.clone(), value(v))).collect())
}
