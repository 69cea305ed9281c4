//! `serve`: builds the site in memory, serves it over HTTP on loopback, and
//! rebuilds when a source file changes, telling open tabs over server-sent
//! events to reload (or to show the build's errors, while the last good
//! site stays served). public/ is never touched.

mod http;
mod preview;
mod watch;

pub use http::site_path;
pub use preview::Preview;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::broadcast;

use crate::diag::Error;
use crate::driver::SiteOptions;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub site: SiteOptions,
    pub bind: IpAddr,
    /// The first port to try; the next free one is taken when it is busy.
    /// 0 lets the system choose.
    pub port: u16,
    /// Print each rebuild's phase times.
    pub timings: bool,
}

/// Every file of a site built in memory, by output path.
pub type Files = rustc_hash::FxHashMap<std::sync::Arc<str>, File>;

/// One file of a site built in memory.
#[derive(Debug)]
pub struct File {
    /// Packed when it is a page (see [`crate::packed`]).
    pub packed: crate::packed::Packed,
    /// A page's key (see [`crate::render::key`]): the next build takes the
    /// page from here while its key holds.
    pub key: Option<crate::render::key::Key>,
    /// The last build that had this file, by number: a build marks the
    /// files it keeps as they are, and the others it did not make are gone
    /// (see [`Preview::build`]). Atomic, so that the build's threads mark
    /// the files the server reads meanwhile.
    pub built: std::sync::atomic::AtomicU32,
}

impl File {
    pub fn new(packed: crate::packed::Packed, key: Option<crate::render::key::Key>) -> File {
        File { packed, key, built: Default::default() }
    }
}

impl Clone for File {
    fn clone(&self) -> File {
        let built = self.built.load(std::sync::atomic::Ordering::Relaxed).into();
        File { packed: self.packed.clone(), key: self.key, built }
    }
}

/// What a rebuild tells the open tabs.
#[derive(Debug, Clone)]
pub enum Notice {
    /// Output files whose bytes changed.
    Changed(Vec<String>),
    /// The rebuild failed: every diagnostic, rendered.
    Errors(Vec<String>),
}

/// The served site, shared by the HTTP handlers and the watcher.
pub struct Shared {
    /// The builder, with what it keeps from one build to the next.
    pub site: Mutex<Preview>,
    /// The files of the last good build, which each rebuild changes in
    /// place (see [`Preview::build`]): held only while a request looks.
    pub files: Arc<RwLock<Files>>,
    /// The search index, made once in the background (see
    /// [`preview::search_index`]): served beside the files.
    pub search: RwLock<Arc<Files>>,
    /// The errors of the last build, if it failed.
    pub errors: RwLock<Option<Vec<String>>>,
    /// The warnings of the last good build, as printed.
    pub warned: Mutex<Vec<String>>,
    pub notices: broadcast::Sender<Notice>,
    /// Print each rebuild's phase times (`--timings`).
    pub timings: bool,
}

/// Runs the server until the process is stopped.
pub fn serve(options: ServeOptions) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Io(anyhow::anyhow!("cannot start the server's runtime: {e}")))?;
    runtime.block_on(run(options))
}

async fn run(options: ServeOptions) -> Result<(), Error> {
    let listener = bind(options.bind, options.port).await?;
    let address = listener.local_addr().map_err(|e| Error::Io(e.into()))?;
    let url = match address {
        SocketAddr::V6(v6) => format!("http://[{}]:{}", v6.ip(), v6.port()),
        SocketAddr::V4(v4) => format!("http://{}:{}", v4.ip(), v4.port()),
    };
    let (notices, _) = broadcast::channel(16);
    let site = Preview::new(options.site.clone(), &url);
    let shared = Arc::new(Shared {
        files: site.files(),
        site: Mutex::new(site),
        search: RwLock::new(Arc::new(Files::default())),
        errors: RwLock::new(None),
        warned: Mutex::new(Vec::new()),
        notices,
        timings: options.timings,
    });
    // Watch first, so that no save between the first build and the
    // announcement is missed.
    // Absolute, like the paths the watcher reports.
    let root = std::path::absolute(&options.site.root).map_err(|e| Error::Io(e.into()))?;
    let watcher = watch::start(&root, shared.clone())?;
    rebuild(&shared, &[]);
    settle_memory();
    println!("Serving {} at {url}/ (press Ctrl-C to stop)", options.site.root.display());
    let (indexed, site, base) = (shared.clone(), options.site.clone(), url.clone());
    std::thread::spawn(move || match preview::search_index(&site, &base) {
        Ok(files) if !files.is_empty() => {
            eprintln!("Search index ready: {} files (made once; restart serve to index later edits)", files.len());
            *indexed.search.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(files);
        }
        Ok(_) => {}
        Err(_) => eprintln!("The search index was not made: the site does not build yet (restart serve once it does)"),
    });
    let app = http::router(shared);
    let served = axum::serve(listener, app).await;
    drop(watcher);
    served.map_err(|e| Error::Io(anyhow::anyhow!("the server stopped: {e}")))
}

/// Binds `port` on `ip`, or the next free port of the ten after it.
async fn bind(ip: IpAddr, port: u16) -> Result<tokio::net::TcpListener, Error> {
    let last = if port == 0 { 0 } else { port.saturating_add(10) };
    let mut tried = Vec::new();
    for candidate in port..=last {
        match tokio::net::TcpListener::bind((ip, candidate)).await {
            Ok(listener) => return Ok(listener),
            Err(err) => tried.push(format!("{candidate}: {err}")),
        }
    }
    Err(Error::Usage(format!("cannot listen on {ip}: {}", tried.join("; "))))
}

/// Builds the site in memory after the files at `changed` changed, and
/// swaps it in; on errors keeps the last good site and records them.
/// Returns the notice sent to the open tabs.
pub fn rebuild(shared: &Shared, changed: &[PathBuf]) -> Notice {
    let built = shared.site.lock().unwrap_or_else(|e| e.into_inner()).build(changed);
    let notice = match built {
        Ok((report, changed)) => {
            let warnings: Vec<String> = report.warnings.iter().map(|w| w.render()).collect();
            let mut warned = shared.warned.lock().unwrap_or_else(|e| e.into_inner());
            let (new, still) = new_warnings(&warned, &warnings);
            for warning in new {
                eprintln!("{warning}\n");
            }
            if still > 0 {
                eprintln!(
                    "({still} warning{} shown before still appl{})",
                    plural(still),
                    if still == 1 { "ies" } else { "y" }
                );
            }
            *warned = warnings;
            drop(warned);
            *shared.errors.write().unwrap_or_else(|e| e.into_inner()) = None;
            eprintln!(
                "Rebuilt {} articles in {} ms: {} files changed",
                report.articles,
                report.elapsed.as_millis(),
                changed.len()
            );
            if shared.timings {
                for (phase, took, _) in &report.timings {
                    eprintln!("{phase:>20}: {:>8.1} ms", took.as_secs_f64() * 1000.0);
                }
            }
            Notice::Changed(changed)
        }
        Err(err) => {
            let errors = match err {
                Error::Site(failed) => failed.diagnostics.iter().map(|d| d.render()).collect(),
                other => vec![format!("error: {other}")],
            };
            for error in &errors {
                eprintln!("{error}\n");
            }
            eprintln!("The last good site stays served.");
            *shared.errors.write().unwrap_or_else(|e| e.into_inner()) = Some(errors.clone());
            Notice::Errors(errors)
        }
    };
    // No open tab is not an error.
    let _ = shared.notices.send(notice.clone());
    notice
}

/// The warnings of a build not printed after the last one, and how many
/// were: a save should not repeat an archive's every warning.
fn new_warnings<'a>(printed: &[String], now: &'a [String]) -> (Vec<&'a String>, usize) {
    let printed: std::collections::HashSet<&str> = printed.iter().map(String::as_str).collect();
    let (old, new): (Vec<&String>, Vec<&String>) = now.iter().partition(|w| printed.contains(w.as_str()));
    (new, old.len())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e` in
/// mimalloc.h, v2 as v3; libmimalloc-sys names the options around it but
/// not it).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// Gives back to the system what the first build freed, then tells mimalloc
/// (the binary's allocator) to keep what later builds free.
///
/// The first build reads, parses and renders everything, and most of what
/// it allocates is gone when it ends; each thread's allocator holds the
/// freed pages until it is told to collect them (at 10,000 articles, RSS
/// 236 → 213 MB once every thread collected).
///
/// A save frees its temporary memory too, and by default mimalloc returns
/// it soon after (10 ms in v2, a second in v3); the next save, seconds
/// later, then paid for the kernel zeroing those pages again: a quarter of
/// a one-paragraph rebuild at 10,000 articles (30 → 22 ms). Resident
/// memory then stays where the saves put it: about 80 MB over the first
/// build's at that size, flat from one round of saves to the next (README,
/// "serve's memory").
pub fn settle_memory() {
    // SAFETY: each collects the freed memory of its own thread's heap;
    // setting the option sets one integer, which mimalloc reads atomically.
    rayon::broadcast(|_| unsafe { libmimalloc_sys::mi_collect(true) });
    unsafe { libmimalloc_sys::mi_collect(true) };
    keep_freed_memory();
}

/// Tells mimalloc never to give freed memory back to the system (see
/// [`settle_memory`]).
fn keep_freed_memory() {
    // SAFETY: sets one integer option; mimalloc reads options atomically.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

/// How long the watcher waits for a burst of file events to settle. An
/// editor's save (write a temporary file, rename it over the article, or
/// delete and create) takes well under a millisecond of system calls.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// How long the watcher waits after an event that ends a save (a source
/// file closed after writing, renamed into place or deleted) for any
/// other event of the same burst.
pub const SETTLED: Duration = Duration::from_millis(2);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // Option 15 must be the purge delay, whose default in mimalloc v2 is
        // 10 ms: a binding update that moved it would fail here.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }, 10);
        }
        keep_freed_memory();
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }, -1);
    }

    #[test]
    fn only_new_warnings_are_printed_again() {
        let before = vec!["warning: a".to_string(), "warning: b".to_string()];
        let now = vec!["warning: b".to_string(), "warning: c".to_string()];
        assert_eq!(new_warnings(&before, &now), (vec![&now[1]], 1));
        assert_eq!(new_warnings(&[], &now), (vec![&now[0], &now[1]], 0));
        assert_eq!(new_warnings(&before, &[]), (vec![], 0));
    }
}
