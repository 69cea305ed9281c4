//! The `+++` TOML front matter of an article → a validated [`FrontMatter`]
//! (SPEC §3). Every problem found is reported, each at its line in the .md
//! file (not in the front-matter string).

use jiff::ZonedDateTime;
use jiff::civil;
use jiff::tz::TimeZone;
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::config::Config;
use crate::diag::{Diagnostic, Location};
use crate::keys::{self, Source};
use crate::text::{slugify, smarten};

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FrontMatter {
    /// With typographic punctuation, like every text field below.
    pub title: String,
    pub description: Option<String>,
    pub date: ZonedDateTime,
    pub updated: Option<ZonedDateTime>,
    /// As written: author-profile keys or names.
    pub authors: Vec<String>,
    pub tags: Vec<String>,
    pub slug: String,
    pub further_context: Vec<ContextRef>,
    pub image: Option<Image>,
    pub featured: bool,
    pub draft: bool,
    /// The series the article is part of, as written.
    pub series: Option<String>,
    /// Its place in the series, and where that is written.
    pub series_part: Option<(u32, Location)>,
    /// Corrections, as written.
    pub corrections: Vec<Notice>,
    /// Updates to the story, as written.
    pub updates: Vec<Notice>,
    /// A developing story, covered live.
    pub live: bool,
    /// When live coverage ended: only once `live` is false again.
    pub live_ended: Option<ZonedDateTime>,
    /// Site paths the article was published at before (`/old/path/`).
    pub aliases: Vec<Alias>,
    /// When a syndicated story must leave the site.
    pub expires: Option<ZonedDateTime>,
    pub extra: toml::Table,
}

/// A dated correction or update: Markdown text, with where it is written.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Notice {
    pub date: ZonedDateTime,
    /// Markdown.
    pub text: String,
    /// An update's own anchor, when given.
    pub id: Option<String>,
    /// The `[[corrections]]` or `[[updates]]` table.
    pub location: Location,
    /// The `text` value.
    pub text_location: Location,
    /// Where `text` sits in the file, to place errors inside it.
    pub text_at: TextAt,
}

/// Where a string value's text sits in its file: at this offset, byte for
/// byte, when the file spells it without escapes; else only somewhere in
/// the value at this span.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TextAt {
    Verbatim(usize),
    Within(std::ops::Range<usize>),
}

/// A site path the article moved from.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Alias {
    pub path: String,
    pub location: Location,
}

/// A "further context" entry: another article, and why it matters.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ContextRef {
    /// Content path of the target: `international/2025-10-28-naval.md`.
    pub path: String,
    pub anchor: Option<String>,
    pub note: Option<String>,
    pub location: Location,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Image {
    pub src: String,
    pub alt: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub location: Location,
    /// Width and height in pixels, for a file under content/.
    pub size: Option<(u32, u32)>,
    /// Its resized variants, for a JPEG or PNG file under content/.
    pub srcset: Option<String>,
}

/// A parsed article head: the front matter and where the Markdown body
/// starts in the file.
pub struct Parsed {
    pub front: FrontMatter,
    pub body_offset: usize,
    /// Editorial warnings: the article builds, but an editor should look.
    pub warnings: Vec<Diagnostic>,
}

#[derive(Deserialize)]
struct Raw {
    title: Option<Spanned<String>>,
    description: Option<Spanned<String>>,
    date: Option<Spanned<toml::Value>>,
    updated: Option<Spanned<toml::Value>>,
    #[serde(default)]
    authors: Vec<Spanned<String>>,
    #[serde(default)]
    tags: Vec<Spanned<String>>,
    category: Option<Spanned<String>>,
    slug: Option<Spanned<String>>,
    #[serde(default)]
    further_context: Vec<Spanned<RawRef>>,
    image: Option<Spanned<RawImage>>,
    #[serde(default)]
    featured: bool,
    series: Option<Spanned<String>>,
    series_part: Option<Spanned<i64>>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    corrections: Vec<Spanned<RawCorrection>>,
    #[serde(default)]
    updates: Vec<Spanned<RawUpdate>>,
    #[serde(default)]
    live: bool,
    live_ended: Option<Spanned<toml::Value>>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    expires: Option<Spanned<toml::Value>>,
    #[serde(default)]
    extra: toml::Table,
}

#[derive(Deserialize)]
struct RawCorrection {
    date: Option<Spanned<toml::Value>>,
    text: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct RawUpdate {
    date: Option<Spanned<toml::Value>>,
    text: Option<Spanned<String>>,
    id: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct RawImage {
    src: Option<String>,
    alt: Option<Spanned<String>>,
    caption: Option<String>,
    credit: Option<String>,
}

/// A further-context entry: a path string or a `{ path, note }` table.
struct RawRef {
    path: String,
    note: Option<String>,
}

#[derive(Deserialize)]
struct RawRefTable {
    path: String,
    note: Option<String>,
}

impl<'de> Deserialize<'de> for RawRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawRef;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a content path such as \"world/article.md\", or a table { path = \"…\", note = \"…\" }")
            }
            fn visit_str<E: serde::de::Error>(self, path: &str) -> Result<RawRef, E> {
                Ok(RawRef { path: path.to_string(), note: None })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RawRef, A::Error> {
                let table = RawRefTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(RawRef { path: table.path, note: table.note })
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// Splits off and validates the front matter of `text`, the article at
/// content path `rel` in category folder `category`.
pub fn parse(rel: &str, category: &str, text: &str, config: &Config) -> Result<Parsed, Vec<Diagnostic>> {
    let path = format!("content/{rel}");
    let (toml_range, body_offset) = split(text).map_err(|problem| vec![problem.at_path(&path, text)])?;
    let source = Source { path: &path, file_text: text, offset: toml_range.start };
    let toml_text = &text[toml_range];
    let (table, errors) = DeTable::parse_recoverable(toml_text);
    if !errors.is_empty() {
        return Err(errors.iter().map(|e| keys::toml_error(e, source)).collect());
    }
    let mut diags = Vec::new();
    let misspelt = check_keys(table.get_ref(), source, &mut diags);
    keys::control_chars(table.get_ref(), source, &mut diags);
    if let Some((at, c)) = crate::text::control_char(&text[body_offset..]) {
        let at = body_offset + at;
        diags.push(
            Diagnostic::error(format!("the body holds the control character U+{:04X}", c as u32))
                .at(Location::span(&path, text, at..at + c.len_utf8()))
                .label("no page can show it")
                .hint("delete it: it is invisible in most editors, and often an encoding accident"),
        );
    }
    let raw = match Raw::deserialize(toml::de::Deserializer::from(table)) {
        Ok(raw) => raw,
        Err(err) => {
            diags.push(keys::toml_error(&err, source));
            return Err(diags);
        }
    };
    let front = validate(raw, rel, category, source, &config.timezone, &misspelt, &mut diags);
    match front {
        Some(front) if !diags.iter().any(Diagnostic::is_error) => Ok(Parsed { front, body_offset, warnings: diags }),
        _ => Err(diags),
    }
}

/// Where the TOML between the `+++` lines is, and where the body starts.
fn split(text: &str) -> Result<(std::ops::Range<usize>, usize), Problem> {
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "+++" {
        return Err(Problem {
            message: "article has no front matter",
            label: "expected `+++` here",
            hint: "start the file with a line `+++`, the TOML front matter, and another line `+++`",
        });
    }
    let start = (first_end + 1).min(text.len());
    let mut at = start;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        if text[at..end].trim_end() == "+++" {
            return Ok((start..at, (end + 1).min(text.len())));
        }
        at = end + 1;
    }
    Err(Problem {
        message: "front matter is not closed",
        label: "opened here",
        hint: "end the front matter with a line `+++`",
    })
}

struct Problem {
    message: &'static str,
    label: &'static str,
    hint: &'static str,
}

impl Problem {
    fn at_path(self, path: &str, text: &str) -> Diagnostic {
        Diagnostic::error(self.message).at(Location::first_line(path, text)).label(self.label).hint(self.hint)
    }
}

/// The known keys suggested for misspelt ones: a missing key that a hint
/// already suggested is not reported again.
#[derive(Default)]
struct Misspelt {
    top: Vec<&'static str>,
    /// In the entries of arrays of tables: array, entry, suggested key.
    entries: Vec<(&'static str, usize, &'static str)>,
}

impl Misspelt {
    fn entry(&self, array: &str, index: usize, key: &str) -> bool {
        self.entries.iter().any(|&(a, i, k)| a == array && i == index && k == key)
    }
}

/// Checks every key; returns the known keys suggested for misspelt ones.
fn check_keys(table: &DeTable, source: Source, diags: &mut Vec<Diagnostic>) -> Misspelt {
    let known = keys::fields::<Raw>();
    let misspelt = keys::check(table, known, |k| format!("unknown front-matter key `{k}`"), source, diags);
    if let Some(image) = keys::table(table, "image") {
        let known = keys::fields::<RawImage>();
        let _ = keys::check(image, known, |k| format!("unknown key `{k}` in `image`"), source, diags);
    }
    let arrays = [
        ("further_context", keys::fields::<RawRefTable>()),
        ("corrections", keys::fields::<RawCorrection>()),
        ("updates", keys::fields::<RawUpdate>()),
    ];
    let mut entries = Vec::new();
    for (name, known) in arrays {
        if let Some(DeValue::Array(list)) = table.get(name).map(|v| v.get_ref()) {
            for (index, entry) in list.iter().enumerate() {
                if let DeValue::Table(entry) = entry.get_ref() {
                    let message = |k: &str| format!("unknown key `{k}` in `{name}`");
                    let suggested = keys::check(entry, known, message, source, diags);
                    entries.extend(suggested.into_iter().map(|key| (name, index, key)));
                }
            }
        }
    }
    Misspelt { top: misspelt, entries }
}

fn validate(
    raw: Raw,
    rel: &str,
    category: &str,
    source: Source,
    tz: &TimeZone,
    misspelt: &Misspelt,
    diags: &mut Vec<Diagnostic>,
) -> Option<FrontMatter> {
    let top = misspelt.top.as_slice();
    let whole = Location::first_line(source.path, source.file_text);
    let title = title(raw.title, top, &whole, source, diags);
    let (date, updated) = dates(raw.date.as_ref(), raw.updated.as_ref(), rel, top, &whole, source, tz, diags);
    check_category(raw.category.as_ref(), category, source, diags);
    let slug = slug(raw.slug.as_ref(), rel, &whole, source, diags);
    let authors = names(raw.authors, Names::AUTHORS, source, diags);
    let tags = names(raw.tags, Names::TAGS, source, diags);
    let description = raw.description.and_then(|d| description(d, source, diags));
    let image = raw.image.and_then(|image| validate_image(image, title.as_deref(), source, diags));
    let further_context = raw.further_context.into_iter().map(|entry| context_ref(entry, source)).collect();
    let later = Later { date: date.as_ref(), source, tz, misspelt };
    let corrections =
        raw.corrections.into_iter().enumerate().filter_map(|(i, c)| later.correction(i, c, diags)).collect();
    let updates: Vec<Notice> =
        raw.updates.into_iter().enumerate().filter_map(|(i, u)| later.update(i, u, diags)).collect();
    let live_ended = later.live_ended(raw.live, raw.live_ended.as_ref(), &updates, diags);
    let expires = raw.expires.as_ref().and_then(|value| later.expires(value, diags));
    let aliases = raw.aliases.into_iter().filter_map(|a| alias(a, source, diags)).collect();
    let (series, series_part) = series(raw.series, raw.series_part, source, diags);
    Some(FrontMatter {
        title: title?,
        description,
        date: date?,
        updated,
        authors,
        tags,
        slug,
        further_context,
        image,
        featured: raw.featured,
        draft: raw.draft,
        series,
        series_part,
        corrections,
        updates,
        live: raw.live,
        live_ended,
        aliases,
        expires,
        extra: raw.extra,
    })
}

/// Dates that must come after the article's: corrections, updates, the end
/// of live coverage, expiry.
struct Later<'a> {
    /// The article's date, when it is valid.
    date: Option<&'a ZonedDateTime>,
    source: Source<'a>,
    tz: &'a TimeZone,
    misspelt: &'a Misspelt,
}

impl Later<'_> {
    /// `value` as a datetime that is not before the article's date (or,
    /// with `strictly`, after it); `key` and how its messages name it.
    fn date(
        &self,
        value: &Spanned<toml::Value>,
        (key, label): (&str, &str),
        strictly: bool,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<ZonedDateTime> {
        let at = datetime(value, key, self.source, self.tz, diags)?;
        if let Some(date) = self.date
            && (at < *date || (strictly && at == *date))
        {
            let (what, order) = if strictly { ("not after", "after") } else { ("before", "on or after") };
            diags.push(
                Diagnostic::error(format!("{label} is {what} the article's `date`"))
                    .at(self.source.location(value.span()))
                    .label(format!("the article is dated {}", rfc3339(date)))
                    .hint(format!("it must be {order} the article's date")),
            );
            return None;
        }
        Some(at)
    }

    /// A `[[corrections]]` table: a date and one paragraph of Markdown.
    fn correction(&self, index: usize, raw: Spanned<RawCorrection>, diags: &mut Vec<Diagnostic>) -> Option<Notice> {
        let location = self.source.location(raw.span());
        let raw = raw.into_inner();
        self.notice(("corrections", index), raw.date, raw.text, None, location, diags)
    }

    /// An `[[updates]]` table: a date, Markdown, and maybe its own anchor.
    fn update(&self, index: usize, raw: Spanned<RawUpdate>, diags: &mut Vec<Diagnostic>) -> Option<Notice> {
        let location = self.source.location(raw.span());
        let raw = raw.into_inner();
        let id = match raw.id {
            Some(id) if id.get_ref().is_empty() || crate::text::heading_id(id.get_ref()) != *id.get_ref() => {
                diags.push(
                    Diagnostic::error("an update's `id` must be an anchor: lowercase letters, digits and dashes")
                        .at(self.source.location(id.span()))
                        .hint(format!("for example id = \"{}\"", crate::text::slugify(id.get_ref()))),
                );
                return None;
            }
            other => other.map(Spanned::into_inner),
        };
        self.notice(("updates", index), raw.date, raw.text, id, location, diags)
    }

    /// A notice: the `date` and `text` every one must have. `entry` is its
    /// array and its place in it.
    fn notice(
        &self,
        entry: (&str, usize),
        date: Option<Spanned<toml::Value>>,
        text: Option<Spanned<String>>,
        id: Option<String>,
        location: Location,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Notice> {
        let table = entry.0;
        let missing = |key: &str, example: &str| {
            (!self.misspelt.entry(entry.0, entry.1, key)).then(|| {
                Diagnostic::error(format!("a `[[{table}]]` entry has no `{key}`"))
                    .at(location.clone())
                    .hint(format!("add {key} = {example}"))
            })
        };
        let date = match &date {
            Some(value) => self.date(value, ("date", &format!("the `date` of a `[[{table}]]` entry")), false, diags),
            None => {
                diags.extend(missing("date", "2025-03-08T14:00:00"));
                None
            }
        };
        let text = match text {
            Some(text) if !text.get_ref().trim().is_empty() => Some(text),
            Some(text) => {
                diags.push(
                    Diagnostic::error(format!("the `text` of a `[[{table}]]` entry is empty"))
                        .at(self.source.location(text.span()))
                        .hint("write what readers need to know, in Markdown"),
                );
                None
            }
            None => {
                diags.extend(missing("text", "\"…\""));
                None
            }
        };
        let text = text?;
        let text_at = text_at(self.source, text.span(), text.get_ref());
        let text_location = self.source.location(text.span());
        Some(Notice { date: date?, text: text.into_inner(), id, location, text_location, text_at })
    }

    /// `live_ended`: only once the story is no longer `live`, and not
    /// before its date or its last update.
    fn live_ended(
        &self,
        live: bool,
        value: Option<&Spanned<toml::Value>>,
        updates: &[Notice],
        diags: &mut Vec<Diagnostic>,
    ) -> Option<ZonedDateTime> {
        let value = value?;
        if live {
            diags.push(
                Diagnostic::error("`live_ended` is set while the story is still `live`")
                    .at(self.source.location(value.span()))
                    .hint("set live = false when the coverage ends, or remove `live_ended`"),
            );
            return None;
        }
        let ended = self.date(value, ("live_ended", "`live_ended`"), false, diags)?;
        if let Some(last) = updates.iter().filter(|u| u.date > ended).max_by_key(|u| u.date.timestamp()) {
            diags.push(
                Diagnostic::error("`live_ended` is before an update of the story")
                    .at(self.source.location(value.span()))
                    .label(format!("an update is dated {}", rfc3339(&last.date)))
                    .hint("live coverage ends with its last update or after it"),
            );
            return None;
        }
        Some(ended)
    }

    fn expires(&self, value: &Spanned<toml::Value>, diags: &mut Vec<Diagnostic>) -> Option<ZonedDateTime> {
        self.date(value, ("expires", "`expires`"), true, diags)
    }
}

/// `series` (a name that gives a URL) and `series_part` (from 1; only with
/// a series).
fn series(
    name: Option<Spanned<String>>,
    part: Option<Spanned<i64>>,
    source: Source,
    diags: &mut Vec<Diagnostic>,
) -> (Option<String>, Option<(u32, Location)>) {
    let name = name.and_then(|name| {
        let text = name.get_ref().trim();
        if slugify(text).is_empty() {
            diags.push(
                Diagnostic::error("`series` has no letters or digits to make a page address from")
                    .at(source.location(name.span()))
                    .hint("name the series, e.g. series = \"Newsroom tools\""),
            );
            return None;
        }
        Some(text.to_string())
    });
    let part = part.and_then(|part| {
        let location = source.location(part.span());
        if name.is_none() {
            diags.push(
                Diagnostic::error("`series_part` without a `series`")
                    .at(location)
                    .hint("add series = \"…\", the series this article is part of"),
            );
            return None;
        }
        match u32::try_from(*part.get_ref()) {
            Ok(n) if n >= 1 => Some((n, location)),
            _ => {
                diags
                    .push(Diagnostic::error("`series_part` must be 1 or more").at(location).hint("parts count from 1"));
                None
            }
        }
    });
    (name, part)
}

/// Where the text of a string value at `span` (in the TOML) sits in the
/// file: byte for byte when the file spells it without escapes.
fn text_at(source: Source, span: std::ops::Range<usize>, value: &str) -> TextAt {
    let file_span = span.start + source.offset..span.end + source.offset;
    let raw = &source.file_text[file_span.clone()];
    for quote in ["'''", "\"\"\"", "'", "\""] {
        if let Some(inner) = raw.strip_prefix(quote).and_then(|r| r.strip_suffix(quote)) {
            // A multi-line string drops the newline right after its opening.
            let skip = if quote.len() == 3 { inner.len() - inner.trim_start_matches(['\r', '\n']).len() } else { 0 };
            let inner = &inner[skip..];
            if inner == value && (quote.starts_with('\'') || !inner.contains('\\')) {
                return TextAt::Verbatim(file_span.start + quote.len() + skip);
            }
            break;
        }
    }
    TextAt::Within(file_span)
}

/// A site path the article moved from: it starts with `/`, and it cannot
/// leave the site.
fn alias(alias: Spanned<String>, source: Source, diags: &mut Vec<Diagnostic>) -> Option<Alias> {
    let location = source.location(alias.span());
    let path = alias.into_inner();
    let problem = if !path.starts_with('/') || path.starts_with("//") {
        Some("an alias is a path on this site, starting with one `/`")
    } else if path.split('/').any(|segment| segment == "." || segment == "..") {
        Some("an alias may not contain `.` or `..` segments")
    } else if path.contains(|c: char| c.is_whitespace() || c.is_control() || "?#\\\"<>".contains(c)) {
        Some("an alias may not contain spaces, `?`, `#`, `\\`, quotes or angle brackets")
    } else {
        None
    };
    match problem {
        Some(problem) => {
            diags.push(Diagnostic::error(problem).at(location).hint("for example aliases = [\"/world/old-slug/\"]"));
            None
        }
        None => Some(Alias { path, location }),
    }
}

/// The headline, with typographic punctuation.
fn title(
    raw: Option<Spanned<String>>,
    misspelt: &[&str],
    whole: &Location,
    source: Source,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    match raw {
        Some(title) if !title.get_ref().trim().is_empty() => Some(smarten(title.get_ref().trim())),
        Some(title) => {
            diags.push(
                Diagnostic::error("`title` is empty")
                    .at(source.location(title.span()))
                    .hint("every article needs a headline"),
            );
            None
        }
        // "did you mean `title`?" already said it.
        None if misspelt.contains(&"title") => None,
        None => {
            diags.push(
                Diagnostic::error("article has no `title`")
                    .at(whole.clone())
                    .label("front matter starts here")
                    .hint("add a line such as title = \"Navy Task Force Arrives in the Caribbean\""),
            );
            None
        }
    }
}

/// `date` (or the file name's date) and `updated`, which must not be
/// before it.
#[allow(clippy::too_many_arguments)]
fn dates(
    date: Option<&Spanned<toml::Value>>,
    updated: Option<&Spanned<toml::Value>>,
    rel: &str,
    misspelt: &[&str],
    whole: &Location,
    source: Source,
    tz: &TimeZone,
    diags: &mut Vec<Diagnostic>,
) -> (Option<ZonedDateTime>, Option<ZonedDateTime>) {
    let file_name = rel.rsplit('/').next().unwrap_or(rel);
    let date = match date {
        Some(value) => datetime(value, "date", source, tz, diags),
        None => match date_prefix(file_name) {
            Some(date) => date.to_zoned_datetime(tz.clone()).ok(),
            None if misspelt.contains(&"date") => None,
            None if looks_dated(file_name) => {
                let written = &file_name[..10];
                let why = not_a_date(written);
                diags.push(
                    Diagnostic::error(format!("the file name's date {written} is not a real date"))
                        .at(Location::file(&format!("content/{rel}")))
                        .hint(format!("{why}; rename the file, or set date = … in the front matter")),
                );
                None
            }
            None => {
                diags.push(
                    Diagnostic::error("article has no `date`")
                        .at(whole.clone())
                        .label("front matter starts here")
                        .hint("add a line such as date = 2025-03-07T09:30:00, or start the file name with the date: 2025-03-07-slug.md"),
                );
                None
            }
        },
    };
    let updated_at = updated.and_then(|value| datetime(value, "updated", source, tz, diags));
    if let (Some(date), Some(at), Some(value)) = (&date, &updated_at, updated)
        && at < date
    {
        diags.push(
            Diagnostic::error("`updated` is before `date`")
                .at(source.location(value.span()))
                .label(format!("the article is dated {}", rfc3339(date))),
        );
    }
    (date, updated_at)
}

/// A `category` line must agree with the folder the file is in.
fn check_category(given: Option<&Spanned<String>>, folder: &str, source: Source, diags: &mut Vec<Diagnostic>) {
    if let Some(given) = given
        && given.get_ref() != folder
    {
        diags.push(
            Diagnostic::error(format!(
                "`category` is \"{}\" but the article is in the folder content/{folder}/",
                given.get_ref()
            ))
            .at(source.location(given.span()))
            .hint(format!("move the file to content/{}/, or remove the `category` line", given.get_ref())),
        );
    }
}

/// `slug`, which must be a URL slug, or the one the file name gives.
fn slug(
    given: Option<&Spanned<String>>,
    rel: &str,
    whole: &Location,
    source: Source,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let slug = match given {
        Some(slug) => {
            if slugify(slug.get_ref()) != *slug.get_ref() {
                diags.push(Diagnostic::error("`slug` is not a URL slug").at(source.location(slug.span())).hint(
                    format!("use lowercase letters, digits and dashes, e.g. slug = \"{}\"", slugify(slug.get_ref())),
                ));
            }
            slug.get_ref().clone()
        }
        None => default_slug(rel),
    };
    if slug.is_empty() {
        diags.push(
            Diagnostic::error("the file name gives an empty slug")
                .at(whole.clone())
                .hint("add a line such as slug = \"naval-task-force\""),
        );
    }
    slug
}

/// How the problems of one list of names are worded.
struct Names {
    empty: &'static str,
    empty_hint: &'static str,
    /// With `{}` for the name.
    no_slug: &'static str,
    no_slug_hint: Option<&'static str>,
}

impl Names {
    const AUTHORS: Names = Names {
        empty: "an author name is empty",
        empty_hint: "remove the empty entry, or name the author",
        no_slug: "author \"{}\" has no letters or digits to make a page address from",
        no_slug_hint: Some("write the author's name, or an author-profile key from config.toml"),
    };
    const TAGS: Names = Names {
        empty: "a tag is empty",
        empty_hint: "remove the empty entry",
        no_slug: "tag \"{}\" has no letters or digits to make a URL from",
        no_slug_hint: None,
    };
}

/// Authors or tags, trimmed and without duplicates; an empty name, or one
/// that gives no URL, is an error at that name.
fn names(values: Vec<Spanned<String>>, words: Names, source: Source, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut out = Vec::with_capacity(values.len());
    for value in values {
        let text = value.get_ref().trim();
        if text.is_empty() {
            diags.push(Diagnostic::error(words.empty).at(source.location(value.span())).hint(words.empty_hint));
        } else if slugify(text).is_empty() {
            let mut problem = Diagnostic::error(words.no_slug.replace("{}", text)).at(source.location(value.span()));
            if let Some(hint) = words.no_slug_hint {
                problem = problem.hint(hint);
            }
            diags.push(problem);
        } else if !out.iter().any(|v: &String| v == text) {
            out.push(text.to_string());
        }
    }
    out
}

/// The dek, with typographic punctuation; a long one is a warning.
fn description(raw: Spanned<String>, source: Source, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let text = smarten(raw.get_ref().trim());
    let length = text.chars().count();
    if length > DEK_LIMIT {
        diags.push(
            Diagnostic::warning(format!("the description is {length} characters long"))
                .at(source.location(raw.span()))
                .hint(format!("a dek is one or two sentences; keep it under {DEK_LIMIT} characters")),
        );
    }
    (!text.is_empty()).then_some(text)
}

/// A further-context entry, its path split from its `#anchor`.
fn context_ref(entry: Spanned<RawRef>, source: Source) -> ContextRef {
    let location = source.location(entry.span());
    let entry = entry.into_inner();
    let (path, anchor) = split_anchor(entry.path.strip_prefix("@/").unwrap_or(&entry.path));
    ContextRef { path, anchor, note: entry.note.map(|n| smarten(n.trim())), location }
}

fn validate_image(
    image: Spanned<RawImage>,
    title: Option<&str>,
    source: Source,
    diags: &mut Vec<Diagnostic>,
) -> Option<Image> {
    let location = source.location(image.span());
    let image = image.into_inner();
    let src = image.src.filter(|s| !s.trim().is_empty());
    if src.is_none() {
        diags.push(
            Diagnostic::error("`image` has no `src`")
                .at(location.clone())
                .hint("add src = \"photo.jpg\" to the image table"),
        );
    }
    let alt = match image.alt {
        Some(alt) if !alt.get_ref().trim().is_empty() => {
            let text = smarten(alt.get_ref().trim());
            if let Some(problem) = poor_alt(&text, title, src.as_deref()) {
                diags.push(
                    Diagnostic::warning(problem)
                        .at(source.location(alt.span()))
                        .hint("describe what the image shows: who, what, where"),
                );
            }
            Some(text)
        }
        Some(alt) => {
            diags.push(
                Diagnostic::error("`alt` text of the image is empty")
                    .at(source.location(alt.span()))
                    .hint("describe what the image shows, for readers who cannot see it"),
            );
            None
        }
        None => {
            diags.push(
                Diagnostic::error("`image` has no `alt` text")
                    .at(location.clone())
                    .hint("add alt = \"…\" describing what the image shows, for readers who cannot see it"),
            );
            None
        }
    };
    Some(Image {
        src: src?,
        alt: alt?,
        caption: image.caption.map(|c| smarten(c.trim())).filter(|c| !c.is_empty()),
        credit: image.credit.map(|c| smarten(c.trim())).filter(|c| !c.is_empty()),
        location,
        size: None,
        srcset: None,
    })
}

/// The longest description that is still a dek.
pub const DEK_LIMIT: usize = 300;

/// Alt text that tells a reader who cannot see the image nothing: the
/// headline again, a file name, or a generic word.
pub(crate) fn poor_alt(alt: &str, title: Option<&str>, src: Option<&str>) -> Option<String> {
    const GENERIC: [&str; 14] = [
        "image",
        "photo",
        "picture",
        "img",
        "pic",
        "graphic",
        "photograph",
        "thumbnail",
        "placeholder",
        "featured image",
        "alt",
        "alt text",
        "untitled",
        "illustration",
    ];
    const EXTENSIONS: [&str; 10] = ["jpg", "jpeg", "png", "gif", "webp", "avif", "svg", "heic", "tif", "tiff"];
    let normal = alt.trim().trim_end_matches('.').to_lowercase();
    if title.is_some_and(|t| t.trim().to_lowercase() == normal) {
        return Some("the image's alt text repeats the headline".to_string());
    }
    let file_name = src.and_then(|s| s.rsplit('/').next()).map(str::to_lowercase);
    let extension = normal.rsplit_once('.').map(|(_, ext)| ext);
    if file_name.as_deref() == Some(normal.as_str())
        || (!normal.contains(' ') && extension.is_some_and(|e| EXTENSIONS.contains(&e)))
    {
        return Some(format!("the image's alt text is a file name: \"{alt}\""));
    }
    GENERIC.contains(&normal.as_str()).then(|| format!("the image's alt text is a generic word: \"{alt}\""))
}

/// A TOML date or datetime as an instant; without an offset it is in the
/// site's time zone.
fn datetime(
    value: &Spanned<toml::Value>,
    key: &str,
    source: Source,
    tz: &TimeZone,
    diags: &mut Vec<Diagnostic>,
) -> Option<ZonedDateTime> {
    let error = |message: String, hint: &str| {
        Diagnostic::error(message).at(source.location(value.span())).hint(hint.to_string())
    };
    let example = "write a TOML date without quotes: 2025-03-07, 2025-03-07T09:30:00 or 2025-03-07T09:30:00-06:00";
    let dt = match value.get_ref() {
        toml::Value::Datetime(dt) => dt,
        toml::Value::String(_) => {
            diags.push(error(format!("`{key}` is a string, not a date"), example));
            return None;
        }
        _ => {
            diags.push(error(format!("`{key}` must be a date"), example));
            return None;
        }
    };
    match to_zoned(dt, tz) {
        Ok(zoned) => Some(zoned),
        Err(why) => {
            diags.push(error(format!("`{key}` is not a valid date: {why}"), example));
            None
        }
    }
}

fn to_zoned(dt: &toml::value::Datetime, tz: &TimeZone) -> Result<ZonedDateTime, String> {
    let d = dt.date.ok_or("it has a time but no date")?;
    let date = civil::Date::new(d.year as i16, d.month as i8, d.day as i8).map_err(|e| e.to_string())?;
    let Some(t) = dt.time else {
        return date.to_zoned_datetime(tz.clone()).map_err(|e| e.to_string());
    };
    let second = t.second.unwrap_or(0).min(59) as i8;
    let time = civil::Time::new(t.hour as i8, t.minute as i8, second, t.nanosecond.unwrap_or(0) as i32)
        .map_err(|e| e.to_string())?;
    let civil = date.to_datetime(time);
    match dt.offset {
        None => tz.to_zoned_datetime(civil).map_err(|e| e.to_string()),
        Some(offset) => {
            let seconds = match offset {
                toml::value::Offset::Z => 0,
                toml::value::Offset::Custom { minutes } => i32::from(minutes) * 60,
            };
            let offset = jiff::tz::Offset::from_seconds(seconds).map_err(|e| e.to_string())?;
            let instant = offset.to_timestamp(civil).map_err(|e| e.to_string())?;
            Ok(instant.to_zoned_datetime(tz.clone()))
        }
    }
}

/// `2025-03-07T09:30:00-06:00`.
pub fn rfc3339(date: &ZonedDateTime) -> String {
    date.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// The date of a file name that starts `YYYY-MM-DD-`.
pub fn date_prefix(file_name: &str) -> Option<civil::Date> {
    let prefix = file_name.get(..11)?;
    if !prefix.ends_with('-') {
        return None;
    }
    prefix[..10].parse::<civil::Date>().ok()
}

/// Why `YYYY-MM-DD` is not a date: "February 2026 has 28 days".
fn not_a_date(written: &str) -> String {
    let number = |range: std::ops::Range<usize>| written[range].parse::<i16>().unwrap_or(0);
    let (year, month) = (number(0..4), number(5..7));
    match civil::Date::new(year, month as i8, 1) {
        Ok(first) => format!("{} has {} days", first.strftime("%B %Y"), first.days_in_month()),
        Err(_) if !(1..=12).contains(&month) => format!("there is no month {month}"),
        Err(_) => format!("there is no year {year}"),
    }
}

/// Whether a file name starts with what is meant as a date, `dddd-dd-dd-`,
/// real or not.
fn looks_dated(file_name: &str) -> bool {
    let bytes = file_name.as_bytes();
    bytes.len() > 11
        && bytes[..10].iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() })
        && bytes[10] == b'-'
}

/// The file stem without a date prefix, slugified; `index.md` takes its
/// folder's name.
fn default_slug(rel: &str) -> String {
    let mut parts = rel.rsplit('/');
    let file = parts.next().unwrap_or(rel);
    let stem = file.strip_suffix(".md").unwrap_or(file);
    let stem = if stem == "index" { parts.next().unwrap_or(stem) } else { stem };
    let stem = if date_prefix(stem).is_some() { &stem[11..] } else { stem };
    slugify(stem)
}

/// `world/a.md#key-details` → (`world/a.md`, `key-details`).
pub fn split_anchor(target: &str) -> (String, Option<String>) {
    match target.split_once('#') {
        Some((path, anchor)) => (path.to_string(), Some(anchor.to_string())),
        None => (target.to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        crate::config::parse(
            "title = \"T\"\nbase_url = \"https://x.test\"\ntimezone = \"America/Mexico_City\"\n[categories.world]\n",
        )
        .unwrap()
    }

    fn errors(text: &str) -> Vec<(String, usize, usize)> {
        parse("world/2025-03-07-a.md", "world", text, &config())
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|d| {
                let loc = d.location.unwrap();
                (d.message, loc.line, loc.col)
            })
            .collect()
    }

    #[test]
    fn a_complete_front_matter_parses() {
        let text = "+++\ntitle = \"We won't go\"\ndate = 2025-03-07T09:30:00\nupdated = 2025-03-08\nauthors = [\"ana\"]\ntags = [\"Sea\", \"sea\", \"Sea\"]\nfurther_context = [\"world/b.md\", { path = \"@/world/c.md#key\", note = \"the \\\"c\\\" story\" }]\nimage = { src = \"a.jpg\", alt = \"A ship\" }\n+++\nBody\n";
        let parsed = parse("world/2025-03-07-a.md", "world", text, &config()).unwrap_or_else(|d| panic!("{d:?}"));
        let f = parsed.front;
        assert_eq!(f.title, "We won’t go");
        assert_eq!(rfc3339(&f.date), "2025-03-07T09:30:00-06:00");
        assert_eq!(rfc3339(f.updated.as_ref().unwrap()), "2025-03-08T00:00:00-06:00");
        assert_eq!(f.slug, "a");
        assert_eq!(f.tags, ["Sea", "sea"]);
        assert_eq!(f.further_context[1].path, "world/c.md");
        assert_eq!(f.further_context[1].anchor.as_deref(), Some("key"));
        assert_eq!(f.further_context[1].note.as_deref(), Some("the “c” story"));
        assert_eq!(f.further_context[1].location.line, 7);
        assert_eq!(&text[parsed.body_offset..], "Body\n");
    }

    #[test]
    fn the_file_name_gives_date_and_slug() {
        let parsed = parse("world/2025-03-07-naval-task-force.md", "world", "+++\ntitle = \"x\"\n+++\n", &config())
            .ok()
            .unwrap();
        assert_eq!(rfc3339(&parsed.front.date), "2025-03-07T00:00:00-06:00");
        assert_eq!(parsed.front.slug, "naval-task-force");
        assert_eq!(default_slug("world/deep/Mi Artículo/index.md"), "mi-articulo");
    }

    #[test]
    fn every_problem_is_reported_at_its_line() {
        let text = "+++\ntittle = \"x\"\ndate = \"2025-03-07\"\nauthors = [\"\"]\ncategory = \"sport\"\nimage = { src = \"a.jpg\", alt = \"\" }\n+++\n";
        assert_eq!(
            errors(text),
            [
                ("unknown front-matter key `tittle`".to_string(), 2, 1),
                ("`date` is a string, not a date".to_string(), 3, 8),
                ("`category` is \"sport\" but the article is in the folder content/world/".to_string(), 5, 12),
                ("an author name is empty".to_string(), 4, 12),
                ("`alt` text of the image is empty".to_string(), 6, 32),
            ]
        );
    }

    #[test]
    fn syntax_errors_point_into_the_md_file() {
        let errors = errors("+++\ntitle = \"x\"\ndraft = tru\n+++\n");
        assert_eq!(errors, [("invalid boolean, expected `true`".to_string(), 3, 9)]);
    }

    #[test]
    fn unclosed_and_missing_front_matter() {
        assert_eq!(errors("+++\ntitle = \"x\"\n"), [("front matter is not closed".to_string(), 1, 1)]);
        assert_eq!(errors("title = \"x\"\n"), [("article has no front matter".to_string(), 1, 1)]);
    }

    #[test]
    fn updated_before_date_is_an_error() {
        let errors = errors("+++\ntitle = \"x\"\ndate = 2025-03-07\nupdated = 2025-03-06\n+++\n");
        assert_eq!(errors, [("`updated` is before `date`".to_string(), 4, 11)]);
    }

    #[test]
    fn poor_alt_text_is_a_warning() {
        let warn = |alt: &str| {
            let text =
                format!("+++\ntitle = \"Ships Wait\"\nimage = {{ src = \"a/harbour.jpg\", alt = \"{alt}\" }}\n+++\n");
            let parsed = parse("world/2025-03-07-a.md", "world", &text, &config()).ok().unwrap();
            parsed.warnings.into_iter().map(|w| w.message).collect::<Vec<_>>()
        };
        assert_eq!(warn("ships wait"), ["the image's alt text repeats the headline"]);
        assert_eq!(warn("harbour.jpg"), ["the image's alt text is a file name: \"harbour.jpg\""]);
        assert_eq!(warn("IMG_2041.JPG"), ["the image's alt text is a file name: \"IMG_2041.JPG\""]);
        assert_eq!(warn("Photo."), ["the image's alt text is a generic word: \"Photo.\""]);
        assert!(warn("Container ships at anchor outside the breakwater").is_empty());
    }

    #[test]
    fn a_long_description_is_a_warning() {
        let text = format!("+++\ntitle = \"x\"\ndescription = \"{}\"\n+++\n", "word ".repeat(70));
        let parsed = parse("world/2025-03-07-a.md", "world", &text, &config()).ok().unwrap();
        assert_eq!(parsed.warnings[0].message, "the description is 349 characters long");
        assert_eq!(parsed.warnings[0].location.as_ref().unwrap().line, 3);
    }

    #[test]
    fn crlf_front_matter_parses() {
        let text = "+++\r\ntitle = \"x\"\r\n+++\r\nBody\r\n";
        let parsed = parse("world/2025-03-07-a.md", "world", text, &config()).ok().unwrap();
        assert_eq!(&text[parsed.body_offset..], "Body\r\n");
    }
}
