//! The HTTP side of `serve`: files of the built site from memory, the
//! live-reload script injected into HTML, and the event stream.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::{Notice, Shared};
use crate::packed::Packed;

/// Where the live-reload script listens.
pub const EVENTS: &str = "/__broadsheet/events";
const SCRIPT: &str = include_str!("reload.js");

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().route(EVENTS, get(events)).fallback(file).with_state(shared)
}

/// What a tab says when it listens: the file its page was served from and
/// that file's ETag then (none when the page was the 404 or "does not
/// build yet" page).
#[derive(Debug, serde::Deserialize)]
struct Listener {
    file: Option<String>,
    etag: Option<String>,
}

/// Server-sent events: first what the tab missed between being served and
/// listening (the current errors; its page, if it changed since), then
/// every notice. A save in that gap must not be lost: the tab would show
/// a stale page until the next one.
async fn events(
    State(shared): State<Arc<Shared>>,
    Query(listener): Query<Listener>,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    // Subscribe before looking, so that a rebuild after the look is sent.
    let later = BroadcastStream::new(shared.notices.subscribe()).filter_map(Result::ok);
    let mut missed = Vec::new();
    if let Some(errors) = shared.errors.read().unwrap_or_else(|e| e.into_inner()).clone() {
        missed.push(Notice::Errors(errors));
    }
    if let Some(file) = listener.file {
        let files = shared.files.read().unwrap_or_else(|e| e.into_inner());
        // Until the site first builds there is nothing newer to show.
        let stale =
            !files.is_empty() && files.get(file.as_str()).map(|file| etag(file.packed.stored())) != listener.etag;
        drop(files);
        if stale {
            missed.push(Notice::Changed(vec![file]));
        }
    }
    let stream = tokio_stream::iter(missed).chain(later).map(|notice| {
        Ok(match notice {
            Notice::Changed(files) => Event::default().event("changed").json_data(files),
            Notice::Errors(errors) => Event::default().event("errors").json_data(errors),
        }
        .expect("a list of strings serializes"))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// One file of the site: `/a/` is `a/index.html`, `/a` redirects to `/a/`
/// when that is a folder, anything else is the site's 404 page.
async fn file(State(shared): State<Arc<Shared>>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let Some(path) = site_path(uri.path()) else {
        return (StatusCode::BAD_REQUEST, "bad path").into_response();
    };
    let file = if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.clone() };
    match find(&shared, &file, &path) {
        Found::NotBuilt => {
            // The site has not built yet: a page that shows the errors (the
            // script's overlay) and reloads once a save fixes them.
            let page =
                b"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>broadsheet</title></head>\
<body><p>The site does not build yet.</p></body></html>";
            respond(StatusCode::SERVICE_UNAVAILABLE, "index.html", page, Page { file: &file, etag: None })
        }
        Found::File(packed) => {
            // A reload asks again for the stylesheets and images of the page:
            // those that did not change are answered "not modified".
            let tag = etag(packed.stored());
            if headers.get(header::IF_NONE_MATCH).is_some_and(|asked| asked.as_bytes() == tag.as_bytes()) {
                return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response();
            }
            let mut response = respond(StatusCode::OK, &file, &packed.bytes(), Page { file: &file, etag: Some(&tag) });
            let value = HeaderValue::from_str(&tag).expect("hex digits are a valid header");
            response.headers_mut().insert(header::ETAG, value);
            response
        }
        Found::Folder => {
            let location = format!("/{path}/");
            (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, location)]).into_response()
        }
        // The tab reloads when the missing file appears.
        Found::Missing(Some(page)) => {
            respond(StatusCode::NOT_FOUND, "404.html", &page.bytes(), Page { file: &file, etag: None })
        }
        Found::Missing(None) => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// What a request for `file` (the site path `path`) finds.
enum Found {
    /// No build has succeeded yet.
    NotBuilt,
    File(Packed),
    /// `path` is a folder: the request is redirected to `path/`.
    Folder,
    /// Nothing: the site's 404 page, if it has one, is shown.
    Missing(Option<Packed>),
}

/// Looks `file` up, holding the served files only while looking: a
/// rebuild changes them in place.
fn find(shared: &Shared, file: &str, path: &str) -> Found {
    let files = shared.files.read().unwrap_or_else(|e| e.into_inner());
    if files.is_empty() {
        return Found::NotBuilt;
    }
    if let Some(found) = files.get(file) {
        return Found::File(found.packed.clone());
    }
    if let Some(found) = shared.search.read().unwrap_or_else(|e| e.into_inner()).get(file) {
        return Found::File(found.packed.clone());
    }
    if files.contains_key(format!("{path}/index.html").as_str()) {
        return Found::Folder;
    }
    Found::Missing(files.get("404.html").map(|page| page.packed.clone()))
}

/// The file path a request names, or `None` for anything that could
/// leave the site: `..` (also percent-encoded), an encoded `/`, a
/// backslash or NUL (raw or encoded), or a path that is not UTF-8. Only
/// files of the built site are ever served: they live in memory, so no
/// request reaches the disk.
pub fn site_path(raw: &str) -> Option<String> {
    if raw.to_ascii_lowercase().contains("%2f") {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8().ok()?;
    let path = decoded.strip_prefix('/')?;
    if path.contains(['\\', '\0'])
        || path.starts_with('/')
        || path.split('/').any(|segment| segment == ".." || segment == ".")
        || path.contains("//")
    {
        return None;
    }
    Some(path.to_string())
}

/// The file a page was served for and its ETag then (`None` when it does
/// not exist), told to the injected script so that it can ask for what
/// it missed.
struct Page<'a> {
    file: &'a str,
    etag: Option<&'a str>,
}

/// `bytes` with the content type of `name`; HTML gets the live-reload
/// script for `page`.
fn respond(status: StatusCode, name: &str, bytes: &[u8], page: Page) -> Response {
    let mime = mime_guess::from_path(name).first_or_octet_stream();
    let html = mime.essence_str() == "text/html";
    let content_type = if mime.type_() == "text" || mime.essence_str() == "application/javascript" {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_string()
    };
    let body = if html { inject(bytes, &page) } else { bytes.to_vec() };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(&content_type).expect("a MIME type is a valid header"));
    // Always asked again: the point of serve is to see the latest save.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// A validator of a file's bytes as held (see [`crate::packed::Packed::stored`]):
/// a 64-bit hash and the length, enough for a local preview (the injected
/// script is the same for every page, so HTML needs nothing more).
fn etag(bytes: &[u8]) -> String {
    use std::hash::Hasher;
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(bytes);
    format!("\"{:016x}-{:x}\"", hasher.finish(), bytes.len())
}

/// The page with the live-reload script before its last `</body>`.
fn inject(html: &[u8], page: &Page) -> Vec<u8> {
    let etag = page.etag.map(|tag| format!(" data-etag=\"{}\"", attribute(tag))).unwrap_or_default();
    let script = format!("<script data-file=\"{}\"{etag}>{SCRIPT}</script>\n", attribute(page.file));
    let at = html.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// `text` escaped for a double-quoted HTML attribute.
fn attribute(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_site_are_refused() {
        assert_eq!(site_path("/world/naval/").as_deref(), Some("world/naval/"));
        assert_eq!(site_path("/caf%C3%A9.png").as_deref(), Some("café.png"));
        // Decoded once: a double-encoded dot is a file name, never `..`.
        assert_eq!(site_path("/%252e%252e/x").as_deref(), Some("%2e%2e/x"));
        for bad in [
            "/../config.toml",
            "/%2e%2e/config.toml",
            "/a/%2E%2E/%2e%2e/x",
            "/a%2f..%2f..%2fx",
            "/..\\x",
            "/a/./b",
            "//etc/passwd",
            "/%00",
            // Found by the request_path fuzz target: a raw NUL.
            "/se\u{10}\0\0\0\0\0\0\0i",
            "/a%5c..%5cx",
            "/%252e%252e/x/../y",
            // Overlong UTF-8 for `.` and `/`: not UTF-8, so refused.
            "/%c0%ae%c0%ae/x",
            "/%c0%af",
            "/%e0%80%ae%e0%80%ae/x",
            "C:\\x",
            "x",
        ] {
            assert_eq!(site_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let page = Page { file: "a/\"b\".html", etag: Some("\"12-3\"") };
        let text = String::from_utf8(inject(b"<html><body>a</body></html>", &page)).unwrap();
        assert!(
            text.starts_with(r#"<html><body>a<script data-file="a/&quot;b&quot;.html" data-etag="&quot;12-3&quot;">"#)
        );
        assert!(text.ends_with("</script>\n</body></html>"));
    }
}
