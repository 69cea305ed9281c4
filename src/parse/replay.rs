//! Article bodies rendered again when their pages are written, so that a
//! build holds no body in memory from parse to render (issue 16).
//!
//! A build's parse renders each body once for what the graph and the
//! checks need (headings, links, words, diagnostics), with code left
//! plain, and drops the HTML. Its pages, feeds and search index then ask
//! [`Bodies`] for the HTML: the file is read again and rendered with its
//! code highlighted, the index's answers replayed from the first
//! rendering ([`Replay`]), which makes the same HTML the first rendering
//! would have made with highlighting. `serve` (which keeps every body for
//! its next save) and `check` (whose plain code is final) keep the HTML of
//! the first rendering instead.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

use super::embeds::{Card, Def, Embeds};
use super::markdown::{self, AssetUse, Origin, Resolve};
use super::{Article, Lookup};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::highlight::Code;

/// What it takes to render an article's body again: its file as it was
/// read, and every answer the index gave the first rendering.
#[derive(Debug)]
pub struct Replay {
    pub(super) abs: PathBuf,
    /// Of the file's text: a file that changed since is not rendered.
    pub(super) hash: u128,
    pub(super) offset: usize,
    pub(super) lookups: Vec<Lookup>,
}

/// Gives the body HTML of the articles of one build.
pub struct Bodies<'a> {
    config: &'a Config,
    embeds: &'a Embeds,
    code: Code<'a>,
    /// Bodies rendered again for the feeds (the newest articles, in up to
    /// four feeds each), by content path, until their page takes them.
    shared: Mutex<FxHashMap<String, Arc<Rendered>>>,
}

/// A body's HTML, rendered again.
#[derive(Clone)]
struct Rendered {
    page: String,
    feed: Option<String>,
}

/// The HTML of a body: for the page, and for feeds.
pub struct Html<'a> {
    pub page: Cow<'a, str>,
    /// What feeds carry, where embeds render differently there.
    pub feed: Option<Cow<'a, str>>,
}

impl Html<'_> {
    pub fn feed(&self) -> &str {
        self.feed.as_deref().unwrap_or(&self.page)
    }
}

impl<'a> Bodies<'a> {
    /// Bodies rendered again with `config`, `embeds` and code made as
    /// `code` says.
    pub fn new(config: &'a Config, embeds: &'a Embeds, code: Code<'a>) -> Bodies<'a> {
        Bodies { config, embeds, code, shared: Default::default() }
    }

    /// The body of `article`, for its page: the HTML it holds, or rendered
    /// again (or taken from the feeds that asked for it first).
    pub fn html<'b>(&self, article: &'b Article) -> Result<Html<'b>, Diagnostic> {
        let Some(replay) = &article.replay else {
            let body = &article.body;
            return Ok(Html { page: Cow::Borrowed(&body.html), feed: body.feed_html.as_deref().map(Cow::Borrowed) });
        };
        let shared = self.shared.lock().unwrap_or_else(|e| e.into_inner()).remove(&article.rel);
        let rendered = match shared {
            Some(shared) => Arc::unwrap_or_clone(shared),
            None => self.render(article, replay)?,
        };
        Ok(Html { page: Cow::Owned(rendered.page), feed: rendered.feed.map(Cow::Owned) })
    }

    /// The body of `article` for a feed: rendered again at most once for
    /// all the feeds that carry it and its page, which is written later.
    pub fn for_feed<'b>(&self, article: &'b Article) -> Result<Html<'b>, Diagnostic> {
        let Some(replay) = &article.replay else { return self.html(article) };
        let shared = self.shared.lock().unwrap_or_else(|e| e.into_inner()).get(&article.rel).cloned();
        let rendered = match shared {
            Some(shared) => shared,
            None => {
                let rendered = Arc::new(self.render(article, replay)?);
                let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
                shared.insert(article.rel.clone(), rendered.clone());
                rendered
            }
        };
        Ok(Html { page: Cow::Owned(rendered.page.clone()), feed: rendered.feed.clone().map(Cow::Owned) })
    }

    fn render(&self, article: &Article, replay: &Replay) -> Result<Rendered, Diagnostic> {
        let text = crate::load::read_article(article.rel.clone(), &replay.abs)?.text;
        if xxhash_rust::xxh3::xxh3_128(text.as_bytes()) != replay.hash {
            return Err(super::sources::changed_meanwhile(&article.rel));
        }
        let origin = Origin::body(&article.rel, &text, replay.offset);
        let resolve = Replayer { bodies: self, lookups: &replay.lookups };
        // The first rendering reported every problem of this text.
        let body = markdown::render(&origin, &resolve, &mut Vec::new());
        Ok(Rendered { page: body.html, feed: body.feed_html })
    }
}

/// Answers a body's questions as the index answered them the first time.
struct Replayer<'r> {
    bodies: &'r Bodies<'r>,
    lookups: &'r [Lookup],
}

impl Resolve for Replayer<'_> {
    fn code_html(&self, lang: &str, code: &str) -> String {
        self.bodies.code.html(lang, code)
    }

    fn site_path<'u>(&self, url: &'u str) -> Option<&'u str> {
        super::site_path(self.bodies.config, url)
    }

    fn article_url(&self, path: &str) -> Option<&str> {
        self.lookups.iter().find_map(|lookup| match lookup {
            Lookup::ArticleUrl { path: asked, url } if asked == path => Some(url.as_deref()),
            _ => None,
        })?
    }

    fn asset(&self, _rel: &str, path: &str) -> Option<AssetUse> {
        self.lookups.iter().find_map(|lookup| match lookup {
            Lookup::Asset { path: asked, found } if asked == path => Some(found.clone()),
            _ => None,
        })?
    }

    fn embed(&self, name: &str) -> Option<&Def> {
        self.bodies.embeds.get(name)
    }

    fn embed_names(&self) -> Vec<&str> {
        self.bodies.embeds.names().collect()
    }

    fn render_embed(&self, name: &str, context: &serde_json::Value) -> Result<String, String> {
        self.bodies.embeds.render(name, context)
    }

    fn article_card(&self, path: &str) -> Option<Card> {
        self.lookups.iter().find_map(|lookup| match lookup {
            Lookup::Card { path: asked, card } if asked == path => Some(card.clone()),
            _ => None,
        })?
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::parse::markdown::Output;
    use crate::parse::{Index, finish, parse_head};

    const CONFIG: &str = "title = \"T\"\nbase_url = \"https://x.test\"\n[categories.world]\n";
    const A: &str = "+++\ntitle = \"A\"\ndate = 2025-03-07\n+++\nSee [b](@/world/b.md#key) and a note.[^n]\n\n\
                     ```rust\nfn main() { let won't = \"x\"; }\n```\n\n```{card}\nto = \"@/world/b.md\"\n```\n\n\
                     [^n]: The note.\n";
    const B: &str = "+++\ntitle = \"B\"\ndate = 2025-03-06\n+++\n## Key\n\nText.\n";

    /// An article rendered as a build renders it (code plain, HTML
    /// dropped) and the HTML it would have held, highlighted.
    fn rendered(dir: &std::path::Path) -> (Article, String) {
        let config = crate::config::parse(CONFIG).unwrap();
        let embeds = embeds();
        let (a, b) = (parse_head(&config, "world/a.md", A).unwrap(), parse_head(&config, "world/b.md", B).unwrap());
        let sizes = Default::default();
        let index = || Index::new(&config, std::iter::empty(), &[&a, &b], &sizes, &embeds, &mut Vec::new());
        let held = finish(&index(), A, &a, Output::Html).article.body.html;
        let mut first = finish(&index().coding(Code::Plain), A, &a, Output::Outline);
        assert_eq!(first.article.body.html, "");
        let abs = dir.join("a.md");
        std::fs::write(&abs, A).unwrap();
        let hash = xxhash_rust::xxh3::xxh3_128(A.as_bytes());
        let lookups = std::mem::take(&mut first.lookups);
        first.article.replay = Some(Replay { abs, hash, offset: a.body_offset, lookups });
        (first.article, held)
    }

    fn embeds() -> Embeds {
        let files = BTreeMap::from([
            ("card.toml".to_string(), "[args.to]\ntype = \"article\"\nrequired = true\n".to_string()),
            ("card.html".to_string(), "<a href=\"{{ to.url }}\">{{ to.headline }}</a>".to_string()),
        ]);
        let mut diags = Vec::new();
        let embeds = Embeds::new(&files, &BTreeMap::new(), &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        embeds
    }

    #[test]
    fn a_body_rendered_again_is_the_body_that_would_have_been_held() {
        let dir = tempfile::tempdir().unwrap();
        let (article, held) = rendered(dir.path());
        assert!(held.contains("<span class=\"hl-source hl-rust\">"), "{held}");
        assert!(held.contains("href=\"https://x.test/world/b/#key\""), "{held}");
        assert!(held.contains("<a href=\"https://x.test/world/b/\">B</a>"), "{held}");
        let config = crate::config::parse(CONFIG).unwrap();
        let embeds = embeds();
        let bodies = Bodies::new(&config, &embeds, Code::Highlighted);
        assert_eq!(bodies.html(&article).unwrap().page, held);
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_not_rendered_again() {
        let dir = tempfile::tempdir().unwrap();
        let (article, _) = rendered(dir.path());
        std::fs::write(dir.path().join("a.md"), A.replace("a note", "two notes")).unwrap();
        let config = crate::config::parse(CONFIG).unwrap();
        let embeds = embeds();
        let problem = Bodies::new(&config, &embeds, Code::Highlighted).html(&article).err().unwrap();
        assert_eq!(problem.message, "the file changed while the site was being built");
        assert_eq!(problem.location.unwrap().path, "content/world/a.md");
        std::fs::remove_file(dir.path().join("a.md")).unwrap();
        let problem = Bodies::new(&config, &embeds, Code::Highlighted).html(&article).err().unwrap();
        assert!(problem.message.starts_with("cannot read file"), "{}", problem.message);
    }
}
