//! `serve`'s builds: what is kept from one build of a site to the next, so
//! that saving an article re-reads that file, renders that body, and renders
//! again only the pages whose context changed. The files it produces are
//! exactly those of a full build (tests/it/incremental.rs edits sites and
//! compares every step with a full build).
//!
//! What is kept, and what makes it stale:
//! - the files of content/: read again where the watcher saw a change, all
//!   of them when content/ itself changed or the site uses symbolic links;
//! - parsed front matter, by file text; rendered bodies, by file text and
//!   every answer the index gave while rendering (a link's URL, an image's
//!   size);
//! - the reference graph, while no article's references, tags, date,
//!   category or headings changed; after other changes, the related
//!   lists they cannot affect (see [`graph::link_again`]);
//! - the article order and listings, while no article's placement changed;
//! - summary values, by article version; pages, by page key (see
//!   [`render::Site::page_key`]); feeds and sitemaps, by a key likewise;
//! - the bytes of copied files, until a change under their path or of the
//!   file's identity (inode, size, time);
//! - nothing derived at all once config.toml or a template changed.
//!
//! The plan of output files and its checks are made anew every time.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::diag::{Diagnostic, Failed};
use crate::graph::{self, Graph};
use crate::load::{self, Asset, SourceFile};
use crate::parse::{self, Article, Articles, Chosen, ImageSizes, Index, Lookup, Parsed, Selection};
use crate::render::site::{Lists, Placement};
use crate::render::theme::StaticFile;
use crate::render::{self, views};
use crate::{Error, Files, Plan, Prepared, Report, SiteOptions, Timings, fail_on, write};

/// A site built in memory, again and again.
pub struct Incremental {
    options: SiteOptions,
    base_url: String,
    sources: Sources,
    memo: Memo,
    /// Bytes of the files copied from disk, by path, with the file's
    /// identity when read.
    copies: HashMap<PathBuf, (Stamp, Arc<[u8]>)>,
}

/// What is derived under one config.toml and one set of templates.
#[derive(Default)]
struct Memo {
    /// config.toml as read, and the templates.
    basis: Option<(String, BTreeMap<String, String>)>,
    renderer: Option<render::Renderer>,
    /// The graph, with the inputs it was linked from (only a graph that
    /// linked without a problem is kept).
    graph: Option<(Vec<Arc<graph::Input>>, Arc<Graph>)>,
    values: views::SummaryValues,
    /// The lists, with the placements they were made from.
    lists: Option<(Vec<Arc<Placement>>, Arc<Lists>)>,
    /// In the order of the plan.
    pages: Vec<KeptPage>,
    outputs: crate::outputs::Kept,
}

/// A page's output file, key and bytes.
type KeptPage = (Arc<str>, (Vec<u8>, Arc<[u8]>));

/// content/ as last read, with what was parsed and rendered of it.
#[derive(Default)]
struct Sources {
    /// False until content/ was read whole once.
    read_whole: bool,
    /// The last whole reading met a symbolic link or an error: a change
    /// under a link may come in under the link's target, so every change
    /// then reads content/ whole again.
    links_or_errors: bool,
    /// The problems of that whole reading (symbolic link loops, say).
    walk_problems: Vec<Diagnostic>,
    /// By path under content/: `Path` orders like the walk of a full build.
    articles: BTreeMap<PathBuf, Source>,
    assets: BTreeMap<PathBuf, Asset>,
    /// Files that could not be read.
    unreadable: BTreeMap<PathBuf, Diagnostic>,
    sizes: ImageSizes,
}

struct Source {
    file: SourceFile,
    /// Parsed when first needed.
    head: Option<Parsed>,
    /// Its last rendering, while published or since.
    done: Option<Done>,
}

struct Done {
    article: Arc<Article>,
    diags: Vec<Diagnostic>,
    lookups: Vec<Lookup>,
    input: Arc<graph::Input>,
    placement: Arc<Placement>,
}

impl Incremental {
    /// Nothing is read until the first [`Incremental::build`].
    pub fn new(mut options: SiteOptions, base_url: &str) -> Incremental {
        // Watchers report absolute paths: so are the ones kept here.
        options.root = std::path::absolute(&options.root).unwrap_or(options.root);
        Incremental {
            options,
            base_url: base_url.to_string(),
            sources: Sources::default(),
            memo: Memo::default(),
            copies: HashMap::new(),
        }
    }

    /// Builds the site after the files at `changed` (absolute paths)
    /// changed: exactly the files `build --base-url` writes.
    pub fn build(&mut self, changed: &[PathBuf]) -> Result<(Files, Report), Error> {
        let started = Instant::now();
        let mut timings = Timings::start();
        let root = self.options.root.clone();
        let selection = Selection { drafts: self.options.drafts, future: self.options.future, now: crate::now()? };
        let config_text = crate::config::read(&root).map_err(|diagnostics| Failed { diagnostics })?;
        let config = crate::configure(&config_text, Some(&self.base_url))?;
        // In the order of a full build: content's problems, then the theme's.
        let mut theme_diags = Vec::new();
        let theme = render::theme::load(&root, &config.theme, &mut theme_diags);
        let basis = (config_text, theme.templates.clone());
        if self.memo.basis.as_ref() != Some(&basis) {
            self.memo = Memo { basis: Some(basis), ..Memo::default() };
            for source in self.sources.articles.values_mut() {
                source.head = None;
                source.done = None;
            }
        }
        for path in changed {
            self.copies.retain(|file, _| !file.starts_with(path));
        }
        if changed.iter().any(|path| !path.starts_with(&root)) {
            self.copies.clear();
        }
        self.sources.update(&root, changed);
        let mut diags: Vec<Diagnostic> = self.sources.problems().collect();
        diags.append(&mut theme_diags);
        timings.lap("load");
        let Published { articles, inputs, placements } = self.sources.parse(&config, selection, &mut diags);
        timings.lap("parse");
        let graph = self.link(&articles, inputs, &mut diags);
        timings.lap("graph");
        fail_on(diags.clone())?;
        crate::diag::sort(&mut diags);
        let categories = views::categories(&config);
        let assets = self.sources.assets.values().cloned().collect();
        let prepared = Prepared {
            root: root.clone(),
            now: selection.now,
            config,
            content: load::Content { articles: Vec::new(), assets },
            articles,
            graph,
            theme,
            categories,
            warnings: diags,
        };
        let site = render::Site::new(
            &prepared.config,
            &prepared.articles.published,
            &prepared.graph,
            &prepared.categories,
            &self.memo.values,
            self.memo.lists.as_ref().filter(|(old, _)| same(old, &placements)).map(|(_, lists)| lists.clone()),
        );
        self.memo.lists = Some((placements, site.lists.clone()));
        self.memo.values = site.articles.iter().map(|a| a.version).zip(site.values.iter().cloned()).collect();
        timings.lap("site");
        let plan = Plan::new(&site, &prepared, Some(&mut self.memo.outputs))?;
        if self.memo.renderer.is_none() {
            self.memo.renderer = Some(prepared.renderer(&site)?);
        }
        timings.lap("plan");
        let files = self.emit(&site, &plan)?;
        timings.lap("render");
        Ok((files, prepared.report(plan.file_count(), started.elapsed(), timings)))
    }

    /// The graph of the last build when no input of it changed, else one
    /// linked again (keeping the related lists that cannot have changed).
    fn link(&mut self, articles: &Articles, inputs: Vec<Arc<graph::Input>>, diags: &mut Vec<Diagnostic>) -> Arc<Graph> {
        if let Some((old, graph)) = &self.memo.graph
            && same(old, &inputs)
        {
            let graph = graph.clone();
            self.memo.graph = Some((inputs, graph.clone()));
            return graph;
        }
        let mut problems = Vec::new();
        let earlier = self.memo.graph.as_ref().map(|(old, graph)| graph::Earlier { graph, inputs: old, now: &inputs });
        let graph = Arc::new(graph::link_again(articles, &mut problems, earlier));
        // Kept only when every reference resolved: a reference to a file
        // that failed to parse is not reported (its own errors are), and
        // must be once that file is gone or withheld.
        let resolved = problems.is_empty() && articles.unparsed.is_empty();
        self.memo.graph = resolved.then(|| (inputs, graph.clone()));
        diags.extend(problems);
        graph
    }

    /// Renders the pages whose key changed, and gathers every file.
    fn emit(&mut self, site: &render::Site, plan: &Plan) -> Result<Files, Error> {
        let renderer = self.memo.renderer.as_ref().expect("made before rendering");
        let keys: Vec<Vec<u8>> = plan.pages.par_iter().map(|(_, page)| site.page_key(*page)).collect();
        let old = &self.memo.pages;
        // Mostly the same pages in the same order: matched by position,
        // else by name.
        let same_pages =
            old.len() == plan.page_files.len() && old.iter().zip(&plan.page_files).all(|(old, file)| *old.0 == **file);
        let by_name: FxHashMap<&str, usize> = if same_pages {
            FxHashMap::default()
        } else {
            old.iter().enumerate().map(|(at, (name, _))| (&**name, at)).collect()
        };
        let previous: Vec<Option<&KeptPage>> = plan
            .page_files
            .iter()
            .enumerate()
            .map(|(at, file)| if same_pages { Some(at) } else { by_name.get(file.as_str()).copied() })
            .map(|at| at.map(|at| &old[at]))
            .collect();
        let rendered: Vec<Result<Arc<[u8]>, Diagnostic>> = plan
            .pages
            .par_iter()
            .zip(&keys)
            .zip(&previous)
            .map(|(((_, page), key), previous)| match previous {
                Some((_, (old_key, bytes))) if old_key == key => Ok(bytes.clone()),
                _ => site.render(renderer, *page).map(|html| Arc::from(html.into_bytes())),
            })
            .collect();
        let mut problems = Vec::new();
        let mut pages = Vec::with_capacity(plan.pages.len());
        let mut files = Files::default();
        files.reserve(plan.file_count() + 1);
        for (((file, key), result), previous) in plan.page_files.iter().zip(keys).zip(rendered).zip(&previous) {
            match result {
                Ok(bytes) => {
                    // The names of pages that stay are shared, not copied.
                    let name = previous.map_or_else(|| Arc::from(file.as_str()), |(name, _)| name.clone());
                    files.insert(name.clone(), bytes.clone());
                    pages.push((name, (key, bytes)));
                }
                Err(problem) => problems.push(problem),
            }
        }
        drop(previous);
        fail_on(problems)?;
        self.memo.pages = pages;
        for (rel, bytes) in &plan.generated {
            files.insert(Arc::from(rel.as_str()), bytes.clone());
        }
        for (rel, file) in &plan.files {
            let bytes = match file {
                StaticFile::Embedded(bytes) => Arc::from(*bytes),
                StaticFile::Disk(path) => {
                    let cannot = |e: std::io::Error| Error::Io(anyhow::anyhow!("cannot read {}: {e}", path.display()));
                    // Checked as well as forgotten on a change under the
                    // path: a file reached through a symbolic link changes
                    // under another path, maybe one nobody watches.
                    let stamp = Stamp::of(&std::fs::metadata(path).map_err(cannot)?);
                    match self.copies.get(path) {
                        Some((kept, bytes)) if *kept == stamp => bytes.clone(),
                        _ => {
                            let bytes: Arc<[u8]> = std::fs::read(path).map_err(cannot)?.into();
                            self.copies.insert(path.clone(), (stamp, bytes.clone()));
                            bytes
                        }
                    }
                }
            };
            files.insert(Arc::from(rel.as_str()), bytes);
        }
        files.insert(Arc::from(write::MARKER), Arc::from(write::MARKER_TEXT.as_bytes()));
        Ok(files)
    }
}

impl Sources {
    /// Brings content/ up to date with the changes at `changed`.
    fn update(&mut self, root: &Path, changed: &[PathBuf]) {
        let content = root.join("content");
        let whole = !self.read_whole
            || self.links_or_errors
            || changed.iter().any(|path| *path == content || *path == root || !path.starts_with(root));
        if whole {
            return self.read_all(root);
        }
        for path in changed {
            let Ok(rel) = path.strip_prefix(&content) else { continue };
            if !self.read_again(root, rel) {
                return self.read_all(root);
            }
        }
    }

    /// Reads content/ whole, keeping what was parsed of unchanged files.
    fn read_all(&mut self, root: &Path) {
        let mut old = std::mem::take(&mut self.articles);
        self.assets.clear();
        self.unreadable.clear();
        self.sizes = ImageSizes::default();
        self.walk_problems.clear();
        self.read_whole = true;
        if let Some(missing) = load::no_content(root) {
            self.walk_problems.push(missing);
            self.links_or_errors = true;
            return;
        }
        let walked = load::walk(root, &root.join("content"), &mut self.walk_problems);
        self.links_or_errors = walked.links_or_errors;
        self.insert(walked, &mut old);
    }

    /// Reads again the file or folder at `rel` under content/; false when
    /// that met a symbolic link or an error, and content/ must be read whole.
    fn read_again(&mut self, root: &Path, rel: &Path) -> bool {
        let mut old: BTreeMap<PathBuf, Source> = take_under(&mut self.articles, rel).into_iter().collect();
        take_under(&mut self.assets, rel);
        take_under(&mut self.unreadable, rel);
        let rel_text = rel.to_string_lossy();
        self.sizes.lock().unwrap_or_else(|e| e.into_inner()).retain(|path, _| {
            !(path.as_str() == rel_text || path.strip_prefix(rel_text.as_ref()).is_some_and(|p| p.starts_with('/')))
        });
        let hidden = rel.components().any(|c| load::is_hidden(&c.as_os_str().to_string_lossy()));
        let path = root.join("content").join(rel);
        if hidden || path.symlink_metadata().is_err() {
            return true;
        }
        let mut problems = Vec::new();
        let walked = load::walk(root, &path, &mut problems);
        if walked.links_or_errors || !problems.is_empty() {
            return false;
        }
        self.insert(walked, &mut old);
        true
    }

    /// Reads the articles found by a walk; a file whose text did not change
    /// keeps what was parsed and rendered of it.
    fn insert(&mut self, walked: load::Walked, old: &mut BTreeMap<PathBuf, Source>) {
        let read: Vec<(PathBuf, Result<SourceFile, Diagnostic>)> = walked
            .articles
            .into_par_iter()
            .map(|(rel, abs)| (PathBuf::from(&rel), load::read_article(rel, &abs)))
            .collect();
        for (key, result) in read {
            match result {
                Ok(file) => {
                    let source = match old.remove(&key) {
                        Some(source) if source.file.text == file.text => source,
                        _ => Source { file, head: None, done: None },
                    };
                    self.articles.insert(key, source);
                }
                Err(problem) => {
                    self.unreadable.insert(key, problem);
                }
            }
        }
        for asset in walked.assets {
            self.assets.insert(PathBuf::from(&asset.rel), asset);
        }
    }

    fn problems(&self) -> impl Iterator<Item = Diagnostic> + '_ {
        self.walk_problems.iter().chain(self.unreadable.values()).cloned()
    }

    /// Parses what is new, renders the bodies that may have changed, and
    /// returns the published articles with their graph inputs.
    fn parse(
        &mut self,
        config: &crate::config::Config,
        selection: Selection,
        diags: &mut Vec<Diagnostic>,
    ) -> Published {
        let new: Vec<&mut Source> = self.articles.values_mut().filter(|s| s.head.is_none()).collect();
        new.into_par_iter().for_each(|source| source.head = Some(parse::parse_head(config, &source.file)));
        let sources: Vec<&Source> = self.articles.values().collect();
        let heads = sources.iter().map(|s| (&s.file, s.head.as_ref().expect("parsed above")));
        let Chosen { published, withheld, unparsed } = parse::select(heads, selection, diags);
        let index = Index::new(config, self.assets.values(), &published, &self.sizes, diags);
        // None: not published; Some(None): the last rendering still holds.
        let outcomes: Vec<Option<Option<Done>>> = sources
            .par_iter()
            .map(|source| {
                let Some(Ok(head)) = &source.head else { return None };
                if !index.publishes(&source.file.rel) {
                    return None;
                }
                if let Some(done) = &source.done
                    && done.lookups.iter().all(|l| l.holds(&source.file.rel, &index))
                {
                    return Some(None);
                }
                let finished = parse::finish(&index, &source.file, head);
                Some(Some(Done {
                    input: Arc::new(graph::input(&finished.article)),
                    placement: Arc::new(render::site::placement(&finished.article)),
                    article: Arc::new(finished.article),
                    diags: finished.diags,
                    lookups: finished.lookups,
                }))
            })
            .collect();
        drop(index);
        let articles = Articles { published: Vec::new(), withheld, unparsed };
        let mut published = Published { articles, inputs: Vec::new(), placements: Vec::new() };
        for (source, outcome) in self.articles.values_mut().zip(outcomes) {
            let Some(renewed) = outcome else { continue };
            if let Some(done) = renewed {
                source.done = Some(done);
            }
            let done = source.done.as_ref().expect("rendered or kept");
            diags.extend(done.diags.iter().cloned());
            published.articles.published.push(done.article.clone());
            published.inputs.push(done.input.clone());
            published.placements.push(done.placement.clone());
        }
        published
    }
}

/// What identifies a file's contents cheaply: its inode, size and time of
/// last change.
#[derive(PartialEq, Eq)]
struct Stamp {
    inode: u64,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp { inode: meta.ino(), len: meta.len(), modified: meta.modified().ok() }
    }
}

/// The published articles, with what the graph and the lists are made from.
struct Published {
    articles: Articles,
    inputs: Vec<Arc<graph::Input>>,
    placements: Vec<Arc<Placement>>,
}

/// Whether two lists hold equal items (mostly the very same ones).
fn same<T: PartialEq>(old: &[Arc<T>], new: &[Arc<T>]) -> bool {
    old.len() == new.len() && old.iter().zip(new).all(|(a, b)| Arc::ptr_eq(a, b) || a == b)
}

/// Removes the entries at `prefix` or under it.
fn take_under<V>(map: &mut BTreeMap<PathBuf, V>, prefix: &Path) -> Vec<(PathBuf, V)> {
    // `Path` orders component by component, so everything under `prefix`
    // follows it.
    let keys: Vec<PathBuf> = map
        .range(prefix.to_path_buf()..)
        .take_while(|(key, _)| key.starts_with(prefix))
        .map(|(k, _)| k.clone())
        .collect();
    keys.into_iter().filter_map(|key| map.remove(&key).map(|value| (key, value))).collect()
}
