//! `/sitemap.xml` (every page, split into a sitemap index above 50,000
//! URLs) and `/news-sitemap.xml` (Google News: articles of the last 48
//! hours).

use jiff::{SignedDuration, Timestamp, ZonedDateTime};

use super::feeds::Item;
use super::{File, Xml};
use crate::config::Config;
use crate::plan::MAX_URLS;
use crate::plan::site::{Kind, Page, Site};

/// The most articles the news sitemap may hold, and its window.
pub const NEWS_MAX: usize = 1_000;
pub const NEWS_WINDOW: SignedDuration = SignedDuration::from_hours(48);

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// A page of the sitemap: its site path and last change.
pub type Entry<'a> = (&'a str, Option<&'a ZonedDateTime>);

/// Every page but the 404 page, with its last change.
pub fn entries<'a>(site: &'a Site, pages: &'a [(String, Page)]) -> Vec<Entry<'a>> {
    let changes = Changes::new(site);
    pages
        .iter()
        .filter(|(_, page)| !matches!(page, Page::NotFound))
        .map(|(path, page)| (path.as_str(), lastmod(site, &changes, *page)))
        .collect()
}

/// Each article's last change, side by side: the listings, the archive and
/// the indexes ask for them eight times an article in all (at 10,000
/// articles, a tenth of a one-paragraph save in `serve` when each was
/// found in its article).
struct Changes(Vec<Timestamp>);

impl Changes {
    fn new(site: &Site) -> Changes {
        Changes(site.articles.iter().map(|a| a.modified().timestamp()).collect())
    }

    /// The article of `articles` changed last: the last of those changed
    /// at the same instant, as [`super::feeds::latest_change`] picks.
    fn latest(&self, articles: impl IntoIterator<Item = usize>) -> Option<usize> {
        let mut latest: Option<usize> = None;
        for i in articles {
            if latest.is_none_or(|l| self.0[i] >= self.0[l]) {
                latest = Some(i);
            }
        }
        latest
    }
}

/// An entry as a key sees it: path, and the instant (seconds, nanoseconds)
/// and offset of the last change.
pub type Keyed<'a> = (&'a str, Option<(i64, i32, i32)>);

pub fn keyed<'a>(entries: &'a [Entry]) -> Vec<Keyed<'a>> {
    let instant =
        |d: &ZonedDateTime| (d.timestamp().as_second(), d.timestamp().subsec_nanosecond(), d.offset().seconds());
    entries.iter().map(|(path, date)| (*path, date.map(instant))).collect()
}

/// The sitemap files: one, or an index and its parts.
pub fn sitemaps(config: &Config, entries: &[Entry]) -> Vec<File> {
    let entries: Vec<(String, Option<&ZonedDateTime>)> =
        entries.iter().map(|(path, date)| (config.url(path), *date)).collect();
    split(&entries, MAX_URLS, |name| config.url(&format!("/{name}")))
}

/// One sitemap, or above `max` URLs an index at sitemap.xml and parts
/// sitemap-1.xml, sitemap-2.xml, … (`url` gives a part's URL).
fn split(entries: &[(String, Option<&ZonedDateTime>)], max: usize, url: impl Fn(&str) -> String) -> Vec<File> {
    if entries.len() <= max {
        return vec![("sitemap.xml".to_string(), urlset(entries).into())];
    }
    let mut files = Vec::new();
    let mut index = Xml::new();
    index.element("sitemapindex", &[("xmlns", SITEMAP_NS)], |xml| {
        for (n, chunk) in entries.chunks(max).enumerate() {
            let name = format!("sitemap-{}.xml", n + 1);
            xml.element("sitemap", &[], |xml| {
                xml.text("loc", &[], &url(&name));
                if let Some(latest) = chunk.iter().filter_map(|(_, d)| *d).max() {
                    xml.text("lastmod", &[], &super::feeds::rfc3339(latest));
                }
            });
            files.push((name, urlset(chunk).into()));
        }
    });
    files.insert(0, ("sitemap.xml".to_string(), index.finish().into()));
    files
}

fn urlset(entries: &[(String, Option<&ZonedDateTime>)]) -> Vec<u8> {
    let mut xml = Xml::new();
    xml.element("urlset", &[("xmlns", SITEMAP_NS)], |xml| {
        for (url, lastmod) in entries {
            xml.element("url", &[], |xml| {
                xml.text("loc", &[], url);
                if let Some(date) = lastmod {
                    xml.text("lastmod", &[], &super::feeds::rfc3339(date));
                }
            });
        }
    });
    xml.finish()
}

/// The last change of what a page shows: an article's `updated` or `date`,
/// a listing's newest; never the build time.
fn lastmod<'a>(site: &'a Site, changes: &Changes, page: Page) -> Option<&'a ZonedDateTime> {
    let latest = |articles: &[usize]| changes.latest(articles.iter().copied()).map(|i| site.articles[i].modified());
    match page {
        Page::Article(i) => Some(site.articles[i].modified()),
        Page::Listing { kind, index, page } => latest(site.page_articles(kind, index, page)),
        Page::Home | Page::Index(Kind::Category) => latest(&site.lists.newest),
        Page::Index(kind) => {
            let all = site.listings(kind).iter().flat_map(|l| l.articles.iter().copied());
            changes.latest(all).map(|i| site.articles[i].modified())
        }
        Page::Archive { level, index, page } => latest(site.page_archived(level, index, page)),
        Page::Series(index) => latest(&site.lists.series[index].parts),
        Page::Search => None,
        Page::Corrections { page } => {
            let dates = site.page_corrections(page).iter().map(|&(i, j)| &site.articles[i].corrections[j].date);
            dates.max()
        }
        Page::NotFound => None,
    }
}

/// The articles of the news sitemap: published in the 48 hours before
/// `now`, newest first, at most 1,000.
pub fn recent(site: &Site, now: Timestamp) -> Vec<usize> {
    let since = now - NEWS_WINDOW;
    site.lists
        .newest
        .iter()
        .copied()
        .filter(|&i| {
            let date = site.articles[i].front.date.timestamp();
            date >= since && date <= now
        })
        .take(NEWS_MAX)
        .collect()
}

/// The Google News sitemap of the `recent` articles.
pub fn news(config: &Config, recent: &[Item]) -> Vec<u8> {
    let mut xml = Xml::new();
    let namespaces = [("xmlns", SITEMAP_NS), ("xmlns:news", "http://www.google.com/schemas/sitemap-news/0.9")];
    xml.element("urlset", &namespaces, |xml| {
        for Item { summary, .. } in recent {
            xml.element("url", &[], |xml| {
                xml.text("loc", &[], summary.url);
                xml.element("news:news", &[], |xml| {
                    xml.element("news:publication", &[], |xml| {
                        xml.text("news:name", &[], &config.title);
                        xml.text("news:language", &[], &config.language);
                    });
                    xml.text("news:publication_date", &[], &summary.date.iso);
                    xml.text("news:title", &[], summary.title);
                });
            });
        }
    });
    xml.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_sitemaps_split_into_an_index() {
        let date: ZonedDateTime = "2025-03-07T09:30:00-06:00[America/Mexico_City]".parse().unwrap();
        let entries: Vec<(String, Option<&ZonedDateTime>)> =
            (0..5).map(|i| (format!("https://x.test/{i}/"), (i == 3).then_some(&date))).collect();
        let files = split(&entries, 2, |name| format!("https://x.test/{name}"));
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]);
        let index = String::from_utf8(files[0].1.to_vec()).unwrap();
        assert!(index.contains("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
        assert!(
            index.contains("<loc>https://x.test/sitemap-2.xml</loc>\n    <lastmod>2025-03-07T09:30:00-06:00</lastmod>")
        );
        let part = String::from_utf8(files[3].1.to_vec()).unwrap();
        assert!(part.contains("<loc>https://x.test/4/</loc>") && !part.contains("/3/"));
        assert_eq!(split(&entries, 5, |n| n.to_string()).len(), 1);
    }
}
