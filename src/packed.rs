//! Bytes held compressed with zstd: `serve`'s pages, and the bodies of
//! the articles it keeps between saves.
//!
//! `serve` holds the whole site in memory, and at 10,000 articles its
//! pages are 235 MB of HTML, half of what the process held (issue 16's
//! target is under 300 MB), and the articles' bodies most of the rest. A
//! page is asked for far less often than it is built, and only by a
//! browser on the same machine, and a body is read only to render the
//! few pages a save changes: unpacking one (about 15 µs for a 16 KB page)
//! costs nothing an author sees.
//! zstd's level 1 was chosen over LZ4 (lz4_flex) by their figures on 2,000
//! pages of the benchmark corpus, each packed alone: zstd 4.1× smaller at
//! 340 MB/s, lz4_flex 3.0× at 500 MB/s, deflate (level 1) 3.3× at 240 MB/s.
//! zstd's level 3 gains 3 % over level 1 at 15 % more time.
//!
//! Pages are packed with a [`Dictionary`]: the bytes of one page of the
//! site, which every other page shares most of its markup with (the head,
//! the masthead, the navigation, the footer). On 800 pages of the
//! benchmark corpus, each packed alone, one page as the dictionary packs
//! them 8.1× smaller instead of 4.1×, at the same speed (500 MB/s against
//! 470); four pages 9.5×, sixteen 10.0×, a dictionary trained by zstd from
//! 200 pages 9.5× (and 90 ms to train).

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;

use bytes::Bytes;

/// zstd's fastest level of its normal range.
const LEVEL: i32 = 1;

/// A served file's bytes, maybe packed.
#[derive(Debug, Clone)]
pub struct Packed {
    stored: Bytes,
    /// The length unpacked, when `stored` is packed.
    plain_len: Option<usize>,
    /// What `stored` was packed with, besides zstd's own tables.
    dictionary: Option<Arc<Dictionary>>,
}

/// Bytes that files are packed against: what they share with it costs a
/// few bytes each. `serve` makes one from the first page it builds and
/// packs every page with it.
pub struct Dictionary {
    packing: zstd::dict::EncoderDictionary<'static>,
    unpacking: zstd::dict::DecoderDictionary<'static>,
}

impl std::fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dictionary")
    }
}

impl Dictionary {
    /// A raw-content dictionary of `bytes` (zstd reads any bytes that do
    /// not start with its dictionary magic number as such).
    pub fn new(bytes: &[u8]) -> Dictionary {
        Dictionary {
            packing: zstd::dict::EncoderDictionary::copy(bytes, LEVEL),
            unpacking: zstd::dict::DecoderDictionary::copy(bytes),
        }
    }
}

thread_local! {
    /// One compressor and one buffer a thread: a new compressor for each
    /// page packed at 200 MB/s rather than 340.
    static PACKER: RefCell<Option<(zstd::bulk::Compressor<'static>, Vec<u8>)>> = const { RefCell::new(None) };
    /// One decompressor a thread: making one took 5 % of a save's time at
    /// 10,000 articles (feeds unpack the bodies they carry).
    static UNPACKER: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
    /// One context a thread for bytes packed with a dictionary.
    static DICTIONARY_UNPACKER: RefCell<Option<zstd::zstd_safe::DCtx<'static>>> = const { RefCell::new(None) };
}

impl Packed {
    /// `bytes` as they are: for files that do not shrink (images, fonts),
    /// or that are made once (copies of static files).
    pub fn plain(bytes: Bytes) -> Packed {
        Packed { stored: bytes, plain_len: None, dictionary: None }
    }

    /// `bytes` packed, or as they are when packing does not shrink them.
    pub fn pack(bytes: &[u8]) -> Packed {
        Packed::pack_with(bytes, None)
    }

    /// `bytes` packed against `dictionary`, or as they are when packing
    /// does not shrink them.
    pub fn pack_with(bytes: &[u8], dictionary: Option<&Arc<Dictionary>>) -> Packed {
        let packed = PACKER.with_borrow_mut(|packer| -> Option<Bytes> {
            if packer.is_none() {
                *packer = Some((zstd::bulk::Compressor::new(LEVEL).ok()?, Vec::new()));
            }
            let (compressor, buffer) = packer.as_mut()?;
            buffer.clear();
            buffer.reserve(zstd::compress_bound(bytes.len()));
            let len = match dictionary {
                // One shot: the compressor keeps no dictionary for the next.
                Some(dictionary) => {
                    let cdict = dictionary.packing.as_cdict();
                    compressor.context_mut().compress_using_cdict(buffer, bytes, cdict).ok()?
                }
                None => compressor.compress_to_buffer(bytes, buffer).ok()?,
            };
            // Copied out of the thread's buffer, which is sized for the
            // worst case: the packed file holds only its length.
            (len < bytes.len()).then(|| Bytes::copy_from_slice(&buffer[..len]))
        });
        match packed {
            Some(stored) => Packed { stored, plain_len: Some(bytes.len()), dictionary: dictionary.cloned() },
            None => Packed::plain(Bytes::copy_from_slice(bytes)),
        }
    }

    /// The file's bytes.
    pub fn bytes(&self) -> Cow<'_, [u8]> {
        match (self.plain_len, &self.dictionary) {
            (None, _) => Cow::Borrowed(&self.stored),
            // Packed by this process from bytes of that length: unpacking
            // cannot fail but for a bug, which a panic of the one request
            // shows better than a wrong page.
            (Some(len), Some(dictionary)) => Cow::Owned(DICTIONARY_UNPACKER.with_borrow_mut(|unpacker| {
                let unpacker = unpacker.get_or_insert_with(zstd::zstd_safe::DCtx::create);
                let mut plain = Vec::with_capacity(len);
                let ddict = dictionary.unpacking.as_ddict();
                let unpacked = unpacker.decompress_using_ddict(&mut plain, &self.stored, ddict);
                assert_eq!(unpacked, Ok(len), "a packed file unpacks");
                plain
            })),
            (Some(len), None) => Cow::Owned(UNPACKER.with_borrow_mut(|unpacker| {
                let unpacker = match unpacker {
                    Some(unpacker) => unpacker,
                    None => unpacker.insert(zstd::bulk::Decompressor::new().expect("zstd makes a decompressor")),
                };
                unpacker.decompress(&self.stored, len).expect("a packed file unpacks")
            })),
        }
    }

    /// The bytes as held: what tells one version of a file from another,
    /// since the same bytes always pack the same.
    pub fn stored(&self) -> &[u8] {
        &self.stored
    }

    /// Whether the two are the same bytes, without unpacking either: two
    /// files packed against different dictionaries are taken as different.
    pub fn same(&self, other: &Packed) -> bool {
        let dictionary = |packed: &Packed| packed.dictionary.as_ref().map(Arc::as_ptr);
        self.plain_len == other.plain_len
            && dictionary(self) == dictionary(other)
            && (self.stored.as_ptr() == other.stored.as_ptr() && self.stored.len() == other.stored.len()
                || self.stored == other.stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_pack_and_unpack_to_the_same_bytes() {
        let page = "<p>Reporting from the harbour, where “it won’t wait”.</p>\n".repeat(200);
        let packed = Packed::pack(page.as_bytes());
        assert!(packed.stored().len() < page.len() / 10, "{} bytes", packed.stored().len());
        assert_eq!(packed.bytes(), page.as_bytes());
        // Packing is deterministic: a page rendered again to the same
        // bytes is the same file.
        assert!(packed.same(&Packed::pack(page.as_bytes())));
        assert!(!packed.same(&Packed::pack(format!("{page}.").as_bytes())));
    }

    #[test]
    fn pages_packed_against_a_page_they_share_markup_with_are_smaller() {
        let page = |title: &str| {
            let head = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"stylesheet\" href=\"/style.css\">";
            let masthead: String =
                (0..40).map(|n| format!("<li><a href=\"/section-{n}/\">Section {n}</a></li>")).collect();
            format!(
                "{head}<title>{title}</title></head><body><nav><ul>{masthead}</ul></nav><h1>{title}</h1></body></html>"
            )
        };
        let first = page("Storm closes the harbour");
        let dictionary = Arc::new(Dictionary::new(first.as_bytes()));
        let other = page("Ferries run again");
        let with = Packed::pack_with(other.as_bytes(), Some(&dictionary));
        let without = Packed::pack(other.as_bytes());
        assert!(
            with.stored().len() * 3 < without.stored().len(),
            "{} against {}",
            with.stored().len(),
            without.stored().len()
        );
        assert_eq!(with.bytes(), other.as_bytes());
        assert!(with.same(&Packed::pack_with(other.as_bytes(), Some(&dictionary))));
        // Packed against another dictionary, or none: not taken as the
        // same file, whatever the bytes.
        let another = Arc::new(Dictionary::new(first.as_bytes()));
        assert!(!with.same(&Packed::pack_with(other.as_bytes(), Some(&another))));
        assert!(!with.same(&without));
    }

    #[test]
    fn bytes_that_do_not_shrink_stay_as_they_are() {
        for bytes in [&b""[..], b"a", b"\x89PNG\r\n\x1a\n"] {
            let packed = Packed::pack(bytes);
            assert_eq!(packed.stored(), bytes);
            assert_eq!(packed.bytes(), bytes);
            assert!(packed.same(&Packed::plain(Bytes::copy_from_slice(bytes))));
        }
        // A plain file and a packed one are never the same file.
        let text = "x".repeat(1000);
        assert!(!Packed::pack(text.as_bytes()).same(&Packed::plain(Bytes::from(text))));
    }
}
