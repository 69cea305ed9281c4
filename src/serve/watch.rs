//! Watching the sources: config.toml, content/, static/, templates/ and
//! themes/, debounced, with editors' temporary files ignored.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::{DEBOUNCE, SETTLED, Shared, rebuild};
use crate::diag::Error;

/// The folders of the site watched, each with everything in it.
pub const SOURCES: [&str; 4] = ["content", "static", "templates", "themes"];

/// Keeps watching while the returned watcher lives: changes are gathered
/// until they pause (see [`pause`]), then the site is rebuilt once.
pub fn start(root: &Path, shared: Arc<Shared>) -> Result<Arc<Mutex<RecommendedWatcher>>, Error> {
    let root = root.to_path_buf();
    // Each changed path, and whether its event ends a save (see [`pause`]).
    let (sender, receiver) = mpsc::channel::<(PathBuf, bool)>();
    let site = root.clone();
    let watcher = notify::recommended_watcher(move |result: notify::Result<notify::Event>| {
        let Ok(event) = result else { return };
        let ends = match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
            // Reads (the rebuild's own) are not changes.
            EventKind::Access(_) => return,
            EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both)) | EventKind::Remove(_) => true,
            _ => false,
        };
        // The system dropped events (its queue overflowed): anything may
        // have changed, so the whole site is read again.
        if event.need_rescan() {
            let _ = sender.send((site.clone(), false));
        }
        for path in event.paths {
            let _ = sender.send((path, ends));
        }
    })
    .map_err(|e| Error::Io(anyhow::anyhow!("cannot watch the site: {e}")))?;
    let watcher = Arc::new(Mutex::new(watcher));
    // The root itself only for config.toml (and folders appearing), so
    // public/ and target/ do not trigger rebuilds.
    watcher
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .watch(&root, RecursiveMode::NonRecursive)
        .map_err(|e| Error::Io(anyhow::anyhow!("cannot watch {}: {e}", root.display())))?;
    let mut watched = watch_sources(&watcher, &root, &[], &[]);
    let handle = watcher.clone();
    std::thread::spawn(move || {
        // Every path changed since the last rebuild, ignored ones included:
        // a full build would see them too.
        let mut pending: Vec<PathBuf> = Vec::new();
        while let Ok((first, ends)) = receiver.recv() {
            let start = pending.len();
            let mut wait = pause(&root, &first, ends);
            pending.push(first);
            // Editors save in bursts (write a temporary file, rename it,
            // touch the folder): wait for the burst to end.
            while let Ok((path, ends)) = receiver.recv_timeout(wait) {
                wait = pause(&root, &path, ends);
                pending.push(path);
            }
            if pending[start..].iter().any(|path| relevant(&root, path)) {
                // A source folder created (or made again, by a checkout)
                // since the start is watched from now on.
                watched = watch_sources(&watcher, &root, &watched, &pending[start..]);
                pending.sort();
                pending.dedup();
                rebuild(&shared, &pending);
                pending.clear();
            }
        }
    });
    Ok(handle)
}

/// How long to wait for more events after one for `path`: [`SETTLED`]
/// when it `ends` a save of a source file (the file closed after writing,
/// renamed into place, deleted), [`DEBOUNCE`] otherwise (a save under way,
/// or an editor's own file). An editor's save is a burst of system calls
/// microseconds apart; waiting the longer pause after the event that ends
/// it cost every save 8 ms more before the browser saw it.
fn pause(root: &Path, path: &Path, ends: bool) -> std::time::Duration {
    if ends && relevant(root, path) { SETTLED } else { DEBOUNCE }
}

/// Watches each source folder that exists and is new: not in `watched`, or
/// itself named in `burst` (deleted and made again). Returns the folders
/// watched now.
fn watch_sources(
    watcher: &Mutex<RecommendedWatcher>,
    root: &Path,
    watched: &[PathBuf],
    burst: &[PathBuf],
) -> Vec<PathBuf> {
    let mut watcher = watcher.lock().unwrap_or_else(|e| e.into_inner());
    let mut now = Vec::new();
    for folder in SOURCES {
        let path = root.join(folder);
        if !path.is_dir() {
            continue;
        }
        let renamed = burst.iter().any(|p| p.file_name() == path.file_name() && p.parent() == path.parent());
        if !watched.contains(&path) || renamed {
            // A failure leaves the folder unwatched; the next change to the
            // root tries again.
            if watcher.watch(&path, RecursiveMode::Recursive).is_err() {
                continue;
            }
        }
        now.push(path);
    }
    now
}

/// Whether a changed path can change the site: not an editor's swap or
/// backup file, not the output.
fn relevant(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else { return true };
    let Some(first) = rel.components().next() else { return true };
    let first = first.as_os_str().to_string_lossy();
    if rel.components().count() == 1 {
        return first == "config.toml" || SOURCES.contains(&first.as_ref());
    }
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    !(name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.starts_with(".#")
        || name == "4913")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_end_of_a_save_of_a_source_file_shortens_the_wait() {
        let root = Path::new("/site");
        assert_eq!(pause(root, Path::new("/site/content/world/a.md"), true), SETTLED);
        // A save under way, or one of an editor's own files.
        assert_eq!(pause(root, Path::new("/site/content/world/a.md"), false), DEBOUNCE);
        assert_eq!(pause(root, Path::new("/site/content/world/a.md~"), true), DEBOUNCE);
        assert_eq!(pause(root, Path::new("/site/content/world/.a.md.swp"), true), DEBOUNCE);
        assert!(SETTLED < DEBOUNCE);
    }

    #[test]
    fn editor_files_and_the_output_are_ignored() {
        let root = Path::new("/site");
        assert!(relevant(root, Path::new("/site/config.toml")));
        assert!(relevant(root, Path::new("/site/content/world/a.md")));
        assert!(relevant(root, Path::new("/site/content")));
        for ignored in [
            "/site/public",
            "/site/content/world/.a.md.swp",
            "/site/content/world/a.md~",
            "/site/content/4913",
            "/site/target",
        ] {
            assert!(!relevant(root, Path::new(ignored)), "{ignored}");
        }
    }
}
