//! `config.toml` → a validated [`Config`] (SPEC §2). Unknown keys, missing
//! required values and bad values are reported together, each with its line.

use std::path::Path;

use jiff::tz::TimeZone;
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, Location};
use crate::keys::{self, Source};
use crate::text::slugify;

pub const FILE: &str = "config.toml";

#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    /// Without a trailing slash: `https://news.example.com`.
    pub base_url: String,
    pub description: Option<String>,
    pub language: String,
    pub timezone: TimeZone,
    pub theme: String,
    pub permalink: Permalink,
    pub articles_per_page: usize,
    pub feed_limit: usize,
    /// In the order of config.toml.
    pub categories: Vec<Category>,
    pub authors: Vec<AuthorProfile>,
    pub highlight_theme: Option<String>,
    /// The publisher's logo for structured data: a URL, or a site path
    /// such as `/logo.png`.
    pub logo: Option<String>,
    /// A Pagefind search index and a search box on every page.
    pub search: bool,
    /// Resized WebP variants of local images.
    pub images: Images,
    pub extra: toml::Table,
}

/// `[images]`: the widths of the WebP variants made of each local JPEG or
/// PNG image (never wider than the image), and their quality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Images {
    /// Ascending, without repeats; empty: no variants.
    pub widths: Vec<u32>,
    /// WebP quality, 1 to 100.
    pub quality: u8,
}

impl Default for Images {
    fn default() -> Images {
        Images { widths: vec![480, 960, 1600], quality: 80 }
    }
}

#[derive(Debug, Clone)]
pub struct Category {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AuthorProfile {
    pub slug: String,
    pub name: String,
    pub bio: Option<String>,
}

/// Who an author of an article is.
#[derive(Debug, Clone)]
pub struct Byline<'a> {
    pub name: &'a str,
    /// The address of the author's page: `/authors/<slug>/`.
    pub slug: String,
    pub bio: Option<&'a str>,
}

/// An article URL pattern such as `/{category}/{slug}/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permalink(String);

pub const PERMALINK_TOKENS: [&str; 5] = ["{category}", "{slug}", "{year}", "{month}", "{day}"];

impl Permalink {
    /// The path of one article: every token replaced.
    pub fn expand(&self, category: &str, slug: &str, year: i16, month: i8, day: i8) -> String {
        self.0
            .replace("{category}", category)
            .replace("{slug}", slug)
            .replace("{year}", &format!("{year:04}"))
            .replace("{month}", &format!("{month:02}"))
            .replace("{day}", &format!("{day:02}"))
    }

    fn parse(pattern: &str) -> Result<Permalink, &'static str> {
        if !pattern.starts_with('/') {
            return Err("a permalink must start with `/`");
        }
        if !pattern.contains("{slug}") {
            return Err("a permalink must contain `{slug}`, or articles would share a URL");
        }
        let mut rest = pattern.to_string();
        for token in PERMALINK_TOKENS {
            rest = rest.replace(token, "");
        }
        if rest.contains(['{', '}']) {
            return Err("unknown token; a permalink may use {category}, {slug}, {year}, {month} and {day}");
        }
        if pattern.split('/').any(|segment| segment == "." || segment == "..") {
            return Err("a permalink may not contain `.` or `..` segments");
        }
        if rest.contains(|c: char| c.is_whitespace() || c == '?' || c == '#' || c == '\\') || pattern.contains("//") {
            return Err("a permalink may not contain spaces, `?`, `#`, `\\` or `//`");
        }
        Ok(Permalink(pattern.to_string()))
    }
}

#[derive(Deserialize)]
struct Raw {
    title: Option<Spanned<String>>,
    base_url: Option<Spanned<String>>,
    description: Option<String>,
    language: Option<String>,
    timezone: Option<Spanned<String>>,
    theme: Option<String>,
    permalink: Option<Spanned<String>>,
    articles_per_page: Option<Spanned<i64>>,
    feed_limit: Option<Spanned<i64>>,
    #[serde(default)]
    categories: indexmap::IndexMap<String, RawCategory>,
    #[serde(default)]
    authors: indexmap::IndexMap<String, RawAuthor>,
    highlight: Option<RawHighlight>,
    logo: Option<String>,
    search: Option<bool>,
    images: Option<RawImages>,
    #[serde(default)]
    extra: toml::Table,
}

#[derive(Deserialize)]
struct RawImages {
    widths: Option<Spanned<Vec<i64>>>,
    quality: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
struct RawCategory {
    name: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
struct RawAuthor {
    name: String,
    bio: Option<String>,
}

#[derive(Deserialize)]
struct RawHighlight {
    theme: Option<Spanned<String>>,
}

/// Reads and validates `root/config.toml`.
pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
    parse(&read(root)?)
}

/// The text of the site's config.toml, without a byte-order mark.
pub fn read(root: &Path) -> Result<String, Vec<Diagnostic>> {
    match std::fs::read_to_string(root.join(FILE)) {
        Ok(text) => Ok(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        }),
        Err(err) => {
            let what = if err.kind() == std::io::ErrorKind::NotFound {
                "no config.toml in the site folder".to_string()
            } else {
                format!("cannot read config.toml: {err}")
            };
            Err(vec![
                Diagnostic::error(what)
                    .at(Location::file(FILE))
                    .hint("a site needs a config.toml with at least `title` and `base_url`"),
            ])
        }
    }
}

/// Validates the text of a config.toml.
pub fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
    let source = Source { path: FILE, file_text: text, offset: 0 };
    let (table, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        return Err(errors.iter().map(|e| keys::toml_error(e, source)).collect());
    }
    let mut diags = Vec::new();
    check_keys(table.get_ref(), source, &mut diags);
    keys::control_chars(table.get_ref(), source, &mut diags);
    let raw = match Raw::deserialize(toml::de::Deserializer::from(table)) {
        Ok(raw) => raw,
        Err(err) => {
            diags.push(keys::toml_error(&err, source));
            return Err(diags);
        }
    };
    let config = validate(raw, source, &mut diags);
    if diags.is_empty() { Ok(config) } else { Err(diags) }
}

/// Reports every key that no field of [`Raw`] (or of its tables) reads.
fn check_keys(table: &DeTable, source: Source, diags: &mut Vec<Diagnostic>) {
    keys::check(table, keys::fields::<Raw>(), |k| format!("unknown config key `{k}`"), source, diags);
    let sections = [("categories", keys::fields::<RawCategory>()), ("authors", keys::fields::<RawAuthor>())];
    for (section, known) in sections {
        if let Some(entries) = keys::table(table, section) {
            for (name, entry) in entries.iter() {
                if let DeValue::Table(entry) = entry.get_ref() {
                    let message = |k: &str| format!("unknown key `{k}` in [{section}.{}]", name.get_ref());
                    let _ = keys::check(entry, known, message, source, diags);
                }
            }
        }
    }
    if let Some(images) = keys::table(table, "images") {
        let known = keys::fields::<RawImages>();
        keys::check(images, known, |k| format!("unknown key `{k}` in [images]"), source, diags);
    }
    if let Some(highlight) = keys::table(table, "highlight") {
        let known = keys::fields::<RawHighlight>();
        keys::check(highlight, known, |k| format!("unknown key `{k}` in [highlight]"), source, diags);
    }
}

fn validate(raw: Raw, source: Source, diags: &mut Vec<Diagnostic>) -> Config {
    // In the order of the problems' report.
    let title = required(raw.title, "title", "The Example Ledger", source, diags).map(Spanned::into_inner);
    let base_url =
        base_url(required(raw.base_url, "base_url", "https://news.example.com", source, diags), source, diags);
    let timezone = timezone(raw.timezone, source, diags);
    let permalink = permalink(raw.permalink, source, diags);
    let articles_per_page = positive(raw.articles_per_page, "articles_per_page", 20, source, diags);
    let feed_limit = positive(raw.feed_limit, "feed_limit", 50, source, diags);
    let categories = categories(raw.categories, diags);
    let highlight_theme = raw.highlight.and_then(|h| h.theme).map(|theme| highlight_theme(theme, source, diags));
    let authors = authors(raw.authors, diags);
    let images = raw.images.map(|images| self::images(images, source, diags)).unwrap_or_default();
    Config {
        title: title.unwrap_or_default(),
        base_url,
        description: raw.description.filter(|d| !d.trim().is_empty()),
        language: raw.language.unwrap_or_else(|| "en".to_string()),
        timezone,
        theme: raw.theme.unwrap_or_else(|| "newsroom".to_string()),
        permalink,
        articles_per_page,
        feed_limit,
        categories,
        authors,
        highlight_theme,
        logo: raw.logo.filter(|l| !l.trim().is_empty()),
        search: raw.search.unwrap_or(true),
        images,
        extra: raw.extra,
    }
}

/// A string that must be there and not be blank.
fn required(
    value: Option<Spanned<String>>,
    key: &str,
    example: &str,
    source: Source,
    diags: &mut Vec<Diagnostic>,
) -> Option<Spanned<String>> {
    match value {
        Some(v) if !v.get_ref().trim().is_empty() => Some(v),
        Some(v) => {
            diags.push(Diagnostic::error(format!("`{key}` is empty")).at(source.location(v.span())));
            None
        }
        None => {
            diags.push(
                Diagnostic::error(format!("config.toml has no `{key}`"))
                    .at(Location::file(FILE))
                    .hint(format!("add a line such as {key} = \"{example}\"")),
            );
            None
        }
    }
}

/// An absolute http(s) URL, without its trailing slash.
fn base_url(url: Option<Spanned<String>>, source: Source, diags: &mut Vec<Diagnostic>) -> String {
    match url {
        Some(url) if !(url.get_ref().starts_with("https://") || url.get_ref().starts_with("http://")) => {
            diags.push(
                Diagnostic::error("`base_url` must be an absolute http(s) URL")
                    .at(source.location(url.span()))
                    .hint("for example base_url = \"https://news.example.com\""),
            );
            String::new()
        }
        Some(url) => url.into_inner().trim_end_matches('/').to_string(),
        None => String::new(),
    }
}

fn timezone(name: Option<Spanned<String>>, source: Source, diags: &mut Vec<Diagnostic>) -> TimeZone {
    let Some(name) = name else { return TimeZone::UTC };
    TimeZone::get(name.get_ref()).unwrap_or_else(|_| {
        diags.push(
            Diagnostic::error(format!("unknown time zone `{}`", name.get_ref()))
                .at(source.location(name.span()))
                .hint("use an IANA time zone name such as \"America/Mexico_City\" or \"UTC\""),
        );
        TimeZone::UTC
    })
}

fn permalink(pattern: Option<Spanned<String>>, source: Source, diags: &mut Vec<Diagnostic>) -> Permalink {
    let default = || Permalink("/{category}/{slug}/".to_string());
    let Some(pattern) = pattern else { return default() };
    Permalink::parse(pattern.get_ref()).unwrap_or_else(|why| {
        diags.push(Diagnostic::error(format!("invalid permalink: {why}")).at(source.location(pattern.span())));
        default()
    })
}

fn positive(
    value: Option<Spanned<i64>>,
    key: &str,
    default: usize,
    source: Source,
    diags: &mut Vec<Diagnostic>,
) -> usize {
    match value {
        None => default,
        Some(v) if *v.get_ref() >= 1 => *v.get_ref() as usize,
        Some(v) => {
            diags.push(Diagnostic::error(format!("`{key}` must be at least 1")).at(source.location(v.span())));
            default
        }
    }
}

/// The categories in the file's order; each key must be a URL slug, and
/// there must be at least one.
fn categories(raw: indexmap::IndexMap<String, RawCategory>, diags: &mut Vec<Diagnostic>) -> Vec<Category> {
    let categories: Vec<Category> = raw
        .into_iter()
        .map(|(slug, c)| Category { name: c.name.unwrap_or_else(|| slug.clone()), slug, description: c.description })
        .collect();
    for category in &categories {
        if slugify(&category.slug) != category.slug {
            diags.push(
                Diagnostic::error(format!("category key `{}` is not a URL slug", category.slug))
                    .at(Location::file(FILE))
                    .hint(format!("use [categories.{}]", slugify(&category.slug))),
            );
        }
    }
    if categories.is_empty() {
        diags.push(
            Diagnostic::error("config.toml declares no categories")
                .at(Location::file(FILE))
                .hint("declare each folder of content/ as [categories.<folder>] with a `name`"),
        );
    }
    categories
}

/// A theme syntect has, or an error with the closest name.
fn highlight_theme(theme: Spanned<String>, source: Source, diags: &mut Vec<Diagnostic>) -> String {
    let names = crate::highlight::theme_names();
    if !names.contains(&theme.get_ref().as_str()) {
        let hint = match crate::text::did_you_mean(theme.get_ref(), names.iter().copied()) {
            Some(close) => format!("did you mean \"{close}\"?"),
            None => format!("the themes are {}", keys::list(&names)),
        };
        diags.push(
            Diagnostic::error(format!("unknown highlight theme `{}`", theme.get_ref()))
                .at(source.location(theme.span()))
                .hint(hint),
        );
    }
    theme.into_inner()
}

/// `[images]`: widths from 1 to 10,000 pixels, quality from 1 to 100.
fn images(raw: RawImages, source: Source, diags: &mut Vec<Diagnostic>) -> Images {
    let mut images = Images::default();
    if let Some(widths) = raw.widths {
        let span = widths.span();
        let mut list: Vec<u32> = Vec::new();
        for &width in widths.get_ref() {
            match u32::try_from(width) {
                Ok(w) if (1..=10_000).contains(&w) => list.push(w),
                _ => diags.push(
                    Diagnostic::error(format!("image width {width} is not a width in pixels"))
                        .at(source.location(span.clone()))
                        .hint("widths are from 1 to 10000, such as widths = [480, 960, 1600]"),
                ),
            }
        }
        list.sort_unstable();
        list.dedup();
        images.widths = list;
    }
    if let Some(quality) = raw.quality {
        match u8::try_from(*quality.get_ref()) {
            Ok(q) if (1..=100).contains(&q) => images.quality = q,
            _ => diags.push(
                Diagnostic::error("`quality` of [images] must be from 1 to 100")
                    .at(source.location(quality.span()))
                    .hint("80 keeps photos sharp at a fraction of their size"),
            ),
        }
    }
    images
}

/// Author profiles; a key is the address of the author's page, so it must
/// be a slug (`../../config.toml` would lead out of the output).
fn authors(raw: indexmap::IndexMap<String, RawAuthor>, diags: &mut Vec<Diagnostic>) -> Vec<AuthorProfile> {
    for key in raw.keys() {
        if slugify(key) != *key {
            diags.push(
                Diagnostic::error(format!("author key `{key}` is not a URL slug"))
                    .at(Location::file(FILE))
                    .hint(format!("use [authors.{}]; the key is the author page's address", slugify(key))),
            );
        }
    }
    raw.into_iter().map(|(slug, a)| AuthorProfile { slug, name: a.name, bio: a.bio }).collect()
}

impl Config {
    pub fn category(&self, slug: &str) -> Option<usize> {
        self.categories.iter().position(|c| c.slug == slug)
    }

    pub fn author(&self, key: &str) -> Option<&AuthorProfile> {
        self.authors.iter().find(|a| a.slug == key)
    }

    /// An author as written in front matter: a profile key (its profile's
    /// name, slug and bio), or a plain name (slugified for its page).
    pub fn byline<'a>(&'a self, key: &'a str) -> Byline<'a> {
        match self.author(key) {
            Some(profile) => Byline { name: &profile.name, slug: profile.slug.clone(), bio: profile.bio.as_deref() },
            None => Byline { name: key, slug: slugify(key), bio: None },
        }
    }

    /// `base_url` joined with a site path that starts with `/`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "title = \"T\"\nbase_url = \"https://x.test/\"\n[categories.world]\nname = \"World\"\n";

    #[test]
    fn defaults_apply() {
        let config = parse(MINIMAL).unwrap();
        assert_eq!(config.base_url, "https://x.test");
        assert_eq!(config.language, "en");
        assert_eq!(config.theme, "newsroom");
        assert_eq!(config.articles_per_page, 20);
        assert_eq!(config.feed_limit, 50);
        assert_eq!(config.permalink, Permalink("/{category}/{slug}/".into()));
        assert_eq!(config.categories[0].name, "World");
    }

    #[test]
    fn unknown_keys_are_all_reported_with_hints() {
        let text = format!("titel = \"x\"\nfeed_limt = 3\n{MINIMAL}[categories.sport]\nnmae = \"Sport\"\n");
        let errors = parse(&text).unwrap_err();
        let messages: Vec<_> = errors.iter().map(|d| (d.message.as_str(), d.hint.as_deref())).collect();
        assert_eq!(
            messages,
            [
                ("unknown config key `titel`", Some("did you mean `title`?")),
                ("unknown config key `feed_limt`", Some("did you mean `feed_limit`?")),
                ("unknown key `nmae` in [categories.sport]", Some("did you mean `name`?")),
            ]
        );
        assert_eq!(errors[2].location.as_ref().unwrap().line, 8);
    }

    #[test]
    fn control_characters_in_any_string_are_errors() {
        let text = format!("{MINIMAL}[categories.sport]\nname = \"Sport\\u0007\"\n");
        let errors = parse(&text).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "`name` holds the control character U+0007");
        assert_eq!(errors[0].location.as_deref().map(|l| l.line), Some(MINIMAL.lines().count() + 2));
    }

    #[test]
    fn author_keys_must_be_slugs() {
        let text = format!("{MINIMAL}[authors.\"../../config.toml\"]\nname = \"X\"\n");
        let errors = parse(&text).unwrap_err();
        assert_eq!(errors[0].message, "author key `../../config.toml` is not a URL slug");
    }

    #[test]
    fn permalink_tokens_expand() {
        let p = Permalink::parse("/{year}/{month}/{day}/{slug}/").unwrap();
        assert_eq!(p.expand("world", "naval", 2025, 3, 7), "/2025/03/07/naval/");
        assert!(Permalink::parse("/{category}/{title}/").is_err());
        assert!(Permalink::parse("/{category}/").is_err());
        assert!(Permalink::parse("/../{slug}/").is_err());
        assert!(Permalink::parse("/{category}/./{slug}.html").is_err());
    }

    #[test]
    fn bad_values_name_their_line() {
        let text = "title = \"T\"\nbase_url = \"news.example.com\"\ntimezone = \"Mars/Olympus\"\n[categories.a]\n";
        let errors = parse(text).unwrap_err();
        let lines: Vec<_> = errors.iter().map(|d| (d.message.as_str(), d.location.as_ref().unwrap().line)).collect();
        assert_eq!(lines, [("`base_url` must be an absolute http(s) URL", 2), ("unknown time zone `Mars/Olympus`", 3)]);
    }
}
