//! Every file of the output, decided before anything is rendered: the
//! pages ([`site`]), the generated files (feeds, sitemaps, robots.txt,
//! syntax.css) and the files copied (the theme's and the site's static/,
//! files under content/). Each file is claimed by one source; two sources
//! for one file, or a file where another needs a folder, is an error
//! naming both.

pub mod links;
pub mod site;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

pub use site::{Kind, Page, Site};

use crate::diag::{self, Diagnostic, Failed, Location};
use crate::load::Asset;
use crate::load::theme::StaticFile;
use crate::parse::Article;
use crate::paths::output_file;

/// The most URLs one sitemap file may hold (the sitemaps protocol's limit).
pub const MAX_URLS: usize = 50_000;

/// A file of the site that is not a page, made from the site's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generated {
    /// `/feed.xml`, or a category's `/<category>/feed.xml` (RSS 2.0).
    Rss(Option<usize>),
    /// `/atom.xml`.
    Atom,
    /// `/feed.json`, or a category's `/<category>/feed.json` (JSON Feed 1.1).
    JsonFeed(Option<usize>),
    /// `/sitemap.xml`: every page, or above [`MAX_URLS`] an index of parts.
    Sitemap,
    /// `/sitemap-N.xml`, N from 1: the parts of a sitemap split in an index.
    SitemapPart(usize),
    /// `/news-sitemap.xml`.
    NewsSitemap,
    /// `/corrections/feed.xml` (RSS 2.0): every correction, newest first.
    CorrectionsFeed,
    /// The redirect page at an alias: article, and alias among its own.
    Redirect(usize, usize),
    /// `/_redirects`: every alias, for hosts that read the file (Netlify,
    /// Cloudflare Pages); only when some article has one.
    Redirects,
    /// The Pagefind index and client under `/pagefind/`: many files,
    /// named by their content, claimed here by the first.
    Search,
    Robots,
    SyntaxCss,
}

/// The plan of the last build, kept (for `serve`) with what it was made
/// from: a save that moves no output file (a body, a title) takes it as it
/// was. Making it claims every output file by name, 9 ms of a
/// one-paragraph save at 10,000 articles.
#[derive(Default)]
pub struct Planned {
    pub keep: bool,
    last: Option<LastPlan>,
}

struct LastPlan {
    lists: Arc<site::Lists>,
    /// A hash of the site's root, static files and files under content/.
    outside: u128,
    /// Each article's version, and a hash of what the plan takes of it.
    versions: Vec<u64>,
    taken: Vec<u128>,
    plan: Arc<Plan>,
}

impl Planned {
    pub fn new(keep: bool) -> Planned {
        Planned { keep, last: None }
    }

    /// The plan of `site` (see [`Plan::new`]): the last one while no
    /// static file or file under content/ came or left, no article's file,
    /// path, aliases or files changed, and the lists are the very same or
    /// make the same pages.
    pub fn plan<'a>(
        &mut self,
        site: &Site<'a>,
        root: &Path,
        statics: impl Iterator<Item = (&'a String, &'a StaticFile)>,
        assets: impl Iterator<Item = &'a Asset>,
    ) -> Result<Arc<Plan>, Failed> {
        if !self.keep {
            return Plan::new(site, root, statics, assets).map(Arc::new);
        }
        let (statics, assets): (Vec<_>, Vec<_>) = (statics.collect(), assets.collect());
        let outside = hash(&(root, &statics, &assets));
        let versions: Vec<u64> = site.articles.iter().map(|a| a.version).collect();
        let last = self.last.take();
        let taken: Vec<u128> = match &last {
            Some(last) if last.versions.len() == versions.len() => (site.articles.iter().zip(&versions))
                .zip(last.versions.iter().zip(&last.taken))
                .map(|((article, new), (old, taken))| if new == old { *taken } else { taken_of(article) })
                .collect(),
            // An article came or went: the others are found by version
            // (the version hashes the content path), not hashed again.
            Some(last) => {
                let by_version: FxHashMap<u64, u128> =
                    last.versions.iter().copied().zip(last.taken.iter().copied()).collect();
                (site.articles.iter().zip(&versions))
                    .map(|(article, version)| by_version.get(version).copied().unwrap_or_else(|| taken_of(article)))
                    .collect()
            }
            None => site.articles.iter().map(|a| taken_of(a)).collect(),
        };
        let last = last.filter(|last| last.outside == outside && last.taken == taken);
        let plan = match last {
            Some(last) if Arc::ptr_eq(&last.lists, &site.lists) => last.plan,
            // New lists with the same pages (a tag added to an article whose
            // listings keep their page counts): the same files.
            Some(last) => match site.pages() {
                pages if pages == last.plan.pages => last.plan,
                pages => Arc::new(Plan::of_pages(site, pages, root, statics.into_iter(), assets.into_iter())?),
            },
            None => Arc::new(Plan::new(site, root, statics.into_iter(), assets.into_iter())?),
        };
        self.last = Some(LastPlan { lists: site.lists.clone(), outside, versions, taken, plan: plan.clone() });
        Ok(plan)
    }
}

/// A hash of what the plan takes of an article besides its place in the
/// lists: its file, its path, its aliases' and its files' outputs.
fn taken_of(article: &Article) -> u128 {
    use std::hash::Hash;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    (&article.rel, &article.path).hash(&mut hasher);
    article.front.aliases.len().hash(&mut hasher);
    for alias in &article.front.aliases {
        alias.path.hash(&mut hasher);
    }
    article.assets.len().hash(&mut hasher);
    for asset in &article.assets {
        (&asset.source, &asset.output, asset.variants.len()).hash(&mut hasher);
        for variant in &asset.variants {
            (variant.width, &variant.output).hash(&mut hasher);
        }
    }
    hasher.digest128()
}

fn hash(value: &impl std::hash::Hash) -> u128 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    value.hash(&mut hasher);
    hasher.digest128()
}

/// Every output file: pages to render, files to generate, files to copy.
pub struct Plan {
    /// Site path and page.
    pub pages: Vec<(String, Page)>,
    /// The output file of each page, in the same order.
    pub page_files: Vec<String>,
    pub generated: Vec<(String, Generated)>,
    pub copies: Vec<(String, StaticFile)>,
}

impl Plan {
    /// Lists every output file of `site`, and refuses two sources for one
    /// file. `statics` are the theme's and the site's static files, by
    /// output path; `assets` the files under content/.
    pub fn new<'a>(
        site: &Site<'a>,
        root: &Path,
        statics: impl Iterator<Item = (&'a String, &'a StaticFile)>,
        assets: impl Iterator<Item = &'a Asset>,
    ) -> Result<Plan, Failed> {
        Plan::of_pages(site, site.pages(), root, statics, assets)
    }

    /// [`Plan::new`], with the site's pages made already.
    fn of_pages<'a>(
        site: &Site<'a>,
        pages: Vec<(String, Page)>,
        root: &Path,
        statics: impl Iterator<Item = (&'a String, &'a StaticFile)>,
        assets: impl Iterator<Item = &'a Asset>,
    ) -> Result<Plan, Failed> {
        let page_files: Vec<String> = pages.par_iter().map(|(path, _)| output_file(path)).collect();
        let generated = generated(site, pages.len());
        let (copies, diags) = {
            let mut claims = Claims::with_capacity(page_files.len() + generated.len());
            for (file, (_, page)) in page_files.iter().zip(&pages) {
                claims.claim(file, Owner::Page(*page));
            }
            let copies = copies(site, root, statics, assets, &mut claims);
            for (rel, output) in &generated {
                let owner = match *output {
                    Generated::Redirect(i, j) => Owner::Alias(i, j),
                    _ => Owner::Named(format!("the generated {rel}")),
                };
                claims.claim(rel, owner);
            }
            let mut diags: Vec<Diagnostic> =
                claims.clashes.iter().map(|(first, second, file)| clash(site, first, second, file)).collect();
            diags.extend(claims.merged.iter().map(|(first, a, second, b)| merged(site, first, a, second, b)));
            (copies, diags)
        };
        diag::fail_on(diags)?;
        Ok(Plan { pages, page_files, generated, copies })
    }
}

/// The generated files of a site of `pages` pages.
fn generated(site: &Site, pages: usize) -> Vec<(String, Generated)> {
    let mut files = vec![
        ("feed.xml".to_string(), Generated::Rss(None)),
        ("atom.xml".to_string(), Generated::Atom),
        ("feed.json".to_string(), Generated::JsonFeed(None)),
    ];
    for (index, category) in site.config.categories.iter().enumerate() {
        files.push((format!("{}/feed.xml", category.slug), Generated::Rss(Some(index))));
        files.push((format!("{}/feed.json", category.slug), Generated::JsonFeed(Some(index))));
    }
    files.push(("sitemap.xml".to_string(), Generated::Sitemap));
    // Every page but the 404 page is in the sitemap.
    let urls = pages.saturating_sub(1);
    if urls > MAX_URLS {
        for part in 1..=urls.div_ceil(MAX_URLS) {
            files.push((format!("sitemap-{part}.xml"), Generated::SitemapPart(part)));
        }
    }
    files.push(("news-sitemap.xml".to_string(), Generated::NewsSitemap));
    files.push(("corrections/feed.xml".to_string(), Generated::CorrectionsFeed));
    let mut aliases = false;
    for (i, article) in site.articles.iter().enumerate() {
        for (j, alias) in article.front.aliases.iter().enumerate() {
            files.push((output_file(&alias.path), Generated::Redirect(i, j)));
            aliases = true;
        }
    }
    if aliases {
        files.push(("_redirects".to_string(), Generated::Redirects));
    }
    if site.config.search {
        files.push(("pagefind/pagefind.js".to_string(), Generated::Search));
    }
    files.push(("robots.txt".to_string(), Generated::Robots));
    files.push(("syntax.css".to_string(), Generated::SyntaxCss));
    files
}

/// The files copied into the output: static files, then the files under
/// content/. Files an article shows go next to its output; the others keep
/// their path under content/.
fn copies<'a: 'c, 'c>(
    site: &Site<'a>,
    root: &Path,
    statics: impl Iterator<Item = (&'a String, &'a StaticFile)>,
    assets: impl Iterator<Item = &'a Asset>,
    claims: &mut Claims<'c>,
) -> Vec<(String, StaticFile)> {
    let mut files: Vec<(String, StaticFile)> = Vec::new();
    for (rel, file) in statics {
        let source = match file {
            StaticFile::Disk(path) => path.strip_prefix(root).unwrap_or(path).display().to_string(),
            StaticFile::Embedded(_) => format!("the theme's static/{rel}"),
            StaticFile::Resized { .. } => continue,
        };
        if claims.claim(rel, Owner::Named(source)) {
            files.push((rel.clone(), file.clone()));
        }
    }
    let mut shown = HashSet::new();
    for article in site.articles {
        for asset in &article.assets {
            if !shown.insert((asset.source.as_str(), asset.output.as_str())) {
                continue;
            }
            if claims.claim(&asset.output, Owner::Named(format!("content/{}", asset.source))) {
                let path = root.join("content").join(&asset.source);
                files.push((asset.output.clone(), StaticFile::Disk(path.clone())));
                for variant in &asset.variants {
                    let owner = Owner::Named(format!("the {} px copy of content/{}", variant.width, asset.source));
                    if claims.claim(&variant.output, owner) {
                        let article = format!("content/{}", article.rel);
                        let name = format!("content/{}", asset.source);
                        let resized = StaticFile::Resized { source: path.clone(), name, width: variant.width, article };
                        files.push((variant.output.clone(), resized));
                    }
                }
            }
        }
    }
    let shown: HashSet<&str> = shown.into_iter().map(|(source, _)| source).collect();
    for asset in assets {
        if shown.contains(asset.rel.as_str()) {
            continue;
        }
        if claims.claim(&asset.rel, Owner::Named(format!("content/{}", asset.rel))) {
            files.push((asset.rel.clone(), StaticFile::Disk(asset.abs.clone())));
        }
    }
    files
}

/// Who writes an output file. Pages are named only when they clash.
#[derive(Clone)]
enum Owner {
    Page(Page),
    /// An alias of an article: article, and alias among its own.
    Alias(usize, usize),
    Named(String),
}

/// The output files and folders claimed so far, and the clashes.
#[derive(Default)]
struct Claims<'a> {
    files: FxHashMap<&'a str, Owner>,
    /// Folders, without their trailing `/`.
    folders: FxHashMap<&'a str, Owner>,
    /// The first owner, the second, and the file.
    clashes: Vec<(Owner, Owner, String)>,
    /// Files by their case- and normalization-folded name, for the files
    /// that a case-insensitive host would merge (`World/A/` and `world/a/`).
    folded: FxHashMap<String, (&'a str, Owner)>,
    /// The first owner and file, the second and file.
    merged: Vec<(Owner, String, Owner, String)>,
    /// Room for the folders of one claim, reused.
    scratch: Vec<&'a str>,
}

impl<'a> Claims<'a> {
    /// Room for `files` files and about as many folders: grown from empty,
    /// the maps were rehashed a dozen times at 10,000 articles.
    fn with_capacity(files: usize) -> Claims<'a> {
        Claims {
            files: FxHashMap::with_capacity_and_hasher(files, Default::default()),
            folders: FxHashMap::with_capacity_and_hasher(files, Default::default()),
            ..Claims::default()
        }
    }

    /// Records that `owner` writes `file`; a second claim is a clash, and
    /// so is a file where another output needs a folder (a static file
    /// `tags` beside the pages `tags/…`).
    fn claim(&mut self, file: &'a str, owner: Owner) -> bool {
        let mut clash = self.files.get(file).or_else(|| self.folders.get(file));
        // The folders the file needs that no file before it did, the
        // deepest first: a folder claimed already was checked, and claimed
        // with every folder above it (most pages share all but their own).
        let mut new_folders = std::mem::take(&mut self.scratch);
        new_folders.clear();
        if clash.is_none() {
            for (at, _) in file.rmatch_indices('/') {
                let folder = &file[..at];
                if self.folders.contains_key(folder) {
                    break;
                }
                if let Some(first) = self.files.get(folder) {
                    clash = Some(first);
                    break;
                }
                new_folders.push(folder);
            }
        }
        if let Some(first) = clash {
            self.clashes.push((first.clone(), owner, file.to_string()));
            self.scratch = new_folders;
            return false;
        }
        for &folder in &new_folders {
            self.folders.insert(folder, owner.clone());
        }
        self.scratch = new_folders;
        self.fold(file, &owner);
        self.files.insert(file, owner);
        true
    }

    /// Records `file` by its folded name, and a merge when another file
    /// folds to the same. Most paths are slugs, lower-case ASCII already:
    /// they are only looked up among the folded others.
    fn fold(&mut self, file: &'a str, owner: &Owner) {
        let plain = file.is_ascii() && !file.bytes().any(|b| b.is_ascii_uppercase());
        if plain {
            if let Some((other, first)) = (!self.folded.is_empty()).then(|| self.folded.get(file)).flatten() {
                self.merged.push((first.clone(), other.to_string(), owner.clone(), file.to_string()));
            }
            return;
        }
        use unicode_normalization::UnicodeNormalization;
        let key: String = file.nfc().collect::<String>().to_lowercase();
        let earlier = self.folded.get(&key).map(|(other, first)| (first.clone(), other.to_string())).or_else(|| {
            (key != file)
                .then(|| self.files.get_key_value(key.as_str()))
                .flatten()
                .map(|(f, o)| (o.clone(), f.to_string()))
        });
        match earlier {
            Some((first, other)) => self.merged.push((first, other, owner.clone(), file.to_string())),
            None => {
                self.folded.insert(key, (file, owner.clone()));
            }
        }
    }
}

/// The error of two outputs claiming one file, naming both sources; at
/// the alias's line when one is an alias.
fn clash(site: &Site, first: &Owner, second: &Owner, file: &str) -> Diagnostic {
    let name = |owner: &Owner| owner_name(site, owner);
    let alias = alias_location(site, first, second);
    let (first, second) = (name(first), name(second));
    let problem = Diagnostic::error(format!("{first} and {second} would both write {file}, or a folder of that name"));
    match alias {
        Some(location) => problem.at(location).hint("an alias names an address no page has now; remove this one"),
        None => problem.at(Location::file(&second)).hint("rename one of them, or give the article another `slug`"),
    }
}

/// The error of two outputs whose files differ only by case or Unicode
/// normalization: a case-insensitive host (macOS, Windows, some buckets)
/// would merge them, one overwriting the other.
fn merged(site: &Site, first: &Owner, a: &str, second: &Owner, b: &str) -> Diagnostic {
    let alias = alias_location(site, first, second);
    let (first_name, second_name) = (owner_name(site, first), owner_name(site, second));
    let problem = Diagnostic::error(format!(
        "{first_name} writes {a} and {second_name} writes {b}: the same file on a case-insensitive host"
    ));
    let hint = if a.to_lowercase() == b.to_lowercase() {
        "the two names differ only by letter case; rename one of them"
    } else {
        "the two names are the same text in different Unicode forms (composed and decomposed accents); rename one of them"
    };
    match alias {
        Some(location) => problem.at(location).hint(hint),
        None => problem.at(Location::file(&second_name)).hint(hint),
    }
}

/// The alias's line, when one of two clashing owners is an alias.
fn alias_location(site: &Site, first: &Owner, second: &Owner) -> Option<Location> {
    [second, first].into_iter().find_map(|owner| match owner {
        Owner::Alias(i, j) => Some(site.articles[*i].front.aliases[*j].location.clone()),
        _ => None,
    })
}

/// An output's source, as errors name it.
fn owner_name(site: &Site, owner: &Owner) -> String {
    match owner {
        Owner::Named(name) => name.clone(),
        Owner::Alias(i, j) => {
            let article = &site.articles[*i];
            format!("the alias `{}` of content/{}", article.front.aliases[*j].path, article.rel)
        }
        Owner::Page(Page::Corrections { .. }) => "the corrections page".to_string(),
        Owner::Page(Page::Archive { level, index, .. }) => {
            format!("the archive page {}", site.archive(*level)[*index].period.path())
        }
        Owner::Page(Page::Search) => "the search page".to_string(),
        Owner::Page(Page::Series(index)) => format!("the series page of “{}”", site.lists.series[*index].name),
        Owner::Page(Page::Article(i)) => format!("content/{}", site.articles[*i].rel),
        Owner::Page(Page::Home) => "the home page".to_string(),
        Owner::Page(Page::Listing { kind, index, .. }) => {
            let slug = &site.listings(*kind)[*index].view.slug;
            format!("the {kind:?} listing `{slug}`").to_lowercase()
        }
        Owner::Page(Page::Index(kind)) => format!("the {kind:?} index").to_lowercase(),
        Owner::Page(Page::NotFound) => "the 404 page".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Owner {
        Owner::Named(name.to_string())
    }

    fn clashes(claims: &Claims) -> Vec<(String, String, String)> {
        let name = |owner: &Owner| match owner {
            Owner::Named(name) => name.clone(),
            _ => unreachable!(),
        };
        claims.clashes.iter().map(|(a, b, file)| (name(a), name(b), file.clone())).collect()
    }

    #[test]
    fn a_file_clashes_with_a_file_or_a_folder_of_its_name() {
        let mut claims = Claims::default();
        assert!(claims.claim("world/a/index.html", named("a")));
        assert!(claims.claim("world/b/index.html", named("b")));
        assert!(claims.claim("world/b/page/2/index.html", named("b2")));
        // The same file; a file where pages need a folder; a folder where
        // a file is.
        assert!(!claims.claim("world/a/index.html", named("again")));
        assert!(!claims.claim("world/b", named("file b")));
        assert!(!claims.claim("world", named("file world")));
        assert!(claims.claim("notes", named("notes")));
        assert!(!claims.claim("notes/page/2/index.html", named("under notes")));
        assert!(claims.claim("world/b/page/3/index.html", named("b3")));
        assert_eq!(
            clashes(&claims),
            [
                ("a".into(), "again".into(), "world/a/index.html".into()),
                ("b".into(), "file b".into(), "world/b".into()),
                ("a".into(), "file world".into(), "world".into()),
                ("notes".into(), "under notes".into(), "notes/page/2/index.html".into()),
            ]
        );
        // The first to claim a folder owns it.
        assert!(matches!(&claims.folders["world/b/page"], Owner::Named(name) if name == "b2"));
    }
}
