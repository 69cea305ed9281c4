//! Source files → articles: front matter, selection of what is published,
//! URLs, and Markdown bodies. Parsing runs in parallel over articles;
//! [`Sources`] keeps what was parsed of each file from one build to the
//! next.

pub mod embeds;
pub mod frontmatter;
mod kept;
pub mod markdown;
pub mod notices;
pub mod spill;
mod sources;

pub use sources::Sources;
pub use spill::{Bodies, Spill, Spilled};

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use jiff::Timestamp;
use rustc_hash::FxHashMap;

use crate::config::Config;
use crate::diag::{Diagnostic, Location};
use crate::load::Asset;
use crate::order::Dated;
use frontmatter::FrontMatter;
use markdown::{AssetUse, Body, Origin, Resolve};

/// Which articles a build publishes.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    pub drafts: bool,
    pub future: bool,
    /// SOURCE_DATE_EPOCH when set, else the clock.
    pub now: Timestamp,
}

/// A published article, with everything known of it before the graph.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Article {
    /// Content path: `international/2025-10-28-naval.md`.
    pub rel: String,
    /// Index into `Config::categories`.
    pub category: usize,
    pub front: FrontMatter,
    /// URL slugs of `front.tags`, without duplicates.
    pub tag_slugs: Vec<String>,
    /// Site path from the permalink: `/international/naval/`.
    pub path: String,
    pub url: String,
    /// Its `html` (and `feed_html`) are empty when `spilled` is set: read
    /// them through [`Bodies`].
    pub body: Body,
    /// Where a build keeps the body's HTML until its page is written (see
    /// [`spill`]).
    #[serde(skip)]
    pub spilled: Option<Spilled>,
    /// Parsed by an earlier build (see src/parse/kept.rs): the body's HTML
    /// was not kept, and is made again for the pages that need it.
    #[serde(skip)]
    pub restored: bool,
    /// Newest first, each with its anchor.
    pub corrections: Vec<notices::Rendered>,
    pub updates: Vec<notices::Rendered>,
    /// Files under content/ the article shows (body, notices and featured
    /// image).
    pub assets: Vec<AssetUse>,
    /// A hash of what the article was made from: its content path, its
    /// file's text and every answer the site gave its body (see
    /// [`version`]). Pages that show the article count it in their keys in
    /// place of the article's parts, so it is the same from one process to
    /// the next: the keys of a build's pages are kept between builds.
    pub version: u64,
}

impl Article {
    /// Where the article stands in every list: by its date, or a live
    /// story (or one that was live) by its newest update.
    pub fn dated(&self) -> Dated<'_> {
        let mut at = self.front.date.timestamp();
        if self.was_live()
            && let Some(newest) = self.updates.first()
        {
            at = at.max(newest.date.timestamp());
        }
        Dated { at, rel: &self.rel }
    }

    /// Whether the story is or was covered live.
    pub fn was_live(&self) -> bool {
        self.front.live || self.front.live_ended.is_some()
    }

    /// The latest change to the story: its date, `updated`, its newest
    /// correction or update.
    pub fn modified(&self) -> &jiff::ZonedDateTime {
        let front = &self.front;
        let notices = self.corrections.first().into_iter().chain(self.updates.first()).map(|n| &n.date);
        notices.chain(front.updated.as_ref()).fold(&front.date, |latest, d| if d > latest { d } else { latest })
    }

    /// The anchors of the article's page that a link may name: heading ids
    /// and the anchors of corrections and updates.
    pub fn anchors(&self) -> impl Iterator<Item = &str> {
        let notices = self.corrections.iter().chain(&self.updates).map(|n| n.id.as_str());
        self.body.toc.iter().map(|h| h.id.as_str()).chain(notices)
    }
}

/// Why an article that parsed is left out of the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Withheld {
    Draft,
    /// With the publication time, RFC 3339 in the site's time zone.
    Scheduled(String),
    /// With the time it left the site.
    Expired(String),
}

/// Every article known to the build: the published ones, and the content
/// paths of those withheld (so that a reference to them can say why).
#[derive(Debug, Default)]
pub struct Articles {
    pub published: Vec<Arc<Article>>,
    pub withheld: HashMap<String, Withheld>,
    /// Content paths of the files that failed to parse: their own errors
    /// are reported, so references to them are not reported again.
    pub unparsed: std::collections::HashSet<String>,
    /// The site paths of the articles that expired: gone on purpose.
    pub expired: Vec<String>,
}

/// The front matter of a source file, parsed, before any body is rendered.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Head {
    /// Content path, as in its source file.
    pub rel: String,
    pub category: usize,
    /// Site path from the permalink, and its URL.
    pub path: String,
    pub url: String,
    pub front: FrontMatter,
    pub body_offset: usize,
    pub warnings: Vec<Diagnostic>,
    /// The file's first line, where problems of the whole article are shown.
    pub location: Location,
}

/// What a source file parses to: its head, or every error in it.
pub(crate) type Parsed = Result<Head, Vec<Diagnostic>>;

/// Which parsed files are published, which withheld and which failed.
pub(crate) struct Chosen<'h> {
    pub published: Vec<&'h Head>,
    pub withheld: HashMap<String, Withheld>,
    pub unparsed: std::collections::HashSet<String>,
    pub expired: Vec<String>,
}

/// Sorts parsed files by what becomes of them; reports the errors of those
/// that failed and the warnings of those published.
pub(crate) fn select<'h>(
    heads: impl Iterator<Item = (&'h str, &'h Parsed)>,
    selection: Selection,
    diags: &mut Vec<Diagnostic>,
) -> Chosen<'h> {
    let mut chosen =
        Chosen { published: Vec::new(), withheld: HashMap::new(), unparsed: Default::default(), expired: Vec::new() };
    for (rel, head) in heads {
        match head {
            Err(errors) => {
                chosen.unparsed.insert(rel.to_string());
                diags.extend(errors.iter().cloned());
            }
            Ok(head) => match withheld_because(&head.front, selection) {
                Some(why) => {
                    if matches!(why, Withheld::Expired(_)) {
                        chosen.expired.push(head.path.clone());
                    }
                    chosen.withheld.insert(rel.to_string(), why);
                }
                None => {
                    diags.extend(head.warnings.iter().cloned());
                    chosen.published.push(head);
                }
            },
        }
    }
    chosen
}

/// A published article, with the diagnostics of its body and every
/// question it asked the index (so that a rebuild can tell whether the same
/// source would still render the same).
pub(crate) struct Finished {
    pub article: Article,
    pub diags: Vec<Diagnostic>,
    pub lookups: Vec<Lookup>,
}

/// One answer the index gave while an article was rendered.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub(crate) enum Lookup {
    ArticleUrl {
        path: String,
        url: Option<String>,
    },
    Asset {
        path: String,
        found: Option<AssetUse>,
    },
    /// The version of an embed's declaration and template.
    Embed {
        name: String,
        fingerprint: Option<u64>,
    },
    Card {
        path: String,
        card: Option<embeds::Card>,
    },
}

impl Lookup {
    /// Whether `index` still gives the answer recorded, for the article at `rel`.
    pub fn holds(&self, rel: &str, index: &Index) -> bool {
        match self {
            Lookup::ArticleUrl { path, url } => index.article_url(path) == url.as_deref(),
            Lookup::Asset { path, found } => index.asset(rel, path) == *found,
            Lookup::Embed { name, fingerprint } => index.embed(name).map(|d| d.fingerprint) == *fingerprint,
            Lookup::Card { path, card } => index.article_card(path) == *card,
        }
    }
}

/// Answers from an index, written down.
struct Recorder<'a> {
    index: &'a Index<'a>,
    lookups: std::cell::RefCell<Vec<Lookup>>,
}

impl Resolve for Recorder<'_> {
    fn code_html(&self, lang: &str, code: &str) -> String {
        self.index.code_html(lang, code)
    }

    fn site_path<'u>(&self, url: &'u str) -> Option<&'u str> {
        self.index.site_path(url)
    }

    fn article_url(&self, path: &str) -> Option<&str> {
        let url = self.index.article_url(path);
        self.lookups.borrow_mut().push(Lookup::ArticleUrl { path: path.to_string(), url: url.map(str::to_string) });
        url
    }

    fn asset(&self, rel: &str, path: &str) -> Option<AssetUse> {
        let found = self.index.asset(rel, path);
        self.lookups.borrow_mut().push(Lookup::Asset { path: path.to_string(), found: found.clone() });
        found
    }

    fn embed(&self, name: &str) -> Option<&embeds::Def> {
        let def = self.index.embed(name);
        let fingerprint = def.map(|d| d.fingerprint);
        self.lookups.borrow_mut().push(Lookup::Embed { name: name.to_string(), fingerprint });
        def
    }

    fn embed_names(&self) -> Vec<&str> {
        // Only a misspelt embed asks, and it fails the build.
        self.index.embed_names()
    }

    fn render_embed(&self, name: &str, context: &serde_json::Value) -> Result<String, String> {
        // Its template's version was recorded when the embed was looked up.
        self.index.render_embed(name, context)
    }

    fn article_card(&self, path: &str) -> Option<embeds::Card> {
        let card = self.index.article_card(path);
        self.lookups.borrow_mut().push(Lookup::Card { path: path.to_string(), card: card.clone() });
        card
    }
}

/// Renders the body of a parsed article (`text` is its file's) and resolves
/// its featured image.
pub(crate) fn finish(index: &Index, text: &str, head: &Head) -> Finished {
    let rel = &head.rel;
    let recorder = Recorder { index, lookups: Default::default() };
    let origin = Origin::body(rel, text, head.body_offset);
    let mut diags = Vec::new();
    let mut body = markdown::render(&origin, &recorder, &mut diags);
    let mut taken: std::collections::HashSet<String> = body.toc.iter().map(|h| h.id.clone()).collect();
    let front = &head.front;
    let (correction, update) = (notices::Kind::Correction, notices::Kind::Update);
    let mut notices = |kind, list: &[frontmatter::Notice], body: &mut Body| {
        notices::render(kind, list, rel, text, &mut taken, &recorder, body, &mut diags)
    };
    let corrections = notices(correction, &front.corrections, &mut body);
    let updates = notices(update, &front.updates, &mut body);
    if head.front.description.is_none() && body.first_paragraph.is_empty() {
        diags.push(
            Diagnostic::warning("the article has no description and no first paragraph to take one from")
                .at(head.location.clone())
                .hint("add description = \"…\", the one-sentence dek readers see under the headline"),
        );
    }
    let path = head.path.clone();
    let url = head.url.clone();
    let mut front = head.front.clone();
    let mut assets = body.assets.clone();
    if let Some(image) = &mut front.image {
        match markdown::local_image(&image.src, rel, &recorder) {
            None => {}
            Some(Ok(asset)) => {
                image.src = asset.url.clone();
                image.size = asset.size;
                image.srcset = markdown::srcset(&asset);
                assets.push(asset);
            }
            Some(Err(missing)) => diags.push(missing.at(image.location.clone())),
        }
        if let Some(path) = recorder.site_path(&image.src) {
            let link = markdown::SiteLink {
                path: path.to_string(),
                fragment: None,
                image: true,
                location: image.location.clone(),
            };
            body.site_links.push(link);
        }
    }
    let mut tag_slugs: Vec<String> = Vec::with_capacity(front.tags.len());
    for slug in front.tags.iter().map(|t| crate::text::slugify(t)) {
        if !tag_slugs.contains(&slug) {
            tag_slugs.push(slug);
        }
    }
    let lookups = recorder.lookups.into_inner();
    let version = version(rel, text, &lookups);
    let article = Article {
        rel: rel.clone(),
        category: head.category,
        front,
        tag_slugs,
        path,
        url,
        body,
        corrections,
        updates,
        assets,
        spilled: None,
        restored: false,
        version,
    };
    Finished { article, diags, lookups }
}

/// An article's [`Article::version`]. Under one config.toml and one theme
/// (what every page key is taken under), an article is a function of its
/// content path, its text and the answers the index gave it: the same
/// three make the same article, in this build or in a later one. The
/// answers are hashed through `Hash`, whose bytes may differ between
/// builds of broadsheet; kept keys are stamped with the program's own.
fn version(rel: &str, text: &str, lookups: &[Lookup]) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    rel.hash(&mut hasher);
    text.hash(&mut hasher);
    lookups.hash(&mut hasher);
    hasher.finish()
}

/// Renders again the bodies of articles restored from an earlier build's
/// parses, whose HTML was not kept (see src/parse/kept.rs), for the pages
/// and feeds that show them.
pub struct Again<'a> {
    pub(crate) content: std::path::PathBuf,
    pub(crate) config: &'a Config,
    pub(crate) index: Index<'a>,
}

impl Again<'_> {
    /// The body's HTML, and its feed HTML when that differs.
    pub fn html(&self, article: &Article) -> Result<(String, Option<String>), Diagnostic> {
        let rel = &article.rel;
        let text = crate::load::read_article(rel.clone(), &self.content.join(rel))?.text;
        let changed = || {
            Diagnostic::error("the file changed while the site was being built")
                .at(Location::file(&format!("content/{rel}")))
                .hint("build again")
        };
        let head = parse_head(self.config, rel, &text).map_err(|_| changed())?;
        let body = finish(&self.index, &text, &head);
        // The same text with the same answers is the same article.
        if body.article.version != article.version {
            return Err(changed());
        }
        Ok((body.article.body.html, body.article.body.feed_html))
    }
}

/// Parses the front matter of the article at content path `rel`.
pub(crate) fn parse_head(config: &Config, rel: &str, text: &str) -> Parsed {
    let location = Location::first_line(&format!("content/{rel}"), text);
    let Some((folder, _)) = rel.split_once('/') else {
        return Err(vec![
            Diagnostic::error("article is not in a category folder")
                .at(location)
                .hint("move it to content/<category>/"),
        ]);
    };
    let category = config.category(folder);
    let parsed = frontmatter::parse(rel, folder, text, config);
    let Some(category) = category else {
        let declared: Vec<&str> = config.categories.iter().map(|c| c.slug.as_str()).collect();
        let mut errors =
            vec![Diagnostic::error(format!("category `{folder}` is not declared in config.toml")).at(location).hint(
                format!(
                    "the declared categories are {}; declare it with [categories.{folder}] or move the file",
                    crate::keys::list(&declared)
                ),
            )];
        errors.extend(parsed.err().unwrap_or_default());
        return Err(errors);
    };
    let parsed = parsed?;
    let date = &parsed.front.date;
    let path = config.permalink.expand(folder, &parsed.front.slug, date.year(), date.month(), date.day());
    let url = config.url(&path);
    Ok(Head {
        rel: rel.to_string(),
        category,
        path,
        url,
        front: parsed.front,
        body_offset: parsed.body_offset,
        warnings: parsed.warnings,
        location,
    })
}

fn withheld_because(front: &FrontMatter, selection: Selection) -> Option<Withheld> {
    if front.draft && !selection.drafts {
        return Some(Withheld::Draft);
    }
    let date = front.date.timestamp();
    if date > selection.now && !selection.future {
        return Some(Withheld::Scheduled(frontmatter::rfc3339(&front.date)));
    }
    if let Some(expires) = &front.expires
        && expires.timestamp() <= selection.now
    {
        return Some(Withheld::Expired(frontmatter::rfc3339(expires)));
    }
    None
}

/// The WebP variants of the image published at `output`: one per width
/// narrower than the image, for JPEG and PNG images (`photo.jpg` →
/// `photo-480.webp`).
fn variants(output: &str, size: Option<(u32, u32)>, widths: &[u32]) -> Vec<(u32, String)> {
    let Some((width, _)) = size else { return Vec::new() };
    let Some((stem, extension)) = output.rsplit_once('.') else { return Vec::new() };
    if !["jpg", "jpeg", "png"].contains(&extension.to_ascii_lowercase().as_str()) {
        return Vec::new();
    }
    widths.iter().filter(|&&w| w < width).map(|&w| (w, format!("{stem}-{w}.webp"))).collect()
}

/// Image sizes by content path, measured once per file (and, in `serve`,
/// once per change of it).
pub(crate) type ImageSizes = std::sync::Mutex<HashMap<String, Option<(u32, u32)>>>;

/// What the index knows of a published article: what bodies may ask of it.
struct Known<'a> {
    path: &'a str,
    url: &'a str,
    front: &'a FrontMatter,
    category: usize,
}

impl<'a> Known<'a> {
    fn of(path: &'a str, url: &'a str, front: &'a FrontMatter, category: usize) -> Known<'a> {
        Known { path, url, front, category }
    }
}

/// The URL of every published article and content file, known before any
/// body is rendered so that bodies can link to each other.
pub(crate) struct Index<'a> {
    config: &'a Config,
    /// Content path → what is known of every published article.
    heads: FxHashMap<&'a str, Known<'a>>,
    /// Content path → file on disk.
    assets: FxHashMap<&'a str, &'a std::path::Path>,
    sizes: &'a ImageSizes,
    embeds: &'a embeds::Embeds,
    /// How code blocks are made (see [`Resolve::code_html`]).
    code: crate::highlight::Code<'a>,
}

impl<'a> Index<'a> {
    pub fn new(
        config: &'a Config,
        assets: impl Iterator<Item = &'a Asset>,
        heads: &[&'a Head],
        sizes: &'a ImageSizes,
        embeds: &'a embeds::Embeds,
        diags: &mut Vec<Diagnostic>,
    ) -> Index<'a> {
        // Made at every save in serve: sized at once, not grown.
        let mut by_rel = FxHashMap::with_capacity_and_hasher(heads.len(), Default::default());
        let mut owners: FxHashMap<&str, &Head> = FxHashMap::with_capacity_and_hasher(heads.len(), Default::default());
        for &head in heads {
            if let Some(first) = owners.get(head.path.as_str()) {
                diags.push(
                    Diagnostic::error(format!(
                        "content/{} and content/{} would both be written to {}",
                        first.rel, head.rel, head.path
                    ))
                    .at(head.location.clone())
                    .hint("give one of them a different `slug` in its front matter"),
                );
            } else {
                owners.insert(&head.path, head);
            }
            by_rel.insert(head.rel.as_str(), Known::of(&head.path, &head.url, &head.front, head.category));
        }
        let assets = assets.map(|a| (a.rel.as_str(), a.abs.as_path())).collect();
        Index { config, heads: by_rel, assets, sizes, embeds, code: crate::highlight::Code::Highlighted }
    }

    /// The index of `articles`, as the parse that made them saw it, to
    /// render a body again (see [`Again`]).
    pub fn of_articles(
        config: &'a Config,
        assets: impl Iterator<Item = &'a Asset>,
        articles: &'a [Arc<Article>],
        sizes: &'a ImageSizes,
        embeds: &'a embeds::Embeds,
    ) -> Index<'a> {
        let heads = articles.iter().map(|a| (a.rel.as_str(), Known::of(&a.path, &a.url, &a.front, a.category)));
        let assets = assets.map(|a| (a.rel.as_str(), a.abs.as_path())).collect();
        Index { config, heads: heads.collect(), assets, sizes, embeds, code: crate::highlight::Code::Highlighted }
    }

    /// Code blocks are made as `code` says.
    pub fn coding(mut self, code: crate::highlight::Code<'a>) -> Self {
        self.code = code;
        self
    }

    /// Whether the article at content path `rel` is published.
    pub fn publishes(&self, rel: &str) -> bool {
        self.heads.contains_key(rel)
    }

    /// Width and height let browsers reserve the space before the image
    /// loads; files that are not images simply have none.
    fn size(&self, path: &str, file: &std::path::Path) -> Option<(u32, u32)> {
        if let Some(&size) = self.sizes.lock().unwrap_or_else(|e| e.into_inner()).get(path) {
            return size;
        }
        let size = imagesize::size(file).ok().map(|s| (s.width as u32, s.height as u32));
        self.sizes.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_string(), size);
        size
    }
}

impl Resolve for Index<'_> {
    fn code_html(&self, lang: &str, code: &str) -> String {
        self.code.html(lang, code)
    }

    fn site_path<'u>(&self, url: &'u str) -> Option<&'u str> {
        let path = url.strip_prefix(self.config.base_url.as_str()).filter(|p| p.is_empty() || p.starts_with('/'));
        let path = path.or(Some(url))?;
        let path = if path.is_empty() { "/" } else { path };
        (path.starts_with('/') && !path.starts_with("//")).then_some(path)
    }

    fn article_url(&self, path: &str) -> Option<&str> {
        self.heads.get(path).map(|head| head.url)
    }

    fn asset(&self, rel: &str, path: &str) -> Option<AssetUse> {
        let file = self.assets.get(path)?;
        let folder = rel.rsplit_once('/').map_or("", |(folder, _)| folder);
        let beside = path.strip_prefix(folder).and_then(|p| p.strip_prefix('/'));
        let output = match (beside, self.heads.get(rel)) {
            (Some(sub), Some(head)) => format!("{}{sub}", crate::paths::output_dir(head.path)),
            _ => path.to_string(),
        };
        let size = self.size(path, file);
        let variants = variants(&output, size, &self.config.images.widths)
            .into_iter()
            .map(|(width, output)| markdown::Variant { width, url: self.config.url(&format!("/{output}")), output })
            .collect();
        Some(AssetUse { source: path.to_string(), url: self.config.url(&format!("/{output}")), output, size, variants })
    }

    fn embed(&self, name: &str) -> Option<&embeds::Def> {
        self.embeds.get(name)
    }

    fn embed_names(&self) -> Vec<&str> {
        self.embeds.names().collect()
    }

    fn render_embed(&self, name: &str, context: &serde_json::Value) -> Result<String, String> {
        self.embeds.render(name, context)
    }

    fn article_card(&self, path: &str) -> Option<embeds::Card> {
        let head = self.heads.get(path)?;
        Some(embeds::Card {
            url: head.url.to_string(),
            headline: head.front.title.clone(),
            kicker: self.config.categories[head.category].name.clone(),
            dek: head.front.description.clone(),
        })
    }
}
