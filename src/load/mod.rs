//! Reading the site's files: `content/` walked in file-name order (so
//! every later stage sees the files in the same order on every run) and
//! read, and the theme's templates and assets ([`theme`]).

pub mod sitemap;
pub mod theme;

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diag::{Diagnostic, Location};

/// One Markdown article as read from disk.
#[derive(Debug)]
pub struct SourceFile {
    /// Path under `content/`, with `/` separators: `international/x.md`.
    pub rel: String,
    /// The text, without a UTF-8 byte-order mark.
    pub text: String,
    /// The file as it was when read, when that tells it from any later
    /// version of it.
    pub stat: Option<StatData>,
}

/// What tells a file changed without reading it, as git's index does: its
/// length, inode, and times of last change of its contents and of its
/// inode. Any write moves the inode's time to the present, and no program
/// can set it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatData {
    pub len: u64,
    pub ino: u64,
    pub modified: i64,
    pub changed: i64,
}

/// How long before a reading a file's times must be for its [`StatData`]
/// to tell it from a version written later: file times come from a clock
/// that lags (by one tick; FAT's times are two seconds apart), so a write
/// just after the reading could otherwise carry the same times.
const SETTLED: i64 = 3;

impl StatData {
    pub fn of(meta: &std::fs::Metadata) -> StatData {
        use std::os::unix::fs::MetadataExt;
        let at = |seconds: i64, nanos: i64| seconds.saturating_mul(1_000_000_000).saturating_add(nanos);
        StatData {
            len: meta.len(),
            ino: meta.ino(),
            modified: at(meta.mtime(), meta.mtime_nsec()),
            changed: at(meta.ctime(), meta.ctime_nsec()),
        }
    }

    /// The data of a file read at `now`, when both its times are at least
    /// [`SETTLED`] seconds older.
    pub fn settled(meta: &std::fs::Metadata, now: std::time::SystemTime) -> Option<StatData> {
        let stat = StatData::of(meta);
        let now = now.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
        let before = i64::try_from(now).ok()?.checked_sub(SETTLED * 1_000_000_000)?;
        (stat.modified < before && stat.changed < before).then_some(stat)
    }
}

/// A file under `content/` that is not an article (an image beside an
/// article, say): copied into the output at the same relative path.
#[derive(Debug, Clone, Hash)]
pub struct Asset {
    pub rel: String,
    pub abs: PathBuf,
}

/// The error of a site without content/.
pub fn no_content(root: &Path) -> Option<Diagnostic> {
    (!root.join("content").is_dir()).then(|| {
        Diagnostic::error("no content/ folder")
            .at(Location::file("content"))
            .hint("articles live in content/<category>/*.md")
    })
}

/// The files found under a folder of `content/` (or one file of it).
#[derive(Debug, Default)]
pub struct Walked {
    /// Content path and file of each article, in the order of the walk.
    pub articles: Vec<(String, PathBuf)>,
    pub assets: Vec<Asset>,
    /// Whether the walk met a symbolic link, or failed somewhere.
    pub links_or_errors: bool,
}

/// Walks `start`, `content/` or a file or folder under it, in file-name
/// order: hidden files and folders are skipped, and so are files whose name
/// starts with `_`.
pub fn walk(root: &Path, start: &Path, diags: &mut Vec<Diagnostic>) -> Walked {
    let content_dir = root.join("content");
    let mut walked = Walked::default();
    let site = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut walker = WalkDir::new(start)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name().to_str().unwrap_or("")));
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                walked.links_or_errors = true;
                diags.push(walk_error(root, &err));
                continue;
            }
        };
        if entry.path_is_symlink() {
            walked.links_or_errors = true;
            if !leads_inside(&site, entry.path()) {
                diags.push(leads_outside(root, entry.path()));
                if entry.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                continue;
            }
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let Some(rel) = relative(&content_dir, entry.path()) else {
            walked.links_or_errors = true;
            diags.push(
                Diagnostic::error("file name is not valid UTF-8")
                    .at(Location::file(&entry.path().strip_prefix(root).unwrap_or(entry.path()).to_string_lossy()))
                    .hint("rename it: URLs, feeds and sitemaps are UTF-8"),
            );
            continue;
        };
        let name = entry.file_name().to_string_lossy();
        if name.starts_with('_') {
            continue;
        }
        if name.ends_with(".md") {
            walked.articles.push((rel, entry.into_path()));
        } else {
            walked.assets.push(Asset { rel, abs: entry.into_path() });
        }
    }
    walked
}

/// Whether a symbolic link resolves to somewhere inside the site's folder:
/// a link out of it could publish any file of the machine.
pub fn leads_inside(site: &Path, link: &Path) -> bool {
    std::fs::canonicalize(link).is_ok_and(|target| target.starts_with(site))
}

pub fn leads_outside(root: &Path, link: &Path) -> Diagnostic {
    let shown = link.strip_prefix(root).unwrap_or(link).to_string_lossy().into_owned();
    Diagnostic::error("symbolic link leads outside the site; not published")
        .at(Location::file(&shown))
        .hint("copy the file into the site, or point the link at a file inside it")
}

pub fn is_hidden(name: &str) -> bool {
    name.starts_with('.')
}

fn relative(base: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(base).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// The largest article broadsheet reads. The longest investigations and
/// live blogs are a few megabytes of text; a bigger file is a mistake (a
/// pasted data dump, an inlined picture) that would cost seconds and
/// gigabytes to render, so it is refused before it is read.
pub const MAX_ARTICLE_BYTES: u64 = 16 * 1024 * 1024;

pub fn read_article(rel: String, abs: &Path) -> Result<SourceFile, Diagnostic> {
    let display = format!("content/{rel}");
    let cannot =
        |err: std::io::Error| Diagnostic::error(format!("cannot read file: {err}")).at(Location::file(&display));
    let mut file = std::fs::File::open(abs).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    let stat = StatData::settled(&meta, std::time::SystemTime::now());
    let size = meta.len();
    let too_big = |size: u64| {
        Diagnostic::error(format!(
            "article is {:.1} MB; broadsheet reads articles of up to {} MB",
            size as f64 / (1024.0 * 1024.0),
            MAX_ARTICLE_BYTES / (1024 * 1024)
        ))
        .at(Location::file(&display))
        .hint("a news article is rarely more than 1 MB of text: move data, tables or pictures into files under static/ and link to them")
    };
    if size > MAX_ARTICLE_BYTES {
        return Err(too_big(size));
    }
    // Read at most one byte past the limit: a file still growing as it is
    // read is refused too, never read without end.
    let mut bytes = Vec::with_capacity(size as usize);
    std::io::Read::read_to_end(&mut std::io::Read::take(&mut file, MAX_ARTICLE_BYTES + 1), &mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_ARTICLE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            Ok(SourceFile { rel, text, stat })
        }
        Err(err) => {
            // Show the line with the bad bytes replaced, caret on the first.
            let valid = err.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(err.as_bytes());
            Err(Diagnostic::error("file is not valid UTF-8")
                .at(Location::span(&display, &lossy, valid..valid + '\u{fffd}'.len_utf8()))
                .label("not UTF-8")
                .hint("save the file with UTF-8 encoding"))
        }
    }
}

fn walk_error(root: &Path, err: &walkdir::Error) -> Diagnostic {
    let path = err.path().map(|p| p.strip_prefix(root).unwrap_or(p).to_string_lossy().into_owned());
    let location = Location::file(path.as_deref().unwrap_or("content"));
    if let Some(ancestor) = err.loop_ancestor() {
        let ancestor = ancestor.strip_prefix(root).unwrap_or(ancestor);
        Diagnostic::warning(format!("symbolic link loop: leads back to {}; not followed", ancestor.display()))
            .at(location)
    } else {
        let io = err.io_error();
        let error =
            Diagnostic::error(format!("cannot read: {}", io.map_or_else(|| err.to_string(), |e| e.to_string())))
                .at(location);
        if io.and_then(std::io::Error::raw_os_error) == Some(rustix::io::Errno::NAMETOOLONG.raw_os_error()) {
            error.hint("the folders nest deeper than the longest path the system can open; move the files up")
        } else {
            error
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    #[test]
    fn stat_data_tell_a_file_only_once_its_times_are_settled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "text").unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(StatData::settled(&meta, SystemTime::now()), None, "written just now");
        let later = SystemTime::now() + Duration::from_secs(SETTLED as u64 + 1);
        assert_eq!(StatData::settled(&meta, later), Some(StatData::of(&meta)));
        // A tick of the filesystem's clock later (a write within the same
        // tick could carry the same times: what SETTLED is for).
        std::thread::sleep(Duration::from_millis(50));
        std::fs::write(&path, "TEXT").unwrap();
        let again = StatData::of(&std::fs::metadata(&path).unwrap());
        assert_ne!(again, StatData::of(&meta), "a write of the same length moves the inode's time");
    }
}
