//! Embeds: figures, pull quotes, fact boxes, video, charts and the rest,
//! written in a body as a fenced block whose info string names the embed in
//! braces, with its arguments as TOML:
//!
//! ````markdown
//! ```{figure}
//! src = "crowd.jpg"
//! alt = "Dock workers gather at the port gates at dawn"
//! caption = "Workers gathered before the *6 a.m.* shift."
//! ```
//! ````
//!
//! Each embed is a template `templates/embeds/<name>.html` with its
//! arguments declared in `templates/embeds/<name>.toml` (type, required,
//! default). The newsroom theme ships the built-in ones; a site's own
//! `templates/embeds/` adds embeds or overrides them, file by file, like
//! any other template. Arguments are checked against the declaration like
//! front matter: an unknown embed or argument is an error with a "did you
//! mean", a wrong type or a missing file an error at the value.

use std::collections::BTreeMap;

use tera::{Context, Tera};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::frontmatter::TextAt;
use super::markdown::{self, Body, InlineRef, Origin, Resolve};
use crate::diag::{Diagnostic, Location};
use crate::keys;
use crate::text::{did_you_mean, smarten};

/// The embeds a site can use: declarations, and their templates compiled.
pub struct Embeds {
    defs: BTreeMap<String, Def>,
    tera: Tera,
}

/// One embed's declaration.
#[derive(Debug)]
pub struct Def {
    pub name: String,
    pub args: Vec<Arg>,
    /// What structured data the embed adds to the article's JSON-LD.
    pub schema: Option<Schema>,
    /// Sets of arguments of which a call must give at least one.
    pub one_of: Vec<Vec<String>>,
    /// Of the declaration and the template: a body rendered with another
    /// version of the embed is stale.
    pub fingerprint: u64,
}

#[derive(Debug)]
pub struct Arg {
    pub name: String,
    pub kind: Kind,
    pub required: bool,
    pub default: Option<serde_json::Value>,
}

/// The type of an argument, and what a template receives for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text, with typographic punctuation.
    String,
    /// Markdown, rendered to HTML paragraphs.
    Markdown,
    /// One paragraph of Markdown, rendered to inline HTML: a caption.
    InlineMarkdown,
    Integer,
    Bool,
    /// A list of strings.
    List,
    /// A list of Markdown items, each rendered to HTML.
    MarkdownList,
    /// A local image (resolved, with its size and variants) or a URL.
    Image,
    /// A list of `{ src, alt, caption, credit }` tables.
    Images,
    /// A local file, such as an audio clip.
    File,
    /// `youtube:<id>`, `vimeo:<id>` or a local video file.
    Video,
    /// An `@/category/file.md` reference to another article.
    Article,
    /// An absolute `https://` URL.
    Url,
}

const KINDS: [(&str, Kind); 13] = [
    ("string", Kind::String),
    ("markdown", Kind::Markdown),
    ("inline-markdown", Kind::InlineMarkdown),
    ("integer", Kind::Integer),
    ("bool", Kind::Bool),
    ("list", Kind::List),
    ("markdown-list", Kind::MarkdownList),
    ("image", Kind::Image),
    ("images", Kind::Images),
    ("file", Kind::File),
    ("video", Kind::Video),
    ("article", Kind::Article),
    ("url", Kind::Url),
];

impl Kind {
    fn name(self) -> &'static str {
        KINDS.iter().find(|(_, k)| *k == self).map_or("?", |(n, _)| n)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// Each image argument becomes an `ImageObject`.
    ImageObject,
    /// The `video` argument becomes a `VideoObject`.
    VideoObject,
}

/// A declaration file as written.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDef {
    #[allow(dead_code)]
    description: Option<String>,
    schema: Option<String>,
    #[serde(default)]
    one_of: Vec<Vec<String>>,
    #[serde(default)]
    args: toml::Table,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArg {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    required: bool,
    default: Option<toml::Value>,
    #[allow(dead_code)]
    description: Option<String>,
}

impl Default for Embeds {
    fn default() -> Embeds {
        Embeds { defs: BTreeMap::new(), tera: Tera::new() }
    }
}

impl Embeds {
    /// Reads the declarations and compiles the templates of `files`
    /// (`figure.html`, `figure.toml`, … under templates/embeds/), each
    /// shown in errors by its entry in `origins`.
    pub fn new(
        files: &BTreeMap<String, String>,
        origins: &BTreeMap<String, String>,
        diags: &mut Vec<Diagnostic>,
    ) -> Embeds {
        let shown = |name: &str| {
            let key = format!("embeds/{name}");
            origins.get(&key).cloned().unwrap_or_else(|| format!("templates/{key}"))
        };
        let mut embeds = Embeds::default();
        let mut templates = Vec::new();
        for (file, text) in files {
            let Some((name, extension)) = file.rsplit_once('.') else { continue };
            match extension {
                "toml" => {
                    let template = format!("{name}.html");
                    let Some(html) = files.get(&template) else {
                        diags.push(
                            Diagnostic::error(format!("embed `{name}` is declared but has no template"))
                                .at(Location::file(&shown(file)))
                                .hint(format!("add templates/embeds/{template}")),
                        );
                        continue;
                    };
                    if let Some(def) = declaration(name, text, &shown(file), html, diags) {
                        embeds.defs.insert(name.to_string(), def);
                        templates.push((template, html.as_str()));
                    }
                }
                "html" if !files.contains_key(&format!("{name}.toml")) => diags.push(
                    Diagnostic::error(format!("embed template `{file}` has no declaration"))
                        .at(Location::file(&shown(file)))
                        .hint(format!("declare its arguments in templates/embeds/{name}.toml")),
                ),
                _ => {}
            }
        }
        for (template, html) in templates {
            if let Err(err) = embeds.tera.add_raw_template(&template, html) {
                let report = err.to_string();
                let report = report.strip_prefix("error: ").unwrap_or(&report).to_string();
                diags
                    .push(Diagnostic::error(format!("template error: {report}")).at(Location::file(&shown(&template))));
                embeds.defs.remove(template.trim_end_matches(".html"));
            }
        }
        embeds
    }

    pub fn get(&self, name: &str) -> Option<&Def> {
        self.defs.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.defs.keys().map(String::as_str)
    }

    pub fn render(&self, name: &str, context: &serde_json::Value) -> Result<String, String> {
        let context = Context::from_serialize(context).map_err(|e| e.to_string())?;
        self.tera.render(&format!("{name}.html"), &context).map_err(|e| {
            let report = e.to_string();
            report.strip_prefix("error: ").unwrap_or(&report).to_string()
        })
    }
}

/// Parses the declaration of the embed `name`.
fn declaration(name: &str, text: &str, shown: &str, html: &str, diags: &mut Vec<Diagnostic>) -> Option<Def> {
    let source = keys::Source { path: shown, file_text: text, offset: 0 };
    let raw: RawDef = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(err) => {
            diags.push(keys::toml_error(&err, source));
            return None;
        }
    };
    // At the argument's table where it can be found, else at the file.
    let at = |arg: Option<&str>| {
        let header = arg.and_then(|arg| text.find(&format!("[args.{arg}]")).map(|at| (at, arg.len() + 7)));
        match header {
            Some((at, len)) => Location::span(shown, text, at..at + len),
            None => Location::file(shown),
        }
    };
    let problem = |message: String, hint: String| Diagnostic::error(message).at(at(None)).hint(hint);
    let problem_of = |arg: &str, message: String, hint: String| Diagnostic::error(message).at(at(Some(arg))).hint(hint);
    let schema = match raw.schema.as_deref() {
        None => None,
        Some("ImageObject") => Some(Schema::ImageObject),
        Some("VideoObject") => Some(Schema::VideoObject),
        Some(other) => {
            diags.push(problem(
                format!("unknown schema `{other}` in embed `{name}`"),
                "the schemas an embed can add to JSON-LD are `ImageObject` and `VideoObject`".into(),
            ));
            None
        }
    };
    let mut args = Vec::new();
    for (arg, value) in raw.args {
        let raw: RawArg = match value.try_into() {
            Ok(raw) => raw,
            Err(err) => {
                let hint = "an argument is a table: type = \"string\", required = true, default = …".to_string();
                diags.push(problem_of(&arg, format!("argument `{arg}` of embed `{name}`: {}", err.message()), hint));
                continue;
            }
        };
        let Some(&(_, kind)) = KINDS.iter().find(|(n, _)| *n == raw.kind) else {
            let names: Vec<&str> = KINDS.iter().map(|(n, _)| *n).collect();
            let hint = match did_you_mean(&raw.kind, names.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("the types are {}", keys::list(&names)),
            };
            diags.push(problem_of(
                &arg,
                format!("argument `{arg}` of embed `{name}` has unknown type `{}`", raw.kind),
                hint,
            ));
            continue;
        };
        let default = match raw.default.map(|d| default_value(kind, d)) {
            Some(Ok(value)) => Some(value),
            Some(Err(())) => {
                let article = if kind.name().starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
                diags.push(problem_of(
                    &arg,
                    format!("the default of argument `{arg}` of embed `{name}` is not {article} {}", kind.name()),
                    "defaults are allowed for string, integer, bool and list arguments".into(),
                ));
                continue;
            }
            None => None,
        };
        args.push(Arg { name: arg, kind, required: raw.required, default });
    }
    for set in &raw.one_of {
        for arg in set {
            if !args.iter().any(|a| a.name == *arg) {
                diags.push(problem(
                    format!("`one_of` of embed `{name}` names `{arg}`, which is not one of its arguments"),
                    "declare it under [args] or remove it from `one_of`".into(),
                ));
            }
        }
    }
    let fingerprint = xxhash_rust::xxh3::xxh3_64(format!("{text}\0{html}").as_bytes());
    Some(Def { name: name.to_string(), args, schema, one_of: raw.one_of, fingerprint })
}

fn default_value(kind: Kind, value: toml::Value) -> Result<serde_json::Value, ()> {
    match (kind, value) {
        (Kind::String, toml::Value::String(s)) => Ok(smarten(&s).into()),
        (Kind::Integer, toml::Value::Integer(i)) => Ok(i.into()),
        (Kind::Bool, toml::Value::Boolean(b)) => Ok(b.into()),
        (Kind::List, toml::Value::Array(items)) => {
            let items: Result<Vec<serde_json::Value>, ()> =
                items.into_iter().map(|i| i.as_str().map(|s| smarten(s).into()).ok_or(())).collect();
            items.map(serde_json::Value::Array)
        }
        _ => Err(()),
    }
}

/// The name of the embed a code block's info string calls: `{figure}`.
pub fn name_of(info: &str) -> Option<&str> {
    let name = info.trim().strip_prefix('{')?.strip_suffix('}')?.trim();
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')).then_some(name)
}

/// One embed as written in a body.
pub struct Call<'a> {
    pub name: &'a str,
    /// The arguments, TOML.
    pub code: &'a str,
    /// Where `code` starts in the origin's text, when it sits there
    /// verbatim (not inside a block quote, say); errors then point at the
    /// argument, else at the block.
    pub code_at: Option<usize>,
    /// The whole fenced block in the origin's text.
    pub block: std::ops::Range<usize>,
    /// Its number in the article, from 1: for ids.
    pub number: usize,
}

/// An embed rendered: the page's HTML, and the feed's where it differs.
pub struct Expanded {
    pub html: String,
    pub feed_html: String,
}

/// Where an embed is being expanded, and what it learns on the way.
pub struct Expander<'a, 'b> {
    pub origin: &'b Origin<'a>,
    pub resolve: &'b dyn Resolve,
    pub body: &'b mut Body,
    pub diags: &'b mut Vec<Diagnostic>,
}

impl Expander<'_, '_> {
    fn block_location(&self, call: &Call) -> Location {
        let line_end = self.origin.text[call.block.clone()].find('\n').map_or(call.block.end, |n| call.block.start + n);
        self.origin.location(&(call.block.start..line_end))
    }

    /// The location of `span` within the call's arguments.
    fn at(&self, call: &Call, span: std::ops::Range<usize>) -> Location {
        match call.code_at {
            Some(at) => self.origin.location(&(at + span.start..at + span.end)),
            None => self.block_location(call),
        }
    }

    /// Renders the embed `call`, or reports why it cannot be.
    pub fn expand(&mut self, call: &Call) -> Option<Expanded> {
        let Some(def) = self.resolve.embed(call.name) else {
            let names: Vec<&str> = self.resolve.embed_names();
            let hint = match did_you_mean(call.name, names.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None if names.is_empty() => "the theme declares no embeds".to_string(),
                None => format!("the embeds are {}", keys::list(&names)),
            };
            let at = self.block_location(call);
            self.diags
                .push(Diagnostic::error(format!("unknown embed `{}`", call.name)).at(at).label("here").hint(hint));
            return None;
        };
        let table = match DeTable::parse(call.code) {
            Ok(table) => table.into_inner(),
            Err(err) => {
                let diag = Diagnostic::error(format!("in embed `{}`: {}", call.name, err.message()));
                let at = match err.span() {
                    Some(span) => self.at(call, span),
                    None => self.block_location(call),
                };
                self.diags.push(diag.at(at));
                return None;
            }
        };
        let known: Vec<&str> = def.args.iter().map(|a| a.name.as_str()).collect();
        let mut fine = true;
        // An argument a hint already suggests is not reported missing too.
        let mut suggested = Vec::new();
        for (key, _) in table.iter() {
            let name: &str = key.get_ref();
            if known.contains(&name) {
                continue;
            }
            fine = false;
            let hint = match did_you_mean(name, known.iter().copied()) {
                Some(close) => {
                    suggested.push(close.to_string());
                    format!("did you mean `{close}`?")
                }
                None => format!("`{}` takes {}", call.name, keys::list(&known)),
            };
            let message = format!("unknown argument `{name}` of embed `{}`", call.name);
            self.diags.push(Diagnostic::error(message).at(self.at(call, key.span())).label("unknown").hint(hint));
        }
        let mut context = serde_json::Map::new();
        let mut media = Vec::new();
        for arg in &def.args {
            let value = match table.get(arg.name.as_str()) {
                Some(value) => match self.value(call, arg, value, &mut media) {
                    Some(value) => value,
                    None => {
                        fine = false;
                        continue;
                    }
                },
                None if arg.required => {
                    fine = false;
                    if suggested.contains(&arg.name) {
                        continue;
                    }
                    let message = format!("embed `{}` needs `{}`", call.name, arg.name);
                    let hint = format!("add {} = … (of type {}) to the block", arg.name, arg.kind.name());
                    self.diags.push(Diagnostic::error(message).at(self.block_location(call)).hint(hint));
                    continue;
                }
                None => arg.default.clone().unwrap_or(serde_json::Value::Null),
            };
            context.insert(arg.name.clone(), value);
        }
        for set in &def.one_of {
            if !set.iter().any(|arg| table.get(arg.as_str()).is_some()) {
                fine = false;
                let names: Vec<&str> = set.iter().map(String::as_str).collect();
                let message = format!("embed `{}` needs one of {}", call.name, keys::list(&names));
                self.diags.push(Diagnostic::error(message).at(self.block_location(call)));
            }
        }
        if !fine {
            return None;
        }
        context.insert("id".into(), format!("embed-{}", call.number).into());
        self.structured_data(def, &context, media);
        let mut render = |feed: bool| {
            context.insert("feed".into(), feed.into());
            let value = serde_json::Value::Object(context.clone());
            self.resolve.render_embed(call.name, &value)
        };
        let (html, feed_html) = match (render(false), render(true)) {
            (Ok(html), Ok(feed_html)) => (html, feed_html),
            (Err(report), _) | (_, Err(report)) => {
                let message = format!("template error in embed `{}`: {report}", call.name);
                self.diags.push(Diagnostic::error(message).at(self.block_location(call)));
                return None;
            }
        };
        if feed_html.to_ascii_lowercase().contains("<script") {
            let message = format!("embed `{}` writes a <script> into feeds", call.name);
            let hint = "feeds carry plain HTML: leave scripts out of the template when `feed` is true";
            self.diags.push(Diagnostic::error(message).at(self.block_location(call)).hint(hint));
            return None;
        }
        Some(Expanded { html: html.trim().to_string() + "\n", feed_html: feed_html.trim().to_string() + "\n" })
    }

    /// What a template receives for `arg`, checked against its type.
    fn value(
        &mut self,
        call: &Call,
        arg: &Arg,
        value: &Spanned<DeValue>,
        media: &mut Vec<serde_json::Value>,
    ) -> Option<serde_json::Value> {
        let span = value.span();
        let wrong = |this: &mut Self, what: &str| {
            let message = format!("`{}` of embed `{}` must be {what}", arg.name, call.name);
            this.diags.push(Diagnostic::error(message).at(this.at(call, span.clone())).label("here"));
            None
        };
        match (arg.kind, value.get_ref()) {
            (Kind::String, DeValue::String(s)) => {
                let text = smarten(s.trim());
                if text.is_empty() && arg.required {
                    return wrong(self, "a non-empty string");
                }
                if arg.name == "alt" {
                    self.alt_check(call, &text, span.clone())?;
                }
                Some(text.into())
            }
            (Kind::String, _) => wrong(self, "a string"),
            (Kind::Markdown, DeValue::String(s)) => Some(self.markdown(call, s, span, Flow::Block).into()),
            (Kind::InlineMarkdown, DeValue::String(s)) => Some(self.markdown(call, s, span, Flow::Inline).into()),
            (Kind::Markdown | Kind::InlineMarkdown, _) => wrong(self, "a string of Markdown"),
            (Kind::Integer, DeValue::Integer(i)) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(n.into()),
                Err(_) => wrong(self, "an integer that fits 64 bits"),
            },
            (Kind::Integer, _) => wrong(self, "an integer"),
            (Kind::Bool, DeValue::Boolean(b)) => Some((*b).into()),
            (Kind::Bool, _) => wrong(self, "true or false"),
            (Kind::List | Kind::MarkdownList, DeValue::Array(items)) => {
                let mut out: Vec<serde_json::Value> = Vec::with_capacity(items.len());
                for item in items.iter() {
                    let DeValue::String(s) = item.get_ref() else {
                        let message = format!("each item of `{}` of embed `{}` must be a string", arg.name, call.name);
                        self.diags
                            .push(Diagnostic::error(message).at(self.at(call, item.span())).label("not a string"));
                        return None;
                    };
                    out.push(match arg.kind {
                        Kind::List => smarten(s.trim()).into(),
                        _ => self.markdown(call, s, item.span(), Flow::Item).into(),
                    });
                }
                if out.is_empty() && arg.required {
                    return wrong(self, "a list of at least one item");
                }
                Some(out.into())
            }
            (Kind::List | Kind::MarkdownList, _) => wrong(self, "a list of strings"),
            (Kind::Image, DeValue::String(src)) => {
                let image = self.image(call, src, span)?;
                media.push(image.clone());
                Some(image)
            }
            (Kind::Image, _) => wrong(self, "an image file name or URL"),
            (Kind::Images, DeValue::Array(items)) if !items.is_empty() => {
                let mut out = Vec::with_capacity(items.len());
                for item in items.iter() {
                    let DeValue::Table(table) = item.get_ref() else {
                        return wrong(self, "a list of { src = \"…\", alt = \"…\" } tables");
                    };
                    let entry = self.gallery_image(call, arg, table, item.span())?;
                    media.push(entry.clone());
                    out.push(entry);
                }
                Some(out.into())
            }
            (Kind::Images, _) => wrong(self, "a list of { src = \"…\", alt = \"…\" } tables, at least one"),
            (Kind::File, DeValue::String(src)) => self.file(call, src, span),
            (Kind::File, _) => wrong(self, "a file name beside the article"),
            (Kind::Video, DeValue::String(s)) => self.video(call, s, span),
            (Kind::Video, _) => wrong(self, "`youtube:<id>`, `vimeo:<id>` or a video file"),
            (Kind::Article, DeValue::String(s)) if s.starts_with("@/") => self.article(call, &s[2..], span),
            (Kind::Article, _) => wrong(self, "a reference such as \"@/politics/2026-11-03-budget.md\""),
            (Kind::Url, DeValue::String(s)) if s.starts_with("https://") && s.len() > "https://".len() => {
                Some(s.to_string().into())
            }
            (Kind::Url, _) => wrong(self, "an https:// URL"),
        }
    }

    fn alt_check(&mut self, call: &Call, alt: &str, span: std::ops::Range<usize>) -> Option<()> {
        if alt.is_empty() {
            let message = format!("`alt` of embed `{}` is empty", call.name);
            let hint = "describe what the image shows, for readers who cannot see it";
            self.diags.push(Diagnostic::error(message).at(self.at(call, span)).hint(hint));
            return None;
        }
        if let Some(problem) = super::frontmatter::poor_alt(alt, None, None) {
            let hint = "describe what the image shows: who, what, where";
            self.diags.push(Diagnostic::warning(problem).at(self.at(call, span)).hint(hint));
        }
        Some(())
    }

    /// Markdown in an argument, rendered like the body (its links and
    /// images resolved and checked with the body's), as `flow` says.
    fn markdown(&mut self, call: &Call, text: &str, span: std::ops::Range<usize>, flow: Flow) -> String {
        let at = match call.code_at {
            Some(at) => {
                let value = self.origin.absolute(&(at + span.start..at + span.end));
                // Where the string sits unescaped after its quotes, its
                // errors can point at the very character.
                let file = self.origin.file_text;
                let verbatim = [1, 3, 4, 5].into_iter().map(|skip| value.start + skip).find(|&start| {
                    start + text.len() <= value.end && file.get(start..start + text.len()) == Some(text)
                });
                match verbatim {
                    Some(start) => TextAt::Verbatim(start),
                    None => TextAt::Within(value),
                }
            }
            None => TextAt::Within(self.origin.absolute(&call.block)),
        };
        if let Some(problem) = markdown::notice_problem(text, flow == Flow::Inline) {
            let message = format!("the Markdown of embed `{}` has {problem}", call.name);
            let hint =
                "an embed's text is paragraphs, lists and inline markup: headings and footnotes belong to the body";
            self.diags.push(Diagnostic::error(message).at(self.at(call, span)).hint(hint));
            return String::new();
        }
        let origin = Origin { rel: self.origin.rel, file_text: self.origin.file_text, text, at };
        let inner = markdown::render(&origin, self.resolve, self.diags);
        self.body.links.extend(inner.links);
        self.body.site_links.extend(inner.site_links);
        self.body.assets.extend(inner.assets);
        let html = inner.html.trim();
        let single = html.strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>")).filter(|h| !h.contains("<p>"));
        match (single, flow) {
            (Some(unwrapped), Flow::Inline | Flow::Item) => unwrapped.to_string(),
            _ => html.to_string(),
        }
    }

    /// An image: a local file (with its size and variants) or a URL.
    fn image(&mut self, call: &Call, src: &str, span: std::ops::Range<usize>) -> Option<serde_json::Value> {
        match markdown::local_image(src, self.origin.rel, self.resolve) {
            Some(Ok(asset)) => {
                let srcset = markdown::srcset(&asset);
                let value = serde_json::json!({
                    "url": asset.url,
                    "width": asset.size.map(|s| s.0),
                    "height": asset.size.map(|s| s.1),
                    "srcset": srcset,
                    "sizes": srcset.as_ref().map(|_| markdown::SIZES),
                });
                self.body.assets.push(asset);
                Some(value)
            }
            Some(Err(missing)) => {
                self.diags.push(missing.at(self.at(call, span)));
                None
            }
            None if src.starts_with("https://") || src.starts_with("http://") || src.starts_with('/') => {
                self.record_site_link(src, true, call, span);
                Some(serde_json::json!({ "url": src, "width": null, "height": null, "srcset": null, "sizes": null }))
            }
            None => {
                let message = format!("`{src}` is neither a file beside the article nor a URL");
                self.diags.push(Diagnostic::error(message).at(self.at(call, span)));
                None
            }
        }
    }

    fn record_site_link(&mut self, url: &str, image: bool, call: &Call, span: std::ops::Range<usize>) {
        let link = markdown::site_link(self.resolve, url, image, || self.at(call, span));
        self.body.site_links.extend(link);
    }

    /// One entry of a gallery: `{ src, alt, caption, credit }`.
    fn gallery_image(
        &mut self,
        call: &Call,
        arg: &Arg,
        table: &DeTable,
        span: std::ops::Range<usize>,
    ) -> Option<serde_json::Value> {
        const KEYS: [&str; 4] = ["src", "alt", "caption", "credit"];
        let mut fine = true;
        for (key, _) in table.iter() {
            let name: &str = key.get_ref();
            if KEYS.contains(&name) {
                continue;
            }
            fine = false;
            let hint = match did_you_mean(name, KEYS) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("an image of `{}` takes {}", arg.name, keys::list(&KEYS)),
            };
            let message = format!("unknown key `{name}` in an image of `{}`", arg.name);
            self.diags.push(Diagnostic::error(message).at(self.at(call, key.span())).label("unknown").hint(hint));
        }
        let text = |key: &str| match table.get(key).map(|v| (v.get_ref(), v.span())) {
            Some((DeValue::String(s), span)) => Some((s.to_string(), span)),
            _ => None,
        };
        let Some((src, src_span)) = text("src") else {
            let message = format!("an image of `{}` in embed `{}` has no `src`", arg.name, call.name);
            self.diags.push(Diagnostic::error(message).at(self.at(call, span)).hint("add src = \"photo.jpg\""));
            return None;
        };
        let Some((alt, alt_span)) = text("alt") else {
            let message = format!("an image of `{}` in embed `{}` has no `alt` text", arg.name, call.name);
            let hint = "add alt = \"…\" describing what the image shows";
            self.diags.push(Diagnostic::error(message).at(self.at(call, span)).hint(hint));
            return None;
        };
        let alt = smarten(alt.trim());
        self.alt_check(call, &alt, alt_span)?;
        let image = self.image(call, &src, src_span)?;
        let caption = text("caption").map(|(c, span)| self.markdown(call, &c, span, Flow::Inline));
        let credit = text("credit").map(|(c, _)| smarten(c.trim()));
        fine.then(|| serde_json::json!({ "src": image, "alt": alt, "caption": caption, "credit": credit }))
    }

    /// A local file, such as an audio clip.
    fn file(&mut self, call: &Call, src: &str, span: std::ops::Range<usize>) -> Option<serde_json::Value> {
        let found = markdown::is_relative(src)
            .then(|| markdown::join_relative(self.origin.rel, src))
            .flatten()
            .and_then(|path| self.resolve.asset(self.origin.rel, &path));
        let Some(asset) = found else {
            let message = format!("file `{src}` not found beside the article");
            let hint = "place the file in the article's folder under content/";
            self.diags.push(Diagnostic::error(message).at(self.at(call, span)).hint(hint));
            return None;
        };
        let value = serde_json::json!({ "url": asset.url, "type": media_type(src) });
        self.body.assets.push(asset);
        Some(value)
    }

    /// `youtube:<id>`, `vimeo:<id>`, or a local video file.
    fn video(&mut self, call: &Call, value: &str, span: std::ops::Range<usize>) -> Option<serde_json::Value> {
        let bad = |this: &mut Self, message: String| {
            let hint = "write youtube:<11-character id>, vimeo:<number> or the name of a video file beside the article";
            this.diags.push(Diagnostic::error(message).at(this.at(call, span.clone())).hint(hint));
            None
        };
        if let Some(id) = value.strip_prefix("youtube:") {
            let valid = id.len() == 11 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                return bad(self, format!("`{id}` is not a YouTube video id"));
            }
            return Some(serde_json::json!({
                "provider": "YouTube",
                "id": id,
                // The no-cookie host sets no cookie until the video plays.
                "embed_url": format!("https://www.youtube-nocookie.com/embed/{id}?autoplay=1"),
                "link": format!("https://www.youtube.com/watch?v={id}"),
                "url": null,
                "type": null,
            }));
        }
        if let Some(id) = value.strip_prefix("vimeo:") {
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
                return bad(self, format!("`{id}` is not a Vimeo video id"));
            }
            return Some(serde_json::json!({
                "provider": "Vimeo",
                "id": id,
                "embed_url": format!("https://player.vimeo.com/video/{id}?autoplay=1&dnt=1"),
                "link": format!("https://vimeo.com/{id}"),
                "url": null,
                "type": null,
            }));
        }
        if value.contains(':') {
            return bad(self, format!("`{value}` is not a video this embed knows"));
        }
        let mut file = self.file(call, value, span.clone())?;
        file["provider"] = serde_json::Value::Null;
        file["embed_url"] = serde_json::Value::Null;
        file["link"] = file["url"].clone();
        Some(file)
    }

    /// A reference to another article: its URL, headline, kicker and dek.
    fn article(&mut self, call: &Call, target: &str, span: std::ops::Range<usize>) -> Option<serde_json::Value> {
        let (path, anchor) = super::frontmatter::split_anchor(target);
        let location = self.at(call, span);
        let card = self.resolve.article_card(&path);
        self.body.links.push(InlineRef { path, anchor: anchor.clone(), location });
        // A reference to an article that is not published is reported by
        // the graph, like every other reference.
        let card = card.unwrap_or_default();
        let url = match &anchor {
            Some(anchor) => format!("{}#{anchor}", card.url),
            None => card.url.clone(),
        };
        Some(serde_json::json!({ "url": url, "headline": card.headline, "kicker": card.kicker, "dek": card.dek }))
    }

    /// The embed's ImageObject or VideoObject, for the article's JSON-LD.
    fn structured_data(
        &mut self,
        def: &Def,
        context: &serde_json::Map<String, serde_json::Value>,
        images: Vec<serde_json::Value>,
    ) {
        let text = |key: &str| context.get(key).and_then(|v| v.as_str()).map(str::to_string);
        let plain = |key: &str| text(key).map(|html| markdown::strip_tags(&html));
        match def.schema {
            None => {}
            Some(Schema::ImageObject) => {
                for image in images {
                    // A gallery entry holds its image under `src`.
                    let (src, caption, credit) = match image.get("src") {
                        Some(src) => (
                            src.clone(),
                            image["caption"].as_str().map(markdown::strip_tags).or_else(|| plain("caption")),
                            image["credit"].as_str().map(str::to_string).or_else(|| text("credit")),
                        ),
                        None => (image, plain("caption"), text("credit")),
                    };
                    let mut object = serde_json::json!({ "@type": "ImageObject", "contentUrl": src["url"] });
                    for (key, value) in [("width", &src["width"]), ("height", &src["height"])] {
                        if !value.is_null() {
                            object[key] = value.clone();
                        }
                    }
                    if let Some(caption) = caption {
                        object["caption"] = caption.into();
                    }
                    if let Some(credit) = credit {
                        object["creditText"] = credit.into();
                    }
                    self.body.media.push(object);
                }
            }
            Some(Schema::VideoObject) => {
                let Some(video) = context.get("video") else { return };
                let mut object = serde_json::json!({ "@type": "VideoObject" });
                if let Some(title) = text("title") {
                    object["name"] = title.into();
                }
                if let Some(caption) = plain("caption") {
                    object["description"] = caption.into();
                }
                if !video["embed_url"].is_null() {
                    object["embedUrl"] = video["embed_url"].clone();
                }
                if !video["url"].is_null() {
                    object["contentUrl"] = video["url"].clone();
                }
                if let Some(poster) = context.get("poster").filter(|p| !p.is_null()) {
                    object["thumbnailUrl"] = poster["url"].clone();
                }
                self.body.media.push(object);
            }
        }
    }
}

/// How Markdown in an argument sits in its embed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    /// Paragraphs.
    Block,
    /// One paragraph, unwrapped: a caption.
    Inline,
    /// A list item: one paragraph is unwrapped, several are kept.
    Item,
}

/// The article an `article` argument names, as an embed shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Card {
    pub url: String,
    pub headline: String,
    pub kicker: String,
    pub dek: Option<String>,
}

/// The media type of a local audio or video file, by its extension.
fn media_type(name: &str) -> Option<&'static str> {
    let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "ogg" | "oga" => "audio/ogg",
        "opus" => "audio/opus",
        "wav" => "audio/wav",
        "flac" => "audio/flac",
        "mp4" | "m4v" => "video/mp4",
        "webm" => "video/webm",
        "ogv" => "video/ogg",
        "mov" => "video/quicktime",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_name_in_braces_calls_an_embed() {
        assert_eq!(name_of("{figure}"), Some("figure"));
        assert_eq!(name_of(" { pull-quote } "), Some("pull-quote"));
        for info in ["figure", "{}", "{fig ure}", "{figure", "rust {figure}", "{<script>}"] {
            assert_eq!(name_of(info), None, "{info}");
        }
    }

    #[test]
    fn a_declaration_reads_its_arguments_in_order() {
        let files = BTreeMap::from([
            (
                "map.toml".to_string(),
                "[args.place]\ntype = \"string\"\nrequired = true\n[args.zoom]\ntype = \"integer\"\ndefault = 9\n"
                    .to_string(),
            ),
            ("map.html".to_string(), "{{ place }}".to_string()),
        ]);
        let mut diags = Vec::new();
        let embeds = Embeds::new(&files, &BTreeMap::new(), &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        let def = embeds.get("map").unwrap();
        let args: Vec<(&str, Kind, bool)> = def.args.iter().map(|a| (a.name.as_str(), a.kind, a.required)).collect();
        assert_eq!(args, [("place", Kind::String, true), ("zoom", Kind::Integer, false)]);
        assert_eq!(def.args[1].default, Some(serde_json::json!(9)));
        assert_eq!(embeds.render("map", &serde_json::json!({ "place": "<Quay>" })).unwrap(), "&lt;Quay&gt;");
    }

    #[test]
    fn media_types_by_extension() {
        assert_eq!(media_type("clip.MP3"), Some("audio/mpeg"));
        assert_eq!(media_type("clip.webm"), Some("video/webm"));
        assert_eq!(media_type("clip"), None);
    }
}
