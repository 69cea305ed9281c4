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
//! and the rest (head, article, diagnostics, answers) in MessagePack, read
//! only for the files whose text did not change.

use std::io;
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{Article, Head, Lookup};
use crate::checked;
use crate::diag::Diagnostic;

/// The file's first line.
const STAMP: &[u8] = concat!("broadsheet ", env!("CARGO_PKG_VERSION"), " parses 1\n").as_bytes();

/// One article as an earlier build parsed it.
#[derive(serde::Deserialize)]
pub(crate) struct Record {
    pub head: Head,
    pub article: Article,
    pub diags: Vec<Diagnostic>,
    pub lookups: Vec<Lookup>,
}

/// A record to write: one of the file read, as it was, or a new one.
pub(crate) enum Out<'a> {
    Again(&'a str),
    New(RecordRef<'a>),
}

/// A new record, borrowing what it is made of.
#[derive(serde::Serialize)]
pub(crate) struct RecordRef<'a> {
    #[serde(skip)]
    pub hash: u128,
    pub head: &'a Head,
    pub article: &'a Article,
    pub diags: &'a [Diagnostic],
    pub lookups: &'a [Lookup],
}

/// Where one record is in the file.
struct Place {
    hash: u128,
    rest: Range<usize>,
    whole: Range<usize>,
}

/// The file of an earlier build, read and checked.
#[derive(Default)]
pub(crate) struct Kept {
    bytes: Vec<u8>,
    /// By content path: the hash of the text, where the rest is, and
    /// where the whole record is.
    records: FxHashMap<String, Place>,
}

impl Kept {
    /// The file at `path`, when it can be trusted and was made `under` the
    /// same program and config.toml; else an empty one.
    pub fn load(path: &Path, under: u128) -> Kept {
        let Some((bytes, body)) = checked::read(path, STAMP) else { return Kept::default() };
        match index(&bytes, body, under) {
            Some(records) => Kept { bytes, records },
            None => Kept::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// The record of the file at `rel` whose text hashes to `hash`.
    pub fn get(&self, rel: &str, hash: u128) -> Option<Record> {
        let place = self.records.get(rel).filter(|p| p.hash == hash)?;
        rmp_serde::from_slice(&self.bytes[place.rest.clone()]).ok()
    }

    /// The record of the file at `rel`, as written.
    fn whole(&self, rel: &str) -> Option<&[u8]> {
        self.records.get(rel).map(|place| &self.bytes[place.whole.clone()])
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
        let start = take(0)?.start;
        if start == end {
            break;
        }
        let len = usize::try_from(number(take(8)?)).ok()?;
        let rel = std::str::from_utf8(&bytes[take(len)?]).ok()?.to_string();
        let hash = u128::from_le_bytes(bytes[take(16)?].try_into().ok()?);
        let len = usize::try_from(number(take(8)?)).ok()?;
        let rest = take(len)?;
        records.insert(rel, Place { hash, whole: start..rest.end, rest });
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
                Out::Again(_) => Ok(None),
                Out::New(record) => rmp_serde::to_vec(record).map(Some).map_err(io::Error::other),
            })
            .collect::<io::Result<_>>()?;
        for (record, encoded) in batch.iter().zip(encoded) {
            match (record, encoded) {
                (Out::New(record), Some(encoded)) => {
                    let rel = &record.article.rel;
                    file.put(&(rel.len() as u64).to_le_bytes())?;
                    file.put(rel.as_bytes())?;
                    file.put(&record.hash.to_le_bytes())?;
                    file.put(&(encoded.len() as u64).to_le_bytes())?;
                    file.put(&encoded)?;
                }
                (Out::Again(rel), _) => file.put(old.whole(rel).ok_or_else(|| io::Error::other("no such record"))?)?,
                (Out::New(_), None) => unreachable!("new records are encoded"),
            }
        }
    }
    file.finish()
}
