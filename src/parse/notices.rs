//! Corrections and updates: the dated notes a story gathers after it runs,
//! rendered from Markdown like the body, each with an anchor of its own,
//! newest first.

use std::collections::HashSet;

use jiff::ZonedDateTime;

use super::frontmatter::Notice;
use super::markdown::{self, Body, Origin, Resolve};
use crate::diag::Diagnostic;

/// A correction or an update as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rendered {
    pub date: ZonedDateTime,
    /// Its anchor on the article's page.
    pub id: String,
    pub html: String,
    /// The text without markup: for feeds and structured data.
    pub plain: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Correction,
    Update,
}

impl Kind {
    fn table(self) -> &'static str {
        match self {
            Kind::Correction => "corrections",
            Kind::Update => "updates",
        }
    }
}

/// Renders `notices` of the article at `rel` (whose file is `file_text`),
/// newest first. Their links and images join `body`'s, to be resolved and
/// checked like the body's own; `taken` holds the ids already on the page.
#[allow(clippy::too_many_arguments)]
pub fn render(
    kind: Kind,
    notices: &[Notice],
    rel: &str,
    file_text: &str,
    taken: &mut HashSet<String>,
    resolve: &dyn Resolve,
    body: &mut Body,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Rendered> {
    let mut order: Vec<&Notice> = notices.iter().collect();
    // Newest first; notices of the same instant in the order written.
    order.sort_by_key(|notice| std::cmp::Reverse(notice.date.timestamp()));
    let mut rendered = Vec::with_capacity(order.len());
    for notice in order {
        if let Some(problem) = markdown::notice_problem(&notice.text, kind == Kind::Correction) {
            let rule = match kind {
                Kind::Correction => "a correction is one paragraph of Markdown",
                Kind::Update => "an update is Markdown without headings or footnotes",
            };
            diags.push(
                Diagnostic::error(format!("the `text` of a `[[{}]]` entry has {problem}", kind.table()))
                    .at(notice.text_location.clone())
                    .hint(rule),
            );
            continue;
        }
        let Some(id) = anchor(kind, notice, taken, diags) else { continue };
        let origin = Origin { rel, file_text, text: &notice.text, at: notice.text_at.clone() };
        let text = markdown::render(&origin, resolve, diags);
        body.links.extend(text.links);
        body.site_links.extend(text.site_links);
        body.assets.extend(text.assets);
        rendered.push(Rendered {
            date: notice.date.clone(),
            id,
            html: text.html,
            plain: markdown::plain_text(&notice.text),
        });
    }
    rendered
}

/// The notice's anchor: an update's own `id`, else `correction-<date>` or
/// `update-<date>-<hhmm>` in the site's time zone, made unique with `-2`,
/// `-3`, … . An `id` already on the page is an error.
fn anchor(kind: Kind, notice: &Notice, taken: &mut HashSet<String>, diags: &mut Vec<Diagnostic>) -> Option<String> {
    if let Some(id) = &notice.id {
        if !taken.insert(id.clone()) {
            diags.push(
                Diagnostic::error(format!("the update id `{id}` is already an anchor of this article"))
                    .at(notice.location.clone())
                    .hint("a heading or another update has it; give this update another `id`"),
            );
            return None;
        }
        return Some(id.clone());
    }
    let base = match kind {
        Kind::Correction => format!("correction-{}", notice.date.strftime("%Y-%m-%d")),
        Kind::Update => format!("update-{}", notice.date.strftime("%Y-%m-%d-%H%M")),
    };
    let mut id = base.clone();
    let mut n = 1;
    while !taken.insert(id.clone()) {
        n += 1;
        id = format!("{base}-{n}");
    }
    Some(id)
}
