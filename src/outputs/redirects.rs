//! Moved articles: a redirect page at each alias (a meta refresh, the
//! canonical URL and a plain link, kept out of search indexes) and one
//! `_redirects` file with a permanent redirect per alias, for the hosts
//! that read it (Netlify, Cloudflare Pages) and redirect before any page
//! loads.

use pulldown_cmark_escape::escape_html;

use crate::config::Config;
use crate::parse::Article;

/// The page at an alias of `article`.
pub fn page(config: &Config, article: &Article) -> Vec<u8> {
    let attr = |text: &str| {
        let mut out = String::with_capacity(text.len());
        escape_html(&mut out, text).expect("writing to a String cannot fail");
        out
    };
    let (url, title, site, language) =
        (attr(&article.url), attr(&article.front.title), attr(&config.title), attr(&config.language));
    format!(
        "<!doctype html>\n<html lang=\"{language}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{title} — {site}</title>\n<meta name=\"robots\" content=\"noindex\">\n\
<link rel=\"canonical\" href=\"{url}\">\n<meta http-equiv=\"refresh\" content=\"0; url={url}\">\n</head>\n\
<body>\n<main>\n<h1>{title}</h1>\n<p>This article has moved to <a href=\"{url}\">{url}</a>.</p>\n</main>\n</body>\n</html>\n"
    )
    .into_bytes()
}

/// `_redirects`: `<alias> <site path> 301`, one line per alias, sorted.
pub fn file<'a>(articles: impl Iterator<Item = &'a Article>) -> Vec<u8> {
    let mut lines: Vec<String> = articles
        .flat_map(|article| {
            article.front.aliases.iter().map(move |alias| format!("{} {} 301", alias.path, article.path))
        })
        .collect();
    lines.sort();
    let mut text = lines.join("\n");
    text.push('\n');
    text.into_bytes()
}
