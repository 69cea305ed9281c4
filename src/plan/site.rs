//! The site as pages: the home page, articles, the listings of categories,
//! tags and authors (paginated), the tag and author indexes and the 404
//! page, with their site paths and which articles each shows.

use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::config::Config;
use crate::order::newest_first;
use crate::parse::Article;

/// How many of its latest articles each category shows on the home page.
pub const HOME_PER_CATEGORY: usize = 4;

/// How many of the newest articles the home page lists.
pub const HOME_LATEST: usize = 10;

/// The three kinds of article listing, in this order (`kind as usize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Category,
    Tag,
    Author,
}

/// One page of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// Page `page` (1-based) of the date archive of a year, month or day.
    Archive {
        level: Level,
        index: usize,
        page: usize,
    },
    /// `/series/<slug>/`: a series in reading order.
    Series(usize),
    /// `/search/`: the search page, when search is on.
    Search,
    NotFound,
}

/// The levels of the date archive, in this order (`level as usize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Year,
    Month,
    Day,
}

/// A year, a month or a day, in the site's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i16,
    pub month: Option<i8>,
    pub day: Option<i8>,
}

impl Period {
    /// The period at `level` of a date.
    pub fn of(date: &jiff::ZonedDateTime, level: Level) -> Period {
        Period {
            year: date.year(),
            month: (level >= Level::Month).then(|| date.month()),
            day: (level == Level::Day).then(|| date.day()),
        }
    }

    /// The period at `level` that holds this one (a day's month, a
    /// month's year), or this one.
    pub fn at(self, level: Level) -> Period {
        Period {
            year: self.year,
            month: self.month.filter(|_| level >= Level::Month),
            day: self.day.filter(|_| level == Level::Day),
        }
    }

    /// `/2025/`, `/2025/03/`, `/2025/03/07/`.
    pub fn path(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("/{:04}/{m:02}/{d:02}/", self.year),
            (Some(m), None) => format!("/{:04}/{m:02}/", self.year),
            _ => format!("/{:04}/", self.year),
        }
    }
}

/// The articles that ran in one period, newest first.
pub struct Archived {
    pub period: Period,
    pub articles: Vec<usize>,
}

/// A series and its parts, in reading order.
pub struct Series {
    pub slug: String,
    /// As its newest part spells it.
    pub name: String,
    pub url: String,
    pub parts: Vec<usize>,
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
    pub lists: Arc<Lists>,
}

/// The order of the articles and the listings: made from the articles'
/// [`Placement`]s (and config.toml) alone.
pub struct Lists {
    /// All articles, newest first.
    pub newest: Vec<usize>,
    /// The home page's lead: the newest featured article, or the newest one.
    pub lead: Option<usize>,
    pub by_category: Vec<Listing>,
    /// By slug.
    pub tags: Vec<Listing>,
    /// By slug; profiles from config.toml appear even without articles.
    pub authors: Vec<Listing>,
    /// Every correction, newest first: the article, and the correction's
    /// place in its (newest first) list.
    pub corrections: Vec<(usize, usize)>,
    /// The date archive's years, months and days that have articles, each
    /// in date order.
    pub years: Vec<Archived>,
    pub months: Vec<Archived>,
    pub days: Vec<Archived>,
    /// By slug.
    pub series: Vec<Series>,
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
    /// Whether it may lead the home page.
    featured: bool,
    corrections: Vec<jiff::Timestamp>,
    /// The day it ran, in the site's time zone.
    day: Period,
    series: Option<(String, Option<u32>)>,
}

fn placement(article: &Article) -> Placement {
    Placement {
        rel: article.rel.clone(),
        date: article.dated().at,
        category: article.category,
        tags: article.front.tags.clone(),
        tag_slugs: article.tag_slugs.clone(),
        authors: article.front.authors.clone(),
        featured: article.front.featured,
        corrections: article.corrections.iter().map(|c| c.date.timestamp()).collect(),
        day: Period::of(&article.front.date, Level::Day),
        series: article.front.series.clone().map(|name| (name, article.front.series_part.as_ref().map(|p| p.0))),
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
    pub fn new(config: &'a Config, articles: &'a [Arc<Article>], placed: &mut Placed) -> Site<'a> {
        let lists = placed.lists(config, articles);
        Site { config, articles, lists }
    }
}

impl Lists {
    fn new(config: &Config, articles: &[Arc<Article>]) -> Lists {
        // What the lists sort and group by, read from each article once, in
        // the order they are held: each article is an allocation of its
        // own, and the sort read two of them for each of its 130,000
        // comparisons at 10,000 articles (cache misses).
        let dated: Vec<crate::order::Dated> = articles.iter().map(|a| a.dated()).collect();
        let category: Vec<usize> = articles.iter().map(|a| a.category).collect();
        let mut newest: Vec<usize> = (0..articles.len()).collect();
        newest.sort_by(|&a, &b| newest_first(dated[a], dated[b]));
        let by_category = config
            .categories
            .iter()
            .enumerate()
            .map(|(c, category_config)| Listing {
                view: Taxon {
                    slug: category_config.slug.clone(),
                    name: category_config.name.clone(),
                    bio: category_config.description.clone(),
                    url: config.url(&format!("/{}/", category_config.slug)),
                    count: 0,
                },
                articles: newest.iter().copied().filter(|&i| category[i] == c).collect(),
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
        // Each author as written, resolved to its listing's slug once: a
        // profile looked up, or a name slugified.
        let mut slugs: FxHashMap<&str, String> = FxHashMap::default();
        for &i in &newest {
            let front = &articles[i].front;
            for (name, slug) in front.tags.iter().zip(&articles[i].tag_slugs) {
                tags.entry(slug).or_insert_with(|| listing(config, "tags", slug, name, None)).articles.push(i);
            }
            for key in &front.authors {
                let slug = slugs.entry(key).or_insert_with(|| config.byline(key).slug);
                match authors.get_mut(slug) {
                    Some(listing) => listing.articles.push(i),
                    None => {
                        let author = config.byline(key);
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
        let day_of: Vec<Period> = articles.iter().map(|a| Period::of(&a.front.date, Level::Day)).collect();
        let [years, months, days] =
            [Level::Year, Level::Month, Level::Day].map(|level| archive(&day_of, &newest, level));
        let series = series(config, articles, &newest);
        let sorted = |map: Vec<Listing>| {
            let mut list: Vec<Listing> = map.into_iter().map(counted).collect();
            list.sort_by(|a, b| a.view.slug.cmp(&b.view.slug));
            list
        };
        let lead = newest.iter().copied().find(|&i| articles[i].front.featured).or(newest.first().copied());
        Lists {
            newest,
            lead,
            by_category,
            tags: sorted(tags.into_values().collect()),
            authors: sorted(authors.into_values().collect()),
            corrections,
            years,
            months,
            days,
            series,
        }
    }

    pub fn listings(&self, kind: Kind) -> &[Listing] {
        match kind {
            Kind::Category => &self.by_category,
            Kind::Tag => &self.tags,
            Kind::Author => &self.authors,
        }
    }

    /// The periods of the archive at `level`, in date order.
    pub fn archive(&self, level: Level) -> &[Archived] {
        match level {
            Level::Year => &self.years,
            Level::Month => &self.months,
            Level::Day => &self.days,
        }
    }
}

impl Site<'_> {
    pub fn listings(&self, kind: Kind) -> &[Listing] {
        self.lists.listings(kind)
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
        for level in [Level::Year, Level::Month, Level::Day] {
            for (index, archived) in self.archive(level).iter().enumerate() {
                for page in 1..=self.page_count(archived.articles.len()) {
                    pages.push((self.archive_path(level, index, page), Page::Archive { level, index, page }));
                }
            }
        }
        for (index, series) in self.lists.series.iter().enumerate() {
            pages.push((format!("/series/{}/", series.slug), Page::Series(index)));
        }
        if self.config.search {
            pages.push(("/search/".to_string(), Page::Search));
        }
        pages.push(("/404.html".to_string(), Page::NotFound));
        pages
    }

    /// The periods of the archive at `level`, in date order.
    pub fn archive(&self, level: Level) -> &[Archived] {
        self.lists.archive(level)
    }

    pub fn archive_path(&self, level: Level, index: usize, page: usize) -> String {
        let base = self.archive(level)[index].period.path();
        if page == 1 { base } else { format!("{base}page/{page}/") }
    }

    /// The articles shown on one page of an archive period.
    pub fn page_archived(&self, level: Level, index: usize, page: usize) -> &[usize] {
        let list = &self.archive(level)[index].articles;
        let per_page = self.config.articles_per_page;
        let from = ((page - 1) * per_page).min(list.len());
        &list[from..(from + per_page).min(list.len())]
    }

    /// The periods one level down within period `index` at `level`: the
    /// months of a year, the days of a month; their level and their indices
    /// in its list.
    pub fn sub_periods(&self, level: Level, index: usize) -> (Level, std::ops::Range<usize>) {
        let (below, period) = match level {
            Level::Year => (Level::Month, self.lists.years[index].period),
            Level::Month => (Level::Day, self.lists.months[index].period),
            Level::Day => return (Level::Day, 0..0),
        };
        let list = self.archive(below);
        let within = |p: &Period| (p.year, if level == Level::Month { p.month } else { None });
        let key = within(&period);
        let from = list.partition_point(|a| within(&a.period) < key);
        let to = list.partition_point(|a| within(&a.period) <= key);
        (below, from..to)
    }

    /// The series article `i` is part of, and its place in it.
    pub fn series_of(&self, i: usize) -> Option<(usize, usize)> {
        let name = self.articles[i].front.series.as_deref()?;
        let slug = crate::text::slugify(name);
        let index = self.lists.series.binary_search_by(|s| s.slug.as_str().cmp(&slug)).ok()?;
        let part = self.lists.series[index].parts.iter().position(|&p| p == i)?;
        Some((index, part))
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
        self.lists.lead
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

/// The date archive at `level`: each period that has articles, in date
/// order, with its articles in the order of `newest`.
fn archive(days: &[Period], newest: &[usize], level: Level) -> Vec<Archived> {
    let mut periods: std::collections::BTreeMap<Period, Vec<usize>> = std::collections::BTreeMap::new();
    for &i in newest {
        periods.entry(days[i].at(level)).or_default().push(i);
    }
    periods.into_iter().map(|(period, articles)| Archived { period, articles }).collect()
}

/// Every series, by slug: its parts in reading order — those with a
/// `series_part` by it, the others in date order in the places left.
fn series(config: &Config, articles: &[Arc<Article>], newest: &[usize]) -> Vec<Series> {
    let mut by_slug: std::collections::BTreeMap<String, (String, Vec<usize>)> = Default::default();
    for &i in newest {
        if let Some(name) = &articles[i].front.series {
            // The name of its newest part, as for tags.
            by_slug.entry(crate::text::slugify(name)).or_insert_with(|| (name.clone(), Vec::new())).1.push(i);
        }
    }
    by_slug
        .into_iter()
        .map(|(slug, (name, members))| {
            let part = |i: usize| articles[i].front.series_part.as_ref().map(|p| p.0 as usize);
            let mut numbered: Vec<usize> = members.iter().copied().filter(|&i| part(i).is_some()).collect();
            numbered.sort_by_key(|&i| (part(i), articles[i].dated()));
            let mut unnumbered: Vec<usize> = members.iter().copied().filter(|&i| part(i).is_none()).collect();
            unnumbered.sort_by_key(|&i| articles[i].dated());
            let mut parts = Vec::with_capacity(members.len());
            let (mut numbered, mut unnumbered) = (numbered.into_iter().peekable(), unnumbered.into_iter());
            while parts.len() < members.len() {
                let place = parts.len() + 1;
                let next = match numbered.peek() {
                    Some(&i) if part(i).is_some_and(|p| p <= place) => numbered.next(),
                    _ => unnumbered.next().or_else(|| numbered.next()),
                };
                parts.extend(next);
            }
            Series { url: config.url(&format!("/series/{slug}/")), slug, name, parts }
        })
        .collect()
}

/// Two articles that claim the same part of a series: an error at the
/// second's `series_part`, naming both files.
pub fn series_problems(site: &Site) -> Vec<crate::diag::Diagnostic> {
    let mut problems = Vec::new();
    for series in &site.lists.series {
        let mut claimed: FxHashMap<u32, usize> = FxHashMap::default();
        let mut numbered: Vec<usize> = series.parts.clone();
        numbered.sort_by(|&a, &b| site.articles[a].rel.cmp(&site.articles[b].rel));
        for i in numbered {
            let Some((part, location)) = &site.articles[i].front.series_part else { continue };
            if let Some(&first) = claimed.get(part) {
                problems.push(
                    crate::diag::Diagnostic::error(format!(
                        "content/{} and content/{} are both part {part} of the series “{}”",
                        site.articles[first].rel, site.articles[i].rel, series.name
                    ))
                    .at(location.clone())
                    .hint("give each part its own `series_part`, or leave it out to order the parts by date"),
                );
            } else {
                claimed.insert(*part, i);
            }
        }
    }
    problems
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
