//! The site `serve` shows: the [`Driver`] keeping its cache from one save
//! to the next, writing into memory. The pages of a build are held packed
//! (see [`crate::packed`]) with the keys they were rendered from, and the
//! next build takes each page whose key did not change from there, as a
//! build takes them from the twin it replaces. Files copied from disk are
//! kept too, so that a rebuild reads only the static files and images that
//! changed: those the watcher tells of, and those reached through a
//! symbolic link whose identity (inode, size, time of last change) did.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use anyhow::Result;
use bytes::Bytes;

use super::{File, Files};
use crate::diag::Error;
use crate::driver::Driver;
use crate::driver::{Report, SiteOptions};
use crate::packed::{Dictionary, Packed};
use crate::plan::Plan;
use crate::render::key::Key;
use crate::write::{self, Sink};

/// A site built in memory, again and again.
pub struct Preview {
    driver: Driver,
    copies: Copies,
    /// The files of the last good build, which the server reads.
    files: Arc<RwLock<Files>>,
    /// The number of the last build (see [`File::built`]).
    builds: u32,
    /// What every page is packed against: the first page built.
    dictionary: OnceLock<Arc<Dictionary>>,
}

/// The files copied from disk, by path.
type Copies = Mutex<HashMap<PathBuf, Copied>>;

/// A file copied from disk, as it was read.
#[derive(Clone)]
struct Copied {
    stamp: Stamp,
    bytes: Bytes,
    /// Under a folder the watcher watches and reached by no symbolic link:
    /// the watcher tells of every change to it.
    watched: bool,
}

impl Preview {
    /// Nothing is read until the first [`Preview::build`].
    pub fn new(options: SiteOptions, base_url: &str) -> Preview {
        // The resized images of the site's builds serve here too.
        let cache = crate::write::cache_dir(&options.root.join("public"));
        Preview {
            driver: Driver::keeping(options, Some(base_url)).caching(cache),
            copies: Copies::default(),
            files: Arc::default(),
            builds: 0,
            dictionary: OnceLock::new(),
        }
    }

    /// The files of the last good build: every [`Preview::build`] that
    /// succeeds changes them in place.
    pub fn files(&self) -> Arc<RwLock<Files>> {
        self.files.clone()
    }

    /// Builds the site after the files at `changed` (absolute paths)
    /// changed, and makes [`Preview::files`] exactly the files `build
    /// --base-url` writes; returns its report and the files it changed,
    /// added or removed since the last good build (all of them for the
    /// first), sorted. A build that fails leaves the files as they were.
    ///
    /// The files change in place: the pages the build made go in, those it
    /// did not make and did not keep (marked by [`Sink::holds`]) go out.
    /// Making a new map of every file instead (16,823 at 10,000 articles,
    /// most of them kept) took 2–4 ms of each save.
    pub fn build(&mut self, changed: &[PathBuf]) -> Result<(Report, Vec<String>), Error> {
        let root = self.driver.options().root.clone();
        forget(self.copies.get_mut().unwrap_or_else(|e| e.into_inner()), &root, changed);
        self.builds = self.builds.wrapping_add(1);
        let build = self.builds;
        // Read while the build runs, as the server does meanwhile.
        let last = self.files.read().unwrap_or_else(|e| e.into_inner());
        let watched = super::watch::SOURCES.map(|folder| root.join(folder));
        let mut memory = Memory::new(&self.copies, &watched, &last, &self.dictionary, build);
        let report = self.driver.build(changed, &mut memory)?;
        let made: Vec<(Arc<str>, File)> = memory
            .made
            .iter_mut()
            .flat_map(|made| made.get_mut().unwrap_or_else(|e| e.into_inner()).drain(..))
            .collect();
        let mut changed = changed_files(&last, &made);
        drop(last);
        let gone = apply(&mut self.files.write().unwrap_or_else(|e| e.into_inner()), made, build);
        changed.extend(gone);
        changed.sort();
        changed.dedup();
        Ok((report, changed))
    }
}

/// The search index of the site for `serve`, made apart from its builds:
/// Pagefind makes an index in one go, which at 10,000 articles takes far
/// longer than a save may, so `serve` makes it once, in the background
/// when it starts (from the cache of the site's `public/` when that holds
/// the same index), and does not make it again as articles change.
pub fn search_index(options: &SiteOptions, base_url: &str) -> Result<Files, Error> {
    // Nothing to index: no second build in the background, nor its memory.
    if let Ok(text) = crate::config::read(&options.root)
        && crate::config::parse(&text).is_ok_and(|config| !config.search)
    {
        return Ok(Files::default());
    }
    let cache = crate::write::cache_dir(&options.root.join("public"));
    let mut only = SearchFiles::default();
    Driver::once(options.clone(), Some(base_url)).caching(cache).searching().build(&[], &mut only)?;
    Ok(only.files.into_inner().unwrap_or_else(|e| e.into_inner()))
}

/// Keeps the files of the search index, and drops the rest.
#[derive(Default)]
struct SearchFiles {
    files: Mutex<Files>,
}

impl Sink for SearchFiles {
    fn write(&self, rel: &str, bytes: Bytes) -> Result<()> {
        if rel.starts_with(crate::outputs::search::FOLDER)
            && rel[crate::outputs::search::FOLDER.len()..].starts_with('/')
        {
            let file = File::new(Packed::plain(bytes), None);
            self.files.lock().unwrap_or_else(|e| e.into_inner()).insert(Arc::from(rel), file);
        }
        Ok(())
    }

    fn copy(&self, _: &str, _: &Path) -> Result<()> {
        Ok(())
    }

    fn commit(&mut self, _: &Plan) -> Result<()> {
        Ok(())
    }
}

/// Forgets the copies under a changed path. Those not watched are checked
/// as well at every build: a file reached through a symbolic link changes
/// under another path, maybe one nobody watches.
fn forget(copies: &mut HashMap<PathBuf, Copied>, root: &Path, changed: &[PathBuf]) {
    if changed.iter().any(|path| !path.starts_with(root)) {
        copies.clear();
    }
    for path in changed {
        copies.retain(|file, _| !file.starts_with(path));
    }
}

/// The files of `made` added or changed since `old`: those whose bytes
/// differ from the old file's, or that are new. Only those made are
/// compared: every other file is either kept as it was or gone.
fn changed_files(old: &Files, made: &[(Arc<str>, File)]) -> Vec<String> {
    made.iter()
        .filter(|(path, file)| old.get(path).is_none_or(|before| !before.packed.same(&file.packed)))
        .map(|(path, _)| path.to_string())
        .collect()
}

/// Makes `files` those of build number `build`, whose files not in `made`
/// were marked as kept where they are; returns the paths of the files gone.
fn apply(files: &mut Files, made: Vec<(Arc<str>, File)>, build: u32) -> Vec<String> {
    files.extend(made);
    let mut gone = Vec::new();
    files.retain(|path, file| {
        let kept = *file.built.get_mut() == build;
        if !kept {
            gone.push(path.to_string());
        }
        kept
    });
    gone
}

/// Files made by a build, by path, as one thread made them.
type Made = Mutex<Vec<(Arc<str>, File)>>;

/// The files of one build, in memory: those made, each thread into a list
/// of its own (no thread waits for another); those kept from the last
/// build, marked where they are.
struct Memory<'a> {
    /// By rayon thread, and a last one for any other thread.
    made: Vec<Made>,
    copies: &'a Copies,
    /// The folders the watcher watches (see [`Copied::watched`]).
    watched: &'a [PathBuf],
    /// The last build's files.
    last: &'a Files,
    /// This build's number, which its files are marked with.
    build: u32,
    dictionary: &'a OnceLock<Arc<Dictionary>>,
}

impl<'a> Memory<'a> {
    fn new(
        copies: &'a Copies,
        watched: &'a [PathBuf],
        last: &'a Files,
        dictionary: &'a OnceLock<Arc<Dictionary>>,
        build: u32,
    ) -> Memory<'a> {
        let made = (0..=rayon::current_num_threads()).map(|_| Mutex::default()).collect();
        Memory { made, copies, watched, last, build, dictionary }
    }

    /// Whether the watcher tells of every change to the file at `path`
    /// (absolute, as the plan's are).
    fn watched(&self, path: &Path) -> bool {
        self.watched.iter().any(|folder| path.starts_with(folder))
            && std::fs::canonicalize(path).is_ok_and(|real| real == path)
    }

    /// `bytes` copied to `rel`: kept where the last build put the same
    /// bytes, made otherwise.
    fn copied(&self, rel: &str, bytes: Bytes) -> Result<()> {
        match self.last.get(rel) {
            Some(file) if file.key.is_none() && file.packed.same(&Packed::plain(bytes.clone())) => {
                file.built.store(self.build, Ordering::Relaxed);
                Ok(())
            }
            _ => self.write(rel, bytes),
        }
    }

    /// A file made by this build.
    fn made(&self, rel: &str, packed: Packed, key: Option<Key>) {
        let slot = rayon::current_thread_index().unwrap_or(self.made.len() - 1).min(self.made.len() - 1);
        let file = File { packed, key, built: AtomicU32::new(self.build) };
        self.made[slot].lock().unwrap_or_else(|e| e.into_inner()).push((Arc::from(rel), file));
    }
}

impl Sink for Memory<'_> {
    fn write(&self, rel: &str, bytes: Bytes) -> Result<()> {
        self.made(rel, Packed::plain(bytes), None);
        Ok(())
    }

    /// Pages come with their keys, so that the next build can take them.
    /// Not to be confused with the page ledger of `build`: nothing of it is
    /// kept past the process.
    fn keys_pages(&self) -> bool {
        true
    }

    fn holds(&self, rel: &str, key: Key) -> bool {
        match self.last.get(rel) {
            Some(file) if file.key == Some(key) => {
                file.built.store(self.build, Ordering::Relaxed);
                true
            }
            _ => false,
        }
    }

    fn write_page(&self, rel: &str, key: Option<Key>, bytes: Bytes) -> Result<()> {
        // Pages are packed; feeds and sitemaps, a few megabytes in all but
        // made again at every save that changes an article they list, are
        // not (packing them took 4 ms of a one-paragraph save at 10,000
        // articles). The first page packed is the dictionary of all: which
        // page that is does not matter, they share most of their markup.
        let packed = if rel.ends_with(".html") {
            let dictionary = self.dictionary.get_or_init(|| Arc::new(Dictionary::new(&bytes)));
            Packed::pack_with(&bytes, Some(dictionary))
        } else {
            Packed::plain(bytes)
        };
        self.made(rel, packed, key);
        Ok(())
    }

    /// A watched file read before and not changed since is taken as it
    /// was, not even its identity read again: at 10,000 articles, a save
    /// looked up the 939 images of the corpus on disk, 1.5 ms.
    fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        let kept = self.copies.lock().unwrap_or_else(|e| e.into_inner()).get(from).cloned();
        if let Some(kept) = &kept
            && kept.watched
        {
            return self.copied(rel, kept.bytes.clone());
        }
        let cannot = |e: std::io::Error| anyhow::anyhow!("cannot read {}: {e}", from.display());
        let stamp = Stamp::of(&std::fs::metadata(from).map_err(cannot)?);
        let bytes = match kept {
            Some(kept) if kept.stamp == stamp => kept.bytes,
            _ => {
                let bytes = Bytes::from(std::fs::read(from).map_err(cannot)?);
                let copied = Copied { stamp, bytes: bytes.clone(), watched: self.watched(from) };
                self.copies.lock().unwrap_or_else(|e| e.into_inner()).insert(from.to_path_buf(), copied);
                bytes
            }
        };
        self.copied(rel, bytes)
    }

    fn commit(&mut self, _: &Plan) -> Result<()> {
        self.write(write::MARKER, Bytes::from_static(write::MARKER_TEXT.as_bytes()))
    }
}

/// What identifies a file's contents cheaply: its inode, size and time of
/// last change.
#[derive(Clone, PartialEq, Eq)]
struct Stamp {
    inode: u64,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp { inode: meta.ino(), len: meta.len(), modified: meta.modified().ok() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &'static str, build: u32) -> File {
        File { packed: Packed::plain(Bytes::from_static(text.as_bytes())), key: None, built: build.into() }
    }

    #[test]
    fn files_made_go_in_files_neither_made_nor_kept_go_out() {
        let mut files: Files = [("a", "a"), ("b", "b"), ("c", "c"), ("e", "e")]
            .into_iter()
            .map(|(path, text)| (Arc::from(path), file(text, 1)))
            .collect();
        // Build 2 keeps `a` (marked), makes `b` again with new bytes, `d`
        // anew and `e` again with the same bytes; `c` is neither.
        files["a"].built.store(2, Ordering::Relaxed);
        let made: Vec<(Arc<str>, File)> = [("b", "B"), ("d", "d"), ("e", "e")]
            .into_iter()
            .map(|(path, text)| (Arc::from(path), file(text, 2)))
            .collect();
        assert_eq!(changed_files(&files, &made), ["b", "d"]);
        assert_eq!(apply(&mut files, made, 2), ["c"]);
        let mut now: Vec<(&str, String)> = files
            .iter()
            .map(|(path, file)| (&**path, String::from_utf8(file.packed.bytes().to_vec()).unwrap()))
            .collect();
        now.sort();
        assert_eq!(now, [("a", "a".into()), ("b", "B".into()), ("d", "d".into()), ("e", "e".into())]);
        // The first build: everything is new.
        let made = vec![(Arc::from("a"), file("a", 1))];
        assert_eq!(changed_files(&Files::default(), &made), ["a"]);
    }
}
