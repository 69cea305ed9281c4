//! Source files → articles: front matter, selection of what is published,
//! URLs, and Markdown bodies. Parsing runs in parallel over articles.

pub mod frontmatter;
pub mod highlight;
pub mod markdown;

use std::collections::HashMap;

use jiff::Timestamp;
use rayon::prelude::*;

use crate::config::Config;
use crate::diag::{Diagnostic, Location};
use crate::load::{Content, SourceFile};
use frontmatter::FrontMatter;
use markdown::{AssetUse, Body, Origin, Resolve};

/// Which articles a build publishes.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    pub drafts: bool,
    pub future: bool,
    /// SOURCE_DATE_EPOCH when set, else the clock.
    pub now: Timestamp,
}

/// A published article, with everything known of it before the graph.
#[derive(Debug)]
pub struct Article {
    /// Content path: `international/2025-10-28-naval.md`.
    pub rel: String,
    /// Index into `Config::categories`.
    pub category: usize,
    pub front: FrontMatter,
    /// URL slugs of `front.tags`, without duplicates.
    pub tag_slugs: Vec<String>,
    /// Site path from the permalink: `/international/naval/`.
    pub path: String,
    pub url: String,
    pub body: Body,
    /// Files under content/ the article shows (body and featured image).
    pub assets: Vec<AssetUse>,
}

/// Why an article that parsed is left out of the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Withheld {
    Draft,
    /// With the publication time, RFC 3339 in the site's time zone.
    Scheduled(String),
}

/// Every article known to the build: the published ones, and the content
/// paths of those withheld (so that a reference to them can say why).
#[derive(Debug, Default)]
pub struct Articles {
    pub published: Vec<Article>,
    pub withheld: HashMap<String, Withheld>,
    /// Content paths of the files that failed to parse: their own errors
    /// are reported, so references to them are not reported again.
    pub unparsed: std::collections::HashSet<String>,
}

struct Head {
    file: SourceFile,
    category: usize,
    front: FrontMatter,
    body_offset: usize,
    warnings: Vec<Diagnostic>,
}

/// Parses every article of `content` (taking its texts: each is dropped as
/// soon as its article is rendered, so a large archive never holds all its
/// sources and all its bodies at once).
pub fn parse_articles(
    config: &Config,
    content: &mut Content,
    selection: Selection,
    diags: &mut Vec<Diagnostic>,
) -> Articles {
    let files = std::mem::take(&mut content.articles);
    let heads: Vec<Result<Head, (String, Vec<Diagnostic>)>> = files
        .into_par_iter()
        .map(|file| {
            let rel = file.rel.clone();
            parse_head(config, file).map_err(|errors| (rel, errors))
        })
        .collect();
    let mut unparsed = std::collections::HashSet::new();
    let mut published = Vec::new();
    let mut withheld = HashMap::new();
    for head in heads {
        match head {
            Err((rel, errors)) => {
                unparsed.insert(rel);
                diags.extend(errors);
            }
            Ok(mut head) => match withheld_because(&head.front, selection) {
                Some(why) => {
                    withheld.insert(head.file.rel.clone(), why);
                }
                None => {
                    diags.append(&mut head.warnings);
                    published.push(head);
                }
            },
        }
    }
    let index = Index::new(config, content, &published, diags);
    let rendered: Vec<(Article, Vec<Diagnostic>)> =
        published.into_par_iter().map(|head| finish(config, &index, head)).collect();
    let mut articles = Vec::with_capacity(rendered.len());
    for (article, article_diags) in rendered {
        diags.extend(article_diags);
        articles.push(article);
    }
    Articles { published: articles, withheld, unparsed }
}

/// Renders the body of a parsed article and resolves its featured image;
/// the source text is dropped here.
fn finish(config: &Config, index: &Index, head: Head) -> (Article, Vec<Diagnostic>) {
    let rel = head.file.rel;
    let text = head.file.text;
    let origin = Origin { rel: &rel, file_text: &text, body_offset: head.body_offset };
    let mut diags = Vec::new();
    let body = markdown::render(&origin, index, &mut diags);
    if head.front.description.is_none() && body.first_paragraph.is_empty() {
        diags.push(
            Diagnostic::warning("the article has no description and no first paragraph to take one from")
                .at(first_line(&rel, &text))
                .hint("add description = \"…\", the one-sentence dek readers see under the headline"),
        );
    }
    drop(text);
    let path = index.paths[rel.as_str()].clone();
    let url = config.url(&path);
    let mut front = head.front;
    let mut assets = body.assets.clone();
    if let Some(image) = &mut front.image {
        match markdown::local_image(&image.src, &rel, index) {
            None => {}
            Some(Ok(asset)) => {
                image.src = asset.url.clone();
                image.size = asset.size;
                assets.push(asset);
            }
            Some(Err(missing)) => diags.push(missing.at(image.location.clone())),
        }
    }
    let mut tag_slugs: Vec<String> = Vec::with_capacity(front.tags.len());
    for slug in front.tags.iter().map(|t| crate::text::slugify(t)) {
        if !tag_slugs.contains(&slug) {
            tag_slugs.push(slug);
        }
    }
    let article = Article { rel, category: head.category, front, tag_slugs, path, url, body, assets };
    (article, diags)
}

fn parse_head(config: &Config, file: SourceFile) -> Result<Head, Vec<Diagnostic>> {
    let Some((folder, _)) = file.rel.split_once('/') else {
        return Err(vec![
            Diagnostic::error("article is not in a category folder")
                .at(first_line(&file.rel, &file.text))
                .hint("move it to content/<category>/"),
        ]);
    };
    let category = config.category(folder);
    let parsed = frontmatter::parse(&file.rel, folder, &file.text, config);
    let Some(category) = category else {
        let declared: Vec<&str> = config.categories.iter().map(|c| c.slug.as_str()).collect();
        let mut errors = vec![
            Diagnostic::error(format!("category `{folder}` is not declared in config.toml"))
                .at(first_line(&file.rel, &file.text))
                .hint(format!(
                    "the declared categories are {}; declare it with [categories.{folder}] or move the file",
                    crate::keys::list(&declared)
                )),
        ];
        errors.extend(parsed.err().unwrap_or_default());
        return Err(errors);
    };
    let parsed = parsed?;
    Ok(Head { file, category, front: parsed.front, body_offset: parsed.body_offset, warnings: parsed.warnings })
}

fn first_line(rel: &str, text: &str) -> Location {
    let end = text.find('\n').unwrap_or(text.len());
    Location::span(&format!("content/{rel}"), text, 0..text[..end].trim_end_matches('\r').len())
}

fn withheld_because(front: &FrontMatter, selection: Selection) -> Option<Withheld> {
    if front.draft && !selection.drafts {
        return Some(Withheld::Draft);
    }
    let date = front.date.timestamp();
    if date > selection.now && !selection.future {
        return Some(Withheld::Scheduled(frontmatter::rfc3339(&front.date)));
    }
    None
}

/// The URL of every published article and content file, known before any
/// body is rendered so that bodies can link to each other.
struct Index<'a> {
    config: &'a Config,
    /// Content path → site path.
    paths: HashMap<String, String>,
    urls: HashMap<String, String>,
    /// Content path → file on disk.
    assets: HashMap<&'a str, &'a std::path::Path>,
}

impl<'a> Index<'a> {
    fn new(config: &'a Config, content: &'a Content, heads: &[Head], diags: &mut Vec<Diagnostic>) -> Index<'a> {
        let mut paths = HashMap::with_capacity(heads.len());
        let mut owners: HashMap<String, &Head> = HashMap::with_capacity(heads.len());
        for head in heads {
            let date = &head.front.date;
            let category = &config.categories[head.category].slug;
            let path = config.permalink.expand(category, &head.front.slug, date.year(), date.month(), date.day());
            if let Some(first) = owners.get(&path) {
                diags.push(
                    Diagnostic::error(format!(
                        "content/{} and content/{} would both be written to {path}",
                        first.file.rel, head.file.rel
                    ))
                    .at(first_line(&head.file.rel, &head.file.text))
                    .hint("give one of them a different `slug` in its front matter"),
                );
            } else {
                owners.insert(path.clone(), head);
            }
            paths.insert(head.file.rel.clone(), path);
        }
        let urls = paths.iter().map(|(rel, path)| (rel.clone(), config.url(path))).collect();
        let assets = content.assets.iter().map(|a| (a.rel.as_str(), a.abs.as_path())).collect();
        Index { config, paths, urls, assets }
    }
}

impl Resolve for Index<'_> {
    fn article_url(&self, path: &str) -> Option<&str> {
        self.urls.get(path).map(String::as_str)
    }

    fn asset(&self, rel: &str, path: &str) -> Option<AssetUse> {
        let file = self.assets.get(path)?;
        let folder = rel.rsplit_once('/').map_or("", |(folder, _)| folder);
        let beside = path.strip_prefix(folder).and_then(|p| p.strip_prefix('/'));
        let output = match (beside, self.paths.get(rel)) {
            (Some(sub), Some(page)) => format!("{}{sub}", crate::render::output_dir(page)),
            _ => path.to_string(),
        };
        // Width and height let browsers reserve the space before the image
        // loads; files that are not images simply have none.
        let size = imagesize::size(file).ok().map(|s| (s.width as u32, s.height as u32));
        Some(AssetUse { source: path.to_string(), url: self.config.url(&format!("/{output}")), output, size })
    }
}
