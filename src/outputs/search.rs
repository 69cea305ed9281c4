//! Search with no server: a Pagefind index of every article, built in
//! process through the `pagefind` crate's API, written under `/pagefind/`
//! with Pagefind's own client (`pagefind.js`) and UI. One record per
//! article: its headline, dek and body text (no navigation), with the
//! category, tags and authors as filters and the date as sort key.
//!
//! Pagefind builds an index in one go (it cannot update one in place), and
//! at 10,000 articles that takes long: the index is kept in a cache folder
//! beside the output with the key of the records it was made from, and
//! made again only when some record changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use serde::Serialize;

use super::File;
use crate::diag::Diagnostic;
use crate::render::Views;
use crate::render::key::{self, Key};

/// The folder of the index in the output.
pub const FOLDER: &str = "pagefind";

/// What Pagefind is given of one article.
#[derive(Debug, Serialize)]
pub struct Record {
    url: String,
    content: String,
    meta: BTreeMap<String, String>,
    filters: BTreeMap<String, Vec<String>>,
    sort: BTreeMap<String, String>,
}

/// One record per article, in the site's order.
pub fn records(views: &Views) -> Result<Vec<Record>, Diagnostic> {
    use rayon::prelude::*;
    (0..views.site.articles.len()).into_par_iter().map(|i| record(views, i)).collect()
}

fn record(views: &Views, i: usize) -> Result<Record, Diagnostic> {
    let article = &views.site.articles[i];
    let summary = views.summary(i);
    let body = views.bodies.html(article)?;
    let mut content = String::with_capacity(body.page.len());
    content.push_str(summary.title);
    content.push_str(". ");
    if let Some(dek) = summary.description {
        content.push_str(dek);
        content.push(' ');
    }
    content.push_str(&plain(&body.page));
    let mut meta = BTreeMap::new();
    meta.insert("title".to_string(), summary.title.to_string());
    meta.insert("kicker".to_string(), summary.category.name.clone());
    meta.insert("date".to_string(), summary.date.display.clone());
    if let Some(image) = &summary.image {
        meta.insert("image".to_string(), url_path(image.src).to_string());
        meta.insert("image_alt".to_string(), image.alt.to_string());
    }
    let mut filters = BTreeMap::new();
    filters.insert("category".to_string(), vec![summary.category.name.clone()]);
    if !summary.tags.is_empty() {
        filters.insert("tag".to_string(), summary.tags.iter().map(|t| t.name.to_string()).collect());
    }
    if !summary.authors.is_empty() {
        filters.insert("author".to_string(), summary.authors.iter().map(|a| a.name.to_string()).collect());
    }
    let mut sort = BTreeMap::new();
    sort.insert("date".to_string(), summary.date.iso.clone());
    Ok(Record { url: url_path(summary.url).to_string(), content, meta, filters, sort })
}

/// The path of a URL of the site (`https://x.test/news/a/` → `/news/a/`):
/// an index that names no host serves any host (`serve`'s too) and is the
/// same for builds with another `--base-url`.
fn url_path(url: &str) -> &str {
    match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |at| &rest[at..]),
        None => url,
    }
}

/// The text of rendered HTML: tags dropped, the entities the renderer
/// writes decoded, blocks separated by a space.
fn plain(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else { break };
        let tag = &rest[open + 1..open + close];
        let block = ["p", "/p", "li", "/li", "h", "/h", "br", "td", "/td", "pre", "/pre", "div", "/div"];
        if block.iter().any(|b| tag.starts_with(b)) && !out.ends_with(' ') {
            out.push(' ');
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// The index, as output files under `pagefind/`: made now, or the files
/// of the cache that holds it, to be copied.
pub enum Index {
    Made(Vec<File>),
    Cached(Vec<(String, PathBuf)>),
}

/// The index of `records` in `language`; from the cache at `cache` when it
/// holds the index of the same records.
pub fn index(records: &[Record], language: &str, cache: Option<&Path>) -> Result<Index, Diagnostic> {
    use rayon::prelude::*;
    let keys: Vec<Key> = records.par_iter().map(|record| key::of("", record)).collect();
    let key = key::of(concat!("pagefind ", env!("CARGO_PKG_VERSION")), &(keys, language));
    if let Some(files) = cache.and_then(|dir| cached(dir, key)) {
        return Ok(Index::Cached(files));
    }
    let files =
        build(records, language).map_err(|e| Diagnostic::error(format!("cannot build the search index: {e:#}")))?;
    if let Some(dir) = cache {
        // A cache that cannot be written only costs the next build time.
        let _ = store(dir, key, &files);
    }
    Ok(Index::Made(files))
}

fn build(records: &[Record], language: &str) -> anyhow::Result<Vec<File>> {
    use pagefind::api::PagefindIndex;
    use pagefind::options::PagefindServiceConfig;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let options = PagefindServiceConfig::builder().force_language(language.to_string()).build();
        let mut index = PagefindIndex::new(Some(options))?;
        for record in records {
            index
                .add_custom_record(
                    record.url.clone(),
                    record.content.clone(),
                    language.to_string(),
                    Some(record.meta.clone()),
                    Some(record.filters.clone()),
                    Some(record.sort.clone()),
                )
                .await?;
        }
        let mut files: Vec<File> = index
            .get_files()
            .await?
            .into_iter()
            .map(|file| {
                let name = file.filename.to_string_lossy().replace('\\', "/");
                (format!("{FOLDER}/{name}"), Bytes::from(file.contents))
            })
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(files)
    })
}

/// The files of the index in the cache folder `dir`, if it was made under
/// `key` and every file of it is there.
fn cached(dir: &Path, key: Key) -> Option<Vec<(String, PathBuf)>> {
    let stored = std::fs::read_to_string(dir.join("key")).ok()?;
    if stored.trim() != format!("{key:032x}") {
        return None;
    }
    let list = std::fs::read_to_string(dir.join("files")).ok()?;
    list.lines()
        .map(|name| {
            let path = dir.join("files.d").join(name);
            path.is_file().then(|| (format!("{FOLDER}/{name}"), path))
        })
        .collect()
}

/// Keeps `files`, the index made under `key`, in the cache folder `dir`.
fn store(dir: &Path, key: Key, files: &[File]) -> std::io::Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    let data: PathBuf = dir.join("files.d");
    let mut names = String::new();
    for (rel, bytes) in files {
        let name = rel.strip_prefix(&format!("{FOLDER}/")).unwrap_or(rel);
        let path = data.join(name);
        std::fs::create_dir_all(path.parent().unwrap_or(&data))?;
        std::fs::write(path, bytes)?;
        names.push_str(name);
        names.push('\n');
    }
    std::fs::write(dir.join("files"), names)?;
    // Written last: a cache without its key is never trusted.
    std::fs::write(dir.join("key"), format!("{key:032x}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_text() {
        assert_eq!(
            plain("<h2 id=\"a\">Key</h2>\n<p>Fish &amp; <em>chips</em></p><p>x</p>").trim(),
            "Key \n Fish & chips x"
        );
    }
}
