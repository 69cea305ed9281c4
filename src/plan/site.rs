//! The site as pages: the home page, articles, the listings of categories,
//! tags and authors (paginated), the tag and author indexes and the 404
//! page, with their site paths and which articles each shows.

use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::config::Config;
use crate::graph::Graph;
use crate::order::newest_first;
use crate::parse::Article;

/// How many of its latest articles each category shows on the home page.
pub const HOME_PER_CATEGORY: usize = 4;

/// How many of the newest articles the home page lists.
pub const HOME_LATEST: usize = 10;

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
    /// Page `page` (1-based) of `/corrections/`.
    Corrections {
        page: usize,
    },
    NotFound,
}

/// A category, tag or author as a listing: `tag` in tag.html, `author` in
/// author.html, `listing` in all three, the entries of `tags` and
/// `authors` in the index pages.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Taxon {
    pub slug: String,
    pub name: String,
    /// An author's bio from config.toml; a category's description.
    pub bio: Option<String>,
    pub url: String,
    /// How many articles it lists.
    pub count: usize,
}

/// A category, tag or author with its articles, newest first.
pub struct Listing {
    pub view: Taxon,
    pub articles: Vec<usize>,
}

/// Everything the pages are planned from, frozen before rendering.
pub struct Site<'a> {
    pub config: &'a Config,
    pub articles: &'a [Arc<Article>],
    pub graph: &'a Graph,
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
    /// Every correction, newest first: the article, and the correction's
    /// place in its (newest first) list.
    pub corrections: Vec<(usize, usize)>,
}

/// Everything of one article that [`Lists`] are made from: when every
/// article has the same placement as in the last build, in the same order,
/// the lists are kept.
#[derive(Debug, PartialEq, Eq)]
struct Placement {
    rel: String,
    date: jiff::Timestamp,
    category: usize,
    tags: Vec<String>,
    tag_slugs: Vec<String>,
    authors: Vec<String>,
    corrections: Vec<jiff::Timestamp>,
}

fn placement(article: &Article) -> Placement {
    Placement {
        rel: article.rel.clone(),
        date: article.dated().at,
        category: article.category,
        tags: article.front.tags.clone(),
        tag_slugs: article.tag_slugs.clone(),
        authors: article.front.authors.clone(),
        corrections: article.corrections.iter().map(|c| c.date.timestamp()).collect(),
    }
}

/// The lists of the last build, kept (for `serve`) with the placements,
/// by article version, they were made from.
#[derive(Default)]
pub struct Placed {
    pub keep: bool,
    last: Option<Last>,
}

/// Article versions, their placements, and the lists made from them.
type Last = (Vec<u64>, Vec<Arc<Placement>>, Arc<Lists>);

impl Placed {
    pub fn new(keep: bool) -> Placed {
        Placed { keep, last: None }
    }

    /// The lists of `articles`: the last ones while no placement changed.
    fn lists(&mut self, config: &Config, articles: &[Arc<Article>]) -> Arc<Lists> {
        let last = self.last.take();
        let versions: Vec<u64> = articles.iter().map(|a| a.version).collect();
        let placements: Vec<Arc<Placement>> = match &last {
            None if !self.keep => Vec::new(),
            None => articles.iter().map(|a| Arc::new(placement(a))).collect(),
            Some((old_versions, old, _)) => {
                let by_version: FxHashMap<u64, &Arc<Placement>> = old_versions.iter().copied().zip(old).collect();
                let kept = |a: &Arc<Article>| by_version.get(&a.version).map(|p| Arc::clone(p));
                articles.iter().map(|a| kept(a).unwrap_or_else(|| Arc::new(placement(a)))).collect()
            }
        };
        let lists = match last {
            Some((_, old, lists)) if same(&old, &placements) => lists,
            _ => Arc::new(Lists::new(config, articles)),
        };
        if self.keep {
            self.last = Some((versions, placements, lists.clone()));
        }
        lists
    }
}

/// Whether two lists hold equal items (mostly the very same ones).
fn same<T: PartialEq>(old: &[Arc<T>], new: &[Arc<T>]) -> bool {
    old.len() == new.len() && old.iter().zip(new).all(|(a, b)| Arc::ptr_eq(a, b) || a == b)
}

impl<'a> Site<'a> {
    pub fn new(config: &'a Config, articles: &'a [Arc<Article>], graph: &'a Graph, placed: &mut Placed) -> Site<'a> {
        let lists = placed.lists(config, articles);
        Site { config, articles, graph, lists }
    }
}

impl Lists {
    fn new(config: &Config, articles: &[Arc<Article>]) -> Lists {
        let mut newest: Vec<usize> = (0..articles.len()).collect();
        newest.sort_by(|&a, &b| newest_first(articles[a].dated(), articles[b].dated()));
        let by_category = config
            .categories
            .iter()
            .enumerate()
            .map(|(c, category)| Listing {
                view: Taxon {
                    slug: category.slug.clone(),
                    name: category.name.clone(),
                    bio: category.description.clone(),
                    url: config.url(&format!("/{}/", category.slug)),
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
                let author = config.byline(key);
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
        let mut corrections: Vec<(usize, usize)> =
            newest.iter().flat_map(|&i| (0..articles[i].corrections.len()).map(move |j| (i, j))).collect();
        // Newest first; the same instant in the order of the articles.
        corrections.sort_by_key(|&(i, j)| std::cmp::Reverse(articles[i].corrections[j].date.timestamp()));
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
            corrections,
        }
    }
}

impl Site<'_> {
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
        for page in 1..=self.page_count(self.lists.corrections.len()) {
            pages.push((corrections_path(page), Page::Corrections { page }));
        }
        pages.push(("/404.html".to_string(), Page::NotFound));
        pages
    }

    /// The corrections shown on one page of `/corrections/`.
    pub fn page_corrections(&self, page: usize) -> &[(usize, usize)] {
        let list = &self.lists.corrections;
        let per_page = self.config.articles_per_page;
        let from = ((page - 1) * per_page).min(list.len());
        &list[from..(from + per_page).min(list.len())]
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

    /// The home page's lead: the newest featured article, or the newest one.
    pub fn lead(&self) -> Option<usize> {
        let newest = &self.lists.newest;
        newest.iter().copied().find(|&i| self.articles[i].front.featured).or(newest.first().copied())
    }

    /// The articles a category shows on the home page: its latest, but for the lead.
    pub fn home_section(&self, category: usize, lead: Option<usize>) -> impl Iterator<Item = usize> + '_ {
        let listing = &self.lists.by_category[category];
        listing.articles.iter().copied().filter(move |&i| Some(i) != lead).take(HOME_PER_CATEGORY)
    }

    /// The newest articles, as the home page lists them.
    pub fn latest(&self) -> &[usize] {
        &self.lists.newest[..self.lists.newest.len().min(HOME_LATEST)]
    }
}

/// The site path of a page of `/corrections/`.
pub fn corrections_path(page: usize) -> String {
    if page == 1 { "/corrections/".to_string() } else { format!("/corrections/page/{page}/") }
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
        view: Taxon {
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
