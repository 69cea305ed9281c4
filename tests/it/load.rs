//! `serve` under load and over time, on loopback, bounded and
//! self-stopping: 200 clients fetching pages or holding event streams
//! while files are edited every 50 ms. No request fails, the server does
//! not crash, and after the last edit every served file equals a fresh
//! `build --base-url`. The server's resident memory is sampled each second
//! and printed as a curve.
//!
//! CI runs it for `BROADSHEET_LOAD_SECONDS` (default 10); the campaign in
//! the README runs it for 120 seconds, and the soak for 600.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::serve::{eventually, get, serve, without_script};
use crate::support::{Site, snapshot};

const CLIENTS: usize = 200;
/// Of the clients, how many hold an event stream open (a browser tab each).
const LISTENERS: usize = 50;
const ARTICLES: usize = 40;

fn seconds() -> u64 {
    std::env::var("BROADSHEET_LOAD_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10)
}

fn article(n: usize, edit: usize) -> String {
    let paragraph = format!("Edit {edit} of story {n}: the harbour board met and won't say more until Friday. ");
    format!(
        "+++\ntitle = \"Story {n}\"\ndescription = \"Story {n}, edit {edit}.\"\ntags = [\"ports\"]\n+++\n\n{}\n\n## Background\n\n{}\n",
        paragraph.repeat(8),
        paragraph.repeat(4)
    )
}

/// The server's resident memory in KiB, from /proc.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|line| line.strip_prefix("VmRSS:")?.trim().strip_suffix(" kB")?.parse().ok())
}

/// Fetches `path` over a fresh connection and returns the status, or why
/// there was none.
fn fetch(address: &str, path: &str) -> Result<u16, String> {
    let mut stream = TcpStream::connect(address).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| format!("read {path}: {e}"))?;
    let head = String::from_utf8_lossy(&raw[..raw.len().min(64)]).into_owned();
    head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or(format!("no status line for {path}: {head:?}"))
}

/// Holds an event stream open and reads it until `stop`, reconnecting if
/// the server closes it. Returns the number of reload events heard.
fn listen(address: &str, stop: &AtomicBool, errors: &Mutex<Vec<String>>) -> usize {
    let mut heard = 0;
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut stream) = TcpStream::connect(address) else {
            errors.lock().unwrap().push("connect to the event stream refused".into());
            return heard;
        };
        stream.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
        write!(stream, "GET /__broadsheet/events HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n")
            .unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(_) if line.starts_with("HTTP/1.1 200") => {}
            other => {
                errors.lock().unwrap().push(format!("event stream answered {line:?} {other:?}"));
                return heard;
            }
        }
        while !stop.load(Ordering::Relaxed) {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) => break,
                Ok(_) => heard += usize::from(line.starts_with("data:")),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(e) => {
                    errors.lock().unwrap().push(format!("event stream: {e}"));
                    return heard;
                }
            }
        }
    }
    heard
}

#[test]
fn two_hundred_clients_while_files_change_every_50_ms() {
    let site = Site::new(&[]);
    for n in 0..ARTICLES {
        site.write(&format!("content/world/2025-02-{:02}-story-{n}.md", 1 + n % 28), &article(n, 0));
    }
    let built = tempfile::tempdir().unwrap();
    site.run(&["build", "--output", built.path().join("site").to_str().unwrap()]).success();
    let server = serve(&site);
    let address = server.url.trim_start_matches("http://").to_string();
    let pages: Arc<Vec<String>> = Arc::new(
        snapshot(&built.path().join("site"))
            .keys()
            .map(|rel| format!("/{}", rel.display()))
            .chain(["/".to_string(), "/world/".to_string()])
            .collect(),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let served = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (address, pages, stop, errors, served) =
            (address.clone(), pages.clone(), stop.clone(), errors.clone(), served.clone());
        clients.push(std::thread::spawn(move || {
            if client < LISTENERS {
                return listen(&address, &stop, &errors);
            }
            let mut rng = fastrand::Rng::with_seed(client as u64);
            while !stop.load(Ordering::Relaxed) {
                // Mostly pages that exist; now and then one that never did.
                let path = if rng.u8(..10) == 0 { "/no/such/page/" } else { &pages[rng.usize(..pages.len())] };
                match fetch(&address, path) {
                    Ok(200 | 304) => {}
                    // A page of an article being rewritten can be missing
                    // for one rebuild: 404 is an answer, never for "/".
                    Ok(404) if path != "/" => {}
                    Ok(status) => errors.lock().unwrap().push(format!("{path}: {status}")),
                    Err(e) => errors.lock().unwrap().push(e),
                }
                served.fetch_add(1, Ordering::Relaxed);
            }
            0
        }));
    }
    // Edits every 50 ms: rewrite a story, add one, delete the one added.
    let start = Instant::now();
    let mut curve = Vec::new();
    let mut edit = 0;
    while start.elapsed() < Duration::from_secs(seconds()) {
        edit += 1;
        match edit % 3 {
            0 => {
                let n = edit % ARTICLES;
                site.write(&format!("content/world/2025-02-{:02}-story-{n}.md", 1 + n % 28), &article(n, edit));
            }
            1 => site.write("content/sport/2025-03-09-added.md", &article(99, edit)),
            _ => {
                let _ = std::fs::remove_file(site.root().join("content/sport/2025-03-09-added.md"));
            }
        }
        if curve.len() < start.elapsed().as_secs() as usize {
            curve.push(rss_kib(server.pid).expect("the server is running") / 1024);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    let heard: usize = clients.into_iter().map(|c| c.join().unwrap()).sum();
    let errors = errors.lock().unwrap();
    eprintln!(
        "{} s, {edit} edits, {} requests, {heard} reload events; resident MiB each second: {curve:?}",
        seconds(),
        served.load(Ordering::Relaxed)
    );
    assert!(errors.is_empty(), "{} failed requests, the first: {:?}", errors.len(), &errors[..errors.len().min(5)]);
    assert!(heard >= LISTENERS, "the listeners heard {heard} reloads");
    // Memory stays flat: the last quarter of the run uses no more than the
    // second quarter, give or take what one rebuild holds.
    let quarter = curve.len() / 4;
    if quarter > 0 {
        let (second, last) =
            (curve[quarter..2 * quarter].iter().max().unwrap(), curve[3 * quarter..].iter().max().unwrap());
        assert!(*last <= second + second / 4 + 16, "resident memory grew: {curve:?}");
    }
    // After the last edit, the served site is the built site.
    let out = tempfile::tempdir().unwrap();
    let expected_dir = out.path().join("site");
    site.run(&["build", "--output", expected_dir.to_str().unwrap(), "--base-url", &server.url]).success();
    let expected = snapshot(&expected_dir);
    eventually("the last edit to be served as built", || {
        expected.iter().all(|(path, bytes)| {
            let reply = get(&server, &format!("/{}", path.display()));
            reply.status == 200 && without_script(&reply.body) == *bytes
        })
    });
}

/// Clients that send half a request, or ask for pages and never read them,
/// do not hold up anyone else.
#[test]
fn slow_clients_do_not_stall_others() {
    let site = Site::new(&[]);
    site.write("static/big.bin", &"x".repeat(8 * 1024 * 1024));
    let server = serve(&site);
    let address = server.url.trim_start_matches("http://").to_string();
    let mut slow = Vec::new();
    for n in 0..100 {
        let mut stream = TcpStream::connect(&address).unwrap();
        if n % 2 == 0 {
            // Half a request line, then nothing.
            stream.write_all(b"GET /world/harbour-reopens/ HT").unwrap();
        } else {
            // A big file, never read.
            write!(stream, "GET /big.bin HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
        }
        slow.push(stream);
    }
    for _ in 0..20 {
        let start = Instant::now();
        assert_eq!(fetch(&address, "/world/harbour-reopens/"), Ok(200));
        // A stalled server would never answer; a busy machine answers late.
        assert!(start.elapsed() < Duration::from_secs(10), "a request took {:?} beside slow clients", start.elapsed());
    }
    drop(slow);
}
