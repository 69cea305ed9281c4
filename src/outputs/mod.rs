//! The files of a site that are not pages: feeds, sitemaps, robots.txt and
//! the highlighting stylesheet. XML is written with quick-xml's writer, so
//! every value is escaped by the library, never by string concatenation.

pub mod feeds;
pub mod sitemaps;

use std::sync::Arc;

use jiff::Timestamp;
use rustc_hash::FxHashMap;

use crate::diag::Diagnostic;
use crate::render::Site;

/// One generated file: output path and bytes.
pub type Generated = (String, Arc<[u8]>);

/// Generated files `serve` keeps from one build to the next: by group
/// (a feed, the sitemap, the news sitemap), with the key of what each was
/// made from, as for pages (see [`crate::render::Site::page_key`]).
#[derive(Default)]
pub struct Kept(FxHashMap<String, (Vec<u8>, Vec<Generated>)>);

/// Every non-page output of the site. `pages` are the site paths of all
/// pages (for the sitemap); `now` decides the news sitemap's window. With
/// `kept`, a group whose key did not change is taken from it.
pub fn all(
    site: &Site,
    pages: &[(String, crate::render::Page)],
    now: Timestamp,
    mut kept: Option<&mut Kept>,
) -> Result<Vec<Generated>, Diagnostic> {
    let mut files = Vec::new();
    let limit = site.config.feed_limit;
    let newest = &site.lists.newest[..site.lists.newest.len().min(limit)];
    files.extend(kept_or(
        kept.as_deref_mut(),
        "feed.xml",
        || site.versions_key(newest),
        || vec![generated("feed.xml", feeds::rss(site, newest, &site.config.url("/feed.xml"), None))],
    ));
    files.extend(kept_or(
        kept.as_deref_mut(),
        "atom.xml",
        || site.versions_key(newest),
        || vec![generated("atom.xml", feeds::atom(site, newest))],
    ));
    for (index, listing) in site.lists.by_category.iter().enumerate() {
        let articles = &listing.articles[..listing.articles.len().min(limit)];
        let path = format!("{}/feed.xml", listing.view.slug);
        files.extend(kept_or(
            kept.as_deref_mut(),
            &path,
            || site.versions_key(articles),
            || {
                let self_url = site.config.url(&format!("/{path}"));
                vec![generated(&path, feeds::rss(site, articles, &self_url, Some(index)))]
            },
        ));
    }
    files.extend(kept_or(
        kept.as_deref_mut(),
        "sitemap.xml",
        || sitemaps::key(site, pages),
        || sitemaps::sitemaps(site, pages),
    ));
    let recent = sitemaps::recent(site, now);
    files.extend(kept_or(
        kept,
        "news-sitemap.xml",
        || site.versions_key(&recent),
        || vec![generated("news-sitemap.xml", sitemaps::news(site, &recent))],
    ));
    files.push(generated("robots.txt", robots(site).into_bytes()));
    let css = crate::parse::highlight::stylesheet(site.config.highlight_theme.as_deref())?;
    files.push(generated("syntax.css", css.into_bytes()));
    Ok(files)
}

fn generated(name: &str, bytes: Vec<u8>) -> Generated {
    (name.to_string(), bytes.into())
}

/// The files of `group` from `kept` when their key is the same, else made.
fn kept_or(
    kept: Option<&mut Kept>,
    group: &str,
    key: impl FnOnce() -> Vec<u8>,
    make: impl FnOnce() -> Vec<Generated>,
) -> Vec<Generated> {
    let Some(kept) = kept else { return make() };
    let key = key();
    if let Some((old, files)) = kept.0.get(group)
        && *old == key
    {
        return files.clone();
    }
    let files = make();
    kept.0.insert(group.to_string(), (key, files.clone()));
    files
}

fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\nSitemap: {}\n",
        site.config.url("/sitemap.xml"),
        site.config.url("/news-sitemap.xml")
    )
}

/// An XML document being written; errors cannot happen when writing to
/// memory, so the helpers do not return them.
pub(crate) struct Xml {
    writer: quick_xml::Writer<Vec<u8>>,
}

impl Xml {
    pub fn new() -> Xml {
        let mut writer = quick_xml::Writer::new_with_indent(Vec::with_capacity(64 * 1024), b' ', 2);
        let decl = quick_xml::events::BytesDecl::new("1.0", Some("UTF-8"), None);
        writer.write_event(quick_xml::events::Event::Decl(decl)).expect("writing to memory");
        Xml { writer }
    }

    /// `<name attrs…>` … `</name>`, with `inner` writing the children.
    pub fn element(&mut self, name: &str, attributes: &[(&str, &str)], inner: impl FnOnce(&mut Xml)) {
        let start = quick_xml::events::BytesStart::new(name).with_attributes(attributes.iter().copied());
        self.writer.write_event(quick_xml::events::Event::Start(start)).expect("writing to memory");
        inner(self);
        let end = quick_xml::events::BytesEnd::new(name);
        self.writer.write_event(quick_xml::events::Event::End(end)).expect("writing to memory");
    }

    /// `<name attrs…>text</name>`, the text escaped, and characters XML 1.0
    /// forbids (control characters a front-matter string can carry) dropped.
    pub fn text(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        let allowed = |c: char| !c.is_control() || matches!(c, '\t' | '\n' | '\r');
        let text: std::borrow::Cow<str> =
            if text.chars().all(allowed) { text.into() } else { text.chars().filter(|&c| allowed(c)).collect() };
        self.writer
            .create_element(name)
            .with_attributes(attributes.iter().copied())
            .write_text_content(quick_xml::events::BytesText::new(&text))
            .expect("writing to memory");
    }

    /// `<name attrs…/>`.
    pub fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.writer
            .create_element(name)
            .with_attributes(attributes.iter().copied())
            .write_empty()
            .expect("writing to memory");
    }

    pub fn finish(self) -> Vec<u8> {
        let mut bytes = self.writer.into_inner();
        bytes.push(b'\n');
        bytes
    }
}
