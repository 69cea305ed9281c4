//! Where a build's files go: a [`Sink`]. [`Twin`] stages every file in a
//! sibling folder of the output and swaps it into place only when the
//! whole build succeeded, so a failed build leaves the previous output
//! untouched; [`Discard`] writes nothing (`check`); `serve` keeps the files
//! in memory. Also refuses dangerous output folders.

pub mod ledger;

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use bytes::Bytes;

use crate::plan::Plan;
use crate::render::key::Key;
use ledger::{Entry, Ledger};

/// Where the files of a build go. `write` and `copy` are called from many
/// threads at once.
pub trait Sink: Sync {
    /// Called once the build is planned, before the first file: every check
    /// that can fail without touching the output has passed.
    fn begin(&mut self) -> Result<()> {
        Ok(())
    }

    /// One output file; `rel` uses `/` separators.
    fn write(&self, rel: &str, bytes: Bytes) -> Result<()>;

    /// Whether the sink keeps the keys of pages between builds (the page
    /// ledger, or serve's memory): each page then comes with its key.
    fn keys_pages(&self) -> bool {
        false
    }

    /// Whether the sink holds, before the build begins, the pages of an
    /// earlier one with their keys: a rebuild then renders few pages, and
    /// needs few bodies.
    fn holds_earlier_pages(&self) -> bool {
        false
    }

    /// Whether the sink already holds the page `rel` as rendered from a
    /// context of key `key`: the page is then neither rendered nor written.
    fn holds(&self, _rel: &str, _key: Key) -> bool {
        false
    }

    /// One page, rendered from a context of key `key` when the sink
    /// [keys pages](Sink::keys_pages).
    fn write_page(&self, rel: &str, _key: Option<Key>, bytes: Bytes) -> Result<()> {
        self.write(rel, bytes)
    }

    /// One file copied from disk.
    fn copy(&self, rel: &str, from: &Path) -> Result<()>;

    /// Every file of `plan` has been written.
    fn commit(&mut self, plan: &Plan) -> Result<()>;
}

/// Writes nothing: `check` renders every page and drops it.
pub struct Discard;

impl Sink for Discard {
    fn write(&self, _: &str, _: Bytes) -> Result<()> {
        Ok(())
    }

    fn copy(&self, _: &str, _: &Path) -> Result<()> {
        Ok(())
    }

    fn commit(&mut self, _: &Plan) -> Result<()> {
        Ok(())
    }
}

/// The output folder of `build`, written through its [`Staging`] twin,
/// which is made when the build begins to write.
pub struct Twin {
    output: PathBuf,
    staging: Option<Staging>,
    /// Every file written: what stays in the twin at the commit (the
    /// plan does not name every file: the search index names its own).
    written: std::sync::Mutex<HashSet<String>>,
    /// Where the [`ledger`] is kept, when it is.
    ledger_path: Option<PathBuf>,
    /// The ledger as this build found it.
    ledger: Ledger,
    /// The pages of this build, for the next ledger.
    pages: std::sync::Mutex<Vec<(String, Entry)>>,
}

impl Twin {
    pub fn new(output: &Path) -> Twin {
        Twin {
            output: output.to_path_buf(),
            staging: None,
            written: Default::default(),
            ledger_path: None,
            ledger: Ledger::default(),
            pages: Default::default(),
        }
    }

    /// Keeps the keys of the pages in a [`ledger`] at `path`, so that the
    /// next build renders only the pages whose key changed.
    pub fn keeping_keys(mut self, path: PathBuf) -> Twin {
        self.ledger_path = Some(path);
        self
    }

    fn wrote(&self, rel: &str) {
        self.written.lock().unwrap_or_else(|e| e.into_inner()).insert(rel.to_string());
    }

    fn paged(&self, rel: &str, key: Key, len: u64) {
        self.pages.lock().unwrap_or_else(|e| e.into_inner()).push((rel.to_string(), Entry { key, len }));
    }

    fn staging(&self) -> &Staging {
        self.staging.as_ref().expect("writes come after begin")
    }
}

impl Sink for Twin {
    fn begin(&mut self) -> Result<()> {
        if let Some(path) = &self.ledger_path {
            // Taken before the twin is touched: from now on, until the
            // commit, the twin is no folder a ledger describes.
            self.ledger = Ledger::take(path);
        }
        let staging = Staging::create(&self.output)?;
        if !staging.reused {
            self.ledger.forget_twin();
        }
        self.staging = Some(staging);
        Ok(())
    }

    fn write(&self, rel: &str, bytes: Bytes) -> Result<()> {
        self.wrote(rel);
        self.staging().write(rel, &bytes)
    }

    fn keys_pages(&self) -> bool {
        self.ledger_path.is_some()
    }

    fn holds_earlier_pages(&self) -> bool {
        let Some(ledger) = &self.ledger_path else { return false };
        let Ok((output, twin)) = Staging::folders(&self.output) else { return false };
        ledger.is_file() && Staging::reuses(&output, &twin)
    }

    fn holds(&self, rel: &str, key: Key) -> bool {
        let Some(len) = self.ledger.twin_holds(&self.staging().dir, rel, key) else { return false };
        self.wrote(rel);
        self.paged(rel, key, len);
        true
    }

    fn write_page(&self, rel: &str, key: Option<Key>, bytes: Bytes) -> Result<()> {
        if let Some(key) = key {
            self.paged(rel, key, bytes.len() as u64);
        }
        self.write(rel, bytes)
    }

    fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        self.wrote(rel);
        self.staging().copy(rel, from)
    }

    fn commit(&mut self, _: &Plan) -> Result<()> {
        let written = std::mem::take(self.written.get_mut().unwrap_or_else(|e| e.into_inner()));
        let staging = self.staging.take().expect("commit comes after begin");
        staging.commit(&written, self.ledger.twin_files())?;
        if let Some(path) = &self.ledger_path {
            let pages = std::mem::take(self.pages.get_mut().unwrap_or_else(|e| e.into_inner()));
            let paged: HashSet<&str> = pages.iter().map(|(rel, _)| rel.as_str()).collect();
            let others: Vec<&str> = written.iter().map(String::as_str).filter(|rel| !paged.contains(rel)).collect();
            // A ledger that cannot be written costs the next build time,
            // not this one its output.
            let _ = std::mem::take(&mut self.ledger).store(path, &pages, &others);
        }
        Ok(())
    }
}

/// A file in every output folder that says broadsheet made it, so that a
/// later build may replace the folder. Without it, broadsheet refuses to
/// overwrite a non-empty folder other than the site's own `public/`.
pub const MARKER: &str = ".broadsheet-output";

/// Why an output folder was refused: a usage error (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("refusing to write the site into {path}: {reason}")]
pub struct UnsafeOutput {
    pub path: String,
    pub reason: &'static str,
}

/// The folder beside the output where builds keep what is worth keeping
/// between them (the search index): `.public.broadsheet-cache`.
pub fn cache_dir(output: &Path) -> PathBuf {
    let output = resolve(output);
    let name = output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    output.with_file_name(format!(".{name}.broadsheet-cache"))
}

/// Checks that `output` may be replaced wholesale by a build of `root`.
pub fn check_output(root: &Path, output: &Path) -> Result<(), UnsafeOutput> {
    let refuse = |reason| Err(UnsafeOutput { path: output.display().to_string(), reason });
    let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let resolved = resolve(output);
    if root.starts_with(&resolved) {
        return refuse("it is the site's root folder or contains it");
    }
    for source in ["content", "static", "templates", "themes"] {
        // A source folder may be a symbolic link to a folder of the site.
        let folder = root.join(source);
        let real = fs::canonicalize(&folder).unwrap_or_else(|_| folder.clone());
        if resolved.starts_with(&folder) || resolved.starts_with(&real) {
            return refuse("it lies inside one of the site's source folders");
        }
    }
    if !resolved.is_dir() {
        return if resolved.exists() { refuse("it is a file, not a folder") } else { Ok(()) };
    }
    if resolved.join("config.toml").exists() || resolved.join("content").exists() {
        return refuse("it holds config.toml or content/, so it looks like a site's sources");
    }
    let empty = fs::read_dir(&resolved).map(|mut d| d.next().is_none()).unwrap_or(false);
    if empty || resolved.join(MARKER).is_file() || resolved == root.join("public") {
        Ok(())
    } else {
        refuse("it is not empty and was not made by broadsheet")
    }
}

/// An absolute form of `path` with symlinks resolved as far as it exists.
fn resolve(path: &Path) -> PathBuf {
    if let Ok(real) = fs::canonicalize(path) {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => resolve(parent).join(name),
        _ => absolute,
    }
}

/// The folder a build writes into, beside the output, which becomes the
/// output on [`Staging::commit`].
///
/// It is the *twin* of the output: after a commit it holds the previous
/// site, and the next build writes into it again. Writing a file whose
/// bytes are already there is skipped, so a rebuild after a small edit
/// writes a handful of files instead of recreating thousands, and the swap
/// is one atomic `renameat2(RENAME_EXCHANGE)`. A failed build leaves the
/// output untouched; the twin is left as it is (hidden, and ours) for the
/// next build to bring up to date.
pub struct Staging {
    dir: PathBuf,
    output: PathBuf,
    /// Whether `dir` holds an earlier build, so unchanged files are skipped.
    reused: bool,
    committed: bool,
}

impl Staging {
    /// The output folder `output` resolved, and its twin folder.
    fn folders(output: &Path) -> Result<(PathBuf, PathBuf)> {
        let output = resolve(output);
        let parent = output.parent().context("output folder has no parent")?;
        let name = output.file_name().context("output folder has no name")?.to_string_lossy();
        let twin = parent.join(format!(".{name}.broadsheet-twin"));
        Ok((output, twin))
    }

    /// Whether a build into `output` writes into the twin an earlier build
    /// left, both folders being broadsheet's.
    fn reuses(output: &Path, twin: &Path) -> bool {
        twin.join(MARKER).is_file() && output.join(MARKER).is_file()
    }

    pub fn create(output: &Path) -> Result<Staging> {
        let (output, dir) = Staging::folders(output)?;
        let parent = output.parent().expect("checked by folders");
        fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        for folder in [&output, &dir] {
            on_the_parents_filesystem(folder, parent)?;
        }
        let reused = Staging::reuses(&output, &dir);
        if !reused {
            if dir.exists() {
                if !dir.join(MARKER).is_file() && fs::read_dir(&dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
                    anyhow::bail!("{} exists and was not made by broadsheet; remove it or move it away", dir.display());
                }
                fs::remove_dir_all(&dir).with_context(|| format!("cannot remove {}", dir.display()))?;
            }
            fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let staging = Staging { dir, output, reused, committed: false };
        staging.write(MARKER, MARKER_TEXT.as_bytes())?;
        Ok(staging)
    }

    /// Copies a file from disk into the site.
    pub fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        let bytes = fs::read(from).with_context(|| format!("cannot read {}", from.display()))?;
        self.write(rel, &bytes)
    }

    /// Writes one output file, unless the twin already holds these bytes;
    /// `rel` uses `/` separators.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(rel);
        if self.reused && same_bytes(&path, bytes) {
            return Ok(());
        }
        write_creating_dirs(&path, bytes)
            .or_else(|_| {
                // The twin may hold a folder where a file goes, or a file
                // where a folder goes: clear the way and try once more.
                clear_way(&self.dir, rel)?;
                write_creating_dirs(&path, bytes)
            })
            .with_context(|| format!("cannot write {}", self.display(rel)))
    }

    fn display(&self, rel: &str) -> String {
        self.output.join(rel).display().to_string()
    }

    /// Removes what an earlier build left in the twin that this one did not
    /// write (`keep` lists every output file but the marker), then puts the
    /// twin in place of the output; the old output becomes the twin.
    /// `known`, when given, is every file the twin held at a time, and
    /// that time: folders not modified since are not read.
    pub fn commit(mut self, keep: &HashSet<String>, known: Option<(SystemTime, Vec<&str>)>) -> Result<()> {
        // The twin may hold files of an older site, or files someone added to
        // the output since (a deploy step's CNAME): only this site's stay.
        if self.reused {
            match known {
                Some((when, files)) => remove_strays(&self.dir, keep, when, &files)?,
                None => remove_others(&self.dir, keep)?,
            }
        }
        self.committed = true;
        if !self.output.exists() {
            return fs::rename(&self.dir, &self.output)
                .with_context(|| format!("cannot move the new site to {}", self.output.display()));
        }
        let exchanged = rustix::fs::renameat_with(
            rustix::fs::CWD,
            &self.dir,
            rustix::fs::CWD,
            &self.output,
            rustix::fs::RenameFlags::EXCHANGE,
        );
        if exchanged.is_err() {
            // No RENAME_EXCHANGE on this filesystem: three renames, with a
            // short window in which the output folder does not exist.
            let old = self.dir.with_extension("old");
            fs::rename(&self.output, &old).with_context(|| format!("cannot move {} aside", self.output.display()))?;
            if let Err(err) = fs::rename(&self.dir, &self.output) {
                // Put the previous site back: a failed build changes nothing.
                let _ = fs::rename(&old, &self.output);
                return Err(err).with_context(|| format!("cannot move the new site to {}", self.output.display()));
            }
            fs::rename(&old, &self.dir).with_context(|| format!("cannot keep {}", old.display()))?;
        }
        // An old output that broadsheet did not make (a site's first build
        // over a public/ from another tool) is not kept as the twin.
        if !self.dir.join(MARKER).is_file() {
            fs::remove_dir_all(&self.dir).with_context(|| format!("cannot remove {}", self.dir.display()))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // A fresh twin that never became the output is only debris; a reused
        // one is kept for the next build.
        if !self.committed && !self.reused {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Refuses an output or twin folder that is a mount point: the swap of
/// the new site for the old is a rename, which cannot cross filesystems or
/// move a mount point, and finding that out after writing the whole site
/// would waste the build.
fn on_the_parents_filesystem(folder: &Path, parent: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let (Ok(meta), Ok(up)) = (fs::metadata(folder), fs::metadata(parent)) else {
        return Ok(());
    };
    if meta.dev() != up.dev() {
        anyhow::bail!(
            "{} is a mount point, another filesystem than {}: broadsheet swaps the new site in by renaming \
             it beside the old one, which cannot cross filesystems; point --output at a folder inside the \
             mount (such as {})",
            folder.display(),
            parent.display(),
            folder.join("public").display()
        );
    }
    Ok(())
}

fn write_creating_dirs(path: &Path, bytes: &[u8]) -> io::Result<()> {
    match fs::write(path, bytes) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::write(path, bytes)
        }
        other => other,
    }
}

/// The marker file's text.
pub const MARKER_TEXT: &str = "This folder was generated by broadsheet; each build replaces it.\n";

fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() && meta.len() == bytes.len() as u64 => fs::read(path).is_ok_and(|old| old == bytes),
        _ => false,
    }
}

/// Removes a folder at `rel`, or a file at any of its parents.
fn clear_way(dir: &Path, rel: &str) -> io::Result<()> {
    let path = dir.join(rel);
    if path.is_dir() {
        fs::remove_dir_all(&path)?;
    }
    let mut parent = path.parent();
    while let Some(p) = parent.filter(|p| *p != dir) {
        if p.is_file() {
            fs::remove_file(p)?;
        }
        parent = p.parent();
    }
    Ok(())
}

/// Deletes every file under `dir` not in `keep` (nor the marker), and the
/// folders left empty; the top-level folders are walked in parallel.
fn remove_others(dir: &Path, keep: &HashSet<String>) -> Result<()> {
    use rayon::prelude::*;
    let tops: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    tops.par_iter().try_for_each(|top| sweep(dir, top, keep))
}

/// Deletes every file at or under `top`, in the twin `dir`, not in `keep`
/// (nor the marker), and the folders left empty, `top` too.
fn sweep(dir: &Path, top: &Path, keep: &HashSet<String>) -> Result<()> {
    // Whether the folder being walked at each depth keeps anything: a
    // folder is removed only when nothing in it stays (most folders keep
    // their page, and a failing rmdir for each cost 16,000 calls a
    // rebuild).
    let mut occupied: Vec<bool> = vec![false];
    for entry in walkdir::WalkDir::new(top).contents_first(true) {
        let entry = entry.with_context(|| format!("cannot list {}", top.display()))?;
        let depth = entry.depth();
        if occupied.len() < depth + 2 {
            occupied.resize(depth + 2, false);
        }
        let stays = if entry.file_type().is_dir() {
            // Contents first: what was below it has been walked.
            let keeps = std::mem::take(&mut occupied[depth + 1]);
            keeps || fs::remove_dir(entry.path()).is_err()
        } else {
            let rel = entry.path().strip_prefix(dir).expect("walkdir stays below its root");
            let rel: Vec<&str> = rel.components().filter_map(|c| c.as_os_str().to_str()).collect();
            let rel = rel.join("/");
            let stays = rel == MARKER || keep.contains(&rel);
            if !stays {
                let path = entry.path();
                fs::remove_file(path).with_context(|| format!("cannot remove {}", path.display()))?;
            }
            stays
        };
        occupied[depth] |= stays;
    }
    Ok(())
}

/// [`remove_others`], knowing that the twin `dir` held exactly the files
/// `files` at the time `when`. A folder not modified since (no entry added,
/// removed or renamed in it) holds only files of the list and folders of
/// theirs, so it is not read: a stat for each folder instead of a reading
/// (ext4 reads even a one-page folder through its hash tree). Folders
/// modified since, the ones this build wrote new files into among them,
/// are read, and what they hold that the list does not know is swept.
fn remove_strays(dir: &Path, keep: &HashSet<String>, when: SystemTime, files: &[&str]) -> Result<()> {
    use rayon::prelude::*;
    let folders: HashSet<&str> = files.iter().flat_map(|file| folders_of(file)).chain([""]).collect();
    // A file's times come from a coarser clock than `when`, and may lag it.
    let trusted = when.checked_sub(Duration::from_secs(1)).unwrap_or(UNIX_EPOCH);
    let listed: Vec<&str> = folders.iter().copied().collect();
    // The folders something was removed from.
    let mut emptied: Vec<String> = listed
        .par_iter()
        .map(|&folder| -> Result<Vec<String>> {
            let path = dir.join(folder);
            let modified = match fs::symlink_metadata(&path) {
                Ok(meta) if meta.is_dir() => meta.modified().map_or(true, |at| at > trusted),
                // Gone, or something else now: its own folder was modified.
                _ => false,
            };
            if !modified {
                return Ok(Vec::new());
            }
            let mut swept = Vec::new();
            for entry in fs::read_dir(&path).with_context(|| format!("cannot list {}", path.display()))? {
                let entry = entry.with_context(|| format!("cannot list {}", path.display()))?;
                let name = entry.file_name();
                let rel = match (folder, name.to_str()) {
                    (_, None) => None,
                    ("", Some(name)) => Some(name.to_string()),
                    (_, Some(name)) => Some(format!("{folder}/{name}")),
                };
                let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                let known = rel.as_deref().is_some_and(|rel| {
                    if is_dir { folders.contains(rel) } else { rel == MARKER || keep.contains(rel) }
                });
                if !known {
                    sweep(dir, &entry.path(), keep)?;
                    swept.push(folder.to_string());
                }
            }
            Ok(swept)
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    for file in files.iter().filter(|file| !keep.contains(**file)) {
        match fs::remove_file(dir.join(file)) {
            Ok(()) => emptied.extend(folders_of(file).next().map(str::to_string)),
            // Gone already, or a folder now (swept above, its parent
            // having been modified).
            Err(_) if !dir.join(file).is_file() => {}
            Err(err) => return Err(err).with_context(|| format!("cannot remove {}", dir.join(file).display())),
        }
    }
    // Folders left empty go, deepest first: the folders of what was
    // removed, and theirs (an rmdir of a folder that is not empty fails).
    let mut candidates: Vec<&str> =
        emptied.iter().flat_map(|folder| std::iter::once(folder.as_str()).chain(folders_of(folder))).collect();
    candidates.retain(|folder| !folder.is_empty());
    candidates.sort_by(|a, b| b.matches('/').count().cmp(&a.matches('/').count()).then(a.cmp(b)));
    candidates.dedup();
    for folder in candidates {
        let _ = fs::remove_dir(dir.join(folder));
    }
    Ok(())
}

/// The folders `rel` is in, innermost first, the top (`""`) not among
/// them: `a/b/c.html` is in `a/b` and `a`.
fn folders_of(rel: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(rel.rsplit_once('/').map(|(parent, _)| parent), |at| {
        at.rsplit_once('/').map(|(parent, _)| parent)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_the_root_and_source_folders() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        fs::create_dir(root.join("content")).unwrap();
        fs::write(root.join("config.toml"), "").unwrap();
        assert!(check_output(root, root).is_err());
        assert!(check_output(root, &root.join("content")).is_err());
        assert!(check_output(root, &root.join("content/x")).is_err());
        assert!(check_output(root, root.parent().unwrap()).is_err());
        assert!(check_output(root, &root.join("public")).is_ok());
        assert!(check_output(root, &root.join("dist")).is_ok());
    }

    #[test]
    fn refuses_foreign_non_empty_folders_but_not_its_own() {
        let site = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        fs::write(other.path().join("notes.txt"), "mine").unwrap();
        assert!(check_output(site.path(), other.path()).is_err());
        fs::write(other.path().join(MARKER), "").unwrap();
        assert!(check_output(site.path(), other.path()).is_ok());
    }

    fn build(out: &Path, files: &[(&str, &[u8])]) {
        let staging = Staging::create(out).unwrap();
        for (rel, bytes) in files {
            staging.write(rel, bytes).unwrap();
        }
        let keep: HashSet<String> = files.iter().map(|(rel, _)| rel.to_string()).collect();
        staging.commit(&keep, None).unwrap();
    }

    #[test]
    fn the_folders_of_a_file_innermost_first() {
        assert_eq!(folders_of("a/b/c.html").collect::<Vec<_>>(), ["a/b", "a"]);
        assert_eq!(folders_of("c.html").count(), 0);
    }

    /// Sets the time of last change of the folder `dir` back a minute.
    fn age(dir: &Path) {
        let minute_ago = SystemTime::now() - Duration::from_secs(60);
        fs::File::open(dir).unwrap().set_modified(minute_ago).unwrap();
    }

    #[test]
    fn a_twin_whose_files_are_known_loses_its_strays_and_empty_folders() {
        let site = tempfile::tempdir().unwrap();
        let out = site.path().join("public");
        let first: &[(&str, &[u8])] = &[("a/index.html", b"a"), ("b/c/index.html", b"c"), ("style.css", b"s")];
        build(&out, first);
        build(&out, &[("a/index.html", b"A")]);
        // The twin holds the first build, as a list written now says;
        // then a deploy step adds files, and its folders are left alone.
        let twin = site.path().join(".public.broadsheet-twin");
        let when = SystemTime::now();
        for folder in ["", "a", "b", "b/c"] {
            age(&twin.join(folder));
        }
        std::thread::sleep(Duration::from_millis(1100));
        fs::write(twin.join("CNAME"), "example.org").unwrap();
        fs::create_dir_all(twin.join("a/extra")).unwrap();
        fs::write(twin.join("a/extra/notes.txt"), "n").unwrap();
        let staging = Staging::create(&out).unwrap();
        staging.write("a/index.html", b"A2").unwrap();
        let keep = HashSet::from(["a/index.html".to_string()]);
        let known = first.iter().map(|(rel, _)| *rel).collect();
        staging.commit(&keep, Some((when, known))).unwrap();
        assert_eq!(tree(&out), [("a/index.html".to_string(), "A2".to_string())]);
        assert!(!out.join("b").exists(), "folders left empty are removed");
    }

    #[test]
    fn a_folder_of_a_known_twin_not_modified_since_is_not_read() {
        // The proof that the list is used: a stray put into a folder whose
        // time of last change is then set back stays.
        let site = tempfile::tempdir().unwrap();
        let out = site.path().join("public");
        build(&out, &[("a/index.html", b"a")]);
        build(&out, &[("a/index.html", b"A")]);
        let twin = site.path().join(".public.broadsheet-twin");
        let when = SystemTime::now();
        fs::write(twin.join("a/unseen.txt"), "u").unwrap();
        age(&twin.join("a"));
        let staging = Staging::create(&out).unwrap();
        staging.write("a/index.html", b"A2").unwrap();
        let keep = HashSet::from(["a/index.html".to_string()]);
        staging.commit(&keep, Some((when, vec!["a/index.html"]))).unwrap();
        assert!(out.join("a/unseen.txt").exists());
    }

    fn tree(dir: &Path) -> Vec<(String, String)> {
        walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
                (rel, fs::read_to_string(e.path()).unwrap())
            })
            .filter(|(rel, _)| rel != MARKER)
            .collect()
    }

    #[test]
    fn commit_replaces_and_drop_discards() {
        let site = tempfile::tempdir().unwrap();
        let out = site.path().join("public");
        build(&out, &[("a/index.html", b"one")]);
        assert_eq!(fs::read(out.join("a/index.html")).unwrap(), b"one");

        let staging = Staging::create(&out).unwrap();
        staging.write("b/index.html", b"two").unwrap();
        drop(staging);
        assert_eq!(tree(&out), [("a/index.html".to_string(), "one".to_string())]);
        assert_eq!(fs::read_dir(site.path()).unwrap().count(), 1, "a fresh staging folder is removed");
    }

    #[test]
    fn the_twin_is_reused_and_brought_up_to_date() {
        let site = tempfile::tempdir().unwrap();
        let out = site.path().join("public");
        build(&out, &[("a/index.html", b"one"), ("b", b"file")]);
        build(&out, &[("a/index.html", b"two"), ("b", b"file")]);
        // The third build writes into the twin, which holds the first.
        build(&out, &[("a/index.html", b"two"), ("b/index.html", b"folder now"), ("c.css", b"c")]);
        assert_eq!(
            tree(&out),
            [
                ("a/index.html".to_string(), "two".to_string()),
                ("b/index.html".to_string(), "folder now".to_string()),
                ("c.css".to_string(), "c".to_string()),
            ]
        );
        build(&out, &[("a/index.html", b"three")]);
        assert_eq!(tree(&out), [("a/index.html".to_string(), "three".to_string())]);
        // A build that fails half-way leaves the twin marked as unknown, so
        // the next build with the twin's old list of files still cleans up.
        let staging = Staging::create(&out).unwrap();
        staging.write("stray.html", b"from a failed build").unwrap();
        drop(staging);
        build(&out, &[("a/index.html", b"two"), ("b/index.html", b"folder now"), ("c.css", b"c")]);
        build(&out, &[("a/index.html", b"two"), ("b/index.html", b"folder now"), ("c.css", b"c")]);
        assert!(!out.join("stray.html").exists());
        let twin = site.path().join(".public.broadsheet-twin");
        assert_eq!(tree(&twin).len(), 3, "the twin holds the previous site");
    }

    #[test]
    fn a_foreign_output_is_replaced_and_not_kept_as_the_twin() {
        let site = tempfile::tempdir().unwrap();
        let out = site.path().join("public");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("from-another-tool.html"), "old").unwrap();
        build(&out, &[("a/index.html", b"one")]);
        build(&out, &[("a/index.html", b"two")]);
        build(&out, &[("a/index.html", b"three")]);
        assert_eq!(tree(&out), [("a/index.html".to_string(), "three".to_string())]);
    }

    #[test]
    fn files_added_to_the_output_by_hand_do_not_come_back() {
        let site = tempfile::tempdir().unwrap();
        let out = site.path().join("public");
        build(&out, &[("a/index.html", b"one")]);
        build(&out, &[("a/index.html", b"one")]);
        fs::write(out.join("CNAME"), "news.example.com").unwrap();
        for _ in 0..3 {
            build(&out, &[("a/index.html", b"one")]);
            assert_eq!(tree(&out), [("a/index.html".to_string(), "one".to_string())]);
        }
    }

    #[test]
    fn a_foreign_folder_in_the_twins_place_is_refused() {
        let site = tempfile::tempdir().unwrap();
        let out = site.path().join("public");
        fs::create_dir_all(site.path().join(".public.broadsheet-twin")).unwrap();
        fs::write(site.path().join(".public.broadsheet-twin/mine.txt"), "x").unwrap();
        assert!(Staging::create(&out).is_err());
        assert!(site.path().join(".public.broadsheet-twin/mine.txt").exists());
    }
}
