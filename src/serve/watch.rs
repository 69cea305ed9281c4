//! Watching the sources: config.toml, content/, static/, templates/ and
//! themes/, debounced, with editors' temporary files ignored.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::{DEBOUNCE, Shared, rebuild};
use crate::diag::Error;

/// The folders of the site watched, each with everything in it.
pub const SOURCES: [&str; 4] = ["content", "static", "templates", "themes"];

/// Keeps watching while the returned watcher lives: changes are gathered
/// until they pause for [`DEBOUNCE`], then the site is rebuilt once.
pub fn start(root: &Path, shared: Arc<Shared>) -> Result<Arc<Mutex<RecommendedWatcher>>, Error> {
    let root = root.to_path_buf();
    let (sender, receiver) = mpsc::channel::<PathBuf>();
    let site = root.clone();
    let watcher = notify::recommended_watcher(move |result: notify::Result<notify::Event>| {
        let Ok(event) = result else { return };
        // Reads (the rebuild's own) are not changes.
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        // The system dropped events (its queue overflowed): anything may
        // have changed, so the whole site is read again.
        if event.need_rescan() {
            let _ = sender.send(site.clone());
        }
        for path in event.paths {
            let _ = sender.send(path);
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
        while let Ok(first) = receiver.recv() {
            let start = pending.len();
            pending.push(first);
            // Editors save in bursts (write a temporary file, rename it,
            // touch the folder): wait for the burst to end.
            while let Ok(path) = receiver.recv_timeout(DEBOUNCE) {
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
