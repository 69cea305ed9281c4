//! The `broadsheet` binary: arguments → one library call → messages and an
//! exit code (0 ok, 1 site errors, 2 usage errors).

mod cli;

use std::process::ExitCode;

use clap::Parser;

// mimalloc keeps freed memory for reuse: with the system allocator a
// quarter of a 10,000-article build went to the kernel zeroing pages that
// glibc had just handed back. Its v2 (the `v2` feature) rather than v3:
// as fast, but `serve`, which keeps what its saves free (see
// `serve::settle_memory`), held 267 MB at 10,000 articles after
// bench/serve.cjs's saves with v2, 292 MB with v3, and kept growing
// with v3 from one round of saves to the next.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns transparent huge pages off for the process. mimalloc asks for
/// them, and spreads a build's small allocations over many 2 MiB pages,
/// each zeroed by the kernel on first touch and resident whole: the peak
/// memory of a 10,000-article build varied between 142 and 168 MB with
/// them (issue 16; README, Performance). Where the system cannot turn
/// them off, the build runs as before. `serve` too, since it holds its
/// pages packed: at 10,000 articles its resident memory after the saves of
/// bench/serve.cjs was 290–312 MB without them against 320–340 MB with,
/// its first build 1.8–1.9 s against 2.1–2.4 s, and a save's rebuild
/// about 5 % slower.
fn no_huge_pages() {
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

use broadsheet::{BuildOptions, Error, Report, SiteOptions};
use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    no_huge_pages();
    let result = match cli.command {
        Command::Build(args) => {
            let timings = args.site.timings;
            let options = BuildOptions {
                site: site(args.site),
                output: args.output,
                base_url: args.base_url,
                strict_urls: args.strict_urls,
            };
            broadsheet::build(&options).map(|report| {
                let output = options.output.clone().unwrap_or_else(|| options.site.root.join("public"));
                summary("Built", &report, &format!(" into {}", output.display()), timings)
            })
        }
        Command::Check(args) => {
            let timings = args.site.timings;
            broadsheet::check(&site(args.site), args.strict_urls).map(|report| {
                for (rel, at) in &report.expiring {
                    eprintln!("note: content/{rel} expires at {at} and leaves the site then");
                }
                summary("Checked", &report, "; nothing written", timings)
            })
        }
        Command::Serve(args) => broadsheet::serve::serve(broadsheet::serve::ServeOptions {
            timings: args.site.timings,
            site: site(args.site),
            bind: args.bind,
            port: args.port,
        }),
        Command::New(args) => {
            broadsheet::scaffold::new_article(&args.root, &args.category, &args.title, args.author.as_deref())
                .map(|path| println!("Created {}", path.display()))
        }
        Command::Init(args) => broadsheet::scaffold::init(&args.dir).map(|files| {
            for file in files {
                println!("Created {}", args.dir.join(file).display());
            }
            println!("Build it with: broadsheet build --root {}", args.dir.display());
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Site(failed)) => {
            for diagnostic in &failed.diagnostics {
                eprintln!("{}\n", diagnostic.render());
            }
            eprintln!("error: {failed}");
            ExitCode::from(1)
        }
        Err(Error::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Error::Io(err)) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}

fn site(args: cli::SiteArgs) -> SiteOptions {
    SiteOptions { root: args.root, drafts: args.drafts, future: args.future }
}

fn summary(verb: &str, report: &Report, tail: &str, timings: bool) {
    for warning in &report.warnings {
        eprintln!("{}\n", warning.render());
    }
    if timings {
        for (phase, took, peak) in &report.timings {
            let peak = peak.map(|kib| format!("  (peak memory {} MB)", kib / 1024)).unwrap_or_default();
            eprintln!("{phase:>20}: {:>8.1} ms{peak}", took.as_secs_f64() * 1000.0);
        }
    }
    println!(
        "{verb} {} article{} in {} categor{}: {} files in {} ms{tail}",
        report.articles,
        if report.articles == 1 { "" } else { "s" },
        report.categories,
        if report.categories == 1 { "y" } else { "ies" },
        report.files,
        report.elapsed.as_millis(),
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn huge_pages_are_turned_off() {
        super::no_huge_pages();
        assert!(rustix::thread::transparent_huge_pages_are_disabled().unwrap());
    }
}
