//! The site `serve` shows: the [`Driver`] keeping its cache from one save
//! to the next, writing into memory. The pages of a build are held packed
//! (see [`crate::packed`]) with the keys they were rendered from, and the
//! next build takes each page whose key did not change from there, as a
//! build takes them from the twin it replaces. Files copied from disk are
//! kept too, by the file's identity (inode, size, time of last change), so
//! that a rebuild reads only the static files and images that changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

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
    /// The files of the last good build.
    last: Arc<Files>,
    /// What every page is packed against: the first page built.
    dictionary: OnceLock<Arc<Dictionary>>,
}

/// Bytes of the files copied from disk, by path, with the file's identity
/// when read.
type Copies = Mutex<HashMap<PathBuf, (Stamp, Bytes)>>;

impl Preview {
    /// Nothing is read until the first [`Preview::build`].
    pub fn new(options: SiteOptions, base_url: &str) -> Preview {
        // The resized images of the site's builds serve here too.
        let cache = crate::write::cache_dir(&options.root.join("public"));
        Preview {
            driver: Driver::keeping(options, Some(base_url)).caching(cache),
            copies: Copies::default(),
            last: Arc::default(),
            dictionary: OnceLock::new(),
        }
    }

    /// Builds the site after the files at `changed` (absolute paths)
    /// changed: exactly the files `build --base-url` writes, with its
    /// report and the files it changed, added or removed since the last
    /// good build (all of them for the first), sorted.
    pub fn build(&mut self, changed: &[PathBuf]) -> Result<(Arc<Files>, Report, Vec<String>), Error> {
        let root = self.driver.options().root.clone();
        forget(self.copies.get_mut().unwrap_or_else(|e| e.into_inner()), &root, changed);
        let mut memory = Memory::new(&self.copies, &self.last, &self.dictionary);
        let report = self.driver.build(changed, &mut memory)?;
        let made: Vec<Arc<str>> = memory
            .made
            .iter_mut()
            .flat_map(|made| made.get_mut().unwrap_or_else(|e| e.into_inner()).drain(..))
            .collect();
        let changed = changed_files(&self.last, &memory.files, &made);
        self.last = Arc::new(memory.files);
        Ok((self.last.clone(), report, changed))
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
            let file = File { packed: Packed::plain(bytes), key: None };
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

/// Forgets the copies under a changed path: checked as well at every
/// build, since a file reached through a symbolic link changes under
/// another path, maybe one nobody watches.
fn forget(copies: &mut HashMap<PathBuf, (Stamp, Bytes)>, root: &Path, changed: &[PathBuf]) {
    if changed.iter().any(|path| !path.starts_with(root)) {
        copies.clear();
    }
    for path in changed {
        copies.retain(|file, _| !file.starts_with(path));
    }
}

/// Output files by path, as one thread wrote them.
type Written = Mutex<Vec<(Arc<str>, File)>>;

/// Files added, removed or changed from `old` to `new`, where `made` are
/// the files of `new` made by its build and every other file of `new` was
/// taken from `old` as it was: only those made are compared, and `old` is
/// searched for files that went only when some did (a save at 10,000
/// articles otherwise looked up 16,823 files, 2.5 ms before the browser
/// is told).
fn changed_files(old: &Files, new: &Files, made: &[Arc<str>]) -> Vec<String> {
    let mut added = 0;
    let mut changed: Vec<String> = Vec::new();
    for path in made {
        match old.get(path) {
            Some(before) if before.packed.same(&new[path].packed) => {}
            Some(_) => changed.push(path.to_string()),
            None => {
                added += 1;
                changed.push(path.to_string());
            }
        }
    }
    if old.len() + added > new.len() {
        changed.extend(old.keys().filter(|path| !new.contains_key(*path)).map(|path| path.to_string()));
    }
    changed.sort();
    changed
}

/// The files of one build, in memory: written by each thread into a list
/// of its own (no thread waits for another), gathered at the commit.
struct Memory<'a> {
    /// By rayon thread, and a last one for any other thread.
    written: Vec<Written>,
    /// The names of the files made (not taken from the last build), the
    /// same way.
    made: Vec<Mutex<Vec<Arc<str>>>>,
    files: Files,
    copies: &'a Copies,
    /// The last build's files.
    last: &'a Files,
    dictionary: &'a OnceLock<Arc<Dictionary>>,
}

impl<'a> Memory<'a> {
    fn new(copies: &'a Copies, last: &'a Files, dictionary: &'a OnceLock<Arc<Dictionary>>) -> Memory<'a> {
        let threads = rayon::current_num_threads();
        let written = (0..=threads).map(|_| Mutex::default()).collect();
        let made = (0..=threads).map(|_| Mutex::default()).collect();
        Memory { written, made, files: Files::default(), copies, last, dictionary }
    }

    /// This thread's slot.
    fn slot(&self) -> usize {
        rayon::current_thread_index().unwrap_or(self.written.len() - 1).min(self.written.len() - 1)
    }

    /// A file taken from the last build.
    fn put(&self, rel: Arc<str>, file: File) {
        self.written[self.slot()].lock().unwrap_or_else(|e| e.into_inner()).push((rel, file));
    }

    /// A file made by this build.
    fn made(&self, rel: &str, file: File) {
        let rel = Arc::<str>::from(rel);
        self.made[self.slot()].lock().unwrap_or_else(|e| e.into_inner()).push(rel.clone());
        self.put(rel, file);
    }
}

impl Sink for Memory<'_> {
    fn write(&self, rel: &str, bytes: Bytes) -> Result<()> {
        self.made(rel, File { packed: Packed::plain(bytes), key: None });
        Ok(())
    }

    /// Pages come with their keys, so that the next build can take them.
    /// Not to be confused with the page ledger of `build`: nothing of it is
    /// kept past the process.
    fn keys_pages(&self) -> bool {
        true
    }

    fn holds(&self, rel: &str, key: Key) -> bool {
        match self.last.get_key_value(rel) {
            Some((name, file)) if file.key == Some(key) => {
                self.put(name.clone(), file.clone());
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
        self.made(rel, File { packed, key });
        Ok(())
    }

    fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        let cannot = |e: std::io::Error| anyhow::anyhow!("cannot read {}: {e}", from.display());
        let stamp = Stamp::of(&std::fs::metadata(from).map_err(cannot)?);
        let kept = self.copies.lock().unwrap_or_else(|e| e.into_inner()).get(from).cloned();
        let bytes = match kept {
            Some((kept, bytes)) if kept == stamp => bytes,
            _ => {
                let bytes = Bytes::from(std::fs::read(from).map_err(cannot)?);
                self.copies
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(from.to_path_buf(), (stamp, bytes.clone()));
                bytes
            }
        };
        self.write(rel, bytes)
    }

    fn commit(&mut self, plan: &Plan) -> Result<()> {
        self.write(write::MARKER, Bytes::from_static(write::MARKER_TEXT.as_bytes()))?;
        self.files.reserve(plan.file_count() + 1);
        for written in &mut self.written {
            self.files.extend(written.get_mut().unwrap_or_else(|e| e.into_inner()).drain(..));
        }
        Ok(())
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

    fn files(entries: &[(&str, &File)]) -> Files {
        entries.iter().map(|(rel, file)| (Arc::from(*rel), (*file).clone())).collect()
    }

    fn plain(text: &'static str) -> File {
        File { packed: Packed::plain(Bytes::from_static(text.as_bytes())), key: None }
    }

    #[test]
    fn changed_files_are_those_made_anew_and_those_gone() {
        let (a, b, c) = (plain("a"), plain("b"), plain("c"));
        let old = files(&[("a", &a), ("b", &b), ("c", &c)]);
        let made: Vec<Arc<str>> = ["b", "d", "e"].map(Arc::from).to_vec();
        // `a` taken as it was; `b` made again with new bytes; `c` gone;
        // `d` new; `e` made again with the same bytes as `a`'s old file.
        let new = files(&[("a", &a), ("b", &plain("B")), ("d", &plain("d")), ("e", &plain("a"))]);
        assert_eq!(changed_files(&old, &new, &made), ["b", "c", "d", "e"]);
        // Nothing gone, nothing new: only what differs.
        let made: Vec<Arc<str>> = ["a", "b"].map(Arc::from).to_vec();
        let new = files(&[("a", &plain("a")), ("b", &plain("B")), ("c", &c)]);
        assert_eq!(changed_files(&old, &new, &made), ["b"]);
        // The first build: everything.
        assert_eq!(changed_files(&Files::default(), &old, &["a", "b", "c"].map(Arc::from)), ["a", "b", "c"]);
    }
}
