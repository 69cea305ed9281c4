//! An article body, Markdown → HTML (SPEC §6): tables, footnotes,
//! strikethrough, smart punctuation, unique heading ids, highlighted code,
//! lazy images, and `@/` links resolved to article URLs.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html};

use super::embeds::{self, Call, Card, Def, Expander};
use crate::diag::{Diagnostic, Location};
use crate::highlight::code_html;
use crate::parse::frontmatter::{TextAt, split_anchor};
use crate::text::heading_id;

/// What the body needs from the rest of the site.
pub trait Resolve {
    /// The URL of the published article at a content path.
    fn article_url(&self, path: &str) -> Option<&str>;
    /// The site path a URL names when it points into this site (`/a/b/`,
    /// or the site's own `base_url` followed by a path); `None` for other
    /// sites and relative URLs.
    fn site_path<'u>(&self, url: &'u str) -> Option<&'u str>;
    /// How the file under content/ at `path`, shown by the article at
    /// `rel`, is published; `None` when there is no such file.
    fn asset(&self, rel: &str, path: &str) -> Option<AssetUse>;
    /// The inner HTML of a code block in `lang`: highlighted, from a memo
    /// of the last build's, or (`check`, which writes nothing) plain.
    fn code_html(&self, lang: &str, code: &str) -> String {
        code_html(lang, code)
    }
    /// The declaration of the embed `name`.
    fn embed(&self, _name: &str) -> Option<&Def> {
        None
    }
    /// The names of every embed, for a "did you mean".
    fn embed_names(&self) -> Vec<&str> {
        Vec::new()
    }
    /// The embed `name`'s template rendered with `context`.
    fn render_embed(&self, name: &str, _context: &serde_json::Value) -> Result<String, String> {
        Err(format!("no embed `{name}`"))
    }
    /// What an embed shows of the published article at a content path.
    fn article_card(&self, _path: &str) -> Option<Card> {
        None
    }
}

/// A file under content/ that an article shows, and where it is published:
/// next to the article's output when it sits in the article's folder (or
/// below it), else at its own path under content/.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct AssetUse {
    /// Content path: `international/summit-harbour.png`.
    pub source: String,
    /// Output file: `international/caribbean-summit/summit-harbour.png`.
    pub output: String,
    pub url: String,
    /// Width and height in pixels, when the file is an image.
    pub size: Option<(u32, u32)>,
    /// Its resized WebP variants, narrowest first (JPEG and PNG images
    /// wider than a configured width).
    pub variants: Vec<Variant>,
}

/// A resized WebP copy of an image, published beside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Variant {
    pub width: u32,
    /// Output file: `world/a/photo-480.webp`.
    pub output: String,
    pub url: String,
}

/// How wide the images of an article are shown, for `sizes`: the width of
/// the article's text column on a desktop, all of the screen on a phone.
pub const SIZES: &str = "(min-width: 38rem) 36rem, 100vw";

/// The `srcset` of an image with variants: each variant, then the image
/// itself at its own width; none without variants.
pub fn srcset(asset: &AssetUse) -> Option<String> {
    let (width, _) = asset.size?;
    if asset.variants.is_empty() {
        return None;
    }
    let mut set: Vec<String> = asset.variants.iter().map(|v| format!("{} {}w", v.url, v.width)).collect();
    set.push(format!("{} {width}w", asset.url));
    Some(set.join(", "))
}

/// Resolves an image `src` of the article at `rel`: `None` for a URL that
/// is not relative, else the published file or the error that it is missing.
pub fn local_image(src: &str, rel: &str, resolve: &dyn Resolve) -> Option<Result<AssetUse, Diagnostic>> {
    if !is_relative(src) {
        return None;
    }
    let found = join_relative(rel, src).and_then(|path| resolve.asset(rel, &path));
    Some(found.ok_or_else(|| {
        Diagnostic::error(format!("image `{src}` not found beside the article"))
            .hint("place the image file in the article's folder under content/, or use an absolute URL")
    }))
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// An inline `[text](@/category/file.md#anchor)` link.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct InlineRef {
    pub path: String,
    pub anchor: Option<String>,
    pub location: Location,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Body {
    /// Never kept between builds (see [`super::kept`]).
    #[serde(skip)]
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub word_count: usize,
    /// The first paragraph as plain text: the default dek.
    pub first_paragraph: String,
    pub links: Vec<InlineRef>,
    /// Links and images to a path of this site (not `@/` references), for
    /// the check that each names a file the build writes.
    pub site_links: Vec<SiteLink>,
    /// Files under content/ the body shows.
    pub assets: Vec<AssetUse>,
    /// The schema.org objects of its embeds (`ImageObject`, `VideoObject`),
    /// for the article's JSON-LD.
    pub media: Vec<serde_json::Value>,
    /// The HTML for feeds, where its embeds render differently there (a
    /// video as a link, a chart as its fallback): none when it is `html`.
    #[serde(skip)]
    pub feed_html: Option<String>,
    /// The ids its HTML writes other than its headings' (footnotes, raw
    /// HTML), for the check of `#fragment` links: known without the HTML.
    pub ids: Vec<String>,
}

impl Body {
    /// What feeds carry of the body.
    pub fn feed_html(&self) -> &str {
        self.feed_html.as_deref().unwrap_or(&self.html)
    }
}

/// A link or image whose URL is a path of this site.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SiteLink {
    /// The site path, without its `#fragment` or `?query`.
    pub path: String,
    pub fragment: Option<String>,
    pub image: bool,
    pub location: Location,
}

/// Where Markdown text sits in its file, for error locations: the body,
/// or the text of a correction or an update in the front matter.
pub struct Origin<'a> {
    /// Content path: `world/a.md`.
    pub rel: &'a str,
    pub file_text: &'a str,
    /// The Markdown.
    pub text: &'a str,
    pub at: TextAt,
}

impl<'a> Origin<'a> {
    /// The body of the file at `rel`, from `offset` on.
    pub fn body(rel: &'a str, file_text: &'a str, offset: usize) -> Origin<'a> {
        Origin { rel, file_text, text: &file_text[offset..], at: TextAt::Verbatim(offset) }
    }

    pub fn location(&self, range: &std::ops::Range<usize>) -> Location {
        Location::span(&format!("content/{}", self.rel), self.file_text, self.absolute(range))
    }

    /// Where `range` of the text is in the file (all of the span, for text
    /// that does not sit there verbatim).
    pub fn absolute(&self, range: &std::ops::Range<usize>) -> std::ops::Range<usize> {
        match &self.at {
            TextAt::Verbatim(offset) => range.start + offset..range.end + offset,
            TextAt::Within(span) => span.clone(),
        }
    }
}

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Renders the body of an article: HTML, table of contents, word count,
/// first paragraph, `@/` links and the files it shows.
pub fn render(origin: &Origin, resolve: &dyn Resolve, diags: &mut Vec<Diagnostic>) -> Body {
    let text = origin.text;
    let events: Vec<(Event, Range)> = Parser::new_ext(text, options()).into_offset_iter().collect();
    let (ids, toc) = heading_ids(&events);
    let mut writer = Writer {
        origin,
        resolve,
        diags,
        footnotes: footnote_numbers(&events),
        references: HashMap::new(),
        body: Body { toc, ..Body::default() },
        words: WordCounter::default(),
        out: Vec::with_capacity(events.len()),
        headings: ids.into_iter(),
        paragraph: None,
        feed: Vec::new(),
        embeds: 0,
    };
    let mut events = events.into_iter();
    while let Some((event, range)) = events.next() {
        writer.event(event, range, &mut events);
    }
    let Writer { mut body, words, out, feed, .. } = writer;
    body.word_count = words.count;
    body.ids = literal_ids(&out);
    body.ids.retain(|id| !body.toc.iter().any(|h| h.id == *id));
    if !feed.is_empty() {
        let mut events = out.clone();
        for (at, html) in feed {
            events[at] = Event::Html(html.into());
        }
        let mut html = String::with_capacity(text.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        body.feed_html = Some(html);
    }
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    body.html = html;
    body
}

/// The ids the HTML of `events` writes: those of headings, and those in
/// the HTML the writer made or passed through (text is escaped, so no id
/// hides there), without scanning the HTML itself.
fn literal_ids(events: &[Event]) -> Vec<String> {
    let mut ids = Vec::new();
    for event in events {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => ids.extend(crate::text::literal_ids(html)),
            Event::Start(Tag::Heading { id, attrs, .. }) => {
                ids.extend(id.iter().map(|id| id.to_string()));
                let named_id = attrs.iter().filter(|(key, _)| key.as_ref() == "id");
                ids.extend(named_id.filter_map(|(_, value)| value.as_ref().map(|v| v.to_string())));
            }
            _ => {}
        }
    }
    ids
}

type Range = std::ops::Range<usize>;

/// The events of a body being rewritten for the page, and what is learnt
/// of the body on the way.
struct Writer<'a, 'e> {
    origin: &'a Origin<'a>,
    resolve: &'a dyn Resolve,
    diags: &'a mut Vec<Diagnostic>,
    /// Footnote label → number and id.
    footnotes: HashMap<String, (usize, String)>,
    /// How often each footnote was referenced so far.
    references: HashMap<String, usize>,
    body: Body,
    words: WordCounter,
    out: Vec<Event<'e>>,
    /// The id of each heading, in order.
    headings: std::vec::IntoIter<String>,
    /// The text of the first paragraph, while it is being read.
    paragraph: Option<String>,
    /// Embeds whose feed HTML differs from the page's: the index of their
    /// event in `out`, and that HTML.
    feed: Vec<(usize, String)>,
    /// How many embeds so far.
    embeds: usize,
}

impl<'e> Writer<'_, 'e> {
    /// Handles one event; code blocks and images read the events up to
    /// their end from `rest`.
    fn event(&mut self, event: Event<'e>, range: Range, rest: &mut impl Iterator<Item = (Event<'e>, Range)>) {
        match event {
            Event::Start(Tag::Heading { level, classes, attrs, .. }) => {
                self.words.boundary();
                let id = self.headings.next().map(CowStr::from);
                self.out.push(Event::Start(Tag::Heading { level, id, classes, attrs }));
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if embeds::name_of(&info).is_some() => {
                self.embed(&info, range, rest)
            }
            Event::Start(Tag::CodeBlock(kind)) => self.code_block(kind, rest),
            Event::Start(Tag::Image { dest_url, title, .. }) => self.image(&dest_url, &title, &range, rest),
            Event::Start(Tag::Link { link_type, dest_url, title, id }) if dest_url.starts_with("@/") => {
                let url = self.article_link(&dest_url[2..], &range);
                self.out.push(Event::Start(Tag::Link { link_type, dest_url: url.into(), title, id }));
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                self.script_url(&dest_url, "a link", &range);
                self.site_link(&dest_url, false, &range);
                self.out.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
            }
            Event::FootnoteReference(label) => self.footnote_reference(&label),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.words.boundary();
                let (n, id) = self.footnotes.get(label.as_ref()).cloned().unwrap_or_default();
                self.out.push(Event::Html(
                    format!("<div class=\"footnote-definition\" id=\"fn-{id}\"><sup class=\"footnote-definition-label\">{n}</sup>")
                        .into(),
                ));
            }
            Event::End(TagEnd::FootnoteDefinition) => self.out.push(Event::Html("</div>\n".into())),
            Event::Start(Tag::Paragraph) => {
                self.words.boundary();
                if self.body.first_paragraph.is_empty() && self.paragraph.is_none() {
                    self.paragraph = Some(String::new());
                }
                self.out.push(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some(text) = self.paragraph.take() {
                    self.body.first_paragraph = text.trim().to_string();
                }
                self.out.push(Event::End(TagEnd::Paragraph));
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                self.words.add(t);
                if let Some(p) = &mut self.paragraph {
                    p.push_str(t);
                }
                self.out.push(event);
            }
            Event::SoftBreak | Event::HardBreak => {
                self.words.boundary();
                if let Some(p) = &mut self.paragraph {
                    p.push(' ');
                }
                self.out.push(event);
            }
            other => {
                if is_block_edge(&other) {
                    self.words.boundary();
                }
                self.out.push(other);
            }
        }
    }

    /// A code block, highlighted when it names a language syntect knows.
    fn code_block(&mut self, kind: CodeBlockKind, rest: &mut impl Iterator<Item = (Event<'e>, Range)>) {
        self.words.boundary();
        let lang = match &kind {
            CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or("").to_string(),
            CodeBlockKind::Indented => String::new(),
        };
        let mut code = String::new();
        for (inner, _) in rest.by_ref() {
            match inner {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => break,
                _ => {}
            }
        }
        let inner = self.resolve.code_html(&lang, &code);
        self.out.push(Event::Html(code_block(&lang, &inner).into()));
    }

    /// An embed: a fenced block whose info string names it in braces.
    fn embed(&mut self, info: &str, block: Range, rest: &mut impl Iterator<Item = (Event<'e>, Range)>) {
        self.words.boundary();
        let mut code = String::new();
        let mut first: Option<usize> = None;
        for (inner, range) in rest.by_ref() {
            match inner {
                Event::Text(t) => {
                    first.get_or_insert(range.start);
                    code.push_str(&t);
                }
                Event::End(TagEnd::CodeBlock) => break,
                _ => {}
            }
        }
        // Inside a block quote or a list item the lines carry prefixes: the
        // arguments then do not sit verbatim in the text.
        let text = self.origin.text;
        let code_at = first.filter(|&at| text.get(at..at + code.len()) == Some(code.as_str()));
        self.embeds += 1;
        let number = self.embeds;
        let name = embeds::name_of(info).expect("checked by the caller");
        let call = Call { name, code: &code, code_at, block, number };
        let mut expander =
            Expander { origin: self.origin, resolve: self.resolve, body: &mut self.body, diags: self.diags };
        if let Some(expanded) = expander.expand(&call) {
            if expanded.feed_html != expanded.html {
                self.feed.push((self.out.len(), expanded.feed_html));
            }
            self.out.push(Event::Html(expanded.html.into()));
        }
    }

    /// An image: its alt text read up to its end, a local file resolved.
    fn image(&mut self, url: &str, title: &str, range: &Range, rest: &mut impl Iterator<Item = (Event<'e>, Range)>) {
        let mut alt = String::new();
        for (inner, _) in rest.by_ref() {
            match inner {
                Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                Event::End(TagEnd::Image) => break,
                _ => {}
            }
        }
        self.script_url(url, "an image", range);
        let tag = match local_image(url, self.origin.rel, self.resolve) {
            None => {
                self.site_link(url, true, range);
                img_tag(url, &alt, title, None, None)
            }
            Some(Ok(asset)) => {
                let tag = img_tag(&asset.url, &alt, title, asset.size, srcset(&asset).as_deref());
                self.body.assets.push(asset);
                tag
            }
            Some(Err(missing)) => {
                self.diags.push(missing.at(self.origin.location(range)));
                img_tag(url, &alt, title, None, None)
            }
        };
        self.out.push(Event::Html(tag.into()));
    }

    /// The URL of an `@/path.md#anchor` link, recorded for the graph to
    /// check; `#` while the target is unknown (the graph reports it).
    fn article_link(&mut self, target: &str, range: &Range) -> String {
        let (path, anchor) = split_anchor(target);
        let url = match (self.resolve.article_url(&path), &anchor) {
            (Some(url), Some(anchor)) => format!("{url}#{anchor}"),
            (Some(url), None) => url.to_string(),
            (None, _) => "#".to_string(),
        };
        self.body.links.push(InlineRef { path, anchor, location: self.origin.location(range) });
        url
    }

    /// Records a link or image to a path of this site, to be checked
    /// against the files the build writes.
    /// A link or image whose URL would run code: an error, never a page.
    fn script_url(&mut self, url: &str, what: &str, range: &Range) {
        if let Some(scheme) = script_scheme(url) {
            self.diags.push(
                Diagnostic::error(format!("a `{scheme}:` URL in {what} runs code in the reader's browser"))
                    .at(self.origin.location(range))
                    .label("here")
                    .hint("link to a page (https://…, or @/ for an article), or use an embed"),
            );
        }
    }

    fn site_link(&mut self, url: &str, image: bool, range: &Range) {
        let location = || self.origin.location(range);
        self.body.site_links.extend(site_link(self.resolve, url, image, location));
    }

    fn footnote_reference(&mut self, label: &str) {
        let (n, id) = self.footnotes.get(label).cloned().unwrap_or_default();
        // A note referenced twice: the second reference needs an id of its own.
        let count = self.references.entry(id.clone()).or_insert(0);
        *count += 1;
        let ref_id = if *count == 1 { format!("fnref-{id}") } else { format!("fnref{count}-{id}") };
        self.out.push(Event::Html(
            format!("<sup class=\"footnote-reference\" id=\"{ref_id}\"><a href=\"#fn-{id}\">{n}</a></sup>").into(),
        ));
    }
}

/// A link or image to `url`, when it names a path of this site: without
/// its `?query`, its `#fragment` kept apart.
pub fn site_link(
    resolve: &dyn Resolve,
    url: &str,
    image: bool,
    location: impl FnOnce() -> Location,
) -> Option<SiteLink> {
    let path = resolve.site_path(url)?;
    let (path, fragment) = match path.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment.to_string())),
        None => (path, None),
    };
    let path = path.split('?').next().unwrap_or(path).to_string();
    Some(SiteLink { path, fragment, image, location: location() })
}

/// The scheme of `url` when a browser would run it as code: `javascript:`
/// and `vbscript:`, and `data:` other than an image's, read as a browser
/// reads them (ignoring case, leading spaces and control characters, and
/// tabs and line breaks anywhere).
pub fn script_scheme(url: &str) -> Option<&'static str> {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(32)
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript", "vbscript", "data"].into_iter().find(|scheme| {
        cleaned.strip_prefix(scheme).is_some_and(|rest| rest.starts_with(':'))
            && !(*scheme == "data" && cleaned.starts_with("data:image/") && !cleaned.starts_with("data:image/svg"))
    })
}

/// The rules a correction's or an update's text must follow, which a body
/// need not: a correction is one paragraph; neither has headings (their
/// ids would clash with the body's) or footnotes.
pub fn notice_problem(text: &str, one_paragraph: bool) -> Option<&'static str> {
    let mut depth = 0;
    let mut blocks = 0;
    for event in Parser::new_ext(text, options()) {
        match event {
            Event::Start(Tag::Heading { .. }) => return Some("a heading"),
            Event::Start(Tag::FootnoteDefinition(_)) | Event::FootnoteReference(_) => return Some("a footnote"),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if embeds::name_of(&info).is_some() => {
                return Some("an embed");
            }
            Event::Start(tag) => {
                if depth == 0 && !matches!(tag, Tag::Paragraph) && one_paragraph {
                    return Some("something other than a paragraph");
                }
                if depth == 0 {
                    blocks += 1;
                }
                depth += 1;
            }
            Event::End(_) => depth -= 1,
            Event::Rule if one_paragraph => return Some("a rule"),
            _ => {}
        }
    }
    (one_paragraph && blocks > 1).then_some("more than one paragraph")
}

/// The text of Markdown without its markup, with typographic punctuation:
/// what feeds and structured data say of a correction or an update.
pub fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for event in Parser::new_ext(text, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::BlockQuote(_) | TagEnd::CodeBlock)
                if !out.ends_with(' ') && !out.is_empty() =>
            {
                out.push(' ');
            }
            _ => {}
        }
    }
    out.trim().to_string()
}

/// The text of HTML without its tags, entities decoded: what structured
/// data says of a caption.
pub fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// Whether an event starts or ends a block, which also ends a word; inline
/// markup such as emphasis does not (`un*believ*able` is one word).
fn is_block_edge(event: &Event) -> bool {
    let inline_start = |tag: &Tag| matches!(tag, Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. });
    let inline_end =
        |tag: &TagEnd| matches!(tag, TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link);
    match event {
        Event::Start(tag) => !inline_start(tag),
        Event::End(tag) => !inline_end(tag),
        _ => false,
    }
}

/// The id of every heading in order, and the table of contents. An
/// explicit `{#id}` wins; other headings get the GitHub slug of their text,
/// made unique with `-1`, `-2`, … .
fn heading_ids(events: &[(Event, Range)]) -> (Vec<String>, Vec<TocEntry>) {
    let mut headings: Vec<(u8, Option<String>, String)> = Vec::new();
    let mut current: Option<(u8, Option<String>, String)> = None;
    for (event, _) in events {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                current = Some((*level as u8, id.as_ref().map(|i| i.to_string()), String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text)) = &mut current {
                    text.push_str(t);
                }
            }
            Event::End(TagEnd::Heading(_)) => headings.extend(current.take()),
            _ => {}
        }
    }
    let mut taken: HashSet<String> = headings.iter().filter_map(|h| h.1.clone()).collect();
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut explicit_seen: HashSet<String> = HashSet::new();
    let mut ids = Vec::with_capacity(headings.len());
    let mut toc = Vec::with_capacity(headings.len());
    let mut unique = |base: String, taken: &mut HashSet<String>| {
        let mut candidate = base.clone();
        while taken.contains(&candidate) {
            let n = counts.entry(base.clone()).or_insert(0);
            *n += 1;
            candidate = format!("{base}-{n}");
        }
        taken.insert(candidate.clone());
        candidate
    };
    for (level, explicit, title) in headings {
        let id = match explicit {
            // The first heading to name an explicit id gets it; a repeat
            // is made unique like any other id.
            Some(id) if explicit_seen.insert(id.clone()) => id,
            Some(id) => unique(id, &mut taken),
            None => {
                let base = match heading_id(&title) {
                    id if id.is_empty() => "section".to_string(),
                    id => id,
                };
                unique(base, &mut taken)
            }
        };
        ids.push(id.clone());
        toc.push(TocEntry { level, id, title: title.trim().to_string() });
    }
    (ids, toc)
}

/// Footnotes are numbered in the order they are first referenced, and
/// each gets an id of its own (labels "a b" and "a-b" would slug alike).
fn footnote_numbers(events: &[(Event, Range)]) -> HashMap<String, (usize, String)> {
    let mut numbers: HashMap<String, (usize, String)> = HashMap::new();
    let mut ids = HashSet::new();
    let labels = events.iter().filter_map(|(event, _)| match event {
        Event::FootnoteReference(label) | Event::Start(Tag::FootnoteDefinition(label)) => Some(label.as_ref()),
        _ => None,
    });
    for label in labels {
        if numbers.contains_key(label) {
            continue;
        }
        let base = match heading_id(label) {
            id if id.is_empty() => "note".to_string(),
            id => id,
        };
        let mut id = base.clone();
        let mut n = 1;
        while !ids.insert(id.clone()) {
            n += 1;
            id = format!("{base}-{n}");
        }
        numbers.insert(label.to_string(), (numbers.len() + 1, id));
    }
    numbers
}

/// A `<pre>` block around `inner`, the HTML of the code in language `lang`.
fn code_block(lang: &str, inner: &str) -> String {
    if lang.is_empty() {
        return format!("<pre><code>{inner}</code></pre>\n");
    }
    let mut class = String::new();
    escape_html(&mut class, lang).expect("writing to a String cannot fail");
    // `hl-code` takes the highlighting theme's colours from /syntax.css.
    format!("<pre class=\"code hl-code\" data-lang=\"{class}\"><code class=\"language-{class}\">{inner}</code></pre>\n")
}

fn img_tag(src: &str, alt: &str, title: &str, size: Option<(u32, u32)>, srcset: Option<&str>) -> String {
    let mut tag = String::from("<img src=\"");
    escape_href(&mut tag, src).expect("writing to a String cannot fail");
    tag.push_str("\" alt=\"");
    escape_html(&mut tag, alt).expect("writing to a String cannot fail");
    if !title.is_empty() {
        tag.push_str("\" title=\"");
        escape_html(&mut tag, title).expect("writing to a String cannot fail");
    }
    tag.push('"');
    if let Some(set) = srcset {
        tag.push_str(" srcset=\"");
        escape_html(&mut tag, set).expect("writing to a String cannot fail");
        tag.push_str(&format!("\" sizes=\"{SIZES}\""));
    }
    if let Some((width, height)) = size {
        tag.push_str(&format!(" width=\"{width}\" height=\"{height}\""));
    }
    tag.push_str(" loading=\"lazy\">");
    tag
}

/// Whether a URL points at a file beside the article rather than a page of
/// its own or another site.
pub fn is_relative(url: &str) -> bool {
    !(url.is_empty() || url.starts_with('/') || url.starts_with('#') || url.contains(':'))
}

/// The content path a relative URL in the article at `rel` points at:
/// `world/a.md` + `img/x.png` → `world/img/x.png`.
pub fn join_relative(rel: &str, url: &str) -> Option<String> {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    // `my%20photo.png` names the file `my photo.png`.
    let url = percent_encoding::percent_decode_str(url).decode_utf8().ok()?;
    let mut parts: Vec<&str> = rel.split('/').collect();
    parts.pop();
    for segment in url.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Counts words across the text events of a paragraph, which smart
/// punctuation splits (`won` `’` `t` is one word).
#[derive(Default)]
struct WordCounter {
    count: usize,
    in_word: bool,
}

impl WordCounter {
    fn add(&mut self, text: &str) {
        if text.is_ascii() {
            // Most text: bytes, without decoding, and without a branch a
            // byte. The ASCII characters `char::is_whitespace` takes.
            for &b in text.as_bytes() {
                let space = matches!(b, b' ' | b'\t'..=b'\r');
                self.count += usize::from(!space && !self.in_word);
                self.in_word = !space;
            }
            return;
        }
        for c in text.chars() {
            if c.is_whitespace() {
                self.in_word = false;
            } else if !self.in_word {
                self.in_word = true;
                self.count += 1;
            }
        }
    }

    fn boundary(&mut self) {
        self.in_word = false;
    }
}

/// Minutes to read `words` at 230 words a minute, rounded up, at least 1.
pub fn reading_time(words: usize) -> usize {
    words.div_ceil(230).max(1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_that_run_code_are_found_as_a_browser_reads_them() {
        for url in ["javascript:alert(1)", "JaVaScRiPt:x", " \u{1}javascript:x", "java\tscript:x", "java\nscript:x"] {
            assert_eq!(script_scheme(url), Some("javascript"), "{url:?}");
        }
        assert_eq!(script_scheme("vbscript:msgbox"), Some("vbscript"));
        assert_eq!(script_scheme("data:text/html,<script>"), Some("data"));
        assert_eq!(script_scheme("data:image/svg+xml,<svg onload=x>"), Some("data"));
        for fine in ["data:image/png;base64,AAAA", "https://x.test/javascript:", "/javascript:x", "mailto:a@b.c", "#x"]
        {
            assert_eq!(script_scheme(fine), None, "{fine:?}");
        }
    }

    use super::*;

    struct Site;
    impl Resolve for Site {
        fn article_url(&self, path: &str) -> Option<&str> {
            (path == "world/b.md").then_some("https://x.test/world/b/")
        }
        fn site_path<'u>(&self, url: &'u str) -> Option<&'u str> {
            url.strip_prefix("https://x.test").or(Some(url)).filter(|p| p.starts_with('/') && !p.starts_with("//"))
        }
        fn asset(&self, _rel: &str, path: &str) -> Option<AssetUse> {
            (path == "world/img/ship.png").then(|| AssetUse {
                source: path.to_string(),
                output: "world/a/img/ship.png".to_string(),
                url: "https://x.test/world/a/img/ship.png".to_string(),
                size: Some((640, 480)),
                variants: vec![],
            })
        }
    }

    #[test]
    fn the_ids_read_from_events_are_the_ids_of_the_html() {
        let body = "## What's Next {#next}\n\n## Plain\n\n### Attr {#own id=other}\n\nText[^n] with \"id=\\\"x\\\"\" \
                    and <span id=\"inline\">raw</span> and ` id=\"code\"`.\n\n<div\n id=\"block\">\n</div>\n\n\
                    ```html\n<p id=\"sample\">\n```\n\n[^n]: A note.\n";
        let (body, diags) = md(body);
        assert!(diags.is_empty(), "{diags:?}");
        // The HTML shows ` id="code"` as the text of inline code: it is no
        // id (a scan of the HTML took it for one), and the rest are the same.
        let mut from_html = crate::text::literal_ids(&body.html);
        from_html.retain(|id| !body.toc.iter().any(|h| h.id == *id) && id != "code");
        assert_eq!(body.ids, from_html, "{}", body.html);
        assert_eq!(body.ids, ["other", "fnref-n", "inline", "block", "fn-n"], "{}", body.html);
    }

    fn md(body: &str) -> (Body, Vec<Diagnostic>) {
        let text = format!("+++\n+++\n{body}");
        let origin = Origin::body("world/a.md", &text, 8);
        let mut diags = Vec::new();
        let body = render(&origin, &Site, &mut diags);
        (body, diags)
    }

    #[test]
    fn smart_punctuation_never_mangles_quotes() {
        let (body, _) = md("We won't \"concede\" -- ever. `won't \"x\"`\n");
        assert_eq!(body.html, "<p>We won’t “concede” – ever. <code>won't \"x\"</code></p>\n");
    }

    #[test]
    fn headings_get_unique_github_ids_and_a_toc() {
        let (body, _) =
            md("## What's Next\n\n## Key Details\n\n## Key Details\n\n### Custom {#key-details-1}\n\n## Key Details\n");
        let ids: Vec<_> = body.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["whats-next", "key-details", "key-details-2", "key-details-1", "key-details-3"]);
        let (twice, _) = md("## A {#same}\n\n## B {#same}\n");
        let ids: Vec<_> = twice.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["same", "same-1"]);
        assert!(body.html.starts_with("<h2 id=\"whats-next\">What’s Next</h2>"));
        assert_eq!(body.toc[0].title, "What’s Next");
        assert_eq!(body.toc[3].level, 3);
    }

    #[test]
    fn tables_footnotes_and_strikethrough() {
        let (body, _) = md("| a | b |\n|---|--:|\n| 1 | 2 |\n\n~~old~~ new[^n]\n\n[^n]: The note.\n");
        assert!(
            body.html.contains("<table><thead><tr><th>a</th><th style=\"text-align: right\">b</th>"),
            "{}",
            body.html
        );
        assert!(body.html.contains("<del>old</del>"));
        assert!(body.html.contains("<sup class=\"footnote-reference\" id=\"fnref-n\"><a href=\"#fn-n\">1</a></sup>"));
        assert!(body.html.contains(
            "<div class=\"footnote-definition\" id=\"fn-n\"><sup class=\"footnote-definition-label\">1</sup>"
        ));
    }

    #[test]
    fn footnote_ids_are_unique() {
        let (body, _) = md("One[^a b], two[^a-b], again[^a b].\n\n[^a b]: First.\n\n[^a-b]: Second.\n");
        assert!(body.html.contains("id=\"fnref-a-b\"><a href=\"#fn-a-b\">1</a>"), "{}", body.html);
        assert!(body.html.contains("id=\"fnref-a-b-2\"><a href=\"#fn-a-b-2\">2</a>"), "{}", body.html);
        assert!(body.html.contains("id=\"fnref2-a-b\"><a href=\"#fn-a-b\">1</a>"), "{}", body.html);
        assert!(body.html.contains("<div class=\"footnote-definition\" id=\"fn-a-b-2\">"));
    }

    #[test]
    fn code_is_highlighted_or_escaped() {
        let (body, _) = md("```rust\nlet x = 1;\n```\n\n```nope\n<b>\n```\n");
        assert!(body.html.contains("<pre class=\"code hl-code\" data-lang=\"rust\"><code class=\"language-rust\"><span class=\"hl-source hl-rust\">"));
        assert!(body.html.contains("<code class=\"language-nope\">&lt;b&gt;\n</code>"));
    }

    #[test]
    fn plain_code_keeps_the_block_and_leaves_out_the_spans() {
        struct Plain;
        impl Resolve for Plain {
            fn code_html(&self, _lang: &str, code: &str) -> String {
                crate::highlight::plain_html(code)
            }
            fn article_url(&self, path: &str) -> Option<&str> {
                Site.article_url(path)
            }
            fn site_path<'u>(&self, url: &'u str) -> Option<&'u str> {
                Site.site_path(url)
            }
            fn asset(&self, rel: &str, path: &str) -> Option<AssetUse> {
                Site.asset(rel, path)
            }
        }
        let text = "+++\n+++\n```rust\nlet x = a < b;\n```\n\n[B](@/world/b.md)\n";
        let mut diags = Vec::new();
        let body = render(&Origin::body("world/a.md", text, 8), &Plain, &mut diags);
        assert_eq!(
            body.html,
            "<pre class=\"code hl-code\" data-lang=\"rust\"><code class=\"language-rust\">let x = a &lt; b;\n</code></pre>\n\
             <p><a href=\"https://x.test/world/b/\">B</a></p>\n"
        );
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn body_images_are_lazy_and_resolved() {
        let (body, diags) = md("![A ship's bow](img/ship.png \"t\")\n\n![x](missing.png)\n");
        assert!(body.html.contains("<img src=\"https://x.test/world/a/img/ship.png\" alt=\"A ship’s bow\" title=\"t\" width=\"640\" height=\"480\" loading=\"lazy\">"));
        assert_eq!(body.assets[0].output, "world/a/img/ship.png");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].message, "image `missing.png` not found beside the article");
        assert_eq!(diags[0].location.as_ref().unwrap().line, 5);
    }

    #[test]
    fn at_links_resolve_and_are_recorded() {
        let (body, _) = md("See [b](@/world/b.md#key-details) and [c](@/world/c.md).\n");
        assert!(body.html.contains("<a href=\"https://x.test/world/b/#key-details\">b</a>"));
        assert_eq!(body.links.len(), 2);
        assert_eq!(body.links[0].anchor.as_deref(), Some("key-details"));
        assert_eq!(body.links[1].path, "world/c.md");
        assert_eq!(body.links[1].location.line, 3);
    }

    #[test]
    fn words_and_first_paragraph() {
        let (body, _) = md("We won't go,\nsaid the *mayor* today.\n\nSecond para.\n");
        assert_eq!(body.word_count, 9);
        assert_eq!(body.first_paragraph, "We won’t go, said the mayor today.");
        assert_eq!(reading_time(0), 1);
        assert_eq!(reading_time(230), 1);
        assert_eq!(reading_time(231), 2);
    }

    #[test]
    fn words_are_counted_alike_in_ascii_and_other_text() {
        // ASCII text takes the bytewise path, other text the char path:
        // both split at every character `char::is_whitespace` takes.
        let count = |parts: &[&str]| {
            let mut words = WordCounter::default();
            parts.iter().for_each(|part| words.add(part));
            words.count
        };
        assert_eq!(count(&["one two\tthree\nfour\x0bfive\x0csix\rseven  "]), 7);
        assert_eq!(count(&["one\u{a0}two\u{2003}three café"]), 4);
        assert_eq!(count(&["won", "’", "t go"]), 2);
        assert_eq!(count(&["won", "t", " go", " ", "now"]), 3);
        assert_eq!(count(&["", " ", "\u{3000}"]), 0);
    }

    #[test]
    fn links_into_the_site_are_recorded() {
        let (body, _) =
            md("[a](/world/b/#key) [b](https://x.test/about/) [c](https://other.test/x) ![d](/img/x.png)\n");
        let links: Vec<(&str, Option<&str>, bool)> =
            body.site_links.iter().map(|l| (l.path.as_str(), l.fragment.as_deref(), l.image)).collect();
        assert_eq!(links, [("/world/b/", Some("key"), false), ("/about/", None, false), ("/img/x.png", None, true)]);
    }

    #[test]
    fn notices_are_one_paragraph_without_headings() {
        assert_eq!(notice_problem("We misspelt *her* name.", true), None);
        assert_eq!(notice_problem("One.\n\nTwo.", true), Some("more than one paragraph"));
        assert_eq!(notice_problem("- a list", true), Some("something other than a paragraph"));
        assert_eq!(notice_problem("One.\n\n- a list\n\n> quoted", false), None);
        assert_eq!(notice_problem("## Heading", false), Some("a heading"));
        assert_eq!(notice_problem("A note[^1].\n\n[^1]: x", false), Some("a footnote"));
        assert_eq!(plain_text("We *won't* say [it](/x/).\n\nAgain."), "We won’t say it. Again.");
    }

    #[test]
    fn relative_paths_join() {
        assert_eq!(join_relative("world/a.md", "img/x.png").as_deref(), Some("world/img/x.png"));
        assert_eq!(join_relative("world/deep/a.md", "../x.png").as_deref(), Some("world/x.png"));
        assert_eq!(join_relative("a.md", "../../x.png"), None);
        assert_eq!(join_relative("world/a.md", "my%20photo.png?v=2").as_deref(), Some("world/my photo.png"));
        assert!(!is_relative("https://x.test/a.png"));
        assert!(!is_relative("/a.png"));
    }
}
