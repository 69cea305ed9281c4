//! The site as pages: the home page, articles, the listings of categories,
//! tags and authors (paginated), the tag and author indexes and the 404
//! page, each with the typed context its template receives.

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use serde::Serialize;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::graph::Graph;
use crate::parse::Article;
use crate::render::Renderer;
use crate::render::views::{self, CategoryView, Summary, TaxonView};

/// How many of its latest articles each category shows on the home page.
pub const HOME_PER_CATEGORY: usize = 4;

/// The three kinds of article listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Category,
    Tag,
    Author,
}

/// One page of the site.
#[derive(Debug, Clone, Copy)]
pub enum Page {
    Home,
    Article(usize),
    /// Page `page` (1-based) of the listing `index` of a kind.
    Listing {
        kind: Kind,
        index: usize,
        page: usize,
    },
    /// `/tags/` or `/authors/`.
    Index(Kind),
    NotFound,
}

/// A category, tag or author with its articles, newest first.
pub struct Listing {
    pub view: TaxonView,
    pub articles: Vec<usize>,
}

/// Everything the page contexts are built from, frozen before rendering.
pub struct Site<'a> {
    pub config: &'a Config,
    pub articles: &'a [Arc<Article>],
    pub graph: &'a Graph,
    pub categories: &'a [CategoryView],
    /// Made when first asked for: `serve` keeps the values of unchanged
    /// articles and needs few summaries.
    summaries: Vec<OnceLock<Summary<'a>>>,
    /// The summaries as template values, built once per build (or kept by
    /// `serve`); every page that shows an article clones its value (an
    /// `Arc`), so listings and related lists cost no serialization.
    pub values: Vec<tera::Value>,
    pub lists: Arc<Lists>,
}

/// The order of the articles and the listings: made from the articles'
/// [`Placement`]s (and config.toml) alone.
pub struct Lists {
    /// All articles, newest first.
    pub newest: Vec<usize>,
    pub by_category: Vec<Listing>,
    /// By slug.
    pub tags: Vec<Listing>,
    /// By slug; profiles from config.toml appear even without articles.
    pub authors: Vec<Listing>,
}

/// Everything of one article that [`Lists`] are made from: when every
/// article has the same placement as in the last build, in the same order,
/// `serve` keeps the lists.
#[derive(Debug, PartialEq, Eq)]
pub struct Placement {
    rel: String,
    date: (i64, i32),
    category: usize,
    tags: Vec<String>,
    tag_slugs: Vec<String>,
    authors: Vec<String>,
}

pub fn placement(article: &Article) -> Placement {
    let date = article.front.date.timestamp();
    Placement {
        rel: article.rel.clone(),
        date: (date.as_second(), date.subsec_nanosecond()),
        category: article.category,
        tags: article.front.tags.clone(),
        tag_slugs: article.tag_slugs.clone(),
        authors: article.front.authors.clone(),
    }
}

impl<'a> Site<'a> {
    pub fn new(
        config: &'a Config,
        articles: &'a [Arc<Article>],
        graph: &'a Graph,
        categories: &'a [CategoryView],
        known: &views::SummaryValues,
        lists: Option<Arc<Lists>>,
    ) -> Site<'a> {
        let summaries: Vec<OnceLock<Summary>> = articles.iter().map(|_| OnceLock::new()).collect();
        let values = articles
            .par_iter()
            .zip(&summaries)
            .map(|(article, summary)| match known.get(&article.version) {
                Some(value) => value.clone(),
                None => {
                    tera::Value::from_serializable(summary.get_or_init(|| views::summary(config, categories, article)))
                }
            })
            .collect();
        let lists = lists.unwrap_or_else(|| Arc::new(Lists::new(config, articles, categories)));
        Site { config, articles, graph, categories, summaries, values, lists }
    }
}

impl Lists {
    fn new(config: &Config, articles: &[Arc<Article>], categories: &[CategoryView]) -> Lists {
        let mut newest: Vec<usize> = (0..articles.len()).collect();
        newest.sort_by(|&a, &b| {
            let (a, b) = (&articles[a], &articles[b]);
            b.front.date.timestamp().cmp(&a.front.date.timestamp()).then_with(|| a.rel.cmp(&b.rel))
        });
        let by_category = categories
            .iter()
            .enumerate()
            .map(|(c, view)| Listing {
                view: TaxonView {
                    slug: view.slug.clone(),
                    name: view.name.clone(),
                    bio: view.description.clone(),
                    url: view.url.clone(),
                    count: 0,
                },
                articles: newest.iter().copied().filter(|&i| articles[i].category == c).collect(),
            })
            .map(counted)
            .collect();
        // Tags take the spelling of their newest article; authors their
        // profile's name, or the name as first written.
        let mut tags: FxHashMap<&str, Listing> = FxHashMap::default();
        let mut authors: FxHashMap<String, Listing> = FxHashMap::default();
        for profile in &config.authors {
            authors.insert(
                profile.slug.clone(),
                listing(config, "authors", &profile.slug, &profile.name, profile.bio.clone()),
            );
        }
        for &i in &newest {
            let front = &articles[i].front;
            for (name, slug) in front.tags.iter().zip(&articles[i].tag_slugs) {
                tags.entry(slug).or_insert_with(|| listing(config, "tags", slug, name, None)).articles.push(i);
            }
            for key in &front.authors {
                let author = views::author(config, key);
                match authors.get_mut(&author.slug) {
                    Some(listing) => listing.articles.push(i),
                    None => {
                        let mut new = listing(config, "authors", &author.slug, author.name, None);
                        new.articles.push(i);
                        authors.insert(author.slug, new);
                    }
                }
            }
        }
        let sorted = |map: Vec<Listing>| {
            let mut list: Vec<Listing> = map.into_iter().map(counted).collect();
            list.sort_by(|a, b| a.view.slug.cmp(&b.view.slug));
            list
        };
        Lists {
            newest,
            by_category,
            tags: sorted(tags.into_values().collect()),
            authors: sorted(authors.into_values().collect()),
        }
    }
}

impl<'a> Site<'a> {
    /// What listings, cards and feeds show of article `i`.
    pub fn summary(&self, i: usize) -> &Summary<'a> {
        let articles: &'a [Arc<Article>] = self.articles;
        self.summaries[i].get_or_init(|| views::summary(self.config, self.categories, &articles[i]))
    }

    pub fn listings(&self, kind: Kind) -> &[Listing] {
        match kind {
            Kind::Category => &self.lists.by_category,
            Kind::Tag => &self.lists.tags,
            Kind::Author => &self.lists.authors,
        }
    }

    /// Every page of the site with its site path.
    pub fn pages(&self) -> Vec<(String, Page)> {
        let mut pages = vec![("/".to_string(), Page::Home)];
        pages.extend(self.articles.iter().enumerate().map(|(i, a)| (a.path.clone(), Page::Article(i))));
        for kind in [Kind::Category, Kind::Tag, Kind::Author] {
            if kind != Kind::Category {
                pages.push((index_path(kind).to_string(), Page::Index(kind)));
            }
            for (index, listing) in self.listings(kind).iter().enumerate() {
                for page in 1..=self.page_count(listing.articles.len()) {
                    pages.push((self.listing_path(kind, index, page), Page::Listing { kind, index, page }));
                }
            }
        }
        pages.push(("/404.html".to_string(), Page::NotFound));
        pages
    }

    pub fn page_count(&self, items: usize) -> usize {
        items.div_ceil(self.config.articles_per_page).max(1)
    }

    pub fn listing_path(&self, kind: Kind, index: usize, page: usize) -> String {
        let slug = &self.listings(kind)[index].view.slug;
        let base = match kind {
            Kind::Category => format!("/{slug}/"),
            Kind::Tag => format!("/tags/{slug}/"),
            Kind::Author => format!("/authors/{slug}/"),
        };
        if page == 1 { base } else { format!("{base}page/{page}/") }
    }

    /// The articles shown on one page of a listing.
    pub fn page_articles(&self, kind: Kind, index: usize, page: usize) -> &[usize] {
        let list = &self.listings(kind)[index].articles;
        let per_page = self.config.articles_per_page;
        let from = ((page - 1) * per_page).min(list.len());
        &list[from..(from + per_page).min(list.len())]
    }

    pub fn render(&self, renderer: &Renderer, page: Page) -> Result<String, Diagnostic> {
        match page {
            Page::Home => renderer.render("index.html", &self.home()),
            Page::Article(i) => {
                let summary = self.summary(i);
                let article = views::article(self.config, i, &self.articles[i], summary, &self.values, self.graph);
                let page = PageMeta {
                    title: Some(summary.title.to_string()),
                    description: summary.description.unwrap_or(summary.title).to_string(),
                    url: summary.url.to_string(),
                };
                renderer.render("article.html", &ArticleContext { page, article })
            }
            Page::Listing { kind, index, page } => {
                let context = self.listing(kind, index, page);
                let template = match kind {
                    Kind::Category => "category.html",
                    Kind::Tag => "tag.html",
                    Kind::Author => "author.html",
                };
                renderer.render(template, &context)
            }
            Page::Index(kind) => {
                let entries: Vec<&TaxonView> = self.listings(kind).iter().map(|l| &l.view).collect();
                let url = self.config.url(index_path(kind));
                let (title, template) =
                    if kind == Kind::Tag { ("Topics", "tags.html") } else { ("Authors", "authors.html") };
                let page = PageMeta {
                    title: Some(title.to_string()),
                    description: format!("{title} of {}", self.config.title),
                    url: url.clone(),
                };
                let (tags, authors) = if kind == Kind::Tag { (Some(entries), None) } else { (None, Some(entries)) };
                renderer.render(template, &IndexContext { page, tags, authors, url })
            }
            Page::NotFound => {
                let page = PageMeta {
                    title: Some("Page not found".to_string()),
                    description: "There is no page at this address.".to_string(),
                    url: self.config.url("/404.html"),
                };
                renderer.render("404.html", &NotFoundContext { page })
            }
        }
    }

    /// The lead is the newest featured article, or the newest one; each
    /// category then shows its latest articles other than the lead.
    fn home(&self) -> HomeContext<'_> {
        let lead = self.lead();
        let sections = self
            .lists
            .by_category
            .iter()
            .zip(self.categories)
            .map(|(listing, category)| Section {
                category,
                articles: home_section(listing, lead).map(|i| self.values[i].clone()).collect(),
            })
            .collect();
        let page = PageMeta {
            title: None,
            description: self.config.description.clone().unwrap_or_else(|| self.config.title.clone()),
            url: self.config.url("/"),
        };
        HomeContext {
            page,
            lead: lead.map(|i| self.values[i].clone()),
            sections,
            latest: self.lists.newest.iter().take(HOME_LATEST).map(|&i| self.values[i].clone()).collect(),
        }
    }

    /// The home page's lead article.
    fn lead(&self) -> Option<usize> {
        self.lists.newest.iter().copied().find(|&i| self.articles[i].front.featured).or(self
            .lists
            .newest
            .first()
            .copied())
    }

    /// The versions of `articles`, as a key.
    pub fn versions_key(&self, articles: &[usize]) -> Vec<u8> {
        let mut key = Key::default();
        key.versions(self.articles, articles.iter().copied());
        key.0
    }

    /// What the context of `page` is made of, written as bytes: under the
    /// same config and theme, two pages with equal keys render the same.
    /// Articles count by [`Article::version`], so an edit changes the keys
    /// of exactly the pages that show the article. `serve` re-renders a
    /// page only when its key changed; whatever [`Site::render`] puts in a
    /// context must be written here too (the incremental tests compare
    /// `serve` with full builds).
    pub fn page_key(&self, page: Page) -> Vec<u8> {
        let mut key = Key(Vec::with_capacity(192));
        let articles = self.articles;
        match page {
            Page::Home => {
                key.number(0);
                let lead = self.lead();
                key.versions(articles, lead.into_iter());
                for listing in &self.lists.by_category {
                    key.versions(articles, home_section(listing, lead));
                }
                key.versions(articles, self.lists.newest.iter().copied().take(HOME_LATEST));
            }
            Page::Article(i) => {
                key.number(1);
                key.versions(articles, std::iter::once(i));
                key.versions(articles, self.graph.further_context[i].iter().copied());
                key.versions(articles, self.graph.backlinks[i].iter().copied());
                key.versions(articles, self.graph.related[i].iter().copied());
            }
            Page::Listing { kind, index, page } => {
                let listing = &self.listings(kind)[index];
                key.number(2 + kind as u64);
                key.taxon(&listing.view);
                key.number(page as u64);
                key.number(listing.articles.len() as u64);
                key.versions(articles, self.page_articles(kind, index, page).iter().copied());
            }
            Page::Index(kind) => {
                key.number(5 + kind as u64);
                for listing in self.listings(kind) {
                    key.taxon(&listing.view);
                }
            }
            Page::NotFound => key.number(8),
        }
        key.0
    }

    fn listing(&self, kind: Kind, index: usize, page: usize) -> ListingContext<'_> {
        let listing = &self.listings(kind)[index];
        let pages = self.page_count(listing.articles.len());
        let url = |page| self.config.url(&self.listing_path(kind, index, page));
        let view = &listing.view;
        let title = match (kind, page) {
            (Kind::Category, 1) => view.name.clone(),
            (Kind::Category, n) => format!("{}, page {n}", view.name),
            (Kind::Tag, 1) => format!("Topic: {}", view.name),
            (Kind::Tag, n) => format!("Topic: {}, page {n}", view.name),
            (Kind::Author, 1) => view.name.clone(),
            (Kind::Author, n) => format!("{}, page {n}", view.name),
        };
        let description = view.bio.clone().unwrap_or_else(|| match kind {
            Kind::Category => format!("{} news from {}", view.name, self.config.title),
            Kind::Tag => format!("Articles about {} from {}", view.name, self.config.title),
            Kind::Author => format!("Articles by {} in {}", view.name, self.config.title),
        });
        ListingContext {
            page: PageMeta { title: Some(title), description, url: url(page) },
            category: (kind == Kind::Category).then(|| &self.categories[index]),
            tag: (kind == Kind::Tag).then_some(view),
            author: (kind == Kind::Author).then_some(view),
            listing: view,
            feed_url: (kind == Kind::Category).then(|| format!("{}feed.xml", view.url)),
            articles: self.page_articles(kind, index, page).iter().map(|&i| self.values[i].clone()).collect(),
            pagination: Pagination {
                page,
                pages,
                total: listing.articles.len(),
                url: url(page),
                prev_url: (page > 1).then(|| url(page - 1)),
                next_url: (page < pages).then(|| url(page + 1)),
            },
        }
    }
}

/// How many of the newest articles the home page lists.
const HOME_LATEST: usize = 10;

/// The articles a category shows on the home page: its latest, but for the lead.
fn home_section(listing: &Listing, lead: Option<usize>) -> impl Iterator<Item = usize> + '_ {
    listing.articles.iter().copied().filter(move |&i| Some(i) != lead).take(HOME_PER_CATEGORY)
}

/// A page key being written: numbers, and strings and lists with their
/// length before them, so that no two different inputs write the same bytes.
#[derive(Default)]
pub(crate) struct Key(Vec<u8>);

impl Key {
    pub fn number(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    pub fn text(&mut self, s: &str) {
        self.number(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// The versions of the articles at `indices`, as a list.
    pub fn versions(&mut self, articles: &[Arc<Article>], indices: impl Iterator<Item = usize>) {
        self.list(indices.map(|i| articles[i].version));
    }

    pub fn list(&mut self, items: impl Iterator<Item = u64>) {
        let at = self.0.len();
        self.number(0);
        let mut count = 0u64;
        for item in items {
            self.number(item);
            count += 1;
        }
        self.0[at..at + 8].copy_from_slice(&count.to_le_bytes());
    }

    fn taxon(&mut self, view: &TaxonView) {
        let TaxonView { slug, name, bio, url, count } = view;
        for s in [slug, name, url] {
            self.text(s);
        }
        match bio {
            Some(bio) => {
                self.number(1);
                self.text(bio);
            }
            None => self.number(0),
        }
        self.number(*count as u64);
    }
}

pub fn index_path(kind: Kind) -> &'static str {
    match kind {
        Kind::Tag => "/tags/",
        Kind::Author => "/authors/",
        Kind::Category => "/",
    }
}

fn listing(config: &Config, section: &str, slug: &str, name: &str, bio: Option<String>) -> Listing {
    Listing {
        view: TaxonView {
            slug: slug.to_string(),
            name: name.to_string(),
            bio,
            // Profile keys are checked to be slugs; names come slugified.
            url: config.url(&format!("/{section}/{slug}/")),
            count: 0,
        },
        articles: Vec::new(),
    }
}

fn counted(mut listing: Listing) -> Listing {
    listing.view.count = listing.articles.len();
    listing
}

/// `page`, given to every template: what the `<head>` says of the page.
#[derive(Serialize)]
pub struct PageMeta {
    /// The page's own title, without the site's; none on the home page.
    pub title: Option<String>,
    pub description: String,
    /// The canonical URL.
    pub url: String,
}

#[derive(Serialize)]
struct HomeContext<'a> {
    page: PageMeta,
    /// Summaries are template values built once (see `Site::values`).
    lead: Option<tera::Value>,
    sections: Vec<Section<'a>>,
    /// The ten newest articles.
    latest: Vec<tera::Value>,
}

#[derive(Serialize)]
struct Section<'a> {
    category: &'a CategoryView,
    articles: Vec<tera::Value>,
}

#[derive(Serialize)]
struct ArticleContext {
    page: PageMeta,
    article: tera::Value,
}

/// The context of category.html, tag.html and author.html: `listing` is
/// the category, tag or author whichever it is, and the specific key is set
/// as well.
#[derive(Serialize)]
struct ListingContext<'a> {
    page: PageMeta,
    category: Option<&'a CategoryView>,
    tag: Option<&'a TaxonView>,
    author: Option<&'a TaxonView>,
    listing: &'a TaxonView,
    /// The category's own RSS feed.
    feed_url: Option<String>,
    articles: Vec<tera::Value>,
    pagination: Pagination,
}

#[derive(Serialize)]
struct IndexContext<'a> {
    page: PageMeta,
    tags: Option<Vec<&'a TaxonView>>,
    authors: Option<Vec<&'a TaxonView>>,
    url: String,
}

#[derive(Serialize)]
struct NotFoundContext {
    page: PageMeta,
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
