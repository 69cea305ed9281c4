//! Command-line arguments (clap derive). No logic lives here: `main` turns
//! these into library options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "broadsheet", version, about = "A static site generator for news publications")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into public/ (atomically: a failed build changes nothing).
    Build(BuildArgs),
    /// Validate everything `build` validates, and write nothing.
    Check(CheckArgs),
    /// Serve the site from memory, rebuilding and reloading the browser on every save.
    Serve(ServeArgs),
    /// Start an article: content/<category>/<today>-<slug>.md.
    New(NewArgs),
    /// Write a minimal working site into an empty or new folder.
    Init(InitArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// The first port to try; the next free one is used when it is busy (0: any).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// The address to listen on; loopback unless you mean to share the preview.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// A category declared in config.toml.
    pub category: String,
    /// The headline; the file name is made from it.
    pub title: String,
    /// The byline: an author-profile key or a name.
    #[arg(long)]
    pub author: Option<String>,
    /// The site's folder, holding config.toml and content/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the site (default: the current folder).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// Flags shared by every command that loads a site.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The site's folder, holding config.toml and content/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Include articles marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
    /// Include articles dated after now (SOURCE_DATE_EPOCH when set).
    #[arg(long)]
    pub future: bool,
    /// Print how long each phase took (load, parse, graph, plan, render, write).
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where to write the site (default: public/ under the root).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Override config.toml's base_url, e.g. for a preview deployment.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Fail when a URL of the replaced output's sitemap has neither a page nor an alias.
    #[arg(long)]
    pub strict_urls: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Fail when a URL of public/'s sitemap has neither a page nor an alias.
    #[arg(long)]
    pub strict_urls: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
