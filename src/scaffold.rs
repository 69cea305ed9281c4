//! `new` and `init`: the files an author starts from.

use std::fs;
use std::path::{Path, PathBuf};

use crate::config;
use crate::diag::Error;
use crate::diag::Failed;
use crate::driver::now;
use crate::text::slugify;

/// Writes `content/<category>/<today>-<slug>.md` with its front matter filled
/// in, and returns its path. Refuses an undeclared category and an existing
/// file.
pub fn new_article(root: &Path, category: &str, title: &str, author: Option<&str>) -> Result<PathBuf, Error> {
    let config = config::load(root).map_err(|diagnostics| Failed { diagnostics })?;
    if config.category(category).is_none() {
        let declared: Vec<&str> = config.categories.iter().map(|c| c.slug.as_str()).collect();
        return Err(Error::Usage(format!(
            "category `{category}` is not declared in config.toml; the declared categories are {}",
            crate::keys::list(&declared)
        )));
    }
    let title = title.trim();
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(Error::Usage("the title needs letters or digits to make a file name from".to_string()));
    }
    let now = now()?.to_zoned_datetime(config.timezone.clone());
    let rel = format!("content/{category}/{}-{slug}.md", now.strftime("%Y-%m-%d"));
    let path = root.join(&rel);
    if path.exists() {
        return Err(Error::Usage(format!("{rel} already exists; broadsheet new never overwrites a file")));
    }
    // An author given by name becomes its profile key when there is one.
    let author = author
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| config.authors.iter().find(|p| p.slug == a || p.name == a).map_or(a.to_string(), |p| p.slug.clone()));
    let authors = author.map(|a| quote(&a)).unwrap_or_default();
    let text = format!(
        "+++\ntitle = {}\ndescription = \"\"\ndate = {}\nauthors = [{authors}]\ntags = []\n+++\n",
        quote(title),
        crate::parse::frontmatter::rfc3339(&now),
    );
    fs::create_dir_all(path.parent().expect("a file under content/ has a parent"))
        .and_then(|()| fs::OpenOptions::new().write(true).create_new(true).open(&path))
        .and_then(|mut file| std::io::Write::write_all(&mut file, text.as_bytes()))
        .map_err(|e| Error::Io(anyhow::anyhow!("cannot write {rel}: {e}")))?;
    Ok(PathBuf::from(rel))
}

/// A TOML basic string on one line, as an author would write it (toml's
/// own writer picks a `"""` literal for text with quotes in it).
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes a minimal working site into `dir`, which must be empty or new.
pub fn init(dir: &Path) -> Result<Vec<String>, Error> {
    if dir.exists() {
        let empty = fs::read_dir(dir)
            .map_err(|e| Error::Usage(format!("cannot read {}: {e}", dir.display())))?
            .next()
            .is_none();
        if !empty {
            return Err(Error::Usage(format!(
                "{} is not empty; init writes a new site only into an empty folder",
                dir.display()
            )));
        }
    }
    let today = now()?.to_zoned_datetime(jiff::tz::TimeZone::UTC).strftime("%Y-%m-%d").to_string();
    let files = [
        ("config.toml".to_string(), CONFIG.to_string()),
        (format!("content/news/{today}-welcome.md"), NEWS.to_string()),
        (
            format!("content/opinion/{today}-why-we-publish.md"),
            OPINION.replace("news/WELCOME", &format!("news/{today}-welcome.md")),
        ),
    ];
    for (rel, text) in &files {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().expect("every file has a parent"))
            .and_then(|()| fs::write(&path, text))
            .map_err(|e| Error::Io(anyhow::anyhow!("cannot write {}: {e}", path.display())))?;
    }
    Ok(files.into_iter().map(|(rel, _)| rel).collect())
}

const CONFIG: &str = r#"# Site settings: see the broadsheet README for every key.
title = "The New Ledger"
base_url = "https://news.example.com"
description = "Local news, checked twice."
language = "en"
timezone = "UTC"

# Every folder under content/ is a category, declared here, in menu order.
[categories.news]
name = "News"
description = "What happened, and why it matters."

[categories.opinion]
name = "Opinion"
description = "Arguments, signed."
"#;

const NEWS: &str = r#"+++
title = "The Ledger Opens Its Newsroom"
description = "A new local publication starts with two sections and a promise to correct its mistakes in public."
authors = ["Newsroom Staff"]
tags = ["announcements"]
+++

The Ledger published its first stories today. Every article is written in
Markdown under `content/`, checked by `broadsheet build`, and published only
when nothing is wrong with it.

## What's Next

Write your own article with `broadsheet new news "Your headline"`.
"#;

const OPINION: &str = r#"+++
title = "Why We Publish Our Corrections"
description = "Readers deserve to see what we got wrong, and when we fixed it."
authors = ["The Editors"]
tags = ["announcements", "standards"]
further_context = [{ path = "news/WELCOME", note = "the launch of the newsroom" }]
+++

A newsroom that hides its mistakes asks readers to trust it blindly. We
would rather earn that trust one correction at a time.
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_strings_read_back_as_written() {
        for text in ["plain", "with \"quotes\" and \\ backslash", "tab\there", "ünïcode ’curly’"] {
            let parsed: toml::Table = toml::from_str(&format!("v = {}", quote(text))).unwrap();
            assert_eq!(parsed["v"].as_str(), Some(text));
        }
        assert_eq!(quote("a \"b\""), "\"a \\\"b\\\"\"");
    }
}
