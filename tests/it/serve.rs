//! `serve`: a real server on a free loopback port, real HTTP requests, and
//! files edited under it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{NOW, Site, snapshot};

pub(crate) struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub(crate) url: String,
    pub(crate) pid: u32,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn serve(site: &Site) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_broadsheet"))
        .args(["serve", "--port", "0"])
        .current_dir(site.root())
        .env("SOURCE_DATE_EPOCH", NOW)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    // "Serving . at http://127.0.0.1:PORT/ (press Ctrl-C to stop)"
    let url = line
        .split(" at ")
        .nth(1)
        .and_then(|rest| rest.split('/').take(3).collect::<Vec<_>>().join("/").into())
        .unwrap();
    Server { pid: child.id(), child, url }
}

pub(crate) struct Reply {
    pub(crate) status: u16,
    headers: String,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim().to_string())
        })
    }
}

/// One HTTP/1.1 request, the path sent exactly as given.
pub(crate) fn request(server: &Server, method: &str, path: &str) -> Reply {
    let address = server.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let headers = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = headers.split_whitespace().nth(1).unwrap().parse().unwrap();
    Reply { status, headers, body: raw[split + 4..].to_vec() }
}

pub(crate) fn get(server: &Server, path: &str) -> Reply {
    request(server, "GET", path)
}

/// Polls until `check` holds (rebuilds are asynchronous), or fails.
pub(crate) fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for: {what}");
}

/// The served HTML without the live-reload script.
pub(crate) fn without_script(body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    match (text.rfind("<script data-file="), text.rfind("</script>\n</body>")) {
        (Some(start), Some(end)) => {
            let mut out = text[..start].to_string();
            out.push_str(&text[end + "</script>\n".len()..]);
            out.into_bytes()
        }
        _ => body.to_vec(),
    }
}

#[test]
fn serves_the_site_with_content_types_redirects_and_the_404_page() {
    let site = Site::new(&[]);
    let server = serve(&site);
    let home = get(&server, "/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type").as_deref(), Some("text/html; charset=utf-8"));
    assert!(home.text().contains(r#"<script data-file="index.html" data-etag=""#), "live reload injected");
    assert!(home.text().contains(r#"new EventSource("/__broadsheet/events?" + asked)"#));
    assert!(
        home.text().contains(&format!("<link rel=\"canonical\" href=\"{}/\">", server.url)),
        "links point at the server"
    );
    assert_eq!(get(&server, "/style.css").header("content-type").as_deref(), Some("text/css; charset=utf-8"));
    assert_eq!(get(&server, "/feed.xml").header("content-type").as_deref(), Some("text/xml; charset=utf-8"));
    let head = request(&server, "HEAD", "/world/harbour-reopens/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let redirect = get(&server, "/world");
    assert_eq!(redirect.status, 308);
    assert_eq!(redirect.header("location").as_deref(), Some("/world/"));
    let missing = get(&server, "/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("Page not found"));
    assert!(!site.root().join("public").exists(), "serve never writes public/");
}

#[test]
fn requests_that_leave_the_site_are_refused() {
    let site = Site::new(&[]);
    let server = serve(&site);
    for path in [
        "/../config.toml",
        "/%2e%2e/config.toml",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/world/..%2f..%2fconfig.toml",
        "/..\\config.toml",
        "/world/%2e%2e/%2e%2e/config.toml",
        "//etc/passwd",
        // Double encoded, overlong UTF-8, NUL, absolute form.
        "/%252e%252e/config.toml",
        "/%c0%ae%c0%ae/config.toml",
        "/%e0%80%ae%e0%80%ae/config.toml",
        "/%00",
        "/world%00/",
        "/world/%00../../config.toml",
        "http://localhost/../config.toml",
        "http://localhost/%2e%2e/config.toml",
        "/%5c..%5cconfig.toml",
    ] {
        let reply = get(&server, path);
        assert!([400, 404].contains(&reply.status), "{path}: {}", reply.status);
        assert!(!reply.text().contains("base_url"), "{path} leaked config.toml");
        assert!(!reply.text().contains("root:"), "{path} leaked a system file");
    }
    // A very long path is refused as too long, and the server goes on.
    let long = format!("/{}", "a/".repeat(50_000));
    assert_eq!(get(&server, &long).status, 414);
    assert_eq!(get(&server, "/world/harbour-reopens/").status, 200);
}

#[test]
fn edits_show_up_and_a_broken_edit_keeps_the_last_good_site() {
    let site = Site::new(&[]);
    let server = serve(&site);
    let article = "content/world/2025-03-01-harbour-reopens.md";
    let original = site.read(article);
    site.write(article, &original.replace("The harbour reopened on Saturday.", "The harbour reopened on Sunday."));
    eventually("the edit to be served", || {
        get(&server, "/world/harbour-reopens/").text().contains("reopened on Sunday")
    });

    site.write(article, &original.replace("title =", "tittle ="));
    eventually("the error to be reported", || {
        first_events(&server, "/__broadsheet/events").contains("unknown front-matter key `tittle`")
    });
    // The last good site is still served.
    assert!(get(&server, "/world/harbour-reopens/").text().contains("reopened on Sunday"));

    site.write(article, &original);
    eventually("the fix to be served", || {
        get(&server, "/world/harbour-reopens/").text().contains("reopened on Saturday")
    });
}

#[test]
fn a_save_keeps_the_highlighted_code_of_the_sites_builds() {
    // serve's builds share the site's cache folder: a save renders only
    // the edited body, and must not take that for all the code there is.
    let site = Site::new(&[]);
    site.write(
        "content/world/2025-03-02-tally.md",
        "+++\ntitle = \"Tally\"\n+++\nThe count:\n\n```rust\nfn tally_votes() -> u32 { 42 }\n```\n",
    );
    site.run(&["build"]).success();
    let memo = site.root().join(".public.broadsheet-cache/highlight");
    let holds_the_block = || String::from_utf8_lossy(&std::fs::read(&memo).unwrap_or_default()).contains("tally_votes");
    assert!(holds_the_block());
    let server = serve(&site);
    let article = "content/world/2025-03-01-harbour-reopens.md";
    site.write(article, &site.read(article).replace("reopened on Saturday", "reopened on Sunday"));
    eventually("the edit to be served", || {
        get(&server, "/world/harbour-reopens/").text().contains("reopened on Sunday")
    });
    assert!(holds_the_block(), "the save dropped the code it did not render");
}

/// What the event stream at `path` sends first (the response head and the
/// events sent on connecting), read for up to a second.
fn first_events(server: &Server, path: &str) -> String {
    let mut stream = TcpStream::connect(server.url.trim_start_matches("http://")).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut buffer = vec![0u8; 16384];
    let mut read = 0;
    while let Ok(n) = stream.read(&mut buffer[read..]) {
        if n == 0 {
            break;
        }
        read += n;
    }
    String::from_utf8_lossy(&buffer[..read]).into_owned()
}

/// The `data-NAME` attribute of the injected script.
fn script_attribute(page: &str, name: &str) -> Option<String> {
    let tag = &page[page.rfind("<script data-file=")?..];
    let tag = &tag[..tag.find('>')?];
    let value = tag.split(&format!(" data-{name}=\"")).nth(1)?;
    Some(value[..value.find('"')?].replace("&quot;", "\""))
}

#[test]
fn a_tab_that_listens_after_a_save_hears_of_it() {
    // A tab is served, the article is saved before its script connects:
    // the stream must say at once that its page changed, or the tab would
    // wait for a save that already happened.
    let site = Site::new(&[]);
    let server = serve(&site);
    let page = get(&server, "/world/harbour-reopens/").text();
    let file = script_attribute(&page, "file").unwrap();
    let etag = script_attribute(&page, "etag").unwrap();
    assert_eq!(file, "world/harbour-reopens/index.html");
    let events = |etag: &str| {
        let query = format!("file={}&etag={}", file.replace('/', "%2F"), etag.replace('"', "%22"));
        first_events(&server, &format!("/__broadsheet/events?{query}"))
    };
    let changed = r#"event: changed
data: ["world/harbour-reopens/index.html"]"#;
    assert!(!events(&etag).contains(changed), "nothing was missed yet");

    let article = "content/world/2025-03-01-harbour-reopens.md";
    site.write(article, &site.read(article).replace("reopened on Saturday", "reopened on Sunday"));
    eventually("the edit to be served", || {
        get(&server, "/world/harbour-reopens/").text().contains("reopened on Sunday")
    });
    assert!(events(&etag).contains(changed), "the missed save is told");
    // A page served as the 404 page hears when its file appears.
    let missing = get(&server, "/world/later/");
    assert_eq!(missing.status, 404);
    assert_eq!(script_attribute(&missing.text(), "file").as_deref(), Some("world/later/index.html"));
    assert_eq!(script_attribute(&missing.text(), "etag"), None);
}

#[test]
fn the_served_site_equals_a_build_after_edits_renames_and_deletions() {
    let site = Site::new(&[]);
    let server = serve(&site);
    let steps: [&dyn Fn(&Site); 4] = [
        &|s| s.write("content/world/2025-03-05-new.md", "+++\ntitle = \"New\"\ntags = [\"ports\"]\n+++\nBody.\n"),
        &|s| {
            std::fs::rename(
                s.root().join("content/world/2025-03-05-new.md"),
                s.root().join("content/sport/2025-03-06-moved.md"),
            )
            .unwrap()
        },
        &|s| std::fs::remove_file(s.root().join("content/sport/2025-03-02-final-score.md")).unwrap(),
        &|s| s.write("config.toml", &s.read("config.toml").replace("Fixture Gazette", "Fixture Times")),
    ];
    for (n, step) in steps.iter().enumerate() {
        step(&site);
        let out = tempfile::tempdir().unwrap();
        let expected_dir = out.path().join("site");
        site.run(&["build", "--output", expected_dir.to_str().unwrap(), "--base-url", &server.url]).success();
        let expected = snapshot(&expected_dir);
        eventually(&format!("step {n} to be served as built"), || {
            expected.iter().all(|(path, bytes)| {
                let reply = get(&server, &format!("/{}", path.display()));
                reply.status == 200 && without_script(&reply.body) == *bytes
            })
        });
    }
}

#[test]
fn a_site_that_does_not_build_yet_shows_its_errors_and_recovers() {
    let site = Site::new(&["errors/unknown-key"]);
    let server = serve(&site);
    let waiting = get(&server, "/");
    assert_eq!(waiting.status, 503);
    assert!(waiting.text().contains(r#"<script data-file="index.html">"#), "the overlay script is there");
    std::fs::remove_file(site.root().join("content/world/2025-03-03-typo.md")).unwrap();
    eventually("the fixed site to be served", || get(&server, "/").status == 200);
}

#[test]
fn a_source_folder_created_after_the_start_is_watched() {
    let site = Site::new(&[]);
    let server = serve(&site);
    site.write("static/extra.css", "a { color: red; }");
    eventually("the new static file to be served", || get(&server, "/extra.css").status == 200);
    site.write("static/extra.css", "a { color: blue; }");
    eventually("an edit inside the new folder to be served", || get(&server, "/extra.css").text().contains("blue"));
}
