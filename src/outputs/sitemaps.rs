//! `/sitemap.xml` (every page, split into a sitemap index above 50,000
//! URLs) and `/news-sitemap.xml` (Google News: articles of the last 48
//! hours).

use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use rustc_hash::FxHashMap;

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
    entries.iter().map(|(path, date)| (*path, date.map(instant))).collect()
}

/// A last change as keys count it: seconds, nanoseconds and offset.
fn instant(date: &ZonedDateTime) -> (i64, i32, i32) {
    (date.timestamp().as_second(), date.timestamp().subsec_nanosecond(), date.offset().seconds())
}

/// The sitemap files: one, or an index and its parts. `written` holds the
/// `<url>` elements of the last sitemap (`serve`), taken again for the
/// entries whose page and last change are the same.
pub fn sitemaps(config: &Config, entries: &[Entry], written: Option<&mut Written>) -> Vec<File> {
    split(entries, MAX_URLS, |path| config.url(path), written)
}

/// The `<url>` elements of the last sitemap `serve` made, each as written,
/// by its page's path and last change. An added article or a tag changed
/// makes the sitemap again, and writing each of its 16,822 entries at
/// 10,000 articles (escaped, the date formatted) was 8 % of a tag save's
/// CPU; the same entry is the same bytes. The URL in the bytes comes from
/// config.toml, whose change drops the memo with the rest of what serve
/// keeps.
#[derive(Default)]
pub struct Written(Elements);

/// `<url>` elements by the key of their entry (see [`entry_key`]).
type Elements = FxHashMap<u128, Box<[u8]>>;

/// One sitemap, or above `max` URLs an index at sitemap.xml and parts
/// sitemap-1.xml, sitemap-2.xml, … (`url` gives the URL of a site path).
fn split(entries: &[Entry], max: usize, url: impl Fn(&str) -> String, written: Option<&mut Written>) -> Vec<File> {
    // The last sitemap's elements, taken out; this one's go back in.
    let mut memo = written.map(|written| (std::mem::take(&mut written.0), &mut written.0));
    let mut urlset = |chunk: &[Entry]| urlset(chunk, &url, memo.as_mut().map(|(old, new)| (old, &mut **new)));
    if entries.len() <= max {
        return vec![("sitemap.xml".to_string(), urlset(entries).into())];
    }
    let mut files = Vec::new();
    let mut index = Xml::new();
    index.element("sitemapindex", &[("xmlns", SITEMAP_NS)], |xml| {
        for (n, chunk) in entries.chunks(max).enumerate() {
            let name = format!("sitemap-{}.xml", n + 1);
            xml.element("sitemap", &[], |xml| {
                xml.text("loc", &[], &url(&format!("/{name}")));
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

/// A `<urlset>` of `entries`; with a memo, each entry's element is taken
/// from the last sitemap's (`old`) when there, and kept in `new` for the
/// next.
fn urlset(
    entries: &[Entry],
    url: &impl Fn(&str) -> String,
    mut memo: Option<(&mut Elements, &mut Elements)>,
) -> Vec<u8> {
    let element = |xml: &mut Xml, path: &str, lastmod: Option<&ZonedDateTime>| {
        xml.element("url", &[], |xml| {
            xml.text("loc", &[], &url(path));
            if let Some(date) = lastmod {
                xml.text("lastmod", &[], &super::feeds::rfc3339(date));
            }
        });
    };
    let mut xml = Xml::new();
    let mut scratch = Vec::new();
    xml.element("urlset", &[("xmlns", SITEMAP_NS)], |xml| {
        for &(path, lastmod) in entries {
            let Some((old, new)) = memo.as_mut() else {
                element(xml, path, lastmod);
                continue;
            };
            // Between two <url> elements the writer is where it is after
            // <urlset>: one element's bytes are the same wherever it stands.
            let key = entry_key(&mut scratch, path, lastmod);
            match old.remove(&key) {
                Some(bytes) => {
                    xml.raw(&bytes);
                    new.insert(key, bytes);
                }
                None => {
                    let start = xml.len();
                    element(xml, path, lastmod);
                    new.insert(key, xml.since(start).into());
                }
            }
        }
    });
    xml.finish()
}

/// A 128-bit hash of a sitemap entry: its path, then its last change's
/// instant and offset in fixed width (what `rfc3339` prints).
fn entry_key(bytes: &mut Vec<u8>, path: &str, lastmod: Option<&ZonedDateTime>) -> u128 {
    bytes.clear();
    bytes.extend_from_slice(path.as_bytes());
    if let Some((second, nanosecond, offset)) = lastmod.map(instant) {
        bytes.push(1);
        bytes.extend_from_slice(&second.to_le_bytes());
        bytes.extend_from_slice(&nanosecond.to_le_bytes());
        bytes.extend_from_slice(&offset.to_le_bytes());
    } else {
        bytes.push(0);
    }
    xxhash_rust::xxh3::xxh3_128(bytes)
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
        let paths: Vec<String> = (0..5).map(|i| format!("/{i}/")).collect();
        let entries: Vec<Entry> =
            paths.iter().enumerate().map(|(i, p)| (p.as_str(), (i == 3).then_some(&date))).collect();
        let url = |path: &str| format!("https://x.test{path}");
        let files = split(&entries, 2, url, None);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]);
        let index = String::from_utf8(files[0].1.to_vec()).unwrap();
        assert!(index.contains("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
        assert!(
            index.contains("<loc>https://x.test/sitemap-2.xml</loc>\n    <lastmod>2025-03-07T09:30:00-06:00</lastmod>")
        );
        let part = String::from_utf8(files[3].1.to_vec()).unwrap();
        assert!(part.contains("<loc>https://x.test/4/</loc>") && !part.contains("/3/"));
        assert_eq!(split(&entries, 5, url, None).len(), 1);
    }

    #[test]
    fn entries_written_before_are_taken_as_they_were() {
        let dates: Vec<ZonedDateTime> = ["2025-03-07T09:30:00-06:00[America/Mexico_City]", "2025-03-07T15:30:00Z[UTC]"]
            .iter()
            .map(|d| d.parse().unwrap())
            .collect();
        let url = |path: &str| format!("https://x.test{path}?a=1&b=<2>");
        let mut written = Written::default();
        // Saves one after another: an entry added, a date changed, one
        // removed, the order changed; split and whole.
        let saves: [&[(&str, Option<usize>)]; 4] = [
            &[("/a/", Some(0)), ("/b/", None), ("/c/", Some(1))],
            &[("/new/", Some(1)), ("/a/", Some(0)), ("/b/", None), ("/c/", Some(1))],
            &[("/new/", Some(1)), ("/a/", Some(1)), ("/c/", Some(1))],
            &[("/c/", Some(1)), ("/a/", Some(1)), ("/new/", Some(1))],
        ];
        for save in saves {
            let entries: Vec<Entry> = save.iter().map(|&(path, date)| (path, date.map(|d| &dates[d]))).collect();
            for max in [2, 10] {
                let fresh = split(&entries, max, url, None);
                assert_eq!(split(&entries, max, url, Some(&mut written)), fresh, "{save:?}, {max} a file");
            }
            assert_eq!(written.0.len(), entries.len(), "only the last sitemap's entries are held");
        }
        // An entry held is taken, not written again.
        let entries: Vec<Entry> = vec![("/a/", Some(&dates[1]))];
        let held = written.0.values_mut().find(|bytes| bytes.windows(3).any(|w| w == b"/a/")).unwrap();
        *held = b"\n  <url>taken</url>".to_vec().into_boxed_slice();
        let files = split(&entries, 10, url, Some(&mut written));
        assert!(String::from_utf8_lossy(&files[0].1).contains("<url>taken</url>"));
    }
}
