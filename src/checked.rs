//! Files of the cache folder trusted whole or not at all: a first line
//! that stamps them (broadsheet's version and what the file holds), the
//! contents, and a checksum of all before it. A file that is missing, cut
//! short, altered or stamped otherwise reads as nothing. A file is written
//! beside its place and renamed into it, so no reader meets half of one.
//! The page ledger (`write::ledger`), the kept parses (`parse::kept`) and
//! the kept graph (`graph::kept`) are such files.

use std::fs;
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The file at `path`, and where its contents are in it, when it is whole
/// and stamped with `stamp`.
pub fn read(path: &Path, stamp: &[u8]) -> Option<(Vec<u8>, Range<usize>)> {
    let bytes = fs::read(path).ok()?;
    let end = bytes.len().checked_sub(16).filter(|&end| end >= stamp.len())?;
    let sum = xxhash_rust::xxh3::xxh3_128(&bytes[..end]).to_le_bytes();
    (bytes.starts_with(stamp) && bytes[end..] == sum).then_some((bytes, stamp.len()..end))
}

/// A file being written: its stamp, then what is put, then at
/// [`Writer::finish`] the checksum, and the file in its place.
pub struct Writer {
    file: io::BufWriter<fs::File>,
    sum: xxhash_rust::xxh3::Xxh3Default,
    path: PathBuf,
}

impl Writer {
    pub fn create(path: &Path, stamp: &[u8]) -> io::Result<Writer> {
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder)?;
        }
        let file = io::BufWriter::new(fs::File::create(partial(path))?);
        let mut writer = Writer { file, sum: xxhash_rust::xxh3::Xxh3Default::new(), path: path.to_path_buf() };
        writer.put(stamp)?;
        Ok(writer)
    }

    pub fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.sum.update(bytes);
        self.file.write_all(bytes)
    }

    pub fn finish(mut self) -> io::Result<()> {
        let sum = self.sum.digest128();
        self.file.write_all(&sum.to_le_bytes())?;
        self.file.into_inner().map_err(io::IntoInnerError::into_error)?;
        fs::rename(partial(&self.path), &self.path)
    }
}

fn partial(path: &Path) -> PathBuf {
    path.with_extension("partial")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_back_only_whole_and_stamped_alike() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache/file");
        let mut writer = Writer::create(&path, b"stamp 1\n").unwrap();
        writer.put(b"contents").unwrap();
        writer.finish().unwrap();
        let (bytes, range) = read(&path, b"stamp 1\n").unwrap();
        assert_eq!(&bytes[range], b"contents");
        assert!(read(&path, b"stamp 2\n").is_none(), "another stamp");
        let good = fs::read(&path).unwrap();
        for bad in [&good[..good.len() - 1], &good[..5], b""] {
            fs::write(&path, bad).unwrap();
            assert!(read(&path, b"stamp 1\n").is_none(), "{bad:?}");
        }
        let mut altered = good.clone();
        altered[10] ^= 1;
        fs::write(&path, altered).unwrap();
        assert!(read(&path, b"stamp 1\n").is_none(), "altered");
        assert!(read(&dir.path().join("missing"), b"stamp 1\n").is_none());
    }
}
