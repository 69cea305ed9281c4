//! The graph kept between builds: the related lists of a one-off build's
//! graph, with the inputs and article versions they were scored from, in
//! a file of the cache folder. The next build scores again only the lists
//! its changes can reach, as `serve` does between saves (see
//! [`super::Linker`]); the rest of the graph (references, backlinks) is
//! cheap and made again.
//!
//! Nothing is trusted that need not be. The file's first line is stamped
//! with broadsheet's version; then comes a hash of what every article was
//! parsed under (the program itself, config.toml and `--base-url`: an
//! input's category is a place in config.toml's list), the lists in
//! MessagePack, and a checksum of all before it. A file that is missing,
//! cut short, altered, from another version, made under another
//! config.toml or whose lists do not fit its inputs is ignored, and every
//! list is scored.

use std::io;
use std::path::Path;
use std::sync::Arc;

use super::Input;
use crate::checked;

/// The file's first line.
const STAMP: &[u8] = concat!("broadsheet ", env!("CARGO_PKG_VERSION"), " graph 1\n").as_bytes();

/// The related lists of a build, with what they were scored from: each
/// article's version and input, in the build's order.
#[derive(serde::Deserialize)]
pub(super) struct Kept {
    pub versions: Vec<u64>,
    pub inputs: Vec<Input>,
    pub related: Vec<Vec<usize>>,
}

/// [`Kept`] to write, borrowing what it is made of.
#[derive(serde::Serialize)]
struct KeptRef<'a> {
    versions: &'a [u64],
    inputs: Vec<&'a Input>,
    related: &'a [Vec<usize>],
}

/// The file at `path`, when it can be trusted and was made `under` the
/// same program and config.toml.
pub(super) fn load(path: &Path, under: u128) -> Option<Kept> {
    let (bytes, body) = checked::read(path, STAMP)?;
    let (made_under, lists) = bytes[body].split_at_checked(16)?;
    if made_under != under.to_le_bytes() {
        return None;
    }
    let kept: Kept = rmp_serde::from_slice(lists).ok()?;
    let n = kept.inputs.len();
    let fits = kept.versions.len() == n && kept.related.len() == n && kept.related.iter().flatten().all(|&i| i < n);
    fits.then_some(kept)
}

/// Writes the related lists `related` of the articles of `versions` and
/// `inputs` to `path`, whole or not at all.
pub(super) fn store(
    path: &Path,
    under: u128,
    versions: &[u64],
    inputs: &[Arc<Input>],
    related: &[Vec<usize>],
) -> io::Result<()> {
    let kept = KeptRef { versions, inputs: inputs.iter().map(|input| &**input).collect(), related };
    let encoded = rmp_serde::to_vec(&kept).map_err(io::Error::other)?;
    let mut file = checked::Writer::create(path, STAMP)?;
    file.put(&under.to_le_bytes())?;
    file.put(&encoded)?;
    file.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(rel: &str) -> Arc<Input> {
        Arc::new(Input {
            rel: rel.to_string(),
            date: jiff::Timestamp::from_second(86_400).unwrap(),
            category: 0,
            tags: vec!["storm".to_string()],
            further: vec![],
            links: vec![("b.md".to_string(), None)],
            headings: vec!["what-next".to_string()],
        })
    }

    #[test]
    fn lists_read_back_only_under_the_same_parse_and_when_they_fit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("graph");
        let inputs = [input("a.md"), input("b.md")];
        store(&path, 7, &[1, 2], &inputs, &[vec![1], vec![0]]).unwrap();
        let kept = load(&path, 7).unwrap();
        assert_eq!((kept.versions, kept.related), (vec![1, 2], vec![vec![1], vec![0]]));
        assert_eq!(kept.inputs, inputs.iter().map(|i| Input::clone(i)).collect::<Vec<_>>());
        assert!(load(&path, 8).is_none(), "parsed under another config.toml");
        store(&path, 7, &[1, 2], &inputs, &[vec![2], vec![0]]).unwrap();
        assert!(load(&path, 7).is_none(), "a list names an article that is not there");
        store(&path, 7, &[1], &inputs, &[vec![1], vec![0]]).unwrap();
        assert!(load(&path, 7).is_none(), "a version short");
    }
}
