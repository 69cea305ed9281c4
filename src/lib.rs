//! broadsheet: a static site generator for news publications.
//!
//! One pipeline, data flowing one way: [`load`] reads `content/`, [`parse`]
//! turns files into articles, [`graph`] resolves references between them,
//! [`render`] runs the theme's templates, and [`write`] swaps the result
//! into the output folder only when everything succeeded.

pub mod config;
pub mod diag;
pub mod graph;
pub mod incremental;
pub mod keys;
pub mod load;
pub mod outputs;
pub mod parse;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod text;
pub mod write;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use config::Config;
use diag::{Diagnostic, Failed, Location};
use parse::Selection;
use render::theme::{StaticFile, Theme};

/// What every command that reads a site needs.
#[derive(Debug, Clone)]
pub struct SiteOptions {
    pub root: PathBuf,
    /// Publish drafts.
    pub drafts: bool,
    /// Publish articles dated after now.
    pub future: bool,
}

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub site: SiteOptions,
    /// Default: `public/` under the root.
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
}

/// Why a command failed, which decides the exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the site: every one found (exit 1).
    #[error(transparent)]
    Site(#[from] Failed),
    /// A bad flag or a refused output folder (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The filesystem failed us (exit 1).
    #[error(transparent)]
    Io(#[from] anyhow::Error),
}

/// The outcome of a successful `build` or `check`.
#[derive(Debug)]
pub struct Report {
    pub articles: usize,
    pub categories: usize,
    /// Files written (or that would be written, for `check`).
    pub files: usize,
    pub elapsed: Duration,
    pub warnings: Vec<Diagnostic>,
    /// load, parse, graph, plan, render, write: time and peak memory.
    pub timings: Vec<(&'static str, Duration, Option<u64>)>,
}

/// Validates everything `build` validates, and writes nothing.
pub fn check(options: &SiteOptions) -> Result<Report, Error> {
    let started = Instant::now();
    let (prepared, mut timings) = prepare(options, None)?;
    let site = prepared.site();
    let plan = Plan::new(&site, &prepared, None)?;
    let renderer = prepared.renderer(&site)?;
    timings.lap("plan");
    // Rendered and dropped at once: check keeps no page in memory.
    let problems: Vec<Diagnostic> =
        plan.pages.par_iter().filter_map(|(_, page)| site.render(&renderer, *page).err()).collect();
    fail_on(problems)?;
    timings.lap("render");
    Ok(prepared.report(plan.file_count(), started.elapsed(), timings))
}

/// Builds the site into the output folder, atomically.
pub fn build(options: &BuildOptions) -> Result<Report, Error> {
    let started = Instant::now();
    let root = &options.site.root;
    let output = options.output.clone().unwrap_or_else(|| root.join("public"));
    write::check_output(root, &output).map_err(|e| Error::Usage(e.to_string()))?;
    let (prepared, mut timings) = prepare(&options.site, options.base_url.as_deref())?;
    let site = prepared.site();
    let plan = Plan::new(&site, &prepared, None)?;
    let renderer = prepared.renderer(&site)?;
    timings.lap("plan");
    let staging = write::Staging::create(&output)?;
    emit(&site, &renderer, &plan, &staging, &mut timings)?;
    staging.commit(&plan.output_files())?;
    timings.lap("commit");
    Ok(prepared.report(plan.file_count(), started.elapsed(), timings))
}

/// Every file of a site built in memory, by output path (`serve`).
pub type Files = FxHashMap<std::sync::Arc<str>, std::sync::Arc<[u8]>>;

/// Renders every page and writes it, the generated files and the static
/// files into the staging folder; all template errors are collected before failing.
fn emit(
    site: &render::Site,
    renderer: &render::Renderer,
    plan: &Plan,
    staging: &write::Staging,
    timings: &mut Timings,
) -> Result<(), Error> {
    let results: Vec<Result<(), Error>> = plan
        .pages
        .par_iter()
        .zip(&plan.page_files)
        .map(|((_, page), file)| {
            let html = site.render(renderer, *page).map_err(|d| Failed { diagnostics: vec![d] })?;
            staging.write(file, html.as_bytes()).map_err(Error::Io)
        })
        .collect();
    let mut problems = Vec::new();
    for result in results {
        match result {
            Ok(()) => {}
            Err(Error::Site(failed)) => problems.extend(failed.diagnostics),
            Err(other) => return Err(other),
        }
    }
    fail_on(problems)?;
    timings.lap("render+write pages");
    for (rel, bytes) in &plan.generated {
        staging.write(rel, bytes)?;
    }
    plan.files.par_iter().try_for_each(|(rel, file)| match file {
        StaticFile::Embedded(bytes) => staging.write(rel, bytes),
        StaticFile::Disk(path) => staging.copy(rel, path),
    })?;
    timings.lap("write files");
    Ok(())
}

/// *Now*: `SOURCE_DATE_EPOCH` when set, else the clock.
pub fn now() -> Result<jiff::Timestamp, Error> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) => value
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|s| jiff::Timestamp::from_second(s).ok())
            .ok_or_else(|| Error::Usage(format!("SOURCE_DATE_EPOCH is not a number of seconds: {value:?}"))),
        Err(_) => Ok(jiff::Timestamp::now()),
    }
}

fn fail_on(mut diagnostics: Vec<Diagnostic>) -> Result<(), Failed> {
    if diagnostics.iter().any(Diagnostic::is_error) {
        diag::sort(&mut diagnostics);
        diagnostics.dedup();
        return Err(Failed { diagnostics });
    }
    Ok(())
}

/// A site read, parsed and linked without errors.
struct Prepared {
    root: PathBuf,
    now: jiff::Timestamp,
    config: Config,
    content: load::Content,
    articles: parse::Articles,
    graph: std::sync::Arc<graph::Graph>,
    theme: Theme,
    categories: Vec<render::views::CategoryView>,
    warnings: Vec<Diagnostic>,
}

fn prepare(options: &SiteOptions, base_url: Option<&str>) -> Result<(Prepared, Timings), Error> {
    let selection = Selection { drafts: options.drafts, future: options.future, now: now()? };
    let mut timings = Timings::start();
    let root = &options.root;
    let text = config::read(root).map_err(|diagnostics| Failed { diagnostics })?;
    let config = configure(&text, base_url)?;
    let mut diags = Vec::new();
    let content = load::load_content(root, &mut diags);
    let theme = render::theme::load(root, &config.theme, &mut diags);
    timings.lap("load");
    let mut content = content;
    let articles = parse::parse_articles(&config, &mut content, selection, &mut diags);
    timings.lap("parse");
    let graph = std::sync::Arc::new(graph::link(&articles, &mut diags));
    timings.lap("graph");
    fail_on(diags.clone())?;
    diag::sort(&mut diags);
    let categories = render::views::categories(&config);
    let prepared = Prepared {
        root: root.clone(),
        now: selection.now,
        config,
        content,
        articles,
        graph,
        theme,
        categories,
        warnings: diags,
    };
    Ok((prepared, timings))
}

/// Validates config.toml's `text`, with `base_url` replaced when given.
fn configure(text: &str, base_url: Option<&str>) -> Result<Config, Error> {
    let mut config = config::parse(text).map_err(|diagnostics| Failed { diagnostics })?;
    if let Some(url) = base_url {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Error::Usage(format!("--base-url must be an absolute http(s) URL, not {url:?}")));
        }
        config.base_url = url.trim_end_matches('/').to_string();
    }
    Ok(config)
}

/// How long each phase of a build took, for `--timings`, and the peak
/// memory (resident set, in KiB, where the platform tells) at its end.
#[derive(Debug)]
pub struct Timings {
    pub phases: Vec<(&'static str, Duration, Option<u64>)>,
    last: Instant,
}

impl Timings {
    fn start() -> Timings {
        Timings { phases: Vec::new(), last: Instant::now() }
    }

    /// Ends the phase `name` now.
    fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        self.phases.push((name, now - self.last, peak_rss_kib()));
        self.last = now;
    }
}

/// The process's peak resident set so far (Linux: VmHWM).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

impl Prepared {
    fn site(&self) -> render::Site<'_> {
        render::Site::new(
            &self.config,
            &self.articles.published,
            &self.graph,
            &self.categories,
            &Default::default(),
            None,
        )
    }

    fn renderer(&self, site: &render::Site) -> Result<render::Renderer, Failed> {
        let view = render::views::SiteView {
            title: &self.config.title,
            description: self.config.description.as_deref(),
            language: &self.config.language,
            base_url: &self.config.base_url,
            url: self.config.url("/"),
            categories: site.categories,
            extra: render::views::toml_to_json(&self.config.extra),
        };
        render::Renderer::new(&self.theme, &view).map_err(|d| Failed { diagnostics: vec![d] })
    }

    fn report(self, files: usize, elapsed: Duration, timings: Timings) -> Report {
        Report {
            articles: self.articles.published.len(),
            categories: self.config.categories.len(),
            files,
            elapsed,
            warnings: self.warnings,
            timings: timings.phases,
        }
    }
}

/// Every file of the output: pages to render and files to copy.
struct Plan {
    /// Site path and page.
    pages: Vec<(String, render::Page)>,
    /// The output file of each page, in the same order.
    page_files: Vec<String>,
    /// Feeds, sitemaps, robots.txt, syntax.css.
    generated: Vec<outputs::Generated>,
    files: Vec<(String, StaticFile)>,
}

impl Plan {
    fn file_count(&self) -> usize {
        self.pages.len() + self.generated.len() + self.files.len()
    }

    /// Every output file, the marker included.
    fn output_files(&self) -> std::collections::HashSet<String> {
        let mut files: std::collections::HashSet<String> = self.page_files.iter().cloned().collect();
        files.extend(self.generated.iter().map(|(rel, _)| rel.clone()));
        files.extend(self.files.iter().map(|(rel, _)| rel.clone()));
        files.insert(write::MARKER.to_string());
        files
    }

    /// Lists every output file, and refuses two sources for one file.
    /// With `kept` (`serve`), generated files whose inputs did not change
    /// are taken from it.
    fn new(site: &render::Site, prepared: &Prepared, kept: Option<&mut outputs::Kept>) -> Result<Plan, Failed> {
        let pages = site.pages();
        let page_files: Vec<String> = pages.iter().map(|(path, _)| render::output_file(path)).collect();
        let mut claims = Claims::default();
        for (file, (_, page)) in page_files.iter().zip(&pages) {
            claims.claim(file, Owner::Page(*page));
        }
        let mut files: Vec<(String, StaticFile)> = Vec::new();
        for (rel, file) in &prepared.theme.statics {
            let source = match file {
                StaticFile::Disk(path) => path.strip_prefix(&prepared.root).unwrap_or(path).display().to_string(),
                StaticFile::Embedded(_) => format!("the theme's static/{rel}"),
            };
            if claims.claim(rel, Owner::Named(source)) {
                files.push((rel.clone(), file.clone()));
            }
        }
        // Files an article shows go next to its output; the others keep
        // their path under content/.
        let mut shown = std::collections::HashSet::new();
        for article in site.articles {
            for asset in &article.assets {
                if !shown.insert((asset.source.as_str(), asset.output.as_str())) {
                    continue;
                }
                if claims.claim(&asset.output, Owner::Named(format!("content/{}", asset.source))) {
                    let path = prepared.root.join("content").join(&asset.source);
                    files.push((asset.output.clone(), StaticFile::Disk(path)));
                }
            }
        }
        let shown: std::collections::HashSet<&str> = shown.into_iter().map(|(source, _)| source).collect();
        for asset in &prepared.content.assets {
            if shown.contains(asset.rel.as_str()) {
                continue;
            }
            if claims.claim(&asset.rel, Owner::Named(format!("content/{}", asset.rel))) {
                files.push((asset.rel.clone(), StaticFile::Disk(asset.abs.clone())));
            }
        }
        let generated = outputs::all(site, &pages, prepared.now, kept).map_err(|d| Failed { diagnostics: vec![d] })?;
        for (rel, _) in &generated {
            claims.claim(rel, Owner::Named(format!("the generated {rel}")));
        }
        let diags = claims.clashes.iter().map(|(first, second, file)| clash(site, first, second, file)).collect();
        fail_on(diags)?;
        Ok(Plan { pages, page_files, generated, files })
    }
}

/// Who writes an output file. Pages are named only when they clash.
#[derive(Clone)]
enum Owner {
    Page(render::Page),
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
}

impl<'a> Claims<'a> {
    /// Records that `owner` writes `file`; a second claim is a clash, and
    /// so is a file where another output needs a folder (a static file
    /// `tags` beside the pages `tags/…`).
    fn claim(&mut self, file: &'a str, owner: Owner) -> bool {
        let clash = self
            .files
            .get(file)
            .or_else(|| self.folders.get(file))
            .or_else(|| file.match_indices('/').find_map(|(at, _)| self.files.get(&file[..at])));
        if let Some(first) = clash {
            self.clashes.push((first.clone(), owner, file.to_string()));
            return false;
        }
        for (at, _) in file.match_indices('/') {
            self.folders.entry(&file[..at]).or_insert_with(|| owner.clone());
        }
        self.files.insert(file, owner);
        true
    }
}

/// The error of two outputs claiming one file, naming both sources.
fn clash(site: &render::Site, first: &Owner, second: &Owner, file: &str) -> Diagnostic {
    let name = |owner: &Owner| match owner {
        Owner::Named(name) => name.clone(),
        Owner::Page(render::Page::Article(i)) => format!("content/{}", site.articles[*i].rel),
        Owner::Page(render::Page::Home) => "the home page".to_string(),
        Owner::Page(render::Page::Listing { kind, index, .. }) => {
            let slug = &site.listings(*kind)[*index].view.slug;
            format!("the {kind:?} listing `{slug}`").to_lowercase()
        }
        Owner::Page(render::Page::Index(kind)) => format!("the {kind:?} index").to_lowercase(),
        Owner::Page(render::Page::NotFound) => "the 404 page".to_string(),
    };
    let (first, second) = (name(first), name(second));
    Diagnostic::error(format!("{first} and {second} would both write {file}, or a folder of that name"))
        .at(Location::file(&second))
        .hint("rename one of them, or give the article another `slug`")
}
