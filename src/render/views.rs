//! The data templates receive: typed, borrowed `Serialize` structs built once
//! per build. The README documents every field.

use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::config::Config;
use crate::parse::Article;
use crate::parse::markdown::reading_time;

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
    /// The search page, and Pagefind's client, when search is on.
    pub search_url: Option<String>,
    pub search_index: Option<String>,
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
    /// `9:30 a.m. CST`: the time of day, in the site's time zone.
    pub time: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuthorView<'a> {
    pub name: &'a str,
    pub slug: String,
    pub bio: Option<&'a str>,
    /// The author's page.
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TagView<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    /// The tag's page.
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImageView<'a> {
    pub src: &'a str,
    pub alt: &'a str,
    pub caption: Option<&'a str>,
    pub credit: Option<&'a str>,
    /// In pixels, for an image under content/; none otherwise.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Its resized WebP variants and itself, for `srcset`, and the `sizes`
    /// to go with it; none for an image without variants.
    pub srcset: Option<&'a str>,
    pub sizes: Option<&'static str>,
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
    /// The archive page of the day it ran.
    pub day_url: String,
    pub updated: Option<DateView>,
    pub category: &'a CategoryView,
    pub authors: Vec<AuthorView<'a>>,
    pub tags: Vec<TagView<'a>>,
    pub image: Option<ImageView<'a>>,
    pub featured: bool,
    /// A developing story, covered live now.
    pub live: bool,
    pub reading_time: usize,
    pub word_count: usize,
}

/// A correction or an update as article.html shows it.
#[derive(Debug, Serialize)]
pub struct NoticeView<'a> {
    /// Its anchor on the page.
    pub id: &'a str,
    pub date: DateView,
    /// Rendered Markdown: insert with `| safe`.
    pub html: &'a str,
}

pub fn notices(list: &[crate::parse::notices::Rendered]) -> Vec<NoticeView<'_>> {
    list.iter().map(|n| NoticeView { id: &n.id, date: date(&n.date), html: &n.html }).collect()
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
    let meridiem = if date.hour() < 12 { "a.m." } else { "p.m." };
    DateView {
        iso: crate::parse::frontmatter::rfc3339(date),
        display: date.strftime("%B %-d, %Y").to_string(),
        time: format!("{} {meridiem} {}", date.strftime("%-I:%M"), date.strftime("%Z")),
    }
}

/// The dek: `description`, or the first paragraph of the body.
pub fn dek(article: &Article) -> Option<&str> {
    let first = Some(article.body.first_paragraph.as_str()).filter(|p| !p.is_empty());
    article.front.description.as_deref().or(first)
}

pub fn summary<'a>(config: &'a Config, categories: &'a [CategoryView], article: &'a Article) -> Summary<'a> {
    let front = &article.front;
    Summary {
        title: &front.title,
        description: dek(article),
        url: &article.url,
        path: &article.path,
        date: date(&front.date),
        day_url: config.url(&crate::plan::site::Period::of(&front.date, crate::plan::site::Level::Day).path()),
        updated: front.updated.as_ref().map(date),
        category: &categories[article.category],
        authors: front.authors.iter().map(|key| author(config, key)).collect(),
        tags: front.tags.iter().zip(&article.tag_slugs).map(|(name, slug)| tag(config, name, slug)).collect(),
        image: front.image.as_ref().map(|i| ImageView {
            src: &i.src,
            alt: &i.alt,
            caption: i.caption.as_deref(),
            credit: i.credit.as_deref(),
            width: i.size.map(|s| s.0),
            height: i.size.map(|s| s.1),
            srcset: i.srcset.as_deref(),
            sizes: i.srcset.as_ref().map(|_| crate::parse::markdown::SIZES),
        }),
        featured: front.featured,
        live: front.live,
        reading_time: reading_time(article.body.word_count),
        word_count: article.body.word_count,
    }
}

/// The parts that many summaries have in common (their category, each
/// author, each tag) as template values, made once and shared by every
/// summary value that shows them. Made apart, they were about half of a
/// summary's value, which every article holds for the whole build (issue 16).
pub struct Shared<'a> {
    categories: Vec<tera::Value>,
    /// By key as written in front matter.
    authors: FxHashMap<&'a str, tera::Value>,
    /// By name as written, and slug.
    tags: FxHashMap<(&'a str, &'a str), tera::Value>,
}

impl<'a> Shared<'a> {
    /// The shared parts of the summaries of `articles`.
    pub fn new(
        config: &Config,
        categories: &[CategoryView],
        articles: impl Iterator<Item = &'a Arc<Article>>,
    ) -> Shared<'a> {
        let mut shared = Shared {
            categories: categories.iter().map(tera::Value::from_serializable).collect(),
            authors: FxHashMap::default(),
            tags: FxHashMap::default(),
        };
        for article in articles {
            for key in &article.front.authors {
                let made = || tera::Value::from_serializable(&author(config, key));
                shared.authors.entry(key).or_insert_with(made);
            }
            for (name, slug) in article.front.tags.iter().zip(&article.tag_slugs) {
                let made = || tera::Value::from_serializable(&tag(config, name, slug));
                shared.tags.entry((name, slug)).or_insert_with(made);
            }
        }
        shared
    }

    /// `summary` (of `article`) as a template value: the value serde makes
    /// of it, with the parts in common taken from here.
    pub fn value(&self, summary: &Summary, article: &Article) -> tera::Value {
        let value = tera::Value::from_serializable(summary);
        let Some(fields) = value.as_map() else { return value };
        let front = &article.front;
        let authors: Option<Vec<tera::Value>> =
            front.authors.iter().map(|key| self.authors.get(key.as_str()).cloned()).collect();
        let tags: Option<Vec<tera::Value>> = (front.tags.iter().zip(&article.tag_slugs))
            .map(|(name, slug)| self.tags.get(&(name.as_str(), slug.as_str())).cloned())
            .collect();
        let (Some(authors), Some(tags)) = (authors, tags) else { return value };
        let mut fields = fields.clone();
        fields.insert(tera::value::Key::Str("category"), self.categories[article.category].clone());
        fields.insert(tera::value::Key::Str("authors"), tera::Value::from(authors));
        fields.insert(tera::value::Key::Str("tags"), tera::Value::from(tags));
        tera::Value::from(fields)
    }
}

/// A tag as an article writes it.
fn tag<'a>(config: &Config, name: &'a str, slug: &'a str) -> TagView<'a> {
    TagView { name, slug, url: config.url(&format!("/tags/{slug}/")) }
}

/// An author as written in front matter: a profile key, or a plain name.
pub fn author<'a>(config: &'a Config, key: &'a str) -> AuthorView<'a> {
    let byline = config.byline(key);
    let url = config.url(&format!("/authors/{}/", byline.slug));
    AuthorView { name: byline.name, slug: byline.slug, bio: byline.bio, url }
}

/// The JSON-LD of an article: a `NewsArticle`, or for a story covered live
/// a `LiveBlogPosting` with its coverage times and one `BlogPosting` per
/// update, made [`script_safe`].
pub fn json_ld(config: &Config, summary: &Summary, article: &Article) -> String {
    let authors: Vec<serde_json::Value> = summary
        .authors
        .iter()
        .map(|a| serde_json::json!({ "@type": "Person", "name": a.name, "url": a.url }))
        .collect();
    let mut publisher = serde_json::json!({ "@type": "Organization", "name": config.title, "url": config.url("/") });
    if let Some(logo) = &config.logo {
        let url = if logo.starts_with('/') { config.url(logo) } else { logo.clone() };
        publisher["logo"] = serde_json::json!({ "@type": "ImageObject", "url": url });
    }
    let live = article.was_live();
    let mut value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": if live { "LiveBlogPosting" } else { "NewsArticle" },
        "headline": summary.title,
        "datePublished": summary.date.iso,
        "dateModified": crate::parse::frontmatter::rfc3339(article.modified()),
        "author": authors,
        "publisher": publisher,
        "mainEntityOfPage": { "@type": "WebPage", "@id": summary.url },
        "articleSection": summary.category.name,
    });
    if let Some(description) = summary.description {
        value["description"] = description.into();
    }
    // The featured image first (what Google takes for the thumbnail), then
    // the figures and galleries of the body.
    let mut images: Vec<serde_json::Value> =
        summary.image.iter().map(|image| serde_json::Value::from(image.src)).collect();
    let (pictures, videos): (Vec<_>, Vec<_>) =
        article.body.media.iter().cloned().partition(|object| object["@type"] == "ImageObject");
    images.extend(pictures);
    if !images.is_empty() {
        value["image"] = images.into();
    }
    if !videos.is_empty() {
        value["video"] = videos.into();
    }
    if !summary.tags.is_empty() {
        value["keywords"] = summary.tags.iter().map(|t| t.name).collect::<Vec<_>>().join(", ").into();
    }
    if let Some(series) = &article.front.series {
        let url = config.url(&format!("/series/{}/", crate::text::slugify(series)));
        value["isPartOf"] = serde_json::json!({ "@type": "CreativeWorkSeries", "name": series, "url": url });
    }
    if live {
        value["coverageStartTime"] = summary.date.iso.clone().into();
        if let Some(ended) = &article.front.live_ended {
            value["coverageEndTime"] = crate::parse::frontmatter::rfc3339(ended).into();
        }
        let updates: Vec<serde_json::Value> = article
            .updates
            .iter()
            .map(|update| {
                serde_json::json!({
                    "@type": "BlogPosting",
                    "headline": headline_of(&update.plain),
                    "datePublished": crate::parse::frontmatter::rfc3339(&update.date),
                    "articleBody": update.plain,
                    "url": format!("{}#{}", summary.url, update.id),
                })
            })
            .collect();
        value["liveBlogUpdate"] = updates.into();
    }
    script_safe(&serde_json::to_string(&value).expect("JSON values always serialize"))
}

/// JSON that can sit inside a `<script>` element: `<`, `>` and `&` as
/// escapes so no string ends the element, and U+2028/U+2029 as escapes
/// because a JavaScript engine older than ES2019 reads them as line
/// breaks inside a string. Still the same JSON value.
fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The headline of an update: its first sentence, at most 110 characters
/// (Google's limit for headlines), cut at a word with an ellipsis.
pub fn headline_of(text: &str) -> String {
    let sentence = match text.find(". ") {
        Some(end) => &text[..=end],
        None => text,
    };
    const LIMIT: usize = 110;
    if sentence.chars().count() <= LIMIT {
        return sentence.to_string();
    }
    let cut: String = sentence.chars().take(LIMIT - 1).collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |at| &cut[..at]);
    format!("{}…", at_word.trim_end_matches([',', ';', ':']))
}

/// TOML tables as JSON for templates; datetimes become RFC 3339 strings
/// (serde would otherwise hand templates toml's private wrapper).
pub fn toml_to_json(table: &toml::Table) -> serde_json::Value {
    fn value(v: &toml::Value) -> serde_json::Value {
        match v {
            toml::Value::String(s) => s.clone().into(),
            toml::Value::Integer(i) => (*i).into(),
            toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into),
            toml::Value::Boolean(b) => (*b).into(),
            toml::Value::Datetime(d) => d.to_string().into(),
            toml::Value::Array(a) => a.iter().map(value).collect(),
            toml::Value::Table(t) => toml_to_json(t),
        }
    }
    serde_json::Value::Object(table.iter().map(|(k, v)| (k.clone(), value(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::script_safe;

    #[test]
    fn script_safe_json_is_the_same_value_and_cannot_end_the_script() {
        let value = serde_json::json!({ "headline": "</script><b>&\u{2028}\u{2029}" });
        let json = script_safe(&serde_json::to_string(&value).unwrap());
        assert_eq!(json, r#"{"headline":"\u003c/script\u003e\u003cb\u003e\u0026\u2028\u2029"}"#);
        assert_eq!(serde_json::from_str::<serde_json::Value>(&json).unwrap(), value);
    }
}
