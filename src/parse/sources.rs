//! `content/` as last read, with what was parsed and rendered of each file.
//! A build reads it all once; `serve` keeps it from one build to the next
//! and reads again only the files and folders the watcher named.
//!
//! What is kept, and what makes it stale:
//! - the files of content/: read again where a change was seen, all of
//!   them when content/ itself changed or the site uses symbolic links;
//! - parsed front matter, by the hash of the file's text;
//! - rendered bodies, by that hash and every answer the [`Index`] gave
//!   while rendering (a link's URL, an image's size).
//!
//! A one-off build with a cache folder keeps the last two in a file of it
//! for the next build ([`kept`]), by the same rules.
//!
//! The texts themselves are not kept. `serve` drops each once its body is
//! rendered, and reads it again in the rare case that a body must be
//! rendered again while its file did not change (a linked article moved).
//! A build reads each file when it parses its front matter and drops it
//! at once, then reads it again to render the body, so that it never
//! holds every text at once (663 MB at 100,000 articles).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::{Article, Articles, Chosen, ImageSizes, Index, Lookup, Parsed, Selection, Spill, kept};
use crate::config::Config;
use crate::diag::{Diagnostic, Location};
use crate::highlight::{Code, Memo};
use crate::load::{self, Asset};

/// content/ as last read.
#[derive(Default)]
pub struct Sources {
    /// Keep what was parsed for the next build (`serve`). A one-off build
    /// drops it once the articles are made: front matter would otherwise
    /// be held twice, in the heads and in the articles.
    pub keep: bool,
    /// Code blocks are left plain, not highlighted (`check`).
    pub plain_code: bool,
    /// False until content/ was read whole once.
    read_whole: bool,
    /// The last whole reading met a symbolic link or an error: a change
    /// under a link may come in under the link's target, so every change
    /// then reads content/ whole again.
    links_or_errors: bool,
    /// The problems of that whole reading (symbolic link loops, say).
    walk_problems: Vec<Diagnostic>,
    /// By path under content/: `Path` orders like the walk.
    articles: BTreeMap<PathBuf, Source>,
    assets: BTreeMap<PathBuf, Asset>,
    /// Files that could not be read.
    unreadable: BTreeMap<PathBuf, Diagnostic>,
    sizes: ImageSizes,
    /// Where a one-off build keeps its parses for the next (see
    /// [`kept`]), a hash of what they are made under, and whether it takes
    /// those of the last build.
    kept_at: Option<(PathBuf, u128, bool)>,
    /// A one-off build's parses being stored and dropped, off the build's
    /// path (see [`Sources::settle`]).
    settling: Option<std::thread::JoinHandle<()>>,
    /// Whether the last parse rendered the body of every published
    /// article (none kept from an earlier build, nor restored).
    rendered_every_body: bool,
}

struct Source {
    /// Content path.
    rel: String,
    /// The file, to read it again.
    abs: PathBuf,
    /// Of the text as read: what tells a changed file from a touched one.
    hash: u128,
    /// The file's stat data when it was read, when they tell it from a
    /// later version (see [`load::StatData`]).
    stat: Option<load::StatData>,
    /// The text, from its reading until its body is rendered.
    text: Option<String>,
    /// Parsed when first needed.
    /// Boxed: a build holds 100,000 sources before it parses any.
    head: Option<Box<Parsed>>,
    /// Its last rendering, while published or since.
    done: Option<Done>,
}

struct Done {
    article: Arc<Article>,
    diags: Vec<Diagnostic>,
    lookups: Vec<Lookup>,
}

fn hash(text: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(text.as_bytes())
}

impl Sources {
    pub fn new(keep: bool) -> Sources {
        Sources { keep, ..Sources::default() }
    }

    /// Keeps the parses of a one-off build in the file at `path` for the
    /// next, and, with `take`, takes those of the last from it; `under` is
    /// a hash of what a parse is made under besides its file. Taking them
    /// pays when few pages are rendered (the page ledger holds the rest):
    /// the body of a page rendered is then made again, which costs more
    /// than making it during parse.
    pub fn keeping_parses(&mut self, path: PathBuf, under: u128, take: bool) {
        self.kept_at = Some((path, under, take));
    }

    /// Forgets every parse, for a config.toml that changed: front matter is
    /// read under its time zone, permalink and categories.
    pub fn forget_parses(&mut self) {
        for source in self.articles.values_mut() {
            source.head = None;
            source.done = None;
        }
    }

    /// Brings content/ up to date with the changes at `changed` (absolute
    /// paths; none before the first reading).
    pub fn update(&mut self, root: &Path, changed: &[PathBuf]) {
        let content = root.join("content");
        let whole = !self.read_whole
            || self.links_or_errors
            || changed.iter().any(|path| *path == content || *path == root || !path.starts_with(root));
        if whole {
            return self.read_all(root);
        }
        for path in changed {
            let Ok(rel) = path.strip_prefix(&content) else { continue };
            if !self.read_again(root, rel) {
                return self.read_all(root);
            }
        }
    }

    /// The files under content/ that are not articles.
    pub fn assets(&self) -> impl Iterator<Item = &Asset> {
        self.assets.values()
    }

    /// The problems of reading content/: unreadable files, link loops.
    pub fn problems(&self) -> impl Iterator<Item = Diagnostic> + '_ {
        self.walk_problems.iter().chain(self.unreadable.values()).cloned()
    }

    /// Reads content/ whole, keeping what was parsed of unchanged files.
    fn read_all(&mut self, root: &Path) {
        let mut old = std::mem::take(&mut self.articles);
        self.assets.clear();
        self.unreadable.clear();
        self.sizes = ImageSizes::default();
        self.walk_problems.clear();
        self.read_whole = true;
        if let Some(missing) = load::no_content(root) {
            self.walk_problems.push(missing);
            self.links_or_errors = true;
            return;
        }
        let walked = load::walk(root, &root.join("content"), &mut self.walk_problems);
        self.links_or_errors = walked.links_or_errors;
        self.insert(walked, &mut old);
    }

    /// Reads again the file or folder at `rel` under content/; false when
    /// that met a symbolic link or an error, and content/ must be read whole.
    fn read_again(&mut self, root: &Path, rel: &Path) -> bool {
        let mut old: BTreeMap<PathBuf, Source> = take_under(&mut self.articles, rel).into_iter().collect();
        take_under(&mut self.assets, rel);
        take_under(&mut self.unreadable, rel);
        let rel_text = rel.to_string_lossy();
        self.sizes.lock().unwrap_or_else(|e| e.into_inner()).retain(|path, _| {
            !(path.as_str() == rel_text || path.strip_prefix(rel_text.as_ref()).is_some_and(|p| p.starts_with('/')))
        });
        let hidden = rel.components().any(|c| load::is_hidden(&c.as_os_str().to_string_lossy()));
        let path = root.join("content").join(rel);
        if hidden || path.symlink_metadata().is_err() {
            return true;
        }
        let mut problems = Vec::new();
        let walked = load::walk(root, &path, &mut problems);
        if walked.links_or_errors || !problems.is_empty() {
            return false;
        }
        self.insert(walked, &mut old);
        true
    }

    /// Reads the articles found by a walk; a file whose text did not change
    /// keeps what was parsed and rendered of it.
    fn insert(&mut self, walked: load::Walked, old: &mut BTreeMap<PathBuf, Source>) {
        let keep = self.keep;
        let read: Vec<(PathBuf, Result<Source, Diagnostic>)> = walked
            .articles
            .into_par_iter()
            .map(|(rel, abs)| {
                let key = PathBuf::from(&rel);
                if !keep {
                    // Read when its front matter is parsed (`Source::text`),
                    // so that no build holds every text at once.
                    let source = Source { hash: 0, stat: None, rel, abs, text: None, head: None, done: None };
                    return (key, Ok(source));
                }
                let source = load::read_article(rel, &abs).map(|file| Source {
                    hash: hash(&file.text),
                    stat: file.stat,
                    rel: file.rel,
                    abs,
                    text: Some(file.text),
                    head: None,
                    done: None,
                });
                (key, source)
            })
            .collect();
        let mut found = Vec::with_capacity(read.len());
        for (key, result) in read {
            match result {
                Ok(mut source) => {
                    if let Some(kept) = old.remove(&key).filter(|kept| kept.hash == source.hash) {
                        source.head = kept.head;
                        source.done = kept.done;
                    }
                    found.push((key, source));
                }
                Err(problem) => {
                    self.unreadable.insert(key, problem);
                }
            }
        }
        if self.articles.is_empty() {
            // In the walk's order, which is the map's: built whole, not
            // found a place for one by one (16 ms at 10,000 articles).
            self.articles = found.into_iter().collect();
        } else {
            self.articles.extend(found);
        }
        for asset in walked.assets {
            self.assets.insert(PathBuf::from(&asset.rel), asset);
        }
    }

    /// Parses what is new, renders the bodies that may have changed, and
    /// returns the published articles (and what the rest are).
    pub fn parse(
        &mut self,
        config: &Config,
        embeds: &super::embeds::Embeds,
        selection: Selection,
        memo: Option<&Memo>,
        spill: Option<&Spill>,
        diags: &mut Vec<Diagnostic>,
    ) -> Articles {
        let keep = self.keep;
        let kept_at = self.kept_at.as_ref().filter(|_| !keep);
        let restored = match kept_at {
            Some((path, under, true)) => kept::Kept::load(path, *under),
            _ => kept::Kept::default(),
        };
        let new: Vec<&mut Source> = self.articles.values_mut().filter(|s| s.head.is_none()).collect();
        // Whether the file must be written again: some record is of no use
        // (its file changed or is gone), or some article is new.
        let used = std::sync::atomic::AtomicUsize::new(0);
        let mut stale = false;
        // A record taken: the source's rendering, and its head.
        let take = |source: &mut Source, record: kept::Record| {
            used.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let article = Article { restored: true, ..record.article };
            source.done = Some(Done { article: Arc::new(article), diags: record.diags, lookups: record.lookups });
            record.head
        };
        let unread: Vec<(String, Diagnostic)> = new
            .into_par_iter()
            .filter_map(|source| {
                // A file whose stat data are as recorded is not read: its
                // text is the one the record was made from.
                let unchanged = Some(&source.abs)
                    .filter(|_| restored.has_stat_data())
                    .and_then(|abs| std::fs::metadata(abs).ok())
                    .map(|meta| load::StatData::of(&meta))
                    .and_then(|stat| restored.unchanged(&source.rel, &stat).map(|taken| (stat, taken)));
                if let Some((stat, (hash, record))) = unchanged {
                    (source.hash, source.stat) = (hash, Some(stat));
                    source.head = Some(Box::new(Ok(take(source, record))));
                    return None;
                }
                let head = match source.text() {
                    Ok(_) => match restored.get(&source.rel, source.hash) {
                        Some(record) => Ok(take(source, record)),
                        None => super::parse_head(config, &source.rel, source.text.as_deref().expect("read above")),
                    },
                    // A build reads its files here (see `insert`): one it
                    // cannot read is reported as `serve` reports it.
                    Err(problem) if !keep => return Some((source.rel.clone(), problem)),
                    Err(problem) => Err(vec![problem]),
                };
                source.head = Some(Box::new(head));
                if !keep {
                    // A build reads the text again to render the body (from
                    // the page cache) rather than hold every text until
                    // every front matter is parsed: 663 MB at 100,000
                    // articles.
                    source.text = None;
                }
                None
            })
            .collect();
        for (rel, problem) in unread {
            self.articles.remove(Path::new(&rel));
            diags.push(problem.clone());
            self.unreadable.insert(PathBuf::from(rel), problem);
        }
        // Each text goes when its body is rendered (or at once, for an
        // article not published).
        let texts: Vec<Option<String>> = self.articles.values_mut().map(|s| s.text.take()).collect();
        let sources: Vec<&Source> = self.articles.values().collect();
        let heads = sources.iter().map(|s| (s.rel.as_str(), s.head.as_deref().expect("parsed above")));
        let Chosen { published, withheld, unparsed, expired } = super::select(heads, selection, diags);
        let index = Index::new(config, self.assets.values(), &published, &self.sizes, embeds, diags);
        let code = match (self.plain_code, memo) {
            (true, _) => Code::Plain,
            (false, Some(memo)) => Code::Remembered(memo),
            (false, None) => Code::Highlighted,
        };
        let index = index.coding(code);
        let outcomes: Vec<Outcome> =
            sources.par_iter().zip(texts).map(|(source, text)| source.render(&index, text, spill)).collect();
        drop(index);
        let mut articles = Articles { published: Vec::new(), withheld, unparsed, expired };
        self.rendered_every_body = true;
        for (source, outcome) in self.articles.values_mut().zip(outcomes) {
            match outcome {
                Outcome::Withheld => continue,
                Outcome::Kept => self.rendered_every_body = false,
                Outcome::Rendered(done) => {
                    stale = true;
                    source.done = Some(done);
                }
                Outcome::Failed(problem) => {
                    source.done = None;
                    diags.push(problem);
                    continue;
                }
            }
            let done = source.done.as_ref().expect("rendered or kept");
            diags.extend(done.diags.iter().cloned());
            articles.published.push(done.article.clone());
        }
        let stale = stale || used.into_inner() != restored.len() || articles.published.len() != restored.len();
        let store = kept_at.filter(|_| stale).map(|(path, under, _)| (path.clone(), *under));
        if self.keep {
            return articles;
        }
        let parsed = std::mem::take(&mut self.articles);
        let settle = move || {
            if let Some((path, under)) = store {
                // A file that cannot be written costs the next build time.
                let _ = kept::store(&path, under, &records(&parsed), &restored);
            }
            drop((parsed, restored));
        };
        if articles.published.iter().any(|a| a.restored) {
            // A rebuild writes the parses, and drops what was parsed (some
            // 40 and 20 ms at 10,000 articles), while the build goes on; a
            // build settles before it ends. A first build does it now:
            // what was parsed would otherwise be held through the rest of
            // the build (+20 MB of its peak at 10,000 articles).
            self.settling = Some(std::thread::spawn(settle));
        } else {
            settle();
        }
        articles
    }

    /// Whether some article was parsed and kept from an earlier build.
    pub fn has_parses(&self) -> bool {
        self.articles.values().any(|source| source.done.is_some())
    }

    /// Whether the last parse rendered the body of every published
    /// article: the highlighted code it asked for is then all the site's.
    pub fn rendered_every_body(&self) -> bool {
        self.rendered_every_body
    }

    /// Waits until the parses of the last one-off build are stored.
    pub fn settle(&mut self) {
        if let Some(settling) = self.settling.take()
            && let Err(panic) = settling.join()
        {
            std::panic::resume_unwind(panic);
        }
    }

    /// What renders again the bodies of the `articles` restored from an
    /// earlier build's parses (their HTML is not kept), as this build's
    /// parse would: under `config`, with `embeds` and the code of `memo`.
    pub fn again<'a>(
        &'a self,
        root: &Path,
        config: &'a Config,
        embeds: &'a super::embeds::Embeds,
        articles: &'a [Arc<Article>],
        memo: Option<&'a Memo>,
    ) -> super::Again<'a> {
        let index = Index::of_articles(config, self.assets.values(), articles, &self.sizes, embeds);
        let index = index.coding(memo.map_or(Code::Highlighted, Code::Remembered));
        super::Again { content: root.join("content"), config, index }
    }

    /// Whether the bodies may be kept on disk until their pages are
    /// written (see [`super::spill`]): in a build, which keeps nothing for
    /// a next one; not in `serve`, which keeps them, nor in `check`, which
    /// writes nothing.
    pub fn spills(&self) -> bool {
        !self.keep && !self.plain_code
    }
}

/// What a next build may take of a build's parses: each article rendered,
/// with its head.
fn records(parsed: &BTreeMap<PathBuf, Source>) -> Vec<kept::Out<'_>> {
    let records = parsed.values().filter_map(|source| {
        let (Some(Ok(head)), Some(done)) = (source.head.as_deref(), &source.done) else { return None };
        if done.article.restored {
            return Some(kept::Out::Again { rel: &source.rel, hash: source.hash, stat: source.stat });
        }
        Some(kept::Out::New(kept::RecordRef {
            hash: source.hash,
            stat: source.stat,
            head,
            article: &done.article,
            diags: &done.diags,
            lookups: &done.lookups,
        }))
    });
    records.collect()
}

impl Source {
    /// The text, read again when it was dropped.
    fn text(&mut self) -> Result<&str, Diagnostic> {
        if self.text.is_none() {
            let file = load::read_article(self.rel.clone(), &self.abs)?;
            (self.hash, self.stat) = (hash(&file.text), file.stat);
            self.text = Some(file.text);
        }
        Ok(self.text.as_deref().expect("read above"))
    }

    /// The file's text as it is on disk now.
    fn read_again(&self) -> Result<String, Diagnostic> {
        load::read_article(self.rel.clone(), &self.abs).map(|file| file.text)
    }

    /// The body rendered, unless the article is not published or its last
    /// rendering still holds.
    fn render(&self, index: &Index, text: Option<String>, spill: Option<&Spill>) -> Outcome {
        let Some(Ok(head)) = self.head.as_deref() else { return Outcome::Withheld };
        if !index.publishes(&self.rel) {
            return Outcome::Withheld;
        }
        if let Some(done) = &self.done
            && done.lookups.iter().all(|l| l.holds(&self.rel, index))
        {
            return Outcome::Kept;
        }
        let text = match text {
            Some(text) => text,
            None => match self.read_again() {
                // Rendered again with its text unchanged: a body it links
                // to moved, say.
                Ok(text) if hash(&text) == self.hash => text,
                // The file changed since it was read: its head is stale.
                // The watcher has seen the change, and the next build
                // reads it; this one must not mix the two.
                Ok(_) => return Outcome::Failed(changed_meanwhile(&self.rel)),
                Err(problem) => return Outcome::Failed(problem),
            },
        };
        let mut finished = super::finish(index, &text, head);
        let body = &mut finished.article.body;
        // Its HTML waits on disk for its page to be written. A file that
        // cannot be written costs memory, not the build.
        if let Some(Ok(spilled)) = spill.map(|spill| spill.put(&body.html, body.feed_html.as_deref())) {
            body.html = String::new();
            body.feed_html = None;
            finished.article.spilled = Some(spilled);
        } else {
            // Held until the page is written: without the slack of its
            // growth (highlighted code is several times its source's size).
            body.html.shrink_to_fit();
            if let Some(feed) = &mut body.feed_html {
                feed.shrink_to_fit();
            }
        }
        Outcome::Rendered(Done {
            article: Arc::new(finished.article),
            diags: finished.diags,
            lookups: finished.lookups,
        })
    }
}

/// What became of one source file in a build.
enum Outcome {
    /// Not published: a draft, scheduled, or failed to parse.
    Withheld,
    /// The last rendering still holds.
    Kept,
    Rendered(Done),
    /// Its file could not be read again.
    Failed(Diagnostic),
}

fn changed_meanwhile(rel: &str) -> Diagnostic {
    Diagnostic::error("the file changed while the site was being built")
        .at(Location::file(&format!("content/{rel}")))
        .hint("save again, or wait for the next rebuild")
}

/// Removes the entries at `prefix` or under it.
fn take_under<V>(map: &mut BTreeMap<PathBuf, V>, prefix: &Path) -> Vec<(PathBuf, V)> {
    // `Path` orders component by component, so everything under `prefix`
    // follows it.
    let keys: Vec<PathBuf> = map
        .range(prefix.to_path_buf()..)
        .take_while(|(key, _)| key.starts_with(prefix))
        .map(|(k, _)| k.clone())
        .collect();
    keys.into_iter().filter_map(|key| map.remove(&key).map(|value| (key, value))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str =
        "title = \"T\"\nbase_url = \"https://x.test\"\ntimezone = \"America/Mexico_City\"\n[categories.world]\n";

    /// A site of two articles, the second linking to the first.
    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let world = dir.path().join("content/world");
        std::fs::create_dir_all(&world).unwrap();
        std::fs::write(
            world.join("2025-03-01-a.md"),
            "+++\ntitle = \"A\"\n+++\nFirst ```\n\n```rust\nfn a() {}\n```\n",
        )
        .unwrap();
        std::fs::write(world.join("2025-03-02-b.md"), "+++\ntitle = \"B\"\n+++\nSee [A](@/world/2025-03-01-a.md).\n")
            .unwrap();
        dir
    }

    /// The content paths of the articles a one-off build with its parses
    /// kept at `kept` (under `under`) took from the last build's.
    fn restored(root: &Path, kept: &Path, under: u128) -> Vec<String> {
        let articles = build(root, kept, under);
        articles.published.iter().filter(|a| a.restored).map(|a| a.rel.clone()).collect()
    }

    /// The articles of a one-off build with its parses kept at `kept`.
    fn build(root: &Path, kept: &Path, under: u128) -> Articles {
        let config = crate::config::parse(CONFIG).unwrap();
        let embeds = crate::parse::embeds::Embeds::new(&BTreeMap::new(), &BTreeMap::new(), &mut Vec::new());
        let mut sources = Sources::new(false);
        sources.keeping_parses(kept.to_path_buf(), under, true);
        sources.update(root, &[]);
        let selection =
            Selection { drafts: false, future: false, now: jiff::Timestamp::from_second(1_800_000_000).unwrap() };
        let mut diags = Vec::new();
        let articles = sources.parse(&config, &embeds, selection, None, None, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(articles.published.len(), 2);
        articles
    }

    #[test]
    fn a_file_whose_stat_data_are_as_recorded_is_not_read() {
        let site = site();
        let root = site.path();
        let kept = root.join("cache/parses");
        build(root, &kept, 1);
        let paths = ["world/2025-03-01-a.md", "world/2025-03-02-b.md"].map(|rel| (rel, root.join("content").join(rel)));
        let texts = paths.clone().map(|(_, path)| std::fs::read_to_string(path).unwrap());
        std::fs::write(&paths[0].1, texts[0].replace("title = \"A\"", "title = \"Z\"")).unwrap();
        // Records that name the files as they are now: as if the edit had
        // kept the file's length, inode and times.
        let old = kept::Kept::load(&kept, 1);
        let stat = |path: &Path| Some(load::StatData::of(&std::fs::metadata(path).unwrap()));
        let records =
            [0, 1].map(|i| kept::Out::Again { rel: paths[i].0, hash: hash(&texts[i]), stat: stat(&paths[i].1) });
        kept::store(&kept, 1, &records, &old).unwrap();
        let title = |articles: &Articles| articles.published[0].front.title.clone();
        assert_eq!(title(&build(root, &kept, 1)), "A", "taken by its stat data, unread");
        // Stat data that differ (here: none recorded) make the file read.
        let records = [0, 1].map(|i| kept::Out::Again { rel: paths[i].0, hash: hash(&texts[i]), stat: None });
        kept::store(&kept, 1, &records, &kept::Kept::load(&kept, 1)).unwrap();
        assert_eq!(title(&build(root, &kept, 1)), "Z");
    }

    #[test]
    fn unchanged_articles_are_taken_from_the_last_builds_parses() {
        let site = site();
        let root = site.path();
        let kept = root.join("cache/parses");
        assert_eq!(restored(root, &kept, 1), Vec::<String>::new(), "no parses kept yet");
        assert!(kept.is_file());
        assert_eq!(restored(root, &kept, 1), ["world/2025-03-01-a.md", "world/2025-03-02-b.md"]);

        // An edited file is parsed again; so is one whose link now leads
        // elsewhere, though its text did not change.
        let a = root.join("content/world/2025-03-01-a.md");
        std::fs::write(&a, "+++\ntitle = \"A\"\nslug = \"moved\"\n+++\nFirst.\n").unwrap();
        assert_eq!(restored(root, &kept, 1), Vec::<String>::new());
        assert_eq!(restored(root, &kept, 1), ["world/2025-03-01-a.md", "world/2025-03-02-b.md"]);

        // Parses made under another program or config.toml are not taken.
        assert_eq!(restored(root, &kept, 2), Vec::<String>::new());
        restored(root, &kept, 1);

        // Nor is a file cut short, altered or from another version.
        restored(root, &kept, 1);
        let good = std::fs::read(&kept).unwrap();
        let stamp = good.iter().position(|&b| b == b'\n').unwrap() + 1;
        let mut altered = good.clone();
        altered[good.len() / 2] ^= 1;
        let mut other = b"broadsheet 0.0.1 parses 2\n".to_vec();
        other.extend_from_slice(&good[stamp..good.len() - 16]);
        let sum = xxhash_rust::xxh3::xxh3_128(&other);
        other.extend_from_slice(&sum.to_le_bytes());
        for (what, bad) in [("cut short", &good[..good.len() - 5]), ("altered", &altered), ("another version", &other)]
        {
            std::fs::write(&kept, bad).unwrap();
            assert_eq!(restored(root, &kept, 1), Vec::<String>::new(), "{what}");
        }
    }
}
