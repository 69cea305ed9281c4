//! Parses kept between builds: the front matter and rendered body (all but
//! its HTML) of every published article, in a file of the cache folder, so
//! that a rebuild parses and renders only the files that changed. A file
//! is taken from it when its text hashes as it did and every answer the
//! site gave its body still holds: the rules `serve` keeps parses by (see
//! [`super::Sources`]). The body's HTML is not kept: the few pages and
//! feeds a rebuild renders make it again ([`super::Again`]).
//!
//! Nothing is trusted that need not be. The file's first line is stamped
//! with broadsheet's version; then comes a hash of what every parse was
//! made under (the program itself, config.toml and `--base-url`), the
//! articles, each one record, and a checksum of all before it. A file
//! that is missing, cut short, altered, from another version or made
//! under another config.toml is ignored, and every file is parsed.
//!
//! A record is the article's content path, the hash of its file's text,
//! the file's [`StatData`] when it was read (zeros when its times were too
//! recent to tell), and the rest (head, article, diagnostics, answers) in
//! MessagePack, read only for the files whose text did not change. A file
//! whose stat data are as recorded is not read at all: its text is the one
//! the hash was taken of (see [`StatData`]).

use std::io;
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{Article, Head, Lookup};
use crate::checked;
use crate::diag::Diagnostic;
use crate::load::StatData;

/// The file's first line.
const STAMP: &[u8] = concat!("broadsheet ", env!("CARGO_PKG_VERSION"), " parses 2\n").as_bytes();

/// One article as an earlier build parsed it.
#[derive(serde::Deserialize)]
pub(crate) struct Record {
    pub head: Head,
    pub article: Article,
    pub diags: Vec<Diagnostic>,
    pub lookups: Vec<Lookup>,
}

/// A record to write: one of the file read, its rest as it was, or a new
/// one.
pub(crate) enum Out<'a> {
    Again { rel: &'a str, hash: u128, stat: Option<StatData> },
    New(RecordRef<'a>),
}

/// A new record, borrowing what it is made of.
#[derive(serde::Serialize)]
pub(crate) struct RecordRef<'a> {
    #[serde(skip)]
    pub hash: u128,
    #[serde(skip)]
    pub stat: Option<StatData>,
    pub head: &'a Head,
    pub article: &'a Article,
    pub diags: &'a [Diagnostic],
    pub lookups: &'a [Lookup],
}

/// Where one record is in the file.
struct Place {
    hash: u128,
    stat: Option<StatData>,
    rest: Range<usize>,
}

/// The file of an earlier build, read and checked.
#[derive(Default)]
pub(crate) struct Kept {
    bytes: Vec<u8>,
    /// By content path: the hash of the text, the stat data, and where
    /// the rest is.
    records: FxHashMap<String, Place>,
    with_stat_data: bool,
}

impl Kept {
    /// The file at `path`, when it can be trusted and was made `under` the
    /// same program and config.toml; else an empty one.
    pub fn load(path: &Path, under: u128) -> Kept {
        let Some((bytes, body)) = checked::read(path, STAMP) else { return Kept::default() };
        match index(&bytes, body, under) {
            Some(records) => {
                let with_stat_data = records.values().any(|place| place.stat.is_some());
                Kept { bytes, records, with_stat_data }
            }
            None => Kept::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// The record of the file at `rel` whose text hashes to `hash`.
    pub fn get(&self, rel: &str, hash: u128) -> Option<Record> {
        self.record(self.records.get(rel).filter(|p| p.hash == hash)?)
    }

    /// The record of the file at `rel` when its stat data are `stat` as
    /// recorded, and the hash of its text.
    pub fn unchanged(&self, rel: &str, stat: &StatData) -> Option<(u128, Record)> {
        let place = self.records.get(rel).filter(|p| p.stat.as_ref() == Some(stat))?;
        Some((place.hash, self.record(place)?))
    }

    fn record(&self, place: &Place) -> Option<Record> {
        rmp_serde::from_slice(&self.bytes[place.rest.clone()]).ok()
    }

    /// Whether some record has its file's stat data.
    pub fn has_stat_data(&self) -> bool {
        self.with_stat_data
    }

    /// The rest of the record of the file at `rel`, as written.
    fn rest(&self, rel: &str) -> Option<&[u8]> {
        self.records.get(rel).map(|place| &self.bytes[place.rest.clone()])
    }
}

/// Where each record is in `bytes`, whose contents are at `body`.
fn index(bytes: &[u8], body: Range<usize>, under: u128) -> Option<FxHashMap<String, Place>> {
    let (mut at, end) = (body.start, body.end);
    let mut take = |n: usize| -> Option<Range<usize>> {
        let range = at..at.checked_add(n).filter(|&e| e <= end)?;
        at = range.end;
        Some(range)
    };
    let number = |range: Range<usize>| u64::from_le_bytes(bytes[range].try_into().expect("8 bytes"));
    if bytes[take(16)?] != under.to_le_bytes() {
        return None;
    }
    let mut records = FxHashMap::default();
    loop {
        if take(0)?.start == end {
            break;
        }
        let len = usize::try_from(number(take(8)?)).ok()?;
        let rel = std::str::from_utf8(&bytes[take(len)?]).ok()?.to_string();
        let hash = u128::from_le_bytes(bytes[take(16)?].try_into().ok()?);
        let (len, ino) = (number(take(8)?), number(take(8)?));
        let (modified, changed) = (number(take(8)?) as i64, number(take(8)?) as i64);
        let stat = StatData { len, ino, modified, changed };
        // An inode is never 0: zeros stand for no stat data.
        let stat = (stat.ino != 0).then_some(stat);
        let len = usize::try_from(number(take(8)?)).ok()?;
        let rest = take(len)?;
        records.insert(rel, Place { hash, stat, rest });
    }
    Some(records)
}

/// How many records are encoded at once: in parallel, without holding the
/// whole file.
const BATCH: usize = 512;

/// Writes `records` to `path`, whole or not at all; those of `old` are
/// copied as they are, not encoded again.
pub(crate) fn store(path: &Path, under: u128, records: &[Out], old: &Kept) -> io::Result<()> {
    let mut file = checked::Writer::create(path, STAMP)?;
    file.put(&under.to_le_bytes())?;
    for batch in records.chunks(BATCH) {
        let encoded: Vec<Option<Vec<u8>>> = batch
            .par_iter()
            .map(|record| match record {
                Out::Again { .. } => Ok(None),
                Out::New(record) => rmp_serde::to_vec(record).map(Some).map_err(io::Error::other),
            })
            .collect::<io::Result<_>>()?;
        for (record, encoded) in batch.iter().zip(encoded) {
            let (rel, hash, stat, rest) = match (record, &encoded) {
                (Out::New(record), Some(encoded)) => (&*record.article.rel, record.hash, record.stat, &encoded[..]),
                (Out::Again { rel, hash, stat }, _) => {
                    (*rel, *hash, *stat, old.rest(rel).ok_or_else(|| io::Error::other("no such record"))?)
                }
                (Out::New(_), None) => unreachable!("new records are encoded"),
            };
            file.put(&(rel.len() as u64).to_le_bytes())?;
            file.put(rel.as_bytes())?;
            file.put(&hash.to_le_bytes())?;
            let stat = stat.map_or([0; 4], |s| [s.len, s.ino, s.modified as u64, s.changed as u64]);
            for number in stat {
                file.put(&number.to_le_bytes())?;
            }
            file.put(&(rest.len() as u64).to_le_bytes())?;
            file.put(rest)?;
        }
    }
    file.finish()
}
