//! The reference graph between published articles: who links to whom
//! ("Follow-up coverage", SPEC §4) and which articles are related. Works on
//! plain indices so it can be tested without parsing anything.

use rustc_hash::FxHashMap as HashMap;
use std::cmp::Ordering;

use std::sync::Arc;

use crate::diag::{Diagnostic, Location};
use crate::parse::{Article, Articles, Withheld};
use crate::text::did_you_mean;

/// The resolved graph of the published articles, by index.
#[derive(Debug, Default)]
pub struct Graph {
    /// Further-context targets of each article, in front-matter order.
    pub further_context: Vec<Vec<usize>>,
    pub backlinks: Vec<Vec<usize>>,
    pub related: Vec<Vec<usize>>,
}

/// Resolves every further-context entry and `@/` link; a reference to an
/// article that does not exist, is withheld, or lacks the `#anchor` is an
/// error at the line that makes it.
pub fn link(articles: &Articles, diags: &mut Vec<Diagnostic>) -> Graph {
    link_again(articles, diags, None)
}

/// The graph of an earlier build of the same site, with the inputs it was
/// linked from and the inputs of now.
pub struct Earlier<'a> {
    pub graph: &'a Graph,
    pub inputs: &'a [Arc<Input>],
    pub now: &'a [Arc<Input>],
}

/// [`link`], keeping from an earlier graph the related lists that cannot
/// have changed (see [`stale_related`]).
pub fn link_again(articles: &Articles, diags: &mut Vec<Diagnostic>, earlier: Option<Earlier>) -> Graph {
    let published = &articles.published;
    let by_path: HashMap<&str, usize> = published.iter().enumerate().map(|(i, a)| (a.rel.as_str(), i)).collect();
    let mut resolve = |path: &str, anchor: Option<&str>, location: &Location| -> Option<usize> {
        let Some(&target) = by_path.get(path) else {
            if !articles.unparsed.contains(path) {
                diags.push(missing_target(path, articles, location));
            }
            return None;
        };
        if let Some(anchor) = anchor
            && !published[target].body.toc.iter().any(|h| h.id == anchor)
        {
            let ids: Vec<&str> = published[target].body.toc.iter().map(|h| h.id.as_str()).collect();
            let hint = match did_you_mean(anchor, ids.iter().copied()) {
                Some(close) => format!("did you mean `#{close}`?"),
                None if ids.is_empty() => "that article has no headings".to_string(),
                None => format!("its heading ids are {}", crate::keys::list(&ids)),
            };
            diags.push(
                Diagnostic::error(format!("`#{anchor}` is not a heading id of content/{path}"))
                    .at(location.clone())
                    .hint(hint),
            );
        }
        Some(target)
    };
    let mut further_context = Vec::with_capacity(published.len());
    let mut refs = Vec::with_capacity(published.len());
    for article in published {
        let context: Vec<usize> = article
            .front
            .further_context
            .iter()
            .filter_map(|r| resolve(&r.path, r.anchor.as_deref(), &r.location))
            .collect();
        let mut all = context.clone();
        for link in &article.body.links {
            all.extend(resolve(&link.path, link.anchor.as_deref(), &link.location));
        }
        all.sort_unstable();
        all.dedup();
        further_context.push(context);
        refs.push(all);
    }
    let nodes: Vec<Node> = published
        .iter()
        .zip(refs)
        .map(|(a, refs)| Node {
            rel: &a.rel,
            date: a.front.date.timestamp().as_second(),
            category: a.category,
            tags: &a.tag_slugs,
            refs,
        })
        .collect();
    let kept = match earlier {
        Some(earlier) => kept_related(&earlier, &by_path),
        None => vec![None; nodes.len()],
    };
    Graph { further_context, backlinks: backlinks(&nodes), related: related_of(&nodes, kept) }
}

/// The related lists of an earlier graph that still hold, in today's
/// indices (`index_now`: each article's index by path); `None` where a
/// list must be scored again.
fn kept_related(earlier: &Earlier, index_now: &HashMap<&str, usize>) -> Vec<Option<Vec<usize>>> {
    let (old, new) = (earlier.inputs, earlier.now);
    let now_of: Vec<Option<usize>> = old.iter().map(|input| index_now.get(input.rel.as_str()).copied()).collect();
    let stale = stale_related(old, new, &now_of);
    let mut kept = vec![None; new.len()];
    for (list, &now) in earlier.graph.related.iter().zip(&now_of) {
        if let Some(i) = now.filter(|&i| !stale[i]) {
            // Every article of a list that holds is still there (one that
            // left made the list stale); `None` would score it again.
            kept[i] = list.iter().map(|&j| now_of[j]).collect();
        }
    }
    kept
}

/// Which articles' related lists may differ from an earlier build's,
/// marked by today's index (`now_of` gives each earlier article's index
/// today). A list is made of the candidates in the windows around its
/// article in each of its tags' lists and in its category's list (in date
/// order), scored by the weights of shared tags, category and dates. So it
/// can change only when:
/// - its own article changed (tags, date, category or references);
/// - it has a tag whose weight changed (its rounded count, see
///   [`tag_weight`]);
/// - an article came into or left one of its lists (was added, deleted,
///   moved in date, gained or lost the tag) within a window's reach of it.
fn stale_related(old: &[Arc<Input>], new: &[Arc<Input>], now_of: &[Option<usize>]) -> Vec<bool> {
    let mut stale = vec![false; new.len()];
    // Where an article came into or left a list: (list, date, path).
    let mut places: Vec<(List, i64, &str)> = Vec::new();
    fn place<'a>(
        places: &mut Vec<(List<'a>, i64, &'a str)>,
        input: &'a Input,
        tags: impl Iterator<Item = &'a String>,
        category: bool,
    ) {
        for tag in tags {
            places.push((List::Tag(tag.as_str()), input.date, input.rel.as_str()));
        }
        if category {
            places.push((List::Category(input.category), input.date, input.rel.as_str()));
        }
    }
    let mut earlier = vec![false; new.len()];
    for (old, &now) in old.iter().zip(now_of) {
        let Some(i) = now else {
            place(&mut places, old, old.tags.iter(), true);
            continue;
        };
        earlier[i] = true;
        let new = &new[i];
        if Arc::ptr_eq(old, new) || old == new {
            continue;
        }
        stale[i] = true;
        if (old.date, old.category) == (new.date, new.category) {
            place(&mut places, old, old.tags.iter().filter(|t| !new.tags.contains(t)), false);
            place(&mut places, new, new.tags.iter().filter(|t| !old.tags.contains(t)), false);
        } else {
            place(&mut places, old, old.tags.iter(), true);
            place(&mut places, new, new.tags.iter(), true);
        }
    }
    for (i, new) in new.iter().enumerate().filter(|(i, _)| !earlier[*i]) {
        stale[i] = true;
        place(&mut places, new, new.tags.iter(), true);
    }
    places.sort_unstable();
    let mut lists: Vec<List> = places.iter().map(|p| p.0).collect();
    lists.dedup();
    // A tag whose weight changed makes every list with it stale.
    let has = |input: &Input, tag: &str| input.tags.iter().any(|t| t == tag);
    let count = |inputs: &[Arc<Input>], tag: &str| inputs.iter().filter(|input| has(input, tag)).count();
    let reweighed: Vec<&str> = lists
        .iter()
        .filter_map(|list| match *list {
            List::Tag(tag) if rounded(count(old, tag)) != rounded(count(new, tag)) => Some(tag),
            _ => None,
        })
        .collect();
    for (i, input) in new.iter().enumerate() {
        if reweighed.iter().any(|tag| has(input, tag)) {
            stale[i] = true;
        }
    }
    // Around each place, in date order: a window reaches WINDOW articles
    // each side, and each other change in the list can shift it by one.
    for list in lists {
        let mut members: Vec<usize> = match list {
            List::Tag(tag) if reweighed.contains(&tag) => continue,
            List::Tag(tag) => (0..new.len()).filter(|&i| has(&new[i], tag)).collect(),
            List::Category(category) => (0..new.len()).filter(|&i| new[i].category == category).collect(),
        };
        members.sort_by(|&a, &b| (new[a].date, &new[a].rel).cmp(&(new[b].date, &new[b].rel)));
        let here: Vec<_> = places.iter().filter(|p| p.0 == list).collect();
        let reach = WINDOW + 1 + here.len();
        for &&(_, date, rel) in &here {
            let at = members.partition_point(|&i| (new[i].date, new[i].rel.as_str()) < (date, rel));
            for &i in &members[at.saturating_sub(reach)..(at + reach).min(members.len())] {
                stale[i] = true;
            }
        }
    }
    stale
}

/// A list related candidates are drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum List<'a> {
    Tag(&'a str),
    Category(usize),
}

/// Everything of one published article that [`link`] reads. When every
/// published article has the same inputs, in the same order, as in a build
/// whose linking found no problem, linking again gives the same graph.
#[derive(Debug, PartialEq, Eq)]
pub struct Input {
    rel: String,
    date: i64,
    category: usize,
    tags: Vec<String>,
    /// Further-context entries and inline links: path and anchor.
    further: Vec<(String, Option<String>)>,
    links: Vec<(String, Option<String>)>,
    headings: Vec<String>,
}

pub fn input(article: &Article) -> Input {
    let further = article.front.further_context.iter().map(|r| (r.path.clone(), r.anchor.clone()));
    let links = article.body.links.iter().map(|l| (l.path.clone(), l.anchor.clone()));
    Input {
        rel: article.rel.clone(),
        date: article.front.date.timestamp().as_second(),
        category: article.category,
        tags: article.tag_slugs.clone(),
        further: further.collect(),
        links: links.collect(),
        headings: article.body.toc.iter().map(|h| h.id.clone()).collect(),
    }
}

fn missing_target(path: &str, articles: &Articles, location: &Location) -> Diagnostic {
    let (message, hint) = match articles.withheld.get(path) {
        Some(Withheld::Draft) => (
            format!("reference to a draft: content/{path}"),
            "publish it (remove `draft = true`) or remove the reference".to_string(),
        ),
        Some(Withheld::Scheduled(at)) => (
            format!("reference to a scheduled article: content/{path} is published at {at}"),
            "reference it once it is published, or build with --future to preview".to_string(),
        ),
        None => {
            let known = articles.published.iter().map(|a| a.rel.as_str());
            let hint = match did_you_mean(path, known) {
                Some(close) => format!("did you mean \"{close}\"?"),
                None => "references name a file under content/, e.g. \"international/2025-10-28-naval.md\"".to_string(),
            };
            (format!("broken reference: no article at content/{path}"), hint)
        }
    };
    Diagnostic::error(message).at(location.clone()).hint(hint)
}

/// What the graph needs to know of one published article.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    /// Content path, the final tie-breaker.
    pub rel: &'a str,
    /// Publication instant, seconds since the epoch.
    pub date: i64,
    pub category: usize,
    /// Tag slugs, without duplicates.
    pub tags: &'a [String],
    /// Indices of the articles this one references (further context and
    /// inline `@/` links).
    pub refs: Vec<usize>,
}

/// How many related articles an article gets.
pub const RELATED_LIMIT: usize = 5;

/// How many neighbours in date order each tag and the category contribute as
/// candidates. This bounds related-article scoring to O(n · tags · window)
/// instead of comparing every pair of articles.
const WINDOW: usize = 30;

/// Newest first, then by path: the order of every article list.
pub fn newest_first(nodes: &[Node], a: usize, b: usize) -> Ordering {
    nodes[b].date.cmp(&nodes[a].date).then_with(|| nodes[a].rel.cmp(nodes[b].rel))
}

/// For every article, the articles that reference it, newest first.
pub fn backlinks(nodes: &[Node]) -> Vec<Vec<usize>> {
    let mut back: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (source, node) in nodes.iter().enumerate() {
        for &target in &node.refs {
            if target != source && !back[target].contains(&source) {
                back[target].push(source);
            }
        }
    }
    for list in &mut back {
        list.sort_by(|&a, &b| newest_first(nodes, a, b));
    }
    back
}

/// A tag's weight in related-article scores: rarer tags weigh more. It
/// depends on how many articles have the tag, not on the archive's size,
/// and on that count rounded to two significant digits, so that a new
/// article changes only the lists near it (see [`stale_related`]):
/// publishing about sport does not reshuffle the related lists of climate
/// coverage, nor one more election story those of 5,000 others.
pub fn tag_weight(articles: usize) -> f64 {
    (1.0 + TAG_SCALE / rounded(articles) as f64).ln()
}

/// `n` rounded to two significant digits (half up): 5,462 is 5,500.
fn rounded(n: usize) -> usize {
    let mut unit = 1;
    while n / unit >= 100 {
        unit *= 10;
    }
    (n + unit / 2) / unit * unit
}

/// The weights of an archive of this size under the usual inverse
/// document frequency, ln(1 + N / count): a tag on fewer than about 5,800
/// articles outweighs sharing a category (ln(1 + 10,000 / 5,820) = 1).
const TAG_SCALE: f64 = 10_000.0;

/// For every article, up to [`RELATED_LIMIT`] others ranked by shared tags
/// (a rare tag weighs more than a common one), same category and closeness
/// in date: `kept[i]` when it is there, else scored. Articles it already
/// references are left out. Candidates are the [`WINDOW`] articles nearest
/// in date on each side in each of its tags and in its category, found
/// through an inverted index.
fn related_of(nodes: &[Node], kept: Vec<Option<Vec<usize>>>) -> Vec<Vec<usize>> {
    // Everything below compares integers: each article's rank in (date,
    // path) order, and tags interned as numbers.
    let mut by_rank: Vec<usize> = (0..nodes.len()).collect();
    by_rank.sort_by(|&a, &b| nodes[a].date.cmp(&nodes[b].date).then_with(|| nodes[a].rel.cmp(nodes[b].rel)));
    let mut rank = vec![0; nodes.len()];
    for (r, &i) in by_rank.iter().enumerate() {
        rank[i] = r;
    }
    let mut ids: HashMap<&str, usize> = HashMap::default();
    let tags: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            n.tags
                .iter()
                .map(|t| {
                    let next = ids.len();
                    *ids.entry(t.as_str()).or_insert(next)
                })
                .collect()
        })
        .collect();
    // Postings in rank order, so a window around an article is a slice.
    let mut by_tag: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
    let mut by_category: HashMap<usize, Vec<usize>> = HashMap::default();
    for &i in &by_rank {
        for &tag in &tags[i] {
            by_tag[tag].push(i);
        }
        by_category.entry(nodes[i].category).or_default().push(i);
    }
    let weight: Vec<f64> = by_tag.iter().map(|list| tag_weight(list.len())).collect();
    let neighbours = |list: &[usize], me: usize, out: &mut Vec<usize>| {
        let at = list.partition_point(|&x| rank[x] < rank[me]);
        out.extend_from_slice(&list[at.saturating_sub(WINDOW)..(at + WINDOW + 1).min(list.len())]);
    };
    let score = |a: usize, b: usize| {
        let shared: f64 = tags[a].iter().filter(|t| tags[b].contains(t)).map(|&t| weight[t]).sum();
        let category = if nodes[a].category == nodes[b].category { 1.0 } else { 0.0 };
        let days = (nodes[a].date - nodes[b].date).unsigned_abs() as f64 / 86_400.0;
        shared + category + 1.0 / (1.0 + days / 7.0)
    };
    // Higher score first; ties: newer first, then path (a higher rank is
    // newer or, on the same date, a later path).
    let better = |a: &(f64, usize), b: &(f64, usize)| {
        b.0.total_cmp(&a.0).then_with(|| nodes[b.1].date.cmp(&nodes[a.1].date)).then_with(|| rank[a.1].cmp(&rank[b.1]))
    };

    use rayon::prelude::*;
    kept.into_par_iter()
        .enumerate()
        // Per thread: which candidates were seen, marked with the article
        // they were seen for (cheaper than sorting to remove duplicates).
        .map_init(
            || (vec![usize::MAX; nodes.len()], Vec::new()),
            |(seen, candidates): &mut (Vec<usize>, Vec<usize>), (me, kept)| {
                if let Some(list) = kept {
                    return list;
                }
                candidates.clear();
                for &tag in &tags[me] {
                    neighbours(&by_tag[tag], me, candidates);
                }
                neighbours(&by_category[&nodes[me].category], me, candidates);
                let mut scored: Vec<(f64, usize)> = Vec::with_capacity(candidates.len());
                for &c in candidates.iter() {
                    if seen[c] != me && c != me && !nodes[me].refs.contains(&c) {
                        seen[c] = me;
                        scored.push((score(me, c), c));
                    }
                }
                if scored.len() > RELATED_LIMIT {
                    scored.select_nth_unstable_by(RELATED_LIMIT - 1, better);
                    scored.truncate(RELATED_LIMIT);
                }
                scored.sort_by(better);
                scored.into_iter().map(|(_, c)| c).collect()
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every related list, scored.
    fn related(nodes: &[Node]) -> Vec<Vec<usize>> {
        related_of(nodes, vec![None; nodes.len()])
    }

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn input(rel: &str, date: i64, tags: &[&str]) -> Arc<Input> {
        Arc::new(Input {
            rel: rel.to_string(),
            date,
            category: 0,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            further: vec![],
            links: vec![],
            headings: vec![],
        })
    }

    /// `stale_related` from `old` to `new`, as the indices marked.
    fn stale(old: &[Arc<Input>], new: &[Arc<Input>]) -> Vec<usize> {
        let now_of: Vec<Option<usize>> = old.iter().map(|o| new.iter().position(|n| n.rel == o.rel)).collect();
        let marked = stale_related(old, new, &now_of);
        (0..new.len()).filter(|&i| marked[i]).collect()
    }

    #[test]
    fn an_added_article_makes_stale_only_its_neighbours_and_reweighed_tags() {
        // 200 articles a day apart with the tag "big"; 0 and 150 also "rare".
        let old: Vec<Arc<Input>> = (0..200)
            .map(|i| {
                let tags: &[&str] = if i == 0 || i == 150 { &["big", "rare"] } else { &["big"] };
                input(&format!("a{i:03}.md"), i * 86_400, tags)
            })
            .collect();

        // One more "big" article amid the others: "big" still counts 200
        // once rounded, so only its neighbours in the list of "big" (and of
        // its category, the same here) are stale: at least those whose
        // window (WINDOW each side) now holds it, a71 to a130, and none
        // much farther.
        let mut added = old.clone();
        added.push(input("b.md", 100 * 86_400 + 1, &["big"]));
        let marked = stale(&old, &added);
        assert!((71..=130).chain([200]).all(|i| marked.contains(&i)), "{marked:?}");
        assert!(marked.iter().all(|&i| (101 - WINDOW - 3..=100 + WINDOW + 3).contains(&i) || i == 200), "{marked:?}");

        // "rare" gained by a third article: its weight changed (2 -> 3), so
        // every article with it is stale, near or not.
        let mut gained = old.clone();
        gained[199] = input("a199.md", 199 * 86_400, &["big", "rare"]);
        let marked = stale(&old, &gained);
        assert!(marked.contains(&0) && marked.contains(&150) && marked.contains(&199), "{marked:?}");
        assert!(!marked.contains(&100), "{marked:?}");

        // "big" on 104 articles, then 105: rounded, 100 then 110, so every
        // article with it is stale.
        let small: Vec<Arc<Input>> = old[..104].to_vec();
        let mut grown = small.clone();
        grown.push(input("b.md", 50 * 86_400 + 1, &["big"]));
        assert_eq!(stale(&small, &grown), (0..105).collect::<Vec<_>>());
        // An unchanged site: nothing.
        assert_eq!(stale(&old, &old), Vec::<usize>::new());
    }

    #[test]
    fn tag_counts_round_to_two_significant_digits() {
        let cases = [(0, 0), (7, 7), (99, 99), (104, 100), (105, 110), (5_462, 5_500), (5_449, 5_400), (995, 1_000)];
        for (n, expected) in cases {
            assert_eq!(rounded(n), expected, "{n}");
        }
        // The weight is the rounded count's: what stale_related relies on.
        assert_eq!(tag_weight(5_462), tag_weight(5_500));
        assert!(tag_weight(3) > tag_weight(4));
    }

    #[test]
    fn backlinks_are_newest_first_and_unique() {
        let t = tags(&[]);
        let nodes = vec![
            Node { rel: "a.md", date: 10, category: 0, tags: &t, refs: vec![] },
            Node { rel: "b.md", date: 20, category: 0, tags: &t, refs: vec![0, 0] },
            Node { rel: "c.md", date: 30, category: 1, tags: &t, refs: vec![0] },
        ];
        assert_eq!(backlinks(&nodes), vec![vec![2, 1], vec![], vec![]]);
    }

    #[test]
    fn related_prefers_rare_shared_tags_and_skips_references() {
        let common = tags(&["news"]);
        let rare = tags(&["news", "canal"]);
        let nodes = vec![
            Node { rel: "a.md", date: 0, category: 0, tags: &rare, refs: vec![] },
            Node { rel: "b.md", date: 86_400, category: 1, tags: &common, refs: vec![] },
            Node { rel: "c.md", date: 2 * 86_400, category: 1, tags: &rare, refs: vec![] },
            Node { rel: "d.md", date: 3 * 86_400, category: 1, tags: &common, refs: vec![2] },
            Node { rel: "e.md", date: 3 * 86_400, category: 1, tags: &common, refs: vec![] },
        ];
        let related = related(&nodes);
        assert_eq!(related[0], vec![2, 1, 3, 4]);
        // d references c, so c is left out; ties on score break newest first then by path.
        assert_eq!(related[3], vec![4, 1, 0]);
    }

    #[test]
    fn related_is_limited() {
        let t = tags(&["x"]);
        let nodes: Vec<Node> =
            (0..20).map(|i| Node { rel: "n.md", date: i, category: 0, tags: &t, refs: vec![] }).collect();
        assert!(related(&nodes).iter().all(|r| r.len() == RELATED_LIMIT));
    }
}
