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
//! `serve` (which keeps bodies between saves) and `check` (which writes
//! nothing) hold the HTML in memory as before.

use std::borrow::Cow;
use std::fs::File;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use super::Article;
use crate::diag::{Diagnostic, Location};

/// The temporary file of one build's bodies.
pub struct Spill {
    file: File,
    /// Where the next body goes: each writer reserves its range, so that
    /// threads write at once without a lock.
    end: AtomicU64,
}

/// Where an article's body is in the [`Spill`]: its HTML, and its feed
/// HTML when that differs.
#[derive(Debug)]
pub struct Spilled {
    page: Range<u64>,
    feed: Option<Range<u64>>,
}

impl Spill {
    /// A new, empty file in the folder `dir`, which must exist.
    pub fn create(dir: &Path) -> std::io::Result<Spill> {
        Ok(Spill { file: tempfile::tempfile_in(dir)?, end: AtomicU64::new(0) })
    }

    /// Writes `page` and `feed` (the article's HTML), or fails and writes
    /// nothing usable: the caller then keeps the HTML.
    pub fn put(&self, page: &str, feed: Option<&str>) -> std::io::Result<Spilled> {
        let page = self.write(page)?;
        let feed = feed.map(|feed| self.write(feed)).transpose()?;
        Ok(Spilled { page, feed })
    }

    fn write(&self, text: &str) -> std::io::Result<Range<u64>> {
        let len = text.len() as u64;
        let at = self.end.fetch_add(len, Ordering::Relaxed);
        self.file.write_all_at(text.as_bytes(), at)?;
        Ok(at..at + len)
    }

    fn read(&self, range: &Range<u64>) -> std::io::Result<String> {
        let mut bytes = vec![0; (range.end - range.start) as usize];
        self.file.read_exact_at(&mut bytes, range.start)?;
        String::from_utf8(bytes).map_err(std::io::Error::other)
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
        let (Some(spilled), Some(spill)) = (&article.spilled, self.spill) else {
            return Ok(Html { page: Cow::Borrowed(&body.html), feed: body.feed_html.as_deref().map(Cow::Borrowed) });
        };
        let read = || -> std::io::Result<Html<'b>> {
            let page = Cow::Owned(spill.read(&spilled.page)?);
            let feed = spilled.feed.as_ref().map(|feed| spill.read(feed)).transpose()?.map(Cow::Owned);
            Ok(Html { page, feed })
        };
        read().map_err(|err| {
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
            assert_eq!(spill.read(&spilled.page).unwrap(), *text);
            assert_eq!(spill.read(spilled.feed.as_ref().unwrap()).unwrap(), "feed");
        }
        // Unlinked from the start: the folder shows nothing of it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(Spill::create(&dir.path().join("missing")).is_err());
    }
}
