//! Watching the sources: config.toml, content/, static/, templates/ and
//! themes/, debounced, with editors' temporary files ignored.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;

use notify::{EventKind, RecursiveMode, Watcher};

use super::{DEBOUNCE, Shared, rebuild};
use crate::{Error, SiteOptions};

/// Keeps watching while the returned watcher lives: changes are gathered
/// until they pause for [`DEBOUNCE`], then the site is rebuilt once.
pub fn start(site: SiteOptions, url: String, shared: Arc<Shared>) -> Result<impl Drop, Error> {
    let root = site.root.clone();
    let (sender, receiver) = mpsc::channel::<PathBuf>();
    let mut watcher = notify::recommended_watcher(move |result: notify::Result<notify::Event>| {
        let Ok(event) = result else { return };
        // Reads (the rebuild's own) are not changes.
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        for path in event.paths {
            let _ = sender.send(path);
        }
    })
    .map_err(|e| Error::Io(anyhow::anyhow!("cannot watch the site: {e}")))?;
    // The root itself only for config.toml (and folders appearing), so
    // public/ and target/ do not trigger rebuilds.
    watcher
        .watch(&root, RecursiveMode::NonRecursive)
        .map_err(|e| Error::Io(anyhow::anyhow!("cannot watch {}: {e}", root.display())))?;
    for folder in ["content", "static", "templates", "themes"] {
        let path = root.join(folder);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|e| Error::Io(anyhow::anyhow!("cannot watch {}: {e}", path.display())))?;
        }
    }
    std::thread::spawn(move || {
        while let Ok(first) = receiver.recv() {
            let mut relevant_change = relevant(&site.root, &first);
            // Editors save in bursts (write a temporary file, rename it,
            // touch the folder): wait for the burst to end.
            while let Ok(path) = receiver.recv_timeout(DEBOUNCE) {
                relevant_change |= relevant(&site.root, &path);
            }
            if relevant_change {
                rebuild(&site, &url, &shared);
            }
        }
    });
    Ok(watcher)
}

/// Whether a changed path can change the site: not an editor's swap or
/// backup file, not the output.
fn relevant(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else { return true };
    let Some(first) = rel.components().next() else { return true };
    let first = first.as_os_str().to_string_lossy();
    if rel.components().count() == 1 {
        return first == "config.toml" || ["content", "static", "templates", "themes"].contains(&first.as_ref());
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
