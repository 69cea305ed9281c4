//! A build's rendered bodies, kept on disk from parse until their pages
//! are written, so that the process holds no body in between (issue 16).
//!
//! A build renders every body during parse (the graph and the checks need
//! its headings, links and ids), but writes its page only after the graph
//! and the plan: holding the HTML until then was 78 MB of a 10,000-article
//! build's heap, and grew with the archive. Each body goes instead into
//! one temporary file in the output's parent folder (the filesystem the
//! output is written to), unlinked from the start so that nothing of it
//! outlives the build, even a killed one, and no folder is made for it;
//! pages, feeds and the search index read it back through [`Bodies`].
//! The kernel keeps the file's pages in its cache as long as memory
//! allows, and writes them out, not the build, when it does not.
//!
//! Rendering each body again when its page is written would hold nothing
//! either, but costs a second Markdown parse and highlighting pass: 19 %
//! of a fresh build, against about 3 % for the file (commit message).
//!
//! `serve` keeps its bodies between saves, for the pages a save renders
//! again: it holds them in memory, packed (see [`crate::packed`]; 4× less
//! than the HTML). `check` (which writes nothing) holds the HTML as made.

use std::borrow::Cow;
use std::fs::File;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use super::Article;
use crate::diag::{Diagnostic, Location};
use crate::packed::Packed;

/// Where the bodies of a build wait for their pages.
pub enum Spill {
    /// The temporary file of one build's bodies.
    File {
        file: File,
        /// Where the next body goes: each writer reserves its range, so
        /// that threads write at once without a lock.
        end: AtomicU64,
    },
    /// Each article's body packed beside it, for as long as the article
    /// is kept (`serve`).
    Packed,
}

/// Where an article's body is: its HTML, and its feed HTML when that
/// differs.
#[derive(Debug)]
pub enum Spilled {
    /// In the build's [`Spill::File`].
    File {
        page: Range<u64>,
        feed: Option<Range<u64>>,
    },
    Packed {
        page: Packed,
        feed: Option<Packed>,
    },
}

impl Spill {
    /// A new, empty file in the folder `dir`, which must exist.
    pub fn create(dir: &Path) -> std::io::Result<Spill> {
        Ok(Spill::File { file: tempfile::tempfile_in(dir)?, end: AtomicU64::new(0) })
    }

    /// Puts away `page` and `feed` (the article's HTML), or fails and
    /// keeps nothing usable: the caller then keeps the HTML.
    pub fn put(&self, page: &str, feed: Option<&str>) -> std::io::Result<Spilled> {
        let Spill::File { file, end } = self else {
            let pack = |text: &str| Packed::pack(text.as_bytes());
            return Ok(Spilled::Packed { page: pack(page), feed: feed.map(pack) });
        };
        let write = |text: &str| -> std::io::Result<Range<u64>> {
            let len = text.len() as u64;
            let at = end.fetch_add(len, Ordering::Relaxed);
            file.write_all_at(text.as_bytes(), at)?;
            Ok(at..at + len)
        };
        let page = write(page)?;
        let feed = feed.map(write).transpose()?;
        Ok(Spilled::File { page, feed })
    }

    fn read(&self, range: &Range<u64>) -> std::io::Result<String> {
        let Spill::File { file, .. } = self else {
            return Err(std::io::Error::other("no body of this build was written to a file"));
        };
        let mut bytes = vec![0; (range.end - range.start) as usize];
        file.read_exact_at(&mut bytes, range.start)?;
        String::from_utf8(bytes).map_err(std::io::Error::other)
    }
}

impl Spilled {
    /// The HTML, read back from `spill` or unpacked.
    fn html(&self, spill: Option<&Spill>) -> std::io::Result<Html<'static>> {
        match self {
            Spilled::File { page, feed } => {
                let spill = spill.ok_or_else(|| std::io::Error::other("the build's bodies file is gone"))?;
                let page = Cow::Owned(spill.read(page)?);
                let feed = feed.as_ref().map(|feed| spill.read(feed)).transpose()?.map(Cow::Owned);
                Ok(Html { page, feed })
            }
            Spilled::Packed { page, feed } => {
                let unpack = |packed: &Packed| String::from_utf8(packed.bytes().into_owned()).map(Cow::Owned);
                let page = unpack(page).map_err(std::io::Error::other)?;
                let feed = feed.as_ref().map(unpack).transpose().map_err(std::io::Error::other)?;
                Ok(Html { page, feed })
            }
        }
    }
}

/// Gives the body HTML of the articles of one build.
pub struct Bodies<'a> {
    spill: Option<&'a Spill>,
    /// What makes the HTML of restored articles again.
    again: Option<&'a super::Again<'a>>,
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
    /// The bodies of a build whose articles were spilled into `spill`
    /// (none: every article holds its HTML).
    pub fn new(spill: Option<&'a Spill>) -> Bodies<'a> {
        Bodies { spill, again: None }
    }

    /// The bodies of articles restored from an earlier build's parses are
    /// made again by `again`.
    pub fn again(mut self, again: Option<&'a super::Again<'a>>) -> Bodies<'a> {
        self.again = again;
        self
    }

    /// The body of `article`: the HTML it holds, read back or made again.
    pub fn html<'b>(&self, article: &'b Article) -> Result<Html<'b>, Diagnostic> {
        if article.restored {
            let again = self.again.expect("a build that restores articles can render them again");
            let (page, feed) = again.html(article)?;
            return Ok(Html { page: Cow::Owned(page), feed: feed.map(Cow::Owned) });
        }
        let body = &article.body;
        let Some(spilled) = &article.spilled else {
            return Ok(Html { page: Cow::Borrowed(&body.html), feed: body.feed_html.as_deref().map(Cow::Borrowed) });
        };
        spilled.html(self.spill).map_err(|err| {
            Diagnostic::error(format!("cannot read the rendered body back from the build's temporary file: {err}"))
                .at(Location::file(&format!("content/{}", article.rel)))
                .hint("the folder that holds the output holds that file while the site is built")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_written_from_many_threads_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::create(dir.path()).unwrap();
        let texts: Vec<String> = (0..200).map(|n| format!("<p>Body {n} – “{}”</p>\n", "é".repeat(n))).collect();
        let spilled: Vec<Spilled> = std::thread::scope(|scope| {
            let handles: Vec<_> = texts
                .chunks(50)
                .map(|chunk| {
                    scope.spawn(|| chunk.iter().map(|t| spill.put(t, Some("feed")).unwrap()).collect::<Vec<_>>())
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
        });
        for (text, spilled) in texts.iter().zip(&spilled) {
            let html = spilled.html(Some(&spill)).unwrap();
            assert_eq!(html.page, text.as_str());
            assert_eq!(html.feed(), "feed");
        }
        // Unlinked from the start: the folder shows nothing of it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(Spill::create(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn packed_bodies_unpack_to_their_html() {
        let page = "<p>“It won’t wait,” she said.</p>\n".repeat(50);
        let spilled = Spill::Packed.put(&page, None).unwrap();
        let html = spilled.html(None).unwrap();
        assert_eq!((&*html.page, html.feed()), (page.as_str(), page.as_str()));
        let spilled = Spill::Packed.put(&page, Some("<p>feed</p>")).unwrap();
        assert_eq!(spilled.html(None).unwrap().feed(), "<p>feed</p>");
    }
}
