//! The one build driver: the stages in order — load, parse, graph, plan,
//! render, outputs, write — over a cache of which each stage keeps its own
//! part. `build` and `check` run it once from an empty cache that keeps
//! nothing; `serve` keeps the cache from one save to the next, so that a
//! save reads again the files that changed and renders again only what
//! they can change. Whatever the cache held, the files are those of a full
//! build (tests/it/incremental.rs edits sites step by step and compares).
//!
//! What each stage keeps (only when asked to), and what makes it stale:
//! - parse ([`Sources`]): the files of content/, their front matter and
//!   bodies, by text and by the answers the site gave each body (`build`
//!   keeps them in its cache folder for the next build, without the
//!   bodies' HTML);
//! - graph ([`Linker`]): the graph, while no article's references, tags,
//!   date, category or headings changed;
//! - plan ([`Placed`], [`Planned`]): the article order and the listings,
//!   while no article's path, date, category, tags, authors or `featured`
//!   changed; the output files, while the lists make the same pages and
//!   the static files, the files under content/ and every article's file,
//!   path, aliases and files are the same;
//! - render ([`Summaries`], [`Pages`]): summary values by article version,
//!   pages by the key of their context (`build` keeps the keys in its
//!   cache folder, see [`crate::write::ledger`]); `serve` computes again
//!   only the keys of the pages that show an article with a new version
//!   while the lists and the graph are the same, and when they changed,
//!   also those of the pages whose listing, archive period or related
//!   articles did;
//! - outputs ([`outputs::Kept`]): feeds and sitemaps by the key of their
//!   inputs;
//! - a change to config.toml or to any template drops everything derived
//!   (and config.toml every parse: dates and URLs depend on it).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rayon::prelude::*;

use crate::config::{self, Config};
use crate::diag::{self, Diagnostic, Error, Failed};
use crate::graph::Linker;
use crate::highlight;
use crate::load::theme::{self, StaticFile, Theme};
use crate::outputs;
use crate::parse::embeds::Embeds;
use crate::parse::{Bodies, Selection, Sources, Spill};
use crate::plan::site::Placed;
use crate::plan::{self, Planned};
use crate::render::{self, Pages, Renderer, Summaries, Views, views};
use crate::timings::Timings;
use crate::write::Sink;

/// What every command that reads a site needs.
#[derive(Debug, Clone)]
pub struct SiteOptions {
    pub root: PathBuf,
    /// Publish drafts.
    pub drafts: bool,
    /// Publish articles dated after now.
    pub future: bool,
}

/// The outcome of a successful build, check or rebuild.
#[derive(Debug)]
pub struct Report {
    pub articles: usize,
    pub categories: usize,
    /// Files written (or that would be written, for `check`).
    pub files: usize,
    pub elapsed: Duration,
    pub warnings: Vec<Diagnostic>,
    /// Articles that leave the site within [`EXPIRING`] of now: content
    /// path and when, RFC 3339.
    pub expiring: Vec<(String, String)>,
    /// Each phase: name, time and peak memory.
    pub timings: Vec<crate::timings::Phase>,
}

/// The file of the cache folder that keeps highlighted code between builds.
const HIGHLIGHT_MEMO: &str = "highlight";

/// The file of the cache folder that keeps parsed articles between builds.
const PARSES: &str = "parses";

/// The file of the cache folder that keeps the related lists between builds.
const GRAPH: &str = "graph";

/// How far ahead `check` looks for articles about to expire.
pub const EXPIRING: jiff::SignedDuration = jiff::SignedDuration::from_hours(7 * 24);

/// Builds one site, once or again and again.
pub struct Driver {
    options: SiteOptions,
    /// Replaces config.toml's `base_url`.
    base_url: Option<String>,
    /// The link-rot guard: the output whose URLs must not disappear.
    guard: Option<Guard>,
    search: outputs::Search,
    /// The folder beside the output where builds keep the search index
    /// and resized images between them.
    cache_dir: Option<PathBuf>,
    cache: Cache,
}

/// The output folder a build replaces (or `check` compares with), and
/// whether a URL of its sitemap that disappears is an error or a warning.
#[derive(Debug, Clone)]
pub struct Guard {
    pub output: PathBuf,
    pub strict: bool,
}

/// What the stages keep from one build to the next.
struct Cache {
    keep: bool,
    /// config.toml as read, and the templates, that the rest was derived
    /// under.
    config: Option<String>,
    templates: Option<BTreeMap<String, String>>,
    renderer: Option<Renderer>,
    sources: Sources,
    linker: Linker,
    placed: Placed,
    planned: Planned,
    summaries: Summaries,
    pages: Pages,
    outputs: outputs::Kept,
    images: outputs::images::Memo,
}

impl Cache {
    fn new(keep: bool) -> Cache {
        Cache {
            keep,
            config: None,
            templates: None,
            renderer: None,
            sources: Sources::new(keep),
            linker: Linker::new(keep),
            placed: Placed::new(keep),
            planned: Planned::new(keep),
            summaries: Summaries::new(keep),
            pages: Pages::new(keep),
            outputs: outputs::Kept::new(keep),
            images: outputs::images::Memo::new(keep),
        }
    }

    /// Drops what was derived under another config.toml or other templates.
    fn rebase(&mut self, config: String, theme: &Theme) {
        let same_config = self.config.as_ref() == Some(&config);
        if same_config && self.templates.as_ref() == Some(&theme.templates) {
            return;
        }
        if !same_config {
            self.sources.forget_parses();
        }
        let sources = std::mem::take(&mut self.sources);
        *self = Cache { sources, ..Cache::new(self.keep) };
        if self.keep {
            self.config = Some(config);
            self.templates = Some(theme.templates.clone());
        }
    }
}

impl Driver {
    /// A driver for `build` and `check`: one build, nothing kept.
    pub fn once(options: SiteOptions, base_url: Option<&str>) -> Driver {
        let search = outputs::Search::Skip;
        let base_url = base_url.map(str::to_string);
        Driver { options, base_url, guard: None, search, cache_dir: None, cache: Cache::new(false) }
    }

    /// Keeps what is worth keeping between builds (the search index,
    /// resized images) in the folder `dir`.
    pub fn caching(mut self, dir: PathBuf) -> Driver {
        self.cache_dir = Some(dir);
        self
    }

    /// Makes the search index (when config.toml has search on).
    pub fn searching(mut self) -> Driver {
        self.search = outputs::Search::Build { cache: self.cache_dir.as_ref().map(|dir| dir.join("search")) };
        self
    }

    /// Leaves code blocks unhighlighted: for `check`, which writes nothing
    /// (see [`crate::highlight::Code::Plain`]).
    pub fn plain_code(mut self) -> Driver {
        self.cache.sources.plain_code = true;
        self
    }

    /// Guards the URLs of the output `guard` names (see [`Guard`]).
    pub fn guarding(mut self, guard: Guard) -> Driver {
        self.guard = Some(guard);
        self
    }

    /// A driver that keeps what it derived for the next build (`serve`).
    /// Its root is made absolute, like the paths a watcher reports.
    pub fn keeping(mut options: SiteOptions, base_url: Option<&str>) -> Driver {
        options.root = std::path::absolute(&options.root).unwrap_or(options.root);
        let search = outputs::Search::Skip;
        let base_url = base_url.map(str::to_string);
        Driver { options, base_url, guard: None, search, cache_dir: None, cache: Cache::new(true) }
    }

    pub fn options(&self) -> &SiteOptions {
        &self.options
    }

    /// Builds the site into `sink`, after the files at `changed` (absolute
    /// paths) changed since the last build; a first build reads everything.
    pub fn build(&mut self, changed: &[PathBuf], sink: &mut dyn Sink) -> Result<Report, Error> {
        let built = self.run(changed, sink);
        // A one-off build stores its parses while it goes on: they are
        // whole before it ends, whatever its outcome.
        self.cache.sources.settle();
        built
    }

    fn run(&mut self, changed: &[PathBuf], sink: &mut dyn Sink) -> Result<Report, Error> {
        let started = Instant::now();
        let mut timings = Timings::start();
        // Read while config.toml, the theme and content/ are (17 ms of a
        // one-edit rebuild at 10,000 articles, on a path of its own). Not
        // for serve's saves, which render a body or two: highlighting their
        // code costs less than reading the memo (10-17 ms a save at 10,000
        // articles), which pays for a build that renders every body.
        let saving = self.cache.keep && self.cache.sources.has_parses();
        let memo = self
            .cache_dir
            .clone()
            .filter(|_| !saving)
            .map(|dir| std::thread::spawn(move || highlight::Memo::load(&dir.join(HIGHLIGHT_MEMO))));
        let root = self.options.root.clone();
        let selection = Selection { drafts: self.options.drafts, future: self.options.future, now: now()? };
        let cache = &mut self.cache;

        let config_text = config::read(&root).map_err(|diagnostics| Failed { diagnostics })?;
        let config = configure(&config_text, self.base_url.as_deref())?;
        // In the order of the report: content's problems, then the theme's.
        let mut theme_diags = Vec::new();
        let theme = theme::load(&root, &config.theme, &mut theme_diags);
        let embeds = Embeds::new(&theme.embeds, &theme.origins, &mut theme_diags);
        // Keys kept between builds are taken under what else makes a page,
        // and parses under what else makes an article.
        let kept_under = sink.keys_pages().then(|| {
            let base_url = self.base_url.as_deref();
            (rendered_under(&config_text, base_url, &theme), parsed_under(&config_text, base_url))
        });
        cache.rebase(config_text, &theme);
        cache.sources.update(&root, changed);
        let mut diags: Vec<Diagnostic> = cache.sources.problems().collect();
        diags.append(&mut theme_diags);
        timings.lap("load");

        let memo = memo.map(|loading| loading.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        timings.lap("memo");
        // Bodies wait for their pages in a file beside the output; a build
        // that cannot make it (the output's folder does not exist yet)
        // holds them in memory instead. serve holds them packed.
        let spill = match self.cache_dir.as_ref().and_then(|dir| dir.parent()) {
            _ if cache.keep => Some(Spill::Packed),
            Some(beside) if cache.sources.spills() => Spill::create(beside).ok(),
            _ => None,
        };
        // Only a one-off build keeps its parses and related lists in the
        // cache folder: serve holds them, and writes nothing there.
        if let Some((_, parses_under)) = kept_under
            && !cache.keep
            && let Some(dir) = &self.cache_dir
        {
            cache.sources.keeping_parses(dir.join(PARSES), parses_under, sink.holds_earlier_pages());
            cache.linker.keeping(dir.join(GRAPH), parses_under);
        }
        let articles = cache.sources.parse(&config, &embeds, selection, memo.as_ref(), spill.as_ref(), &mut diags);
        // Stored now, whatever becomes of the build: what it holds is right
        // for the code it names. A memo that cannot be written only costs
        // the next build time. It drops the blocks no article asked for
        // only when every body was rendered: a rebuild that kept some
        // (serve's saves, restored parses) did not ask for their code.
        let restored = articles.published.iter().any(|a| a.restored);
        if let Some(memo) = &memo {
            let _ = memo.store(cache.sources.rendered_every_body());
        }
        // Kept to make the bodies of restored articles again; otherwise its
        // memory is free before the pages are rendered.
        let memo = memo.filter(|_| restored);
        let again = restored.then(|| cache.sources.again(&root, &config, &embeds, &articles.published, memo.as_ref()));
        let bodies = Bodies::new(spill.as_ref()).again(again.as_ref());
        timings.lap("parse");

        // The graph, and beside it the lists, the plan and its checks,
        // which do not read it: an added article's save at 10,000 articles
        // waited for each in turn (graph 8 ms, the rest 18 ms).
        let (linker, placed, planned) = (&mut cache.linker, &mut cache.placed, &mut cache.planned);
        let assets = cache.sources.assets();
        let guard = self.guard.as_ref();
        let (graph, site_plan) = rayon::join(
            || linker.link(&articles, &mut diags),
            || -> Result<_, Failed> {
                let site = plan::Site::new(&config, &articles.published, placed);
                let plan = planned.plan(&site, &root, theme.statics.iter(), assets)?;
                let mut problems = plan::site::series_problems(&site);
                problems.extend(plan::links::check(&site, &plan, &theme, &root));
                if let Some(guard) = guard {
                    let previous = crate::load::sitemap::previous_paths(&guard.output);
                    let sitemap = guard.output.join("sitemap.xml");
                    let shown = sitemap.strip_prefix(&root).unwrap_or(&sitemap).display().to_string();
                    problems.extend(plan::links::moved(&plan, &previous, &articles.expired, &shown, guard.strict));
                }
                Ok((site, plan, problems))
            },
        );
        timings.lap("graph + plan");
        // The article's and the graph's problems first, as when the plan
        // waited for the graph.
        diag::fail_on(diags.clone())?;
        diag::sort(&mut diags);
        let (site, plan, problems) = site_plan?;
        diag::fail_on(problems.clone())?;
        diags.extend(problems);
        diag::sort(&mut diags);
        let categories = views::categories(&config);
        let views = Views::new(&site, &graph, &categories, &bodies, &mut cache.summaries);
        if cache.renderer.is_none() {
            cache.renderer = Some(renderer(&theme, &config, &categories)?);
        }
        let renderer = cache.renderer.as_ref().expect("made above");
        timings.lap("views");

        sink.begin()?;
        // Under what else makes a page, for a sink that keeps pages by
        // their keys (the twin's ledger, serve's memory): a page held under
        // another config.toml or theme is not taken.
        let under = kept_under.map_or(0, |(under, _)| under);
        let written = cache.pages.render(&views, renderer, &plan, under, &PagesTo(&*sink));
        if !cache.keep {
            // A one-off build has no use for its renderer past this point.
            cache.renderer = None;
        }
        written?;
        timings.lap("render+write pages");

        // After the pages, since the sink knows which files it holds only
        // once the build has begun.
        let generated =
            outputs::make(&views, &plan, selection.now, &self.search, &mut cache.outputs, &PagesTo(&*sink), under)
                .map_err(|d| Failed { diagnostics: vec![d] })?;
        timings.lap("generated");

        let files =
            plan.pages.len() + generated.files.len() + generated.held + generated.copies.len() + plan.copies.len();
        let images = Images {
            quality: config.images.quality,
            cache: self.cache_dir.as_ref().map(|dir| dir.join("images")),
            memo: &cache.images,
        };
        write_files(sink, generated, &plan.copies, &images)?;
        timings.lap("write files");

        sink.commit(&plan)?;
        timings.lap("commit");
        let soon = selection.now + EXPIRING;
        let expiring = articles
            .published
            .iter()
            .filter_map(|a| a.front.expires.as_ref().filter(|at| at.timestamp() <= soon).map(|at| (a, at)))
            .map(|(a, at)| (a.rel.clone(), crate::parse::frontmatter::rfc3339(at)))
            .collect();
        let published = articles.published.len();
        if !cache.keep {
            // Freeing every article is no part of a one-off build's work
            // (11 ms at 10,000 articles): on a thread of its own, ended
            // with the process.
            std::thread::spawn(move || drop(articles));
        }
        Ok(Report {
            expiring,
            articles: published,
            categories: config.categories.len(),
            files,
            elapsed: started.elapsed(),
            warnings: diags,
            timings: timings.phases,
        })
    }
}

/// The pages of a build, into its sink.
struct PagesTo<'a>(&'a dyn Sink);

impl render::PageSink for PagesTo<'_> {
    fn keys_pages(&self) -> bool {
        self.0.keys_pages()
    }

    fn holds(&self, rel: &str, key: render::key::Key) -> bool {
        self.0.holds(rel, key)
    }

    fn write_page(&self, rel: &str, key: Option<render::key::Key>, bytes: Bytes) -> anyhow::Result<()> {
        self.0.write_page(rel, key, bytes)
    }
}

/// Writes the generated files, copies the static ones and makes the
/// resized images, in parallel.
fn write_files(
    sink: &dyn Sink,
    generated: outputs::Made,
    copies: &[(String, StaticFile)],
    images: &Images,
) -> Result<(), Error> {
    for (rel, bytes) in generated.files {
        match generated.keys.get(&rel) {
            Some(&key) => sink.write_page(&rel, Some(key), bytes)?,
            None => sink.write(&rel, bytes)?,
        }
    }
    generated.copies.par_iter().try_for_each(|(rel, path)| sink.copy(rel, path))?;
    copies.par_iter().try_for_each(|(rel, file)| match file {
        StaticFile::Embedded(bytes) => sink.write(rel, Bytes::from_static(bytes)),
        StaticFile::Disk(path) => sink.copy(rel, path),
        StaticFile::Resized { .. } => Ok(()),
    })?;
    if let Some(dir) = &images.cache {
        outputs::images::sweep(dir);
    }
    // The variants of one image come from one decoding of it, however many
    // articles show it (single-file articles sharing a folder each publish
    // their own copy beside their page).
    let mut jobs: Vec<(outputs::images::Job, Vec<(&str, u32)>)> = Vec::new();
    let mut job_of: HashMap<&Path, usize> = HashMap::new();
    for (rel, file) in copies {
        if let StaticFile::Resized { source, name, width, article } = file {
            let at = *job_of.entry(source.as_path()).or_insert_with(|| {
                jobs.push((outputs::images::Job { source, name, widths: Vec::new(), article }, Vec::new()));
                jobs.len() - 1
            });
            let (job, rels) = &mut jobs[at];
            if !job.widths.contains(width) {
                job.widths.push(*width);
            }
            rels.push((rel, *width));
        }
    }
    let problems: Vec<Diagnostic> = jobs
        .par_iter()
        .filter_map(|(job, rels)| {
            let made = match outputs::images::variants(job, images.quality, images.cache.as_deref(), images.memo) {
                Ok(made) => made,
                Err(problem) => return Some(problem),
            };
            rels.iter()
                .try_for_each(|(rel, width)| {
                    let at = job.widths.iter().position(|w| w == width).expect("every width was asked for");
                    sink.write(rel, made[at].clone())
                })
                .err()
                .map(|e| Diagnostic::error(format!("{e:#}")))
        })
        .collect();
    diag::fail_on(problems)?;
    Ok(())
}

/// How a build makes resized images: their quality, the cache folder
/// between builds, the memo between `serve`'s builds.
struct Images<'a> {
    quality: u8,
    cache: Option<PathBuf>,
    memo: &'a outputs::images::Memo,
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

/// The theme compiled, with `site` in every template's context.
fn renderer(theme: &Theme, config: &Config, categories: &[views::CategoryView]) -> Result<Renderer, Failed> {
    let view = views::SiteView {
        title: &config.title,
        description: config.description.as_deref(),
        language: &config.language,
        base_url: &config.base_url,
        url: config.url("/"),
        categories,
        search_url: config.search.then(|| config.url("/search/")),
        search_index: config.search.then(|| config.url("/pagefind/pagefind.js")),
        extra: views::toml_to_json(&config.extra),
    };
    Renderer::new(theme, &view).map_err(|d| Failed { diagnostics: vec![d] })
}

/// What a page is made of besides its context's key: the program,
/// config.toml (and `--base-url`), and the theme's templates (and embeds,
/// which bodies use). Article versions stand for articles in keys (see
/// [`crate::parse::Article::version`]) and leave all three out.
fn rendered_under(config: &str, base_url: Option<&str>, theme: &Theme) -> render::key::Key {
    let site = render::key::of("site", &(config, base_url, &theme.templates, &theme.embeds));
    render::key::under(render::key::program(), site)
}

/// What an article is parsed under besides its file: the program, and
/// config.toml (and `--base-url`). The theme's embeds are among the answers
/// each body records (see [`crate::parse::Article::version`]).
fn parsed_under(config: &str, base_url: Option<&str>) -> render::key::Key {
    let site = render::key::of("parses", &(config, base_url));
    render::key::under(render::key::program(), site)
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
