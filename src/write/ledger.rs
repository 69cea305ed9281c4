//! The ledger: which pages the output folder and its twin hold, each by
//! the key of the context it was rendered from (see [`crate::render::key`]),
//! kept in the cache folder between builds. A build writes into the twin,
//! which holds the build before last; a page whose key the ledger gives
//! for the twin's copy is neither rendered nor written again, so a rebuild
//! after one edit renders the few pages that edit changed.
//!
//! Nothing in the file is trusted that need not be. Its first line is
//! stamped with broadsheet's version and the file ends with a checksum of
//! all before it: a ledger that is missing, cut short, altered or from
//! another version is ignored, and every page is rendered. Keys are taken
//! under the program's own hash, config.toml and the theme (the driver
//! says how), so a key never matches across any of them. A build
//! deletes the ledger before it touches the twin and writes a new one only
//! once the new site is in place, so no ledger describes a folder that a
//! failed or killed build left half-written. A page of the twin is taken
//! only if its file is there, of the length recorded, and last modified
//! before that part of the ledger was written: a page changed or removed
//! by hand since is rendered again.
//!
//! Each part also names the folder's other files, so that it names every
//! file the folder held: the commit then reads only the twin's folders
//! modified since (see [`crate::write`]), not all of them.
//!
//! The file: the stamp line, then two parts (the output's, then the
//! twin's), each the time it was written (nanoseconds since the epoch), a
//! count and the pages (name, key, length), a count and the other files
//! (name), and the checksum.

use std::fs;
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustc_hash::FxHashMap;

use crate::checked;
use crate::render::key::Key;

/// The ledger file's first line.
const STAMP: &[u8] = concat!("broadsheet ", env!("CARGO_PKG_VERSION"), " page ledger 2\n").as_bytes();

/// One page of a folder: its key and the length of its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub key: Key,
    pub len: u64,
}

/// What a build takes from the ledger.
#[derive(Default)]
pub struct Ledger {
    /// The pages of the twin, when the ledger names them.
    twin: FxHashMap<Box<str>, Entry>,
    /// Its other files: with the pages, every file it held.
    twin_others: Vec<Box<str>>,
    /// Pages of the twin last modified after this were changed by hand.
    twin_written: Option<SystemTime>,
    /// The part of the output's pages, as stored: the twin's part of the
    /// next ledger, once this build's output takes the output's place.
    output_part: Vec<u8>,
}

impl Ledger {
    /// Reads the ledger at `path` and deletes it: the build about to run
    /// changes the twin. An untrusted ledger reads as an empty one.
    pub fn take(path: &Path) -> Ledger {
        let read = checked::read(path, STAMP);
        let _ = fs::remove_file(path);
        read.and_then(|(bytes, body)| Ledger::parse(&bytes[body])).unwrap_or_default()
    }

    fn parse(body: &[u8]) -> Option<Ledger> {
        let mut reader = Reader(body);
        let output_part = reader.part()?.to_vec();
        let twin_part = reader.part()?;
        if !reader.0.is_empty() {
            return None;
        }
        let Part { written, pages, others } = read_part(twin_part)?;
        Some(Ledger { twin: pages, twin_others: others, twin_written: Some(written), output_part })
    }

    /// Every file the twin held when its part was written, and when that
    /// was; `None` when the ledger does not name the twin.
    pub fn twin_files(&self) -> Option<(SystemTime, Vec<&str>)> {
        let written = self.twin_written?;
        let pages = self.twin.keys().map(|rel| &**rel);
        Some((written, pages.chain(self.twin_others.iter().map(|rel| &**rel)).collect()))
    }

    /// The twin's page at `rel`, when it was rendered from a context of
    /// key `key` and is still as it was written, and its length.
    pub fn twin_holds(&self, twin: &Path, rel: &str, key: Key) -> Option<u64> {
        let entry = self.twin.get(rel).filter(|e| e.key == key)?;
        let written = self.twin_written?;
        let meta = fs::symlink_metadata(twin.join(rel)).ok()?;
        let untouched = meta.is_file() && meta.len() == entry.len && meta.modified().is_ok_and(|m| m <= written);
        untouched.then_some(entry.len)
    }

    /// Forgets the twin's pages: the twin is not the folder they were
    /// written into.
    pub fn forget_twin(&mut self) {
        self.twin.clear();
        self.twin_others.clear();
        self.twin_written = None;
    }

    /// Writes the ledger after a build whose output holds `pages` and the
    /// files `others`, and whose twin holds the output before it, at
    /// `path`, whole or not at all.
    pub fn store(self, path: &Path, pages: &[(String, Entry)], others: &[&str]) -> io::Result<()> {
        let mut bytes = Vec::new();
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO).as_nanos() as u64;
        bytes.extend_from_slice(&now.to_le_bytes());
        bytes.extend_from_slice(&(pages.len() as u64).to_le_bytes());
        for (rel, entry) in pages {
            bytes.extend_from_slice(&(rel.len() as u64).to_le_bytes());
            bytes.extend_from_slice(rel.as_bytes());
            bytes.extend_from_slice(&entry.key.to_le_bytes());
            bytes.extend_from_slice(&entry.len.to_le_bytes());
        }
        bytes.extend_from_slice(&(others.len() as u64).to_le_bytes());
        for rel in others {
            bytes.extend_from_slice(&(rel.len() as u64).to_le_bytes());
            bytes.extend_from_slice(rel.as_bytes());
        }
        if self.output_part.is_empty() {
            // No earlier output known: a twin's part of no files, written
            // at the epoch.
            bytes.extend_from_slice(&[0; 24]);
        } else {
            bytes.extend_from_slice(&self.output_part);
        }
        let mut file = checked::Writer::create(path, STAMP)?;
        file.put(&bytes)?;
        file.finish()
    }
}

/// One part of the ledger, read.
struct Part {
    written: SystemTime,
    pages: FxHashMap<Box<str>, Entry>,
    others: Vec<Box<str>>,
}

/// The time, pages and other files of one part.
fn read_part(part: &[u8]) -> Option<Part> {
    let mut reader = Reader(part);
    let written = UNIX_EPOCH + Duration::from_nanos(reader.u64()?);
    let count = reader.u64()?;
    let mut pages = FxHashMap::default();
    pages.reserve(usize::try_from(count).ok()?.min(part.len()));
    for _ in 0..count {
        let len = usize::try_from(reader.u64()?).ok()?;
        let rel = std::str::from_utf8(reader.take(len)?).ok()?;
        let key = Key::from_le_bytes(reader.take(16)?.try_into().ok()?);
        let len = reader.u64()?;
        pages.insert(Box::from(rel), Entry { key, len });
    }
    let count = reader.u64()?;
    let mut others = Vec::with_capacity(usize::try_from(count).ok()?.min(part.len()));
    for _ in 0..count {
        let len = usize::try_from(reader.u64()?).ok()?;
        others.push(Box::from(std::str::from_utf8(reader.take(len)?).ok()?));
    }
    reader.0.is_empty().then_some(Part { written, pages, others })
}

/// Reads a ledger's bytes front to back; `None` past their end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (taken, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(taken)
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    /// One part, whole: its time, pages and other files.
    fn part(&mut self) -> Option<&'a [u8]> {
        let start = self.0;
        self.u64()?;
        let count = self.u64()?;
        for _ in 0..count {
            let len = usize::try_from(self.u64()?).ok()?;
            self.take(len)?;
            self.take(24)?;
        }
        let count = self.u64()?;
        for _ in 0..count {
            let len = usize::try_from(self.u64()?).ok()?;
            self.take(len)?;
        }
        Some(&start[..start.len() - self.0.len()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn page(rel: &str, key: Key, len: u64) -> (String, Entry) {
        (rel.to_string(), Entry { key, len })
    }

    /// A twin folder holding `files`, and a ledger in which the output
    /// held them and then a build's output took its place.
    fn twin_and_ledger(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let twin = dir.path().join("twin");
        let mut pages = Vec::new();
        for (i, (rel, text)) in files.iter().enumerate() {
            fs::create_dir_all(twin.join(rel).parent().unwrap()).unwrap();
            fs::write(twin.join(rel), text).unwrap();
            pages.push(page(rel, i as Key + 1, text.len() as u64));
        }
        let path = dir.path().join("cache/pages");
        Ledger::default().store(&path, &pages, &["style.css"]).unwrap();
        Ledger::take(&path).store(&path, &[page("a/index.html", 99, 3)], &[]).unwrap();
        (dir, path)
    }

    #[test]
    fn the_outputs_pages_become_the_twins() {
        let (dir, path) = twin_and_ledger(&[("a/index.html", "one"), ("b/index.html", "two")]);
        let twin = dir.path().join("twin");
        let ledger = Ledger::take(&path);
        assert!(!path.exists(), "a build takes the ledger away");
        assert_eq!(ledger.twin_holds(&twin, "a/index.html", 1), Some(3));
        assert_eq!(ledger.twin_holds(&twin, "b/index.html", 2), Some(3));
        assert_eq!(ledger.twin_holds(&twin, "a/index.html", 99), None, "another key");
        assert_eq!(ledger.twin_holds(&twin, "c/index.html", 1), None);
        let (_, mut files) = ledger.twin_files().unwrap();
        files.sort();
        assert_eq!(files, ["a/index.html", "b/index.html", "style.css"]);
    }

    #[test]
    fn pages_changed_or_removed_by_hand_are_not_taken() {
        let (dir, path) = twin_and_ledger(&[("a/index.html", "one"), ("b/index.html", "two"), ("c.html", "c")]);
        let twin = dir.path().join("twin");
        std::thread::sleep(Duration::from_millis(20));
        fs::write(twin.join("a/index.html"), "ONE").unwrap();
        fs::write(twin.join("b/index.html"), "longer").unwrap();
        fs::remove_file(twin.join("c.html")).unwrap();
        let ledger = Ledger::take(&path);
        assert_eq!(ledger.twin_holds(&twin, "a/index.html", 1), None, "modified since");
        assert_eq!(ledger.twin_holds(&twin, "b/index.html", 2), None, "another length");
        assert_eq!(ledger.twin_holds(&twin, "c.html", 3), None, "gone");
    }

    #[test]
    fn a_ledger_cut_short_altered_or_from_another_version_is_ignored() {
        let (dir, path) = twin_and_ledger(&[("a/index.html", "one")]);
        let twin = dir.path().join("twin");
        let good = fs::read(&path).unwrap();
        let holds = |bytes: &[u8]| {
            fs::write(&path, bytes).unwrap();
            Ledger::take(&path).twin_holds(&twin, "a/index.html", 1).is_some()
        };
        assert!(holds(&good));
        assert!(!holds(&good[..good.len() - 1]), "cut short");
        assert!(!holds(&good[..good.len() / 2]), "cut in half");
        assert!(!holds(b""), "empty");
        let mut altered = good.clone();
        let at = STAMP.len() + 20;
        altered[at] ^= 1;
        assert!(!holds(&altered), "altered");
        // Another version's ledger, whole and with its own checksum.
        let mut other = b"broadsheet 0.0.1 page ledger 2\n".to_vec();
        other.extend_from_slice(&good[STAMP.len()..good.len() - 16]);
        let sum = xxhash_rust::xxh3::xxh3_128(&other);
        other.extend_from_slice(&sum.to_le_bytes());
        assert!(!holds(&other), "another version");
        fs::remove_file(&path).ok();
        assert!(Ledger::take(&path).twin_holds(&twin, "a/index.html", 1).is_none(), "missing");
    }

    #[test]
    fn a_twin_that_is_not_the_ledgers_is_forgotten() {
        let (dir, path) = twin_and_ledger(&[("a/index.html", "one")]);
        let mut ledger = Ledger::take(&path);
        ledger.forget_twin();
        assert_eq!(ledger.twin_holds(&dir.path().join("twin"), "a/index.html", 1), None);
        assert!(ledger.twin_files().is_none());
    }
}
