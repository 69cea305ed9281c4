//! Pages through Tera: the theme's templates compiled once, site-wide data
//! in the global context, one typed context per page ([`pages`]), keyed so
//! that an unchanged page need not be rendered again ([`key`]). Pages
//! render in parallel; the caller decides where the bytes go.

pub mod card;
pub mod key;
pub mod pages;
pub mod views;

pub use pages::{PageSink, Pages, Summaries, Views};

use serde::Serialize;
use tera::{Context, Tera};

use crate::diag::Diagnostic;
use crate::load::theme::Theme;

pub struct Renderer {
    tera: std::sync::Arc<Tera>,
}

impl Renderer {
    /// Compiles the theme. Template syntax errors come back as diagnostics.
    pub fn new(theme: &Theme, site: &views::SiteView) -> Result<Renderer, Diagnostic> {
        let mut tera = Tera::new();
        let templates = std::sync::Arc::new(std::sync::OnceLock::new());
        tera.register_function("card", card::Card::new(templates.clone()));
        tera.add_raw_templates(theme.templates.iter().map(|(name, source)| (name.as_str(), source.as_str())))
            .map_err(template_error)?;
        tera.global_context().insert("site", site);
        let tera = std::sync::Arc::new(tera);
        let _ = templates.set(std::sync::Arc::downgrade(&tera));
        Ok(Renderer { tera })
    }

    pub fn render(&self, template: &str, context: &impl Serialize) -> Result<Vec<u8>, Diagnostic> {
        let context = Context::from_serialize(context).map_err(template_error)?;
        self.render_context(template, context)
    }

    /// Renders `template` with a context already made. Into bytes, which
    /// is what the page becomes: `Tera::render` checks its whole output
    /// is UTF-8 to return a `String`, and it is, since every part is a
    /// `str`.
    pub fn render_context(&self, template: &str, context: Context) -> Result<Vec<u8>, Diagnostic> {
        // Most pages fit (an article page of the benchmark's corpus is
        // 20-30 KB): one allocation, not five doublings.
        let mut page = Vec::with_capacity(32 * 1024);
        self.tera.render_to(template, &context, &mut page).map_err(template_error)?;
        Ok(page)
    }
}

/// Tera's own report already has the template, line and caret.
pub(crate) fn template_error(err: tera::Error) -> Diagnostic {
    Diagnostic::error(format!("template error: {}", report(&err)))
}

/// Tera's report of `err`, without its `error: ` heading.
fn report(err: &tera::Error) -> String {
    let report = err.to_string();
    if let Some(rest) = report.strip_prefix("error: ") {
        return rest.to_owned();
    }
    report
}
