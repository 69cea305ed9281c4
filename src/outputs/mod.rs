//! The files of a site that are not pages: feeds, sitemaps, robots.txt and
//! the highlighting stylesheet, made for the files the plan lists. XML is
//! written with quick-xml's writer, so every value is escaped by the
//! library, never by string concatenation.
//!
//! Each file is made by a function of exactly the inputs its key is
//! computed from: a feed from the articles it lists (counted by version),
//! the sitemap from its entries. `serve` keeps a file while its key holds;
//! a build whose sink keeps keys between builds (the page ledger) skips a
//! file of one whose twin holds it under the same key, as it skips pages:
//! a feed of unchanged articles then costs no body made again.

pub mod feeds;
pub mod images;
pub mod json_feed;
pub mod redirects;
pub mod search;
pub mod sitemaps;

use bytes::Bytes;
use jiff::Timestamp;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::diag::Diagnostic;
use crate::plan::{Generated, Plan};
use crate::render::key::{self, Key};
use crate::render::{PageSink, Views};

/// One generated file: output path and bytes.
pub type File = (String, Bytes);

/// Generated files kept from one build to the next (`serve`): by group (a
/// feed, the sitemap and its parts, the news sitemap) with the key of what
/// they were made from.
#[derive(Default)]
pub struct Kept {
    pub keep: bool,
    groups: FxHashMap<String, (Key, Vec<File>)>,
    /// The last sitemap's entries, as written.
    sitemap: sitemaps::Written,
}

impl Kept {
    pub fn new(keep: bool) -> Kept {
        Kept { keep, groups: FxHashMap::default(), sitemap: sitemaps::Written::default() }
    }
}

/// Where a build looks for its generated files before making them: what
/// `serve` kept, and what the sink holds of an earlier build.
struct Groups<'a> {
    kept: &'a mut Kept,
    sink: &'a dyn PageSink,
    /// What the files are made under besides their keys (see
    /// [`key::under`]).
    under: Key,
    /// The key of each file made that the sink is to keep.
    keys: FxHashMap<String, Key>,
    /// How many files the sink held.
    held: usize,
}

/// A group's files: ready (kept, or held by the sink: none), or to make.
enum Slot<'a> {
    Files(Vec<File>),
    Make(&'a str, Key, Maker<'a>),
}

/// What makes a group's files; run on any thread.
type Maker<'a> = Box<dyn FnOnce() -> Result<Vec<File>, Diagnostic> + Send + 'a>;

impl Groups<'_> {
    /// The files of `group` as kept when their key is `key`; none when the
    /// sink holds them; else `make`, to run (see [`Groups::keep`]). Only a
    /// group of one file, named as the group, is looked up in the sink:
    /// the same key makes the same files, so a group keyed there once is
    /// one file again.
    fn slot<'a>(&mut self, group: &'a str, key: Key, make: Maker<'a>) -> Slot<'a> {
        let salted = key::under(self.under, key);
        if self.sink.keys_pages() && self.sink.holds(group, salted) {
            self.held += 1;
            return Slot::Files(Vec::new());
        }
        match self.kept.groups.get(group) {
            Some((old, files)) if *old == key => Slot::Files(files.clone()),
            _ => Slot::Make(group, key, make),
        }
    }

    /// Keeps the files just made of `group` for the next build: in the
    /// sink's keys, or in `serve`'s kept groups.
    fn keep(&mut self, group: &str, key: Key, files: &[File]) {
        if self.sink.keys_pages()
            && let [(name, _)] = files
            && name == group
        {
            self.keys.insert(name.clone(), key::under(self.under, key));
        } else if self.kept.keep {
            self.kept.groups.insert(group.to_string(), (key, files.to_vec()));
        }
    }
}

/// Whether this build makes the search index, and the cache folder it is
/// kept in between builds.
#[derive(Debug, Clone, Default)]
pub enum Search {
    /// `check` (which validates and writes nothing) and `serve` (which
    /// makes the index apart, see `serve::preview`).
    #[default]
    Skip,
    Build {
        cache: Option<std::path::PathBuf>,
    },
}

/// The generated files of a build: made in memory, and copied from disk
/// (a search index kept in its cache).
#[derive(Default)]
pub struct Made {
    pub files: Vec<File>,
    pub copies: Vec<(String, std::path::PathBuf)>,
    /// The key each of `files` is to be kept under, when the sink keeps
    /// keys and the file is looked up by one.
    pub keys: FxHashMap<String, Key>,
    /// How many files were not made, the sink holding them.
    pub held: usize,
}

/// Every generated file of `plan`, in its order, but those `sink` holds;
/// `under` is what they are made under besides their keys (as for pages).
/// `now` decides the news sitemap's window.
pub fn make(
    views: &Views,
    plan: &Plan,
    now: Timestamp,
    search_mode: &Search,
    kept: &mut Kept,
    sink: &dyn PageSink,
    under: Key,
) -> Result<Made, Diagnostic> {
    // Lent to the sitemap's maker, which may run on another thread.
    let written = kept.keep.then(|| std::sync::Mutex::new(std::mem::take(&mut kept.sitemap)));
    let mut kept = Groups { kept, sink, under, keys: FxHashMap::default(), held: 0 };
    let mut copies = Vec::new();
    let site = views.site;
    let config = site.config;
    let limit = config.feed_limit;
    let mut slots: Vec<Slot> = Vec::with_capacity(plan.generated.len());
    for (name, output) in &plan.generated {
        let slot = match *output {
            Generated::Rss(category) | Generated::JsonFeed(category) => {
                let list = match category {
                    None => &site.lists.newest,
                    Some(c) => &site.lists.by_category[c].articles,
                };
                let shown = &list[..list.len().min(limit)];
                let key = key::of(name, &(versions(views, shown), category));
                kept.slot(
                    name,
                    key,
                    Box::new(move || {
                        let self_url = config.url(&format!("/{name}"));
                        let items = feeds::items(views, shown);
                        let bodies = feeds::bodies(views, &items)?;
                        let text = match output {
                            Generated::Rss(_) => {
                                feeds::rss(config, views.categories, &items, &bodies, &self_url, category)
                            }
                            _ => json_feed::feed(config, views.categories, &items, &bodies, &self_url, category),
                        };
                        Ok(vec![file(name, text)])
                    }),
                )
            }
            Generated::Atom => {
                let shown = &site.lists.newest[..site.lists.newest.len().min(limit)];
                let key = key::of(name, &versions(views, shown));
                kept.slot(
                    name,
                    key,
                    Box::new(move || {
                        let items = feeds::items(views, shown);
                        let bodies = feeds::bodies(views, &items)?;
                        Ok(vec![file(name, feeds::atom(config, &items, &bodies))])
                    }),
                )
            }
            Generated::Sitemap => {
                let entries = sitemaps::entries(site, &plan.pages);
                let key = key::of(name, &sitemaps::keyed(&entries));
                let written = written.as_ref();
                kept.slot(
                    name,
                    key,
                    Box::new(move || {
                        let mut written = written.map(|w| w.lock().unwrap_or_else(|e| e.into_inner()));
                        Ok(sitemaps::sitemaps(config, &entries, written.as_deref_mut()))
                    }),
                )
            }
            // Made with the sitemap.
            Generated::SitemapPart(_) => continue,
            Generated::NewsSitemap => {
                let recent = sitemaps::recent(site, now);
                let key = key::of(name, &versions(views, &recent));
                kept.slot(
                    name,
                    key,
                    Box::new(move || Ok(vec![file(name, sitemaps::news(config, &feeds::items(views, &recent)))])),
                )
            }
            Generated::CorrectionsFeed => {
                let shown = &site.lists.corrections[..site.lists.corrections.len().min(limit)];
                let articles: Vec<usize> = shown.iter().map(|&(i, _)| i).collect();
                let key = key::of(name, &(versions(views, &articles), shown));
                kept.slot(
                    name,
                    key,
                    Box::new(move || {
                        let items = feeds::items(views, &articles);
                        let notices: Vec<_> = items.iter().zip(shown).map(|(item, &(_, j))| (item, j)).collect();
                        Ok(vec![file(name, feeds::corrections(config, &notices))])
                    }),
                )
            }
            Generated::Redirect(i, _) => {
                let key = key::of(name, &views.site.articles[i].version);
                kept.slot(name, key, Box::new(move || Ok(vec![file(name, redirects::page(config, &site.articles[i]))])))
            }
            Generated::Redirects => Slot::Files(vec![file(name, redirects::file(site.articles.iter().map(|a| &**a)))]),
            Generated::Search => match search_mode {
                Search::Skip => continue,
                Search::Build { cache } => {
                    let records = search::records(views)?;
                    match search::index(&records, &config.language, cache.as_deref())? {
                        search::Index::Made(files) => Slot::Files(files),
                        search::Index::Cached(files) => {
                            copies = files;
                            continue;
                        }
                    }
                }
            },
            Generated::Robots => Slot::Files(vec![file(name, robots(config).into_bytes())]),
            Generated::SyntaxCss => Slot::Files(vec![file(
                name,
                crate::highlight::stylesheet(config.highlight_theme.as_deref())?.into_bytes(),
            )]),
        };
        slots.push(slot);
    }
    // The groups to make (a save's few feeds and the sitemap; every one
    // in a fresh build) are made side by side, and taken in the plan's
    // order: the first failure in that order is the one reported.
    let groups: Vec<Option<(&str, Key)>> = slots
        .iter()
        .map(|slot| match slot {
            Slot::Make(group, key, _) => Some((*group, *key)),
            Slot::Files(_) => None,
        })
        .collect();
    let made: Vec<Result<Vec<File>, Diagnostic>> = slots
        .into_par_iter()
        .map(|slot| match slot {
            Slot::Files(files) => Ok(files),
            Slot::Make(_, _, make) => make(),
        })
        .collect();
    let mut files = Vec::with_capacity(made.len());
    for (made, group) in made.into_iter().zip(groups) {
        let made = made?;
        if let Some((group, key)) = group {
            kept.keep(group, key, &made);
        }
        files.extend(made);
    }
    if let Some(written) = written {
        kept.kept.sitemap = written.into_inner().unwrap_or_else(|e| e.into_inner());
    }
    Ok(Made { files, copies, keys: kept.keys, held: kept.held })
}

/// What the articles at `indices` are made of, for a key: their versions.
/// A feed is made from config.toml and its [`feeds::Item`]s alone, each a
/// function of its article.
fn versions(views: &Views, indices: &[usize]) -> Vec<u64> {
    indices.iter().map(|&i| views.site.articles[i].version).collect()
}

fn file(name: &str, bytes: Vec<u8>) -> File {
    (name.to_string(), Bytes::from(bytes))
}

fn robots(config: &crate::config::Config) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\nSitemap: {}\n",
        config.url("/sitemap.xml"),
        config.url("/news-sitemap.xml")
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
        let text: std::borrow::Cow<str> = match crate::text::control_char(text) {
            None => text.into(),
            Some(_) => text.chars().filter(|&c| !crate::text::forbidden(c)).collect(),
        };
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

    /// How many bytes are written.
    pub fn len(&self) -> usize {
        self.writer.get_ref().len()
    }

    /// The bytes written since there were `start`.
    pub fn since(&self, start: usize) -> &[u8] {
        &self.writer.get_ref()[start..]
    }

    /// `bytes` as they are: what this writer wrote once before, in the same
    /// place of a document (its indentation is the place's).
    pub fn raw(&mut self, bytes: &[u8]) {
        self.writer.get_mut().extend_from_slice(bytes);
    }

    pub fn finish(self) -> Vec<u8> {
        let mut bytes = self.writer.into_inner();
        bytes.push(b'\n');
        bytes
    }
}
