//! The reference graph between published articles: who links to whom
//! ("Follow-up coverage", SPEC §4) and which articles are related. Works on
//! plain indices so it can be tested without parsing anything. [`Linker`]
//! keeps the last graph for `serve`, and what it was linked from; a
//! one-off build keeps its related lists for the next in the cache folder
//! ([`kept`]).

mod kept;

use rustc_hash::FxHashMap as HashMap;

use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use jiff::Timestamp;

use crate::diag::{Diagnostic, Location};
use crate::order::{Dated, newest_first};
use crate::parse::{Article, Articles, Withheld};
use crate::text::did_you_mean;

/// The resolved graph of the published articles, by index.
#[derive(Debug, Default)]
pub struct Graph {
    /// Further-context references of each article, in front-matter order.
    pub further_context: Vec<Vec<Reference>>,
    pub backlinks: Vec<Vec<usize>>,
    pub related: Vec<Vec<usize>>,
}

/// A further-context entry resolved: the article it names, and the note
/// that says why it matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub target: usize,
    pub note: Option<String>,
}

/// Links the published articles of each build, keeping the graph of the
/// last one while nothing it was linked from changed, and otherwise the
/// related lists a change cannot reach (see [`stale_related`]).
#[derive(Default)]
pub struct Linker {
    /// Keep the graph for the next build (`serve`); a one-off build does not.
    pub keep: bool,
    last: Option<Linked>,
    /// Where a one-off build keeps its related lists for the next, and a
    /// hash of what its articles were parsed under (see [`kept`]).
    kept_at: Option<(PathBuf, u128)>,
    /// The lists of the last build, being read.
    loading: Option<JoinHandle<Option<kept::Kept>>>,
}

/// A graph that linked without a problem, with its inputs by article version.
struct Linked {
    versions: Vec<u64>,
    inputs: Vec<Arc<Input>>,
    graph: Arc<Graph>,
    /// Whether `graph` is whole; one read from [`kept`] has only its
    /// related lists.
    whole: bool,
}

impl Linker {
    pub fn new(keep: bool) -> Linker {
        Linker { keep, last: None, kept_at: None, loading: None }
    }

    /// Keeps the related lists of a one-off build in the file at `path`
    /// for the next, and starts reading those of the last from it; `under`
    /// is a hash of what the articles are parsed under.
    pub fn keeping(&mut self, path: PathBuf, under: u128) {
        let (from, at) = (path.clone(), under);
        self.loading = Some(std::thread::spawn(move || kept::load(&from, at)));
        self.kept_at = Some((path, under));
    }

    /// The related lists of the last one-off build, once read.
    fn restored(&mut self) -> Option<Linked> {
        let kept = self.loading.take()?.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        Some(Linked {
            versions: kept.versions,
            inputs: kept.inputs.into_iter().map(Arc::new).collect(),
            graph: Arc::new(Graph { related: kept.related, ..Graph::default() }),
            whole: false,
        })
    }

    pub fn link(&mut self, articles: &Articles, diags: &mut Vec<Diagnostic>) -> Arc<Graph> {
        let last = self.last.take().or_else(|| self.restored());
        let inputs = match &last {
            Some(last) => last.inputs_now(articles),
            None => inputs(&articles.published),
        };
        if let Some(last) = &last
            && last.whole
            && same(&last.inputs, &inputs)
        {
            self.last = Some(Linked { versions: versions(articles), inputs, graph: last.graph.clone(), whole: true });
            return last.graph.clone();
        }
        let mut problems = Vec::new();
        let earlier = last.as_ref().map(|last| Earlier { graph: &last.graph, inputs: &last.inputs });
        let graph = Arc::new(link_again(&inputs, articles, &mut problems, earlier));
        // Kept only when every reference resolved: a reference to a file
        // that failed to parse is not reported (its own errors are), and
        // must be once that file is gone or withheld.
        let clean = problems.is_empty() && articles.unparsed.is_empty();
        let versions = versions(articles);
        if let Some((path, under)) = &self.kept_at
            && clean
            && last.as_ref().is_none_or(|last| last.versions != versions)
        {
            // A file that cannot be written costs the next build time.
            let _ = kept::store(path, *under, &versions, &inputs, &graph.related);
        }
        if self.keep && clean {
            self.last = Some(Linked { versions, inputs, graph: graph.clone(), whole: true });
        }
        diags.extend(problems);
        graph
    }
}

impl Linked {
    /// The inputs of the articles now, shared with the last build's where
    /// the article is the same rendering.
    fn inputs_now(&self, articles: &Articles) -> Vec<Arc<Input>> {
        let by_version: HashMap<u64, &Arc<Input>> = self.versions.iter().copied().zip(&self.inputs).collect();
        articles
            .published
            .iter()
            .map(|a| by_version.get(&a.version).map_or_else(|| Arc::new(input(a)), |kept| Arc::clone(kept)))
            .collect()
    }
}

/// The inputs of every published article.
fn inputs(published: &[Arc<Article>]) -> Vec<Arc<Input>> {
    use rayon::prelude::*;
    published.par_iter().map(|a| Arc::new(input(a))).collect()
}

fn versions(articles: &Articles) -> Vec<u64> {
    articles.published.iter().map(|a| a.version).collect()
}

/// Whether two lists hold equal items (mostly the very same ones).
fn same<T: PartialEq>(old: &[Arc<T>], new: &[Arc<T>]) -> bool {
    old.len() == new.len() && old.iter().zip(new).all(|(a, b)| Arc::ptr_eq(a, b) || a == b)
}

/// Resolves every further-context entry and `@/` link; a reference to an
/// article that does not exist, is withheld, or lacks the `#anchor` is an
/// error at the line that makes it.
pub fn link(articles: &Articles, diags: &mut Vec<Diagnostic>) -> Graph {
    link_again(&inputs(&articles.published), articles, diags, None)
}

/// The graph of an earlier build of the same site, with the inputs it was
/// linked from.
pub struct Earlier<'a> {
    pub graph: &'a Graph,
    pub inputs: &'a [Arc<Input>],
}

/// [`link`] of the published articles' `inputs`, keeping from an earlier
/// graph the related lists that cannot have changed (see
/// [`stale_related`]). The graph is made from the inputs alone: `articles`
/// only words and places the errors (their lines, why a target is missing).
pub fn link_again(
    inputs: &[Arc<Input>],
    articles: &Articles,
    diags: &mut Vec<Diagnostic>,
    earlier: Option<Earlier>,
) -> Graph {
    let by_path: HashMap<&str, usize> = inputs.iter().enumerate().map(|(i, a)| (a.rel.as_str(), i)).collect();
    let mut resolve = |path: &str, anchor: Option<&str>, location: &dyn Fn() -> Location| -> Option<usize> {
        let Some(&target) = by_path.get(path) else {
            if !articles.unparsed.contains(path) {
                diags.push(missing_target(path, articles, &location()));
            }
            return None;
        };
        if let Some(anchor) = anchor
            && !inputs[target].headings.iter().any(|id| id == anchor)
        {
            diags.push(missing_anchor(anchor, path, &inputs[target].headings).at(location()));
        }
        Some(target)
    };
    let mut further_context = Vec::with_capacity(inputs.len());
    let mut refs = Vec::with_capacity(inputs.len());
    let mut to_itself = Vec::new();
    for (input, article) in inputs.iter().zip(&articles.published) {
        let mut context = Vec::with_capacity(input.further.len());
        for (k, (path, anchor, note)) in input.further.iter().enumerate() {
            let location = || article.front.further_context[k].location.clone();
            // "For further context, see this very article" helps no reader.
            if *path == input.rel {
                to_itself.push(
                    Diagnostic::error(format!("further context names the article itself: {path}"))
                        .at(location())
                        .hint("point it at another article, or remove the entry (a link to a section of this article belongs in the body)"),
                );
                continue;
            }
            if let Some(target) = resolve(path, anchor.as_deref(), &location) {
                context.push(Reference { target, note: note.clone() });
            }
        }
        let mut all: Vec<usize> = context.iter().map(|r| r.target).collect();
        for (k, (path, anchor)) in input.links.iter().enumerate() {
            all.extend(resolve(path, anchor.as_deref(), &|| article.body.links[k].location.clone()));
        }
        all.sort_unstable();
        all.dedup();
        further_context.push(context);
        refs.push(all);
    }
    diags.extend(to_itself);
    let nodes: Vec<Node> = inputs
        .iter()
        .zip(refs)
        .map(|(a, refs)| Node { rel: &a.rel, date: a.date, category: a.category, tags: &a.tags, refs })
        .collect();
    let kept = match earlier {
        Some(earlier) => kept_related(&earlier, inputs, &by_path),
        None => vec![None; nodes.len()],
    };
    Graph { further_context, backlinks: backlinks(&nodes), related: related_of(&nodes, kept) }
}

/// The error of an `#anchor` that is not a heading id of the article at `path`.
fn missing_anchor(anchor: &str, path: &str, headings: &[String]) -> Diagnostic {
    let ids: Vec<&str> = headings.iter().map(String::as_str).collect();
    let hint = match did_you_mean(anchor, ids.iter().copied()) {
        Some(close) => format!("did you mean `#{close}`?"),
        None if ids.is_empty() => "that article has no headings".to_string(),
        None => format!("its heading ids are {}", crate::keys::list(&ids)),
    };
    Diagnostic::error(format!("`#{anchor}` is not a heading id of content/{path}")).hint(hint)
}

/// The related lists of an earlier graph that still hold, in today's
/// indices (`index_now`: each article's index by path); `None` where a
/// list must be scored again.
fn kept_related(earlier: &Earlier, new: &[Arc<Input>], index_now: &HashMap<&str, usize>) -> Vec<Option<Vec<usize>>> {
    let old = earlier.inputs;
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
    let (mut stale, places) = changed(old, new, now_of);
    let mut lists: Vec<List> = places.iter().map(|p| p.0).collect();
    lists.dedup();
    // A tag whose weight changed makes every list with it stale.
    let count = |inputs: &[Arc<Input>], tag: &str| inputs.iter().filter(|input| input.has(tag)).count();
    let reweighed: Vec<&str> = lists
        .iter()
        .filter_map(|list| match *list {
            List::Tag(tag) if rounded(count(old, tag)) != rounded(count(new, tag)) => Some(tag),
            _ => None,
        })
        .collect();
    for (i, input) in new.iter().enumerate() {
        if reweighed.iter().any(|tag| input.has(tag)) {
            stale[i] = true;
        }
    }
    // Around each place, in date order: a window reaches WINDOW articles
    // each side, and each other change in the list can shift it by one.
    for list in lists {
        let mut members: Vec<usize> = match list {
            List::Tag(tag) if reweighed.contains(&tag) => continue,
            List::Tag(tag) => (0..new.len()).filter(|&i| new[i].has(tag)).collect(),
            List::Category(category) => (0..new.len()).filter(|&i| new[i].category == category).collect(),
        };
        members.sort_by_key(|&i| new[i].dated());
        let here: Vec<&Place> = places.iter().filter(|p| p.0 == list).collect();
        let reach = WINDOW + 1 + here.len();
        for &&(_, dated) in &here {
            let at = members.partition_point(|&i| new[i].dated() < dated);
            for &i in &members[at.saturating_sub(reach)..(at + reach).min(members.len())] {
                stale[i] = true;
            }
        }
    }
    stale
}

/// Where an article came into or left a list, sorted by list.
type Place<'a> = (List<'a>, Dated<'a>);

/// The articles that changed, came or left (marked by today's index), and
/// the places where one came into or left a list.
fn changed<'a>(old: &'a [Arc<Input>], new: &'a [Arc<Input>], now_of: &[Option<usize>]) -> (Vec<bool>, Vec<Place<'a>>) {
    let mut stale = vec![false; new.len()];
    let mut places: Vec<Place> = Vec::new();
    let mut place = |input: &'a Input, tags: &mut dyn Iterator<Item = &'a String>, category: bool| {
        places.extend(tags.map(|tag| (List::Tag(tag.as_str()), input.dated())));
        if category {
            places.push((List::Category(input.category), input.dated()));
        }
    };
    let mut earlier = vec![false; new.len()];
    for (old, &now) in old.iter().zip(now_of) {
        let Some(i) = now else {
            place(old, &mut old.tags.iter(), true);
            continue;
        };
        earlier[i] = true;
        let new = &new[i];
        if Arc::ptr_eq(old, new) || old == new {
            continue;
        }
        stale[i] = true;
        if (old.date, old.category) == (new.date, new.category) {
            place(old, &mut old.tags.iter().filter(|t| !new.tags.contains(t)), false);
            place(new, &mut new.tags.iter().filter(|t| !old.tags.contains(t)), false);
        } else {
            place(old, &mut old.tags.iter(), true);
            place(new, &mut new.tags.iter(), true);
        }
    }
    for (i, new) in new.iter().enumerate().filter(|(i, _)| !earlier[*i]) {
        stale[i] = true;
        place(new, &mut new.tags.iter(), true);
    }
    places.sort_unstable();
    (stale, places)
}

/// A list related candidates are drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum List<'a> {
    Tag(&'a str),
    Category(usize),
}

/// Everything of one published article that the graph is made from
/// ([`link_again`] reads nothing else). When every published article has
/// the same inputs, in the same order, as in a build whose linking found no
/// problem, linking again gives the same graph.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Input {
    rel: String,
    date: Timestamp,
    category: usize,
    tags: Vec<String>,
    /// Further-context entries (path, anchor and note: the graph carries
    /// the notes), and inline links (path and anchor), in their order.
    further: Vec<(String, Option<String>, Option<String>)>,
    links: Vec<(String, Option<String>)>,
    headings: Vec<String>,
}

impl Input {
    fn dated(&self) -> Dated<'_> {
        Dated { at: self.date, rel: &self.rel }
    }

    fn has(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }
}

pub fn input(article: &Article) -> Input {
    let further = article.front.further_context.iter().map(|r| (r.path.clone(), r.anchor.clone(), r.note.clone()));
    let links = article.body.links.iter().map(|l| (l.path.clone(), l.anchor.clone()));
    Input {
        rel: article.rel.clone(),
        date: article.dated().at,
        category: article.category,
        tags: article.tag_slugs.clone(),
        further: further.collect(),
        links: links.collect(),
        headings: article.anchors().map(str::to_string).collect(),
    }
}

fn missing_target(path: &str, articles: &Articles, location: &Location) -> Diagnostic {
    let (message, hint) = match articles.withheld.get(path) {
        Some(Withheld::Draft) => (
            format!("reference to a draft: content/{path}"),
            "publish it (remove `draft = true`) or remove the reference".to_string(),
        ),
        Some(Withheld::Expired(at)) => (
            format!("reference to an expired article: content/{path} left the site at {at}"),
            "remove the reference, or the article's `expires`".to_string(),
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
    /// Publication instant.
    pub date: Timestamp,
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

impl Node<'_> {
    fn dated(&self) -> Dated<'_> {
        Dated { at: self.date, rel: self.rel }
    }
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
        list.sort_by(|&a, &b| newest_first(nodes[a].dated(), nodes[b].dated()));
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
/// references are left out.
fn related_of(nodes: &[Node], kept: Vec<Option<Vec<usize>>>) -> Vec<Vec<usize>> {
    use rayon::prelude::*;
    let candidates = Candidates::new(nodes);
    kept.into_par_iter()
        .enumerate()
        // Per thread: which candidates were seen, marked with the article
        // they were seen for (cheaper than sorting to remove duplicates),
        // and the candidates of the article at hand.
        .map_init(
            || (vec![usize::MAX; nodes.len()], Vec::new()),
            |(seen, found), (me, kept)| kept.unwrap_or_else(|| candidates.best(me, seen, found)),
        )
        .collect()
}

/// Where related candidates come from: the [`WINDOW`] articles nearest in
/// date on each side in each of an article's tags and in its category,
/// found through an inverted index. Everything compares integers: each
/// article's rank in date order, and tags interned as numbers.
struct Candidates<'n> {
    nodes: &'n [Node<'n>],
    /// Each article's place in (date, path) order, oldest first.
    rank: Vec<usize>,
    /// Each article's tags, as numbers.
    tags: Vec<Vec<usize>>,
    /// The articles of each tag, and of each category, in rank order: a
    /// window around an article is a slice.
    by_tag: Vec<Vec<usize>>,
    by_category: HashMap<usize, Vec<usize>>,
    /// Each tag's [`tag_weight`].
    weight: Vec<f64>,
}

impl<'n> Candidates<'n> {
    fn new(nodes: &'n [Node<'n>]) -> Candidates<'n> {
        let mut by_rank: Vec<usize> = (0..nodes.len()).collect();
        by_rank.sort_by_key(|&i| nodes[i].dated());
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
        let mut by_tag: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
        let mut by_category: HashMap<usize, Vec<usize>> = HashMap::default();
        for &i in &by_rank {
            for &tag in &tags[i] {
                by_tag[tag].push(i);
            }
            by_category.entry(nodes[i].category).or_default().push(i);
        }
        let weight = by_tag.iter().map(|list| tag_weight(list.len())).collect();
        Candidates { nodes, rank, tags, by_tag, by_category, weight }
    }

    /// The related list of article `me`; `seen` and `found` are scratch
    /// space kept between calls.
    fn best(&self, me: usize, seen: &mut [usize], found: &mut Vec<usize>) -> Vec<usize> {
        found.clear();
        for &tag in &self.tags[me] {
            self.neighbours(&self.by_tag[tag], me, found);
        }
        self.neighbours(&self.by_category[&self.nodes[me].category], me, found);
        let mut scored: Vec<(f64, usize)> = Vec::with_capacity(found.len());
        for &c in found.iter() {
            if seen[c] != me && c != me && !self.nodes[me].refs.contains(&c) {
                seen[c] = me;
                scored.push((self.score(me, c), c));
            }
        }
        let better = |a: &(f64, usize), b: &(f64, usize)| self.better(a, b);
        if scored.len() > RELATED_LIMIT {
            scored.select_nth_unstable_by(RELATED_LIMIT - 1, better);
            scored.truncate(RELATED_LIMIT);
        }
        scored.sort_by(better);
        // Not `into_iter().map().collect()`: that reuses the allocation of
        // every candidate scored, and each article would keep it (35 MB
        // over 10,000 articles).
        let mut related = Vec::with_capacity(scored.len());
        related.extend(scored.iter().map(|&(_, c)| c));
        related
    }

    /// The articles within [`WINDOW`] of `me` in `list`.
    fn neighbours(&self, list: &[usize], me: usize, out: &mut Vec<usize>) {
        let at = list.partition_point(|&x| self.rank[x] < self.rank[me]);
        out.extend_from_slice(&list[at.saturating_sub(WINDOW)..(at + WINDOW + 1).min(list.len())]);
    }

    /// Shared tags' weights, 1 for the same category, and closeness in date.
    fn score(&self, a: usize, b: usize) -> f64 {
        let (nodes, tags) = (self.nodes, &self.tags);
        let shared: f64 = tags[a].iter().filter(|t| tags[b].contains(t)).map(|&t| self.weight[t]).sum();
        let category = if nodes[a].category == nodes[b].category { 1.0 } else { 0.0 };
        let seconds = nodes[a].date.as_second() - nodes[b].date.as_second();
        let days = seconds.unsigned_abs() as f64 / 86_400.0;
        shared + category + 1.0 / (1.0 + days / 7.0)
    }

    /// Higher score first; ties: newer first, then path (a higher rank is
    /// newer or, on the same date, a later path).
    fn better(&self, a: &(f64, usize), b: &(f64, usize)) -> std::cmp::Ordering {
        let nodes = self.nodes;
        b.0.total_cmp(&a.0)
            .then_with(|| nodes[b.1].date.cmp(&nodes[a.1].date))
            .then_with(|| self.rank[a.1].cmp(&self.rank[b.1]))
    }
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

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(seconds).unwrap()
    }

    fn input(rel: &str, date: i64, tags: &[&str]) -> Arc<Input> {
        Arc::new(Input {
            rel: rel.to_string(),
            date: at(date),
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
            Node { rel: "a.md", date: at(10), category: 0, tags: &t, refs: vec![] },
            Node { rel: "b.md", date: at(20), category: 0, tags: &t, refs: vec![0, 0] },
            Node { rel: "c.md", date: at(30), category: 1, tags: &t, refs: vec![0] },
        ];
        assert_eq!(backlinks(&nodes), vec![vec![2, 1], vec![], vec![]]);
    }

    #[test]
    fn related_prefers_rare_shared_tags_and_skips_references() {
        let common = tags(&["news"]);
        let rare = tags(&["news", "canal"]);
        let nodes = vec![
            Node { rel: "a.md", date: at(0), category: 0, tags: &rare, refs: vec![] },
            Node { rel: "b.md", date: at(86_400), category: 1, tags: &common, refs: vec![] },
            Node { rel: "c.md", date: at(2 * 86_400), category: 1, tags: &rare, refs: vec![] },
            Node { rel: "d.md", date: at(3 * 86_400), category: 1, tags: &common, refs: vec![2] },
            Node { rel: "e.md", date: at(3 * 86_400), category: 1, tags: &common, refs: vec![] },
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
            (0..20).map(|i| Node { rel: "n.md", date: at(i), category: 0, tags: &t, refs: vec![] }).collect();
        assert!(related(&nodes).iter().all(|r| r.len() == RELATED_LIMIT));
    }
}
