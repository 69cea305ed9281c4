//! Pages through Tera: the theme's templates compiled once, site-wide data
//! in the global context, one typed context per page. Pages render in
//! parallel; the caller decides where the bytes go.

pub mod site;
pub mod theme;
pub mod views;

pub use site::{Page, Site};

use serde::Serialize;
use tera::{Context, Tera};

use crate::diag::Diagnostic;

pub struct Renderer {
    tera: Tera,
}

impl Renderer {
    /// Compiles the theme. Template syntax errors come back as diagnostics.
    pub fn new(theme: &theme::Theme, site: &views::SiteView) -> Result<Renderer, Diagnostic> {
        let mut tera = Tera::new();
        tera.add_raw_templates(theme.templates.iter().map(|(name, source)| (name.as_str(), source.as_str())))
            .map_err(template_error)?;
        tera.global_context().insert("site", site);
        Ok(Renderer { tera })
    }

    pub fn render(&self, template: &str, context: &impl Serialize) -> Result<String, Diagnostic> {
        let context = Context::from_serialize(context).map_err(template_error)?;
        self.tera.render(template, &context).map_err(template_error)
    }
}

/// Tera's own report already has the template, line and caret.
fn template_error(err: tera::Error) -> Diagnostic {
    let report = err.to_string();
    Diagnostic::error(format!("template error: {}", report.strip_prefix("error: ").unwrap_or(&report)))
}

/// The output file of a site path: `/a/b/` → `a/b/index.html`.
pub fn output_file(path: &str) -> String {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') { format!("{trimmed}index.html") } else { trimmed.to_string() }
}

/// The output folder of a site path: `/a/b/` → `a/b/`, `/a/b.html` → `a/`.
pub fn output_dir(path: &str) -> String {
    let file = output_file(path);
    match file.rfind('/') {
        Some(at) => file[..=at].to_string(),
        None => String::new(),
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
