//! The template context of every page, and the pages rendered from them.
//! A page's key is computed from its context (see [`key`]), so a page whose
//! key equals the last build's keeps its bytes (`serve`) without anyone
//! having to list what a page depends on.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use serde::ser::SerializeMap;

use super::Renderer;
use super::key::{self, Key, Of};
use super::views::{self, CategoryView, Summary};
use crate::config::Config;
use crate::diag::{Diagnostic, Error, Failed};
use crate::graph::{Graph, Reference};
use crate::parse::{Article, Bodies, spill::Html};
use crate::plan::Plan;
use crate::plan::site::{Kind, Level, Page, Period, Site, Taxon, corrections_path, index_path};

/// What listings, cards and feeds show of each article, for one build.
pub struct Views<'a> {
    pub site: &'a Site<'a>,
    /// References, backlinks and related lists.
    pub graph: &'a Arc<Graph>,
    pub categories: &'a [CategoryView],
    /// The articles' body HTML.
    pub bodies: &'a Bodies<'a>,
    /// The summaries as template values, each made when a page first
    /// shows it (or kept from the last build): a rebuild that renders a
    /// few pages makes a few. Every page that shows an article clones its
    /// value (an `Arc`), so listings and related lists cost no
    /// serialization.
    values: Vec<OnceLock<tera::Value>>,
    /// The parts summary values share.
    shared: views::Shared<'a>,
    /// Each article's version, side by side: page keys read them by the
    /// thousand, and each article lives in an allocation of its own.
    versions: Vec<u64>,
    /// The link to each archive period (by level: years, months, days),
    /// made when a page first shows it: every page of a year lists its
    /// months, every page of a month its days, and a save computes the
    /// context of every page. Made for each page, they were 12 % of a
    /// one-paragraph save in serve at 10,000 articles.
    period_links: [Vec<OnceLock<PeriodLink>>; 3],
}

/// Summary values by article version, kept from one build to the next.
#[derive(Default)]
pub struct Summaries {
    pub keep: bool,
    values: FxHashMap<u64, tera::Value>,
}

impl Summaries {
    pub fn new(keep: bool) -> Summaries {
        Summaries { keep, values: FxHashMap::default() }
    }
}

impl<'a> Views<'a> {
    pub fn new(
        site: &'a Site<'a>,
        graph: &'a Arc<Graph>,
        categories: &'a [CategoryView],
        bodies: &'a Bodies<'a>,
        kept: &mut Summaries,
    ) -> Views<'a> {
        let (config, articles) = (site.config, site.articles);
        let fresh = articles.iter().filter(|a| !kept.values.contains_key(&a.version));
        let shared = views::Shared::new(config, categories, fresh);
        let versions: Vec<u64> = articles.iter().map(|a| a.version).collect();
        let values =
            articles.iter().map(|a| kept.values.get(&a.version).cloned().map_or_else(OnceLock::new, OnceLock::from));
        let period_links = [Level::Year, Level::Month, Level::Day]
            .map(|level| site.archive(level).iter().map(|_| OnceLock::new()).collect());
        let views = Views { site, graph, categories, bodies, values: values.collect(), shared, versions, period_links };
        if kept.keep {
            // `serve` keeps them all for its next build.
            let values = (0..articles.len()).into_par_iter().map(|i| views.value(i).clone()).collect::<Vec<_>>();
            kept.values = views.versions.iter().copied().zip(values).collect();
        }
        views
    }

    /// Article `i`'s summary as a template value.
    fn value(&self, i: usize) -> &tera::Value {
        self.values[i].get_or_init(|| {
            let article = &self.site.articles[i];
            self.shared.value(&views::summary(self.site.config, self.categories, article), article)
        })
    }

    pub fn config(&self) -> &'a Config {
        self.site.config
    }

    /// What listings, cards and feeds show of article `i`: made when asked
    /// for (the article page's JSON-LD, feeds), not held.
    pub fn summary(&self, i: usize) -> Summary<'a> {
        views::summary(self.site.config, self.categories, &self.site.articles[i])
    }

    /// Article `i`'s summary as a template value, counted in keys by its
    /// version (and made only for a template).
    fn shown(&self, i: usize) -> Shown<'_> {
        Of::article(self.versions[i], SummaryValue { views: self, i })
    }

    fn shown_all(&self, indices: impl IntoIterator<Item = usize>) -> Vec<Shown<'_>> {
        indices.into_iter().map(|i| self.shown(i)).collect()
    }

    /// The context of `page`, as its template receives it. It is made from
    /// config.toml, the site's lists and graph, and the articles it shows
    /// as their parts ([`Of`]): what it takes of an article besides (the
    /// article page's title, a correction's URL) it takes only beside the
    /// article's parts, so that its key counts the article (see
    /// [`Pages::render`]). What picks the articles a page shows (the home
    /// page's lead, the listings) is in the lists.
    pub fn context(&self, page: Page) -> Context<'_> {
        match page {
            Page::Home => Context::Home(self.home()),
            Page::Article(i) => Context::Article(self.article(i)),
            Page::Listing { kind, index, page } => Context::Listing(kind, self.listing(kind, index, page)),
            Page::Index(kind) => Context::Index(kind, self.index(kind)),
            Page::Corrections { page } => Context::Corrections(self.corrections(page)),
            Page::Archive { level, index, page } => Context::Archive(self.archive(level, index, page)),
            Page::Series(index) => Context::Series(self.series(index)),
            Page::Search => Context::Search(NotFoundContext {
                page: PageMeta {
                    title: Some("Search".into()),
                    description: format!("Search the articles of {}", self.config().title).into(),
                    url: self.config().url("/search/").into(),
                },
            }),
            Page::NotFound => Context::NotFound(NotFoundContext {
                page: PageMeta {
                    title: Some("Page not found".into()),
                    description: "There is no page at this address.".into(),
                    url: self.config().url("/404.html").into(),
                },
            }),
        }
    }

    /// The lead, then each category's latest articles other than the lead.
    fn home(&self) -> HomeContext<'_> {
        let site = self.site;
        let lead = site.lead();
        let sections = self
            .categories
            .iter()
            .enumerate()
            .map(|(c, category)| Section { category, articles: self.shown_all(site.home_section(c, lead)) })
            .collect();
        let config = self.config();
        let page = PageMeta {
            title: None,
            description: config.description.as_deref().unwrap_or(&config.title).into(),
            url: config.url("/").into(),
        };
        HomeContext {
            page,
            lead: lead.map(|i| self.shown(i)),
            sections,
            latest: self.shown_all(site.latest().iter().copied()),
        }
    }

    fn article(&self, i: usize) -> ArticleContext<'_> {
        let article = &self.site.articles[i];
        let graph = self.graph;
        let title = article.front.title.as_str();
        let page = PageMeta {
            title: Some(title.into()),
            description: views::dek(article).unwrap_or(title).into(),
            url: article.url.as_str().into(),
        };
        let view = ArticleView {
            summary: self.shown(i),
            own: Of::article(
                article.version,
                ArticleOwn {
                    article,
                    bodies: self.bodies,
                    body: std::cell::OnceCell::new(),
                    json_ld: Box::new(move || views::json_ld(self.config(), &self.summary(i), article)),
                },
            ),
            further_context: graph.further_context[i].iter().map(|r| self.further(r)).collect(),
            series: self.site.series_of(i).map(|(index, part)| self.series_box(index, part)),
            backlinks: self.shown_all(graph.backlinks[i].iter().copied()),
            related: self.shown_all(graph.related[i].iter().copied()),
        };
        ArticleContext { page, article: view }
    }

    /// The series box of the article at `part` of series `index`.
    fn series_box(&self, index: usize, part: usize) -> SeriesBox<'_> {
        let series = &self.site.lists.series[index];
        SeriesBox {
            name: &series.name,
            url: &series.url,
            part: part + 1,
            total: series.parts.len(),
            prev: part.checked_sub(1).map(|p| self.shown(series.parts[p])),
            next: series.parts.get(part + 1).map(|&i| self.shown(i)),
            parts: self.shown_all(series.parts.iter().copied()),
        }
    }

    /// `/series/<slug>/`: every part in reading order.
    fn series(&self, index: usize) -> SeriesContext<'_> {
        let series = &self.site.lists.series[index];
        let config = self.config();
        let description = format!("Every part of the series “{}” from {}, in reading order", series.name, config.title);
        SeriesContext {
            page: PageMeta {
                title: Some(format!("Series: {}", series.name).into()),
                description: description.into(),
                url: series.url.as_str().into(),
            },
            series: SeriesView { name: &series.name, url: &series.url, count: series.parts.len() },
            articles: self.shown_all(series.parts.iter().copied()),
        }
    }

    /// A page of the archive of a year, month or day.
    fn archive(&self, level: Level, index: usize, page: usize) -> ArchiveContext<'_> {
        let site = self.site;
        let config = self.config();
        let list = site.archive(level);
        let url = |page| config.url(&site.archive_path(level, index, page));
        let (below, within) = site.sub_periods(level, index);
        let this = self.period_link(level, index);
        let (title, total) = (&this.title, this.count);
        let page_title = if page == 1 { title.clone() } else { format!("{title}, page {page}") };
        ArchiveContext {
            page: PageMeta {
                title: Some(page_title.into()),
                description: format!("What {} published in {title}", config.title).into(),
                url: url(page).into(),
            },
            archive: ArchiveView {
                level: match level {
                    Level::Year => "year",
                    Level::Month => "month",
                    Level::Day => "day",
                },
                title,
                url: &this.url,
                count: total,
                prev: index.checked_sub(1).map(|at| self.period_link(level, at)),
                next: (index + 1 < list.len()).then(|| self.period_link(level, index + 1)),
                periods: within.map(|at| self.period_link(below, at)).collect(),
            },
            articles: self.shown_all(site.page_archived(level, index, page).iter().copied()),
            pagination: Pagination::new(page, site.page_count(total), total, url),
        }
    }

    /// The link to archive period `index` of `level`.
    fn period_link(&self, level: Level, index: usize) -> &PeriodLink {
        self.period_links[level as usize][index].get_or_init(|| {
            let archived = &self.site.archive(level)[index];
            PeriodLink {
                title: period_title(&archived.period),
                url: self.config().url(&archived.period.path()),
                count: archived.articles.len(),
            }
        })
    }

    fn further<'s>(&'s self, reference: &'s Reference) -> Further<'s> {
        Further { target: self.shown(reference.target), note: reference.note.as_deref() }
    }

    fn listing(&self, kind: Kind, index: usize, page: usize) -> ListingContext<'_> {
        let site = self.site;
        let listing = &site.listings(kind)[index];
        let pages = site.page_count(listing.articles.len());
        let url = |page| self.config().url(&site.listing_path(kind, index, page));
        let view = &listing.view;
        let title = match (kind, page) {
            (Kind::Category, 1) => view.name.clone(),
            (Kind::Category, n) => format!("{}, page {n}", view.name),
            (Kind::Tag, 1) => format!("Topic: {}", view.name),
            (Kind::Tag, n) => format!("Topic: {}, page {n}", view.name),
            (Kind::Author, 1) => view.name.clone(),
            (Kind::Author, n) => format!("{}, page {n}", view.name),
        };
        let site_title = &self.config().title;
        let description = view.bio.clone().unwrap_or_else(|| match kind {
            Kind::Category => format!("{} news from {site_title}", view.name),
            Kind::Tag => format!("Articles about {} from {site_title}", view.name),
            Kind::Author => format!("Articles by {} in {site_title}", view.name),
        });
        ListingContext {
            page: PageMeta { title: Some(title.into()), description: description.into(), url: url(page).into() },
            category: (kind == Kind::Category).then(|| &self.categories[index]),
            tag: (kind == Kind::Tag).then_some(view),
            author: (kind == Kind::Author).then_some(view),
            listing: view,
            feed_url: (kind == Kind::Category).then(|| format!("{}feed.xml", view.url)),
            articles: self.shown_all(site.page_articles(kind, index, page).iter().copied()),
            pagination: Pagination::new(page, pages, listing.articles.len(), url),
        }
    }

    /// A page of `/corrections/`: each correction with its article.
    fn corrections(&self, page: usize) -> CorrectionsContext<'_> {
        let site = self.site;
        let config = self.config();
        let total = site.lists.corrections.len();
        let url = |page| config.url(&corrections_path(page));
        let corrections = site
            .page_corrections(page)
            .iter()
            .map(|&(i, j)| {
                let article = &site.articles[i];
                let notice = &article.corrections[j];
                CorrectionItem {
                    url: format!("{}#{}", article.url, notice.id),
                    notice: Of::article(self.versions[i], views::notices(std::slice::from_ref(notice)).remove(0)),
                    article: self.shown(i),
                }
            })
            .collect();
        let title = if page == 1 { "Corrections".to_string() } else { format!("Corrections, page {page}") };
        let description = format!("Every correction {} has published, newest first", config.title);
        CorrectionsContext {
            page: PageMeta { title: Some(title.into()), description: description.into(), url: url(page).into() },
            corrections,
            feed_url: config.url("/corrections/feed.xml"),
            pagination: Pagination::new(page, site.page_count(total), total, url),
        }
    }

    fn index(&self, kind: Kind) -> IndexContext<'_> {
        let config = self.config();
        let entries: Vec<&Taxon> = self.site.listings(kind).iter().map(|l| &l.view).collect();
        let url = config.url(index_path(kind));
        let title = if kind == Kind::Tag { "Topics" } else { "Authors" };
        let page = PageMeta {
            title: Some(title.into()),
            description: format!("{title} of {}", config.title).into(),
            url: url.clone().into(),
        };
        let (tags, authors) = if kind == Kind::Tag { (Some(entries), None) } else { (None, Some(entries)) };
        IndexContext { page, tags, authors, url }
    }
}

/// An article's summary in a page's context.
type Shown<'a> = Of<SummaryValue<'a>>;

/// Article `i`'s summary value, made when first serialized.
pub struct SummaryValue<'a> {
    views: &'a Views<'a>,
    i: usize,
}

impl Serialize for SummaryValue<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.views.value(self.i).serialize(serializer)
    }
}

/// The context of one page, and which template renders it.
pub enum Context<'a> {
    Home(HomeContext<'a>),
    Article(ArticleContext<'a>),
    Listing(Kind, ListingContext<'a>),
    Index(Kind, IndexContext<'a>),
    Corrections(CorrectionsContext<'a>),
    Archive(ArchiveContext<'a>),
    Series(SeriesContext<'a>),
    /// search.html: `page` only, like the 404 page.
    Search(NotFoundContext<'a>),
    NotFound(NotFoundContext<'a>),
}

/// The context itself; the kind is the template's to tell.
impl Serialize for Context<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Context::Home(context) => context.serialize(serializer),
            Context::Article(context) => context.serialize(serializer),
            Context::Listing(_, context) => context.serialize(serializer),
            Context::Index(_, context) => context.serialize(serializer),
            Context::Corrections(context) => context.serialize(serializer),
            Context::Archive(context) => context.serialize(serializer),
            Context::Series(context) => context.serialize(serializer),
            Context::Search(context) => context.serialize(serializer),
            Context::NotFound(context) => context.serialize(serializer),
        }
    }
}

impl Context<'_> {
    pub fn template(&self) -> &'static str {
        match self {
            Context::Home(_) => "index.html",
            Context::Article(_) => "article.html",
            Context::Listing(Kind::Category, _) => "category.html",
            Context::Listing(Kind::Tag, _) => "tag.html",
            Context::Listing(Kind::Author, _) => "author.html",
            Context::Index(Kind::Tag, _) => "tags.html",
            Context::Index(_, _) => "authors.html",
            Context::Corrections(_) => "corrections.html",
            Context::Archive(_) => "archive.html",
            Context::Series(_) => "series.html",
            Context::Search(_) => "search.html",
            Context::NotFound(_) => "404.html",
        }
    }

    /// What the page is made of: two pages with equal keys render the same.
    pub fn key(&self) -> Key {
        key::of(self.template(), self)
    }

    /// Its key, with the versions of the articles the key counted.
    fn counted_key(&self) -> (Key, Box<[u64]>) {
        key::counting(self.template(), self)
    }

    pub fn render(&self, renderer: &Renderer) -> Result<Vec<u8>, Diagnostic> {
        if let Context::Article(context) = self {
            // Its body first, so that a file that cannot be rendered again
            // is reported as itself, not as a template's error.
            context.article.own.value().body()?;
            return renderer.render_context(self.template(), context.template_context()?);
        }
        renderer.render(self.template(), self)
    }
}

/// `page`, given to every template: what the `<head>` says of the page.
#[derive(Serialize)]
pub struct PageMeta<'a> {
    /// The page's own title, without the site's; none on the home page.
    pub title: Option<Cow<'a, str>>,
    pub description: Cow<'a, str>,
    /// The canonical URL.
    pub url: Cow<'a, str>,
}

#[derive(Serialize)]
pub struct HomeContext<'a> {
    page: PageMeta<'a>,
    lead: Option<Shown<'a>>,
    sections: Vec<Section<'a>>,
    /// The ten newest articles.
    latest: Vec<Shown<'a>>,
}

#[derive(Serialize)]
struct Section<'a> {
    category: &'a CategoryView,
    articles: Vec<Shown<'a>>,
}

#[derive(Serialize)]
pub struct ArticleContext<'a> {
    page: PageMeta<'a>,
    article: ArticleView<'a>,
}

impl ArticleContext<'_> {
    /// The context article.html gets: what serializing the context gives,
    /// made without serde's `flatten`, which serializes the summary value
    /// again field by field (a deep copy of every string longer than a
    /// few bytes) where its map's entries can be cloned (each an `Arc` or
    /// a few bytes).
    fn template_context(&self) -> Result<tera::Context, Diagnostic> {
        fn value(value: &impl Serialize) -> Result<tera::Value, Diagnostic> {
            tera::Value::try_from_serializable(value).map_err(super::template_error)
        }
        let view = &self.article;
        let mut article = summary_map(&view.summary);
        let own = value(view.own.value())?.into_map().unwrap_or_default();
        article.extend(own);
        let further: Vec<tera::Value> = view
            .further_context
            .iter()
            .map(|further| {
                let mut map = summary_map(&further.target);
                map.insert("note".into(), further.note.into());
                tera::Value::from(map)
            })
            .collect();
        article.insert("further_context".into(), further.into());
        article.insert("series".into(), value(&view.series)?);
        article.insert("backlinks".into(), value(&view.backlinks)?);
        article.insert("related".into(), value(&view.related)?);
        let mut context = tera::Context::new();
        context.insert_value("page", value(&self.page)?);
        context.insert_value("article", article.into());
        Ok(context)
    }
}

/// The entries of an article's summary value, cloned.
fn summary_map(shown: &Shown<'_>) -> tera::Map {
    let summary = shown.value();
    summary.views.value(summary.i).as_map().cloned().unwrap_or_default()
}

/// `article`, given to article.html: every field of its summary, plus
/// `body` (the rendered Markdown, the only raw HTML a template gets), `toc`,
/// `further_context` (target summaries, each with its `note`), `backlinks`,
/// `related`, `extra` and `json_ld`.
#[derive(Serialize)]
struct ArticleView<'a> {
    #[serde(flatten)]
    summary: Shown<'a>,
    #[serde(flatten)]
    own: Of<ArticleOwn<'a>>,
    further_context: Vec<Further<'a>>,
    /// The series box: none when the article is not part of one.
    series: Option<SeriesBox<'a>>,
    backlinks: Vec<Shown<'a>>,
    related: Vec<Shown<'a>>,
}

/// The parts of article `index`'s page made from the article alone; made
/// only when serialized for the template, never for a key.
struct ArticleOwn<'a> {
    article: &'a Article,
    bodies: &'a Bodies<'a>,
    /// The body's HTML, made when the page is rendered.
    body: std::cell::OnceCell<Html<'a>>,
    /// The JSON-LD, made from the article's summary.
    json_ld: Box<dyn Fn() -> String + 'a>,
}

impl<'a> ArticleOwn<'a> {
    fn body(&self) -> Result<&Html<'a>, Diagnostic> {
        if let Some(html) = self.body.get() {
            return Ok(html);
        }
        let html = self.bodies.html(self.article)?;
        Ok(self.body.get_or_init(|| html))
    }
}

impl Serialize for ArticleOwn<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let article = self.article;
        let body = self.body().map_err(|problem| serde::ser::Error::custom(problem.message))?;
        let mut map = serializer.serialize_map(Some(7))?;
        map.serialize_entry("body", &*body.page)?;
        map.serialize_entry("toc", &article.body.toc)?;
        map.serialize_entry("corrections", &views::notices(&article.corrections))?;
        map.serialize_entry("updates", &views::notices(&article.updates))?;
        map.serialize_entry("live_ended", &article.front.live_ended.as_ref().map(views::date))?;
        map.serialize_entry("extra", &views::toml_to_json(&article.front.extra))?;
        // Escaped so no value can close the script element: insert it
        // with `| safe` inside `<script type="application/ld+json">`.
        map.serialize_entry("json_ld", &(self.json_ld)())?;
        map.end()
    }
}

/// A further-context target's summary, with the note of the reference.
#[derive(Serialize)]
struct Further<'a> {
    #[serde(flatten)]
    target: Shown<'a>,
    note: Option<&'a str>,
}

/// The context of category.html, tag.html and author.html: `listing` is
/// the category, tag or author whichever it is, and the specific key is set
/// as well.
#[derive(Serialize)]
pub struct ListingContext<'a> {
    page: PageMeta<'a>,
    category: Option<&'a CategoryView>,
    tag: Option<&'a Taxon>,
    author: Option<&'a Taxon>,
    listing: &'a Taxon,
    /// The category's own RSS feed.
    feed_url: Option<String>,
    articles: Vec<Shown<'a>>,
    pagination: Pagination,
}

#[derive(Serialize)]
pub struct IndexContext<'a> {
    page: PageMeta<'a>,
    tags: Option<Vec<&'a Taxon>>,
    authors: Option<Vec<&'a Taxon>>,
    url: String,
}

/// `article.series`: the part's place in its series.
#[derive(Serialize)]
struct SeriesBox<'a> {
    name: &'a str,
    url: &'a str,
    /// 1-based, in reading order.
    part: usize,
    total: usize,
    prev: Option<Shown<'a>>,
    next: Option<Shown<'a>>,
    /// Every part, in reading order.
    parts: Vec<Shown<'a>>,
}

/// The context of series.html.
#[derive(Serialize)]
pub struct SeriesContext<'a> {
    page: PageMeta<'a>,
    series: SeriesView<'a>,
    /// In reading order.
    articles: Vec<Shown<'a>>,
}

#[derive(Serialize)]
struct SeriesView<'a> {
    name: &'a str,
    url: &'a str,
    count: usize,
}

/// The context of archive.html.
#[derive(Serialize)]
pub struct ArchiveContext<'a> {
    page: PageMeta<'a>,
    archive: ArchiveView<'a>,
    articles: Vec<Shown<'a>>,
    pagination: Pagination,
}

/// `archive`: the period, its neighbours that have articles, and the
/// periods within it.
#[derive(Serialize)]
struct ArchiveView<'a> {
    /// `year`, `month` or `day`.
    level: &'static str,
    /// `2025`, `March 2025`, `March 7, 2025`.
    title: &'a str,
    url: &'a str,
    count: usize,
    /// The nearest earlier and later periods of the same level with articles.
    prev: Option<&'a PeriodLink>,
    next: Option<&'a PeriodLink>,
    /// A year's months, a month's days.
    periods: Vec<&'a PeriodLink>,
}

/// An archive period's title, URL and number of articles.
#[derive(Serialize)]
pub struct PeriodLink {
    title: String,
    url: String,
    count: usize,
}

/// How a period is named: `2025`, `March 2025`, `March 7, 2025`.
fn period_title(period: &Period) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    match (period.month, period.day) {
        (Some(m), Some(d)) => format!("{} {d}, {}", MONTHS[m as usize - 1], period.year),
        (Some(m), None) => format!("{} {}", MONTHS[m as usize - 1], period.year),
        _ => period.year.to_string(),
    }
}

/// The context of corrections.html.
#[derive(Serialize)]
pub struct CorrectionsContext<'a> {
    page: PageMeta<'a>,
    corrections: Vec<CorrectionItem<'a>>,
    /// `/corrections/feed.xml`.
    feed_url: String,
    pagination: Pagination,
}

/// One correction on `/corrections/`: its `id`, `date` and `html`, the
/// `url` of the notice on the article's page, and the `article`'s summary.
#[derive(Serialize)]
struct CorrectionItem<'a> {
    url: String,
    #[serde(flatten)]
    notice: Of<views::NoticeView<'a>>,
    article: Shown<'a>,
}

#[derive(Serialize)]
pub struct NotFoundContext<'a> {
    page: PageMeta<'a>,
}

#[derive(Serialize)]
struct Pagination {
    /// 1-based.
    page: usize,
    pages: usize,
    total: usize,
    url: String,
    prev_url: Option<String>,
    next_url: Option<String>,
}

impl Pagination {
    /// Page `page` of `pages` listing `total` items; `url` gives a page's URL.
    fn new(page: usize, pages: usize, total: usize, url: impl Fn(usize) -> String) -> Pagination {
        Pagination {
            page,
            pages,
            total,
            url: url(page),
            prev_url: (page > 1).then(|| url(page - 1)),
            next_url: (page < pages).then(|| url(page + 1)),
        }
    }
}

/// Where rendered pages go (the driver hands them to the build's sink).
/// Called from many threads at once.
pub trait PageSink: Sync {
    /// Whether pages come with their keys, to keep or compare.
    fn keys_pages(&self) -> bool;

    /// Whether the page `rel` is already there as rendered from a context
    /// of key `key`: it is then neither rendered nor written.
    fn holds(&self, rel: &str, key: Key) -> bool;

    /// One page, with its key when [`PageSink::keys_pages`].
    fn write_page(&self, rel: &str, key: Option<Key>, bytes: Bytes) -> anyhow::Result<()>;
}

/// The pages of the last build, in its plan's order: output file, key and
/// bytes. Kept only by `serve`, which holds the site in memory anyway.
#[derive(Default)]
pub struct Pages {
    pub keep: bool,
    last: Vec<(Arc<str>, Key, Bytes)>,
    /// Kept (`serve`): what the last build's keys were computed from.
    known: Option<Known>,
}

/// The last build's page keys, each with the versions of the articles it
/// counted, and everything else its page's context was made of: the
/// graph, the lists and the plan (serve keeps each while it holds), and
/// what the pages are rendered under.
/// While those are the same, a page's context can change only with the
/// articles it counted (nothing else of an article reaches a context
/// without the article's own parts, see [`Views::context`]), so the next
/// build computes again only the keys of the pages that show an article
/// with a new version: at 10,000 articles a one-paragraph save computes
/// a few dozen contexts, not 16,822. When they changed, the pages whose
/// part of them is the same keep their keys too ([`Known::carried`]).
struct Known {
    under: Key,
    graph: Arc<crate::graph::Graph>,
    lists: Arc<crate::plan::site::Lists>,
    plan: Arc<Plan>,
    versions: Vec<u64>,
    keys: Vec<(Key, Box<[u64]>)>,
}

impl Known {
    /// For each page of `plan`, the page of the last build whose key still
    /// holds when the graph, the lists or the plan changed (an article
    /// added, deleted, tagged or dated anew): the key of a page counts the
    /// articles it shows by their versions, so it holds while the page
    /// shows the same versions the same way. That is:
    /// - an article's page, while its further context, backlinks and
    ///   related articles are the same versions, and it is part of no
    ///   series (whose box follows the series' list); its notes are its own;
    /// - a listing's pages, while its articles are the same: its name,
    ///   count and URL are made from them (and config.toml, under which
    ///   keys are taken);
    /// - an archive period's pages, while its articles and the periods
    ///   before and after it (their dates and counts) are the same: the
    ///   periods within it are made from its articles.
    /// - the search and 404 pages, which show no article.
    ///
    /// The home page, the indexes, the corrections and the series pages
    /// are few: their keys are computed again. At 10,000 articles an added
    /// article computed 16,822 keys (23 ms of work, about 12 ms of its
    /// save on two cores).
    fn carried(&self, views: &Views, plan: &Plan) -> Vec<Option<usize>> {
        let (site, graph, old, was) = (views.site, views.graph, &*self.lists, &*self.graph);
        let same_versions = |now: &[usize], then: &[usize]| {
            now.len() == then.len() && now.iter().zip(then).all(|(&i, &j)| views.versions[i] == self.versions[j])
        };
        let old_pages: FxHashMap<Page, usize> =
            self.plan.pages.iter().enumerate().map(|(m, (_, page))| (*page, m)).collect();
        let old_article: FxHashMap<u64, usize> = self.versions.iter().enumerate().map(|(j, &v)| (v, j)).collect();
        // Each listing's index in the last build's lists, when it is the same.
        let listings = [Kind::Category, Kind::Tag, Kind::Author].map(|kind| {
            let then = old.listings(kind);
            let by_slug: FxHashMap<&str, usize> =
                then.iter().enumerate().map(|(j, listing)| (listing.view.slug.as_str(), j)).collect();
            let same = |listing: &crate::plan::site::Listing| {
                let j = *by_slug.get(listing.view.slug.as_str())?;
                same_versions(&listing.articles, &then[j].articles).then_some(j)
            };
            site.listings(kind).iter().map(same).collect::<Vec<Option<usize>>>()
        });
        // Each archive period's index in the last build's, when it and the
        // links its pages show are the same.
        let periods = [Level::Year, Level::Month, Level::Day].map(|level| {
            let (now, then) = (site.archive(level), old.archive(level));
            // The period before or after, in each build: both none, or the
            // same period with as many articles.
            let neighbour = |i: Option<usize>, j: Option<usize>| match (i, j) {
                (None, None) => true,
                (Some(i), Some(j)) => {
                    now[i].period == then[j].period && now[i].articles.len() == then[j].articles.len()
                }
                _ => false,
            };
            let after = |i: usize, len: usize| (i + 1 < len).then_some(i + 1);
            let same = |(i, archived): (usize, &crate::plan::site::Archived)| {
                let j = then.binary_search_by_key(&archived.period, |a| a.period).ok()?;
                let same = same_versions(&archived.articles, &then[j].articles)
                    && neighbour(i.checked_sub(1), j.checked_sub(1))
                    && neighbour(after(i, now.len()), after(j, then.len()));
                same.then_some(j)
            };
            now.iter().enumerate().map(same).collect::<Vec<Option<usize>>>()
        });
        let article = |i: usize| {
            let j = *old_article.get(&views.versions[i])?;
            let same_references = graph.further_context[i].len() == was.further_context[j].len()
                && (graph.further_context[i].iter().zip(&was.further_context[j]))
                    .all(|(now, then)| views.versions[now.target] == self.versions[then.target]);
            let same = site.articles[i].front.series.is_none()
                && same_references
                && same_versions(&graph.backlinks[i], &was.backlinks[j])
                && same_versions(&graph.related[i], &was.related[j]);
            same.then_some(Page::Article(j))
        };
        let mut carried: Vec<Option<usize>> = plan
            .pages
            .par_iter()
            .map(|(_, page)| {
                let then = match *page {
                    Page::Article(i) => article(i)?,
                    Page::Listing { kind, index, page } => {
                        Page::Listing { kind, index: listings[kind as usize][index]?, page }
                    }
                    Page::Archive { level, index, page } => {
                        Page::Archive { level, index: periods[level as usize][index]?, page }
                    }
                    Page::Search | Page::NotFound => *page,
                    Page::Home | Page::Index(_) | Page::Corrections { .. } | Page::Series(_) => return None,
                };
                old_pages.get(&then).copied()
            })
            .collect();
        // Each of the last build's keys goes to one page at most (two
        // articles of one version cannot be, but a key must not be shared).
        let mut taken = vec![false; self.keys.len()];
        for was in &mut carried {
            if let Some(m) = *was {
                *was = (!std::mem::replace(&mut taken[m], true)).then_some(m);
            }
        }
        carried
    }
}

/// How a page's key was had.
enum Keyed {
    /// Not computed: nothing holds or keeps the page.
    None,
    /// The last build's, of its page at that place: no article it
    /// counted changed.
    Known(Key, usize),
    /// Computed from the page's context, with the articles it counted.
    Computed(Key, Box<[u64]>),
}

impl Keyed {
    fn key(&self) -> Option<Key> {
        match self {
            Keyed::None => None,
            Keyed::Known(key, _) | Keyed::Computed(key, _) => Some(*key),
        }
    }
}

impl Pages {
    pub fn new(keep: bool) -> Pages {
        Pages { keep, last: Vec::new(), known: None }
    }

    /// Renders every page of `plan` whose key changed (all of them, when
    /// nothing is kept) and that `sink` does not already hold, and hands
    /// each page's file and bytes to `sink`, in parallel. Keys are taken
    /// `under` what the pages are rendered with besides their contexts.
    /// Every template error is collected before failing.
    pub fn render(
        &mut self,
        views: &Views,
        renderer: &Renderer,
        plan: &Arc<Plan>,
        under: Key,
        sink: &dyn PageSink,
    ) -> Result<(), Error> {
        let site = views.site;
        let known = self.known.take().filter(|known| known.under == under);
        // The last build's page at each page of this one whose key holds
        // but for the articles it counted: the same page while the graph,
        // the lists and the plan are the same, else those that
        // `Known::carried` finds.
        let same = known.as_ref().is_some_and(|known| {
            Arc::ptr_eq(&known.graph, views.graph)
                && Arc::ptr_eq(&known.lists, &site.lists)
                && Arc::ptr_eq(&known.plan, plan)
        });
        let carried = known.as_ref().filter(|_| !same).map(|known| known.carried(views, plan));
        let was = |n: usize| if same { Some(n) } else { carried.as_ref().and_then(|carried| carried[n]) };
        let previous = self.previous(plan);
        let sink_keys = sink.keys_pages();
        // The versions the last build counted that are no more: with the
        // same lists, each article is where it was (a save's common case,
        // without a set of 10,000 versions).
        let gone: rustc_hash::FxHashSet<u64> = match &known {
            Some(known) if same => known
                .versions
                .iter()
                .zip(&views.versions)
                .filter(|(old, new)| old != new)
                .map(|(old, _)| *old)
                .collect(),
            Some(known) => {
                let now: rustc_hash::FxHashSet<u64> = views.versions.iter().copied().collect();
                known.versions.iter().copied().filter(|old| !now.contains(old)).collect()
            }
            None => Default::default(),
        };
        let results: Vec<Result<(Keyed, Option<Bytes>), Error>> = plan
            .pages
            .par_iter()
            .enumerate()
            .zip(&plan.page_files)
            .zip(&previous)
            .map(|(((n, (_, page)), file), previous)| {
                let held = known
                    .as_ref()
                    .zip(was(n))
                    .map(|(known, m)| (&known.keys[m], m))
                    .filter(|((_, counted), _)| !counted.iter().any(|version| gone.contains(version)));
                if let Some(((key, _), m)) = held
                    && sink.holds(file, *key)
                {
                    return Ok((Keyed::Known(*key, m), None));
                }
                let context = views.context(*page);
                // A key costs a walk over the context: only worth it when
                // there is a page to compare with, or to keep.
                let keyed = match held {
                    Some(((key, _), m)) => Keyed::Known(*key, m),
                    None if self.keep => {
                        let (key, counted) = context.counted_key();
                        Keyed::Computed(key::under(under, key), counted)
                    }
                    None if previous.is_some() || sink_keys => {
                        Keyed::Computed(key::under(under, context.key()), [].into())
                    }
                    None => Keyed::None,
                };
                let key = keyed.key();
                if let Some(key) = key
                    && !matches!(keyed, Keyed::Known(..))
                    && sink.holds(file, key)
                {
                    return Ok((keyed, None));
                }
                let bytes = match previous {
                    Some((_, old_key, bytes)) if key == Some(*old_key) => bytes.clone(),
                    _ => Bytes::from(context.render(renderer).map_err(|d| Failed { diagnostics: vec![d] })?),
                };
                sink.write_page(file, key, bytes.clone())?;
                // Held for the next build only when kept, and the sink does
                // not keep it.
                Ok((keyed, Some(bytes).filter(|_| self.keep && !sink_keys)))
            })
            .collect();
        let mut problems = Vec::new();
        let mut kept = Vec::with_capacity(if self.keep && !sink_keys { plan.pages.len() } else { 0 });
        // Each kept key moves to its page's place in this build.
        let mut old_keys: Vec<Option<(Key, Box<[u64]>)>> =
            known.map_or_else(Vec::new, |known| known.keys.into_iter().map(Some).collect());
        let mut keys = Vec::with_capacity(if self.keep { plan.pages.len() } else { 0 });
        for ((result, file), previous) in results.into_iter().zip(&plan.page_files).zip(&previous) {
            match result {
                Ok((keyed, bytes)) if self.keep => {
                    let key = keyed.key().expect("kept pages are keyed");
                    if let Some(bytes) = bytes {
                        // The names of pages that stay are shared, not copied.
                        let name = previous.map_or_else(|| Arc::from(file.as_str()), |(name, _, _)| name.clone());
                        kept.push((name, key, bytes));
                    }
                    keys.push(match keyed {
                        Keyed::Computed(key, counted) => (key, counted),
                        Keyed::Known(_, m) => old_keys[m].take().expect("each page of the last build is taken once"),
                        Keyed::None => unreachable!("kept pages are keyed"),
                    });
                }
                Ok(_) => {}
                Err(Error::Site(failed)) => problems.extend(failed.diagnostics),
                Err(other) => return Err(other),
            }
        }
        drop(previous);
        crate::diag::fail_on(problems)?;
        self.last = kept;
        if self.keep {
            self.known = Some(Known {
                under,
                graph: views.graph.clone(),
                lists: site.lists.clone(),
                plan: plan.clone(),
                versions: views.versions.clone(),
                keys,
            });
        }
        Ok(())
    }

    /// The last build's page at each file of `plan`: mostly the same pages
    /// in the same order, matched by position, else by name.
    fn previous(&self, plan: &Plan) -> Vec<Option<&(Arc<str>, Key, Bytes)>> {
        let old = &self.last;
        let same_pages =
            old.len() == plan.page_files.len() && old.iter().zip(&plan.page_files).all(|(old, file)| *old.0 == **file);
        if same_pages {
            return old.iter().map(Some).collect();
        }
        let by_name: FxHashMap<&str, &(Arc<str>, Key, Bytes)> = old.iter().map(|page| (&*page.0, page)).collect();
        plan.page_files.iter().map(|file| by_name.get(file.as_str()).copied()).collect()
    }
}
