//! Pages through Tera: the theme's templates compiled once, site-wide data
//! in the global context, one typed context per page. Pages render in
//! parallel; the caller decides where the bytes go.

pub mod theme;
pub mod views;

use serde::Serialize;
use tera::{Context, Tera};

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::graph::Graph;
use crate::parse::Article;
use views::{CategoryView, Summary};

/// How many of its latest articles each category shows on the home page.
pub const HOME_PER_CATEGORY: usize = 4;

pub struct Renderer {
    tera: Tera,
}

impl Renderer {
    /// Compiles the theme. Template syntax errors come back as diagnostics.
    pub fn new(theme: &theme::Theme, site: &views::SiteView) -> Result<Renderer, Diagnostic> {
        let mut tera = Tera::new();
        tera.add_raw_templates(
            theme
                .templates
                .iter()
                .map(|(name, source)| (name.as_str(), source.as_str())),
        )
        .map_err(template_error)?;
        tera.global_context().insert("site", site);
        Ok(Renderer { tera })
    }

    pub fn render(&self, template: &str, context: &impl Serialize) -> Result<String, Diagnostic> {
        let context = Context::from_serialize(context).map_err(template_error)?;
        self.tera.render(template, &context).map_err(template_error)
    }
}

fn template_error(err: tera::Error) -> Diagnostic {
    Diagnostic::error(format!("template error: {err}"))
}

/// One page to write: its output path under public/ and how to render it.
pub enum Page {
    Home,
    Article(usize),
    Category { category: usize, page: usize },
}

/// The output file of a site path: `/a/b/` → `a/b/index.html`.
pub fn output_file(path: &str) -> String {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_string()
    }
}

/// The output folder of a site path: `/a/b/` → `a/b/`, `/a/b.html` → `a/`.
pub fn output_dir(path: &str) -> String {
    let file = output_file(path);
    match file.rfind('/') {
        Some(at) => file[..=at].to_string(),
        None => String::new(),
    }
}

/// Everything the page contexts are built from, frozen before rendering.
pub struct Site<'a> {
    pub config: &'a Config,
    pub articles: &'a [Article],
    pub graph: &'a Graph,
    pub categories: &'a [CategoryView],
    pub summaries: Vec<Summary<'a>>,
    /// Indices of each category's articles, newest first.
    pub by_category: Vec<Vec<usize>>,
    /// All articles, newest first.
    pub newest: Vec<usize>,
}

#[derive(Serialize)]
struct HomeContext<'a> {
    lead: Option<&'a Summary<'a>>,
    sections: Vec<Section<'a>>,
}

#[derive(Serialize)]
struct Section<'a> {
    category: &'a CategoryView,
    articles: Vec<&'a Summary<'a>>,
}

#[derive(Serialize)]
struct ArticleContext<'a> {
    article: views::ArticleView<'a>,
}

#[derive(Serialize)]
struct CategoryContext<'a> {
    category: &'a CategoryView,
    articles: Vec<&'a Summary<'a>>,
    pagination: Pagination,
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

impl<'a> Site<'a> {
    pub fn new(
        config: &'a Config,
        articles: &'a [Article],
        graph: &'a Graph,
        categories: &'a [CategoryView],
    ) -> Site<'a> {
        let summaries = articles
            .iter()
            .map(|a| views::summary(config, categories, a))
            .collect();
        let mut newest: Vec<usize> = (0..articles.len()).collect();
        newest.sort_by(|&a, &b| {
            let (a, b) = (&articles[a], &articles[b]);
            b.front
                .date
                .timestamp()
                .cmp(&a.front.date.timestamp())
                .then_with(|| a.rel.cmp(&b.rel))
        });
        let mut by_category = vec![Vec::new(); config.categories.len()];
        for &i in &newest {
            by_category[articles[i].category].push(i);
        }
        Site {
            config,
            articles,
            graph,
            categories,
            summaries,
            by_category,
            newest,
        }
    }

    /// Every page of the site with its site path.
    pub fn pages(&self) -> Vec<(String, Page)> {
        let mut pages = vec![("/".to_string(), Page::Home)];
        pages.extend(
            self.articles
                .iter()
                .enumerate()
                .map(|(i, a)| (a.path.clone(), Page::Article(i))),
        );
        for (category, list) in self.by_category.iter().enumerate() {
            let count = self.page_count(list.len());
            for page in 1..=count {
                pages.push((
                    self.category_path(category, page),
                    Page::Category { category, page },
                ));
            }
        }
        pages
    }

    fn page_count(&self, items: usize) -> usize {
        items.div_ceil(self.config.articles_per_page).max(1)
    }

    fn category_path(&self, category: usize, page: usize) -> String {
        let slug = &self.config.categories[category].slug;
        if page == 1 {
            format!("/{slug}/")
        } else {
            format!("/{slug}/page/{page}/")
        }
    }

    pub fn render(&self, renderer: &Renderer, page: &Page) -> Result<String, Diagnostic> {
        match *page {
            Page::Home => renderer.render("index.html", &self.home()),
            Page::Article(i) => {
                let article = views::article(i, &self.articles[i], &self.summaries, self.graph);
                renderer.render("article.html", &ArticleContext { article })
            }
            Page::Category { category, page } => {
                renderer.render("category.html", &self.category(category, page))
            }
        }
    }

    /// The lead is the newest featured article, or the newest one; each
    /// category then shows its latest articles other than the lead.
    fn home(&self) -> HomeContext<'_> {
        let lead = self
            .newest
            .iter()
            .copied()
            .find(|&i| self.articles[i].front.featured)
            .or(self.newest.first().copied());
        let sections = self
            .by_category
            .iter()
            .enumerate()
            .map(|(category, list)| Section {
                category: &self.categories[category],
                articles: list
                    .iter()
                    .filter(|&&i| Some(i) != lead)
                    .take(HOME_PER_CATEGORY)
                    .map(|&i| &self.summaries[i])
                    .collect(),
            })
            .collect();
        HomeContext {
            lead: lead.map(|i| &self.summaries[i]),
            sections,
        }
    }

    fn category(&self, category: usize, page: usize) -> CategoryContext<'_> {
        let list = &self.by_category[category];
        let per_page = self.config.articles_per_page;
        let pages = self.page_count(list.len());
        let url = |page| self.config.url(&self.category_path(category, page));
        CategoryContext {
            category: &self.categories[category],
            articles: list
                .iter()
                .skip((page - 1) * per_page)
                .take(per_page)
                .map(|&i| &self.summaries[i])
                .collect(),
            pagination: Pagination {
                page,
                pages,
                total: list.len(),
                url: url(page),
                prev_url: (page > 1).then(|| url(page - 1)),
                next_url: (page < pages).then(|| url(page + 1)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_files() {
        assert_eq!(output_file("/"), "index.html");
        assert_eq!(output_file("/world/naval/"), "world/naval/index.html");
        assert_eq!(output_file("/world/naval.html"), "world/naval.html");
        assert_eq!(output_dir("/world/naval/"), "world/naval/");
        assert_eq!(output_dir("/world/naval.html"), "world/");
        assert_eq!(output_dir("/"), "");
    }
}
