//! Where templates and theme assets come from: the `newsroom` theme
//! compiled into the binary, a theme folder of the site
//! (`themes/<name>/`, which replaces the embedded one of the same name),
//! and the site's `templates/`, which overrides single templates by name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diag::{Diagnostic, Location};

/// The embedded `newsroom` theme: its source is `themes/newsroom/`.
macro_rules! embed {
    ($kind:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../../themes/newsroom/", $kind, "/", $name)))),*]
    };
}

const NEWSROOM_TEMPLATES: &[(&str, &[u8])] = embed!("templates":
    "404.html",
    "archive.html",
    "article.html",
    "author.html",
    "authors.html",
    "base.html",
    "category.html",
    "corrections.html",
    "embeds/aside.html",
    "embeds/aside.toml",
    "embeds/audio.html",
    "embeds/audio.toml",
    "embeds/chart.html",
    "embeds/chart.toml",
    "embeds/factbox.html",
    "embeds/factbox.toml",
    "embeds/figure.html",
    "embeds/figure.toml",
    "embeds/gallery.html",
    "embeds/gallery.toml",
    "embeds/pullquote.html",
    "embeds/pullquote.toml",
    "embeds/related.html",
    "embeds/related.toml",
    "embeds/video.html",
    "embeds/video.toml",
    "index.html",
    "partials/byline.html",
    "partials/card.html",
    "partials/listing.html",
    "partials/pagination_links.html",
    "search.html",
    "series.html",
    "tag.html",
    "tags.html",
);

const NEWSROOM_STATIC: &[(&str, &[u8])] = embed!("static":
    "embeds.js",
    "search.js",
    "style.css",
);

/// The templates every theme must have.
pub const REQUIRED: [&str; 12] = [
    "index.html",
    "article.html",
    "category.html",
    "tag.html",
    "author.html",
    "tags.html",
    "authors.html",
    "corrections.html",
    "archive.html",
    "series.html",
    "search.html",
    "404.html",
];

/// A file copied into the output.
#[derive(Debug, Clone, Hash)]
pub enum StaticFile {
    Embedded(&'static [u8]),
    Disk(PathBuf),
    /// An image resized: the source, as errors name it (`content/…`), the
    /// width, and the article that shows it.
    Resized {
        source: PathBuf,
        name: String,
        width: u32,
        article: String,
    },
}

#[derive(Debug, Default)]
pub struct Theme {
    /// Template name (`partials/card.html`) → source.
    pub templates: BTreeMap<String, String>,
    /// Template name → the file it was read from, as errors name it.
    pub origins: BTreeMap<String, String>,
    /// Output path → file; the site's static/ is merged over the theme's.
    pub statics: BTreeMap<String, StaticFile>,
    /// The files of templates/embeds/ (`figure.html`, `figure.toml`), by
    /// name under it: bodies use them, pages do not.
    pub embeds: BTreeMap<String, String>,
}

impl Theme {
    /// Adds the template file `name` (read from `origin`), replacing one of
    /// the same name.
    fn insert(&mut self, name: String, text: String, origin: String) {
        self.origins.insert(name.clone(), origin);
        match name.strip_prefix("embeds/") {
            Some(embed) => {
                self.embeds.insert(embed.to_string(), text);
            }
            None => {
                self.templates.insert(name, text);
            }
        }
    }
}

/// Loads the theme `name` and the site's overrides from `root`.
pub fn load(root: &Path, name: &str, diags: &mut Vec<Diagnostic>) -> Theme {
    let mut theme = Theme::default();
    let folder = root.join("themes").join(name);
    if folder.is_dir() {
        read_templates(root, &folder.join("templates"), &mut theme, diags);
        read_statics(root, &folder.join("static"), &mut theme.statics, diags);
    } else if name == "newsroom" {
        for (name, bytes) in NEWSROOM_TEMPLATES {
            let text = std::str::from_utf8(bytes).expect("embedded templates are UTF-8");
            theme.insert(name.to_string(), text.to_string(), format!("the built-in newsroom theme's templates/{name}"));
        }
        for (name, bytes) in NEWSROOM_STATIC {
            theme.statics.insert(name.to_string(), StaticFile::Embedded(bytes));
        }
    } else {
        diags.push(
            Diagnostic::error(format!("theme `{name}` not found"))
                .at(Location::file(crate::config::FILE))
                .hint(format!("put it in themes/{name}/templates/, or use the built-in theme = \"newsroom\"")),
        );
        return theme;
    }
    read_templates(root, &root.join("templates"), &mut theme, diags);
    read_statics(root, &root.join("static"), &mut theme.statics, diags);
    for required in REQUIRED {
        if !theme.templates.contains_key(required) {
            diags.push(
                Diagnostic::error(format!("theme `{name}` has no template `{required}`"))
                    .at(Location::file(&format!("themes/{name}/templates")))
                    .hint(format!("add templates/{required}")),
            );
        }
    }
    theme
}

/// The files under `dir`, by path relative to it; symbolic links that lead
/// outside `site` are refused (an error each), so that a link such as
/// `static/key -> ~/.ssh/id_rsa` cannot publish a file of the machine.
fn files(site: &Path, dir: &Path) -> Vec<Result<(String, PathBuf), String>> {
    let site = std::fs::canonicalize(site).unwrap_or_else(|_| site.to_path_buf());
    let mut out = Vec::new();
    let mut walker = WalkDir::new(dir).follow_links(true).sort_by_file_name().into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                out.push(Err(err.to_string()));
                continue;
            }
        };
        if entry.path_is_symlink() && !crate::load::leads_inside(&site, entry.path()) {
            out.push(Err(format!("{} is a symbolic link that leads outside the site", entry.path().display())));
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else { continue };
        let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
        let Some(parts) = parts else { continue };
        let rel = parts.join("/");
        if rel.split('/').any(|part| part.starts_with('.')) {
            continue;
        }
        out.push(Ok((rel, entry.into_path())));
    }
    out
}

fn display(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().into_owned()
}

fn read_templates(root: &Path, dir: &Path, into: &mut Theme, diags: &mut Vec<Diagnostic>) {
    if !dir.is_dir() {
        return;
    }
    for file in files(root, dir) {
        match file {
            Ok((name, path)) => match std::fs::read_to_string(&path) {
                Ok(text) => into.insert(name, text, display(root, &path)),
                Err(err) => diags.push(
                    Diagnostic::error(format!("cannot read template: {err}")).at(Location::file(&display(root, &path))),
                ),
            },
            Err(err) => diags.push(Diagnostic::error(format!("cannot read {}: {err}", display(root, dir)))),
        }
    }
}

fn read_statics(root: &Path, dir: &Path, into: &mut BTreeMap<String, StaticFile>, diags: &mut Vec<Diagnostic>) {
    if !dir.is_dir() {
        return;
    }
    for file in files(root, dir) {
        match file {
            Ok((name, path)) => {
                into.insert(name, StaticFile::Disk(path));
            }
            Err(err) => diags.push(Diagnostic::error(format!("cannot read {}: {err}", display(root, dir)))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded lists must name every file of themes/newsroom/, or a
    /// template added there would silently be missing from the binary.
    #[test]
    fn every_newsroom_file_is_embedded() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/newsroom");
        for (kind, embedded) in [("templates", NEWSROOM_TEMPLATES), ("static", NEWSROOM_STATIC)] {
            let on_disk: Vec<String> = files(&folder, &folder.join(kind)).into_iter().map(|f| f.unwrap().0).collect();
            let mut names: Vec<String> = embedded.iter().map(|(n, _)| n.to_string()).collect();
            names.sort();
            assert_eq!(on_disk, names, "themes/newsroom/{kind}");
        }
    }

    #[test]
    fn site_templates_override_the_embedded_theme() {
        let site = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(site.path().join("templates/partials")).unwrap();
        std::fs::write(site.path().join("templates/partials/card.html"), "card").unwrap();
        let mut diags = Vec::new();
        let theme = load(site.path(), "newsroom", &mut diags);
        assert!(diags.is_empty());
        assert_eq!(theme.templates["partials/card.html"], "card");
        assert!(theme.templates["base.html"].contains("<!doctype html>"));
        let missing = load(site.path(), "nope", &mut diags);
        assert!(missing.templates.is_empty());
        assert_eq!(diags[0].message, "theme `nope` not found");
    }
}
