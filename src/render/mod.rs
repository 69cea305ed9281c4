//! Pages through Tera: the theme's templates compiled once, site-wide data
//! in the global context, one typed context per page ([`pages`]), keyed so
//! that an unchanged page need not be rendered again ([`key`]). Pages
//! render in parallel; the caller decides where the bytes go.

pub mod key;
pub mod pages;
pub mod views;

pub use pages::{PageSink, Pages, Summaries, Views};

use serde::Serialize;
use tera::{Context, Tera};

use crate::diag::Diagnostic;
use crate::load::theme::Theme;

pub struct Renderer {
    tera: Tera,
}

impl Renderer {
    /// Compiles the theme. Template syntax errors come back as diagnostics.
    pub fn new(theme: &Theme, site: &views::SiteView) -> Result<Renderer, Diagnostic> {
        let mut tera = Tera::new();
        tera.add_raw_templates(theme.templates.iter().map(|(name, source)| (name.as_str(), source.as_str())))
            .map_err(template_error)?;
        tera.global_context().insert("site", site);
        Ok(Renderer { tera })
    }

    pub fn render(&self, template: &str, context: &impl Serialize) -> Result<String, Diagnostic> {
        let context = Context::from_serialize(context).map_err(template_error)?;
        self.render_context(template, context)
    }

    /// Renders `template` with a context already made.
    pub fn render_context(&self, template: &str, context: Context) -> Result<String, Diagnostic> {
        self.tera.render(template, &context).map_err(template_error)
    }
}

/// Tera's own report already has the template, line and caret.
pub(crate) fn template_error(err: tera::Error) -> Diagnostic {
    let report = err.to_string();
    Diagnostic::error(format!("template error: {}", report.strip_prefix("error: ").unwrap_or(&report)))
}
