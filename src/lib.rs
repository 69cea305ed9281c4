//! broadsheet: a static site generator for news publications.
//!
//! The front door: [`build`], [`check`], [`serve::serve`] and
//! [`scaffold`]'s `new` and `init`. Each runs the one pipeline, data
//! flowing one way through the modules below, listed in its order:
//!
//! - [`config`]: config.toml → a validated [`config::Config`];
//! - [`load`]: content/ walked and read, the theme's templates and assets;
//! - [`parse`]: source files → articles (front matter, Markdown bodies);
//! - [`graph`]: references between articles, backlinks, related articles;
//! - [`plan`]: every output file — pages, generated files, copies — and
//!   who writes it;
//! - [`render`]: the pages' template contexts, their keys, Tera;
//! - [`outputs`]: feeds, sitemaps, robots.txt, syntax.css;
//! - [`write`]: where files go — the output's twin folder, nowhere
//!   (`check`), or memory (`serve`);
//! - [`driver`]: the stages in that order, once or again and again;
//! - [`serve`]: the preview server on top.
//!
//! Leaves any stage may use: [`diag`] (errors with file, line and column),
//! [`keys`], [`text`], [`order`], [`paths`], [`highlight`], [`timings`],
//! [`checked`] (cache files trusted whole or not at all).

pub mod config;
pub mod load;
pub mod parse;
pub mod graph;
pub mod plan;
pub mod render;
pub mod outputs;
pub mod write;
pub mod driver;
pub mod serve;
pub mod scaffold;

pub mod checked;
pub mod diag;
pub mod highlight;
pub mod keys;
pub mod order;
pub mod packed;
pub mod paths;
pub mod text;
pub mod timings;

use std::path::PathBuf;

pub use diag::Error;
pub use driver::{Report, SiteOptions, now};
pub use serve::Files;

use driver::Driver;

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub site: SiteOptions,
    /// Default: `public/` under the root.
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    /// A URL of the replaced output's sitemap that now has neither a page
    /// nor an alias is an error, not a warning.
    pub strict_urls: bool,
}

/// The file of the cache folder that keeps the keys of the output's pages
/// (see [`write::ledger`]).
const PAGE_LEDGER: &str = "pages";

/// Validates everything `build` validates, rendering every page, and
/// writes nothing. The URLs of the site's `public/` are guarded as a build
/// into it would guard them.
pub fn check(options: &SiteOptions, strict_urls: bool) -> Result<Report, Error> {
    let guard = driver::Guard { output: options.root.join("public"), strict: strict_urls };
    Driver::once(options.clone(), None).guarding(guard).plain_code().build(&[], &mut write::Discard)
}

/// Builds the site into the output folder, atomically: a failed build
/// leaves the previous output as it was.
pub fn build(options: &BuildOptions) -> Result<Report, Error> {
    let root = &options.site.root;
    let output = options.output.clone().unwrap_or_else(|| root.join("public"));
    write::check_output(root, &output).map_err(|e| Error::Usage(e.to_string()))?;
    let guard = driver::Guard { output: output.clone(), strict: options.strict_urls };
    let cache = write::cache_dir(&output);
    let mut twin = write::Twin::new(&output).keeping_keys(cache.join(PAGE_LEDGER));
    Driver::once(options.site.clone(), options.base_url.as_deref())
        .guarding(guard)
        .caching(cache)
        .searching()
        .build(&[], &mut twin)
}
