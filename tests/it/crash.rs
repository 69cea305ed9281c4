//! Crash safety at every instant: `build` killed with SIGKILL at points
//! spread over its whole run (loading, rendering, writing the twin, the
//! exchange) leaves public/ byte-identical to the old site or the new one,
//! and the next build succeeds, gives exactly the new site, and leaves no
//! debris beside it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::support::{NOW, Site, copy_tree, picture, snapshot};

const ARTICLES: usize = 300;

/// The text of article `n` in edition `edition`: long enough that
/// rendering and writing take most of the build.
fn article(n: usize, edition: &str) -> String {
    let paragraph = format!(
        "Dock workers on berth {n} said the {edition} schedule held through the night, \
         and the harbour master's office said it won't change before the weekend. "
    );
    format!(
        "+++\ntitle = \"Harbour Report {n}\"\ndescription = \"Berth {n}, {edition}.\"\n\
         authors = [\"Ana Ruiz\"]\ntags = [\"ports\", \"berth-{}\"]\n+++\n\n{}\n\n## Key Details\n\n{}\n\n\
         ```rust\nfn berth() -> u32 {{\n    {n}\n}}\n```\n\n![Cranes over berth {n}](cranes.png)\n",
        n % 7,
        paragraph.repeat(6),
        paragraph.repeat(4),
    )
}

/// Writes the articles of `edition`; the second edition also drops some
/// articles and adds others, so files disappear as well as change.
fn write_edition(root: &Path, edition: &str) {
    let world = root.join("content/world");
    fs::create_dir_all(&world).unwrap();
    for entry in fs::read_dir(&world).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") && path.file_name().unwrap().to_string_lossy().contains("report")
        {
            fs::remove_file(path).unwrap();
        }
    }
    let range = if edition == "first" { 0..ARTICLES } else { 20..ARTICLES + 20 };
    for n in range {
        let day = 1 + n % 28;
        fs::write(world.join(format!("2025-03-{day:02}-report-{n}.md")), article(n, edition)).unwrap();
    }
}

fn build(root: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_broadsheet"))
        .arg("build")
        .current_dir(root)
        .env("SOURCE_DATE_EPOCH", NOW)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// What lies beside public/: the twin and the cache are kept on purpose;
/// anything else is debris of a killed build.
fn beside(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| {
            !["config.toml", "content", "public", ".public.broadsheet-twin", ".public.broadsheet-cache"]
                .contains(&name.as_str())
        })
        .collect();
    names.sort();
    names
}

fn partials(cache: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(cache)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".partial"))
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn a_build_killed_at_any_instant_leaves_the_old_site_or_the_new() {
    let template = Site::new(&[]);
    let root = template.root();
    fs::write(root.join("content/world/cranes.png"), picture(900, 600, image::ImageFormat::Png)).unwrap();

    // The new site, built on its own: what every build after a kill must give.
    write_edition(root, "second");
    assert!(build(root).wait().unwrap().success());
    let new: BTreeMap<_, _> = snapshot(&root.join("public"));
    fs::remove_dir_all(root.join("public")).unwrap();
    fs::remove_dir_all(root.join(".public.broadsheet-twin")).ok();
    fs::remove_dir_all(root.join(".public.broadsheet-cache")).ok();

    // The old site, built twice so that the twin holds it too, as on a
    // newsroom's CI runner after a few deploys.
    write_edition(root, "first");
    for _ in 0..2 {
        assert!(build(root).wait().unwrap().success());
    }
    let old = snapshot(&root.join("public"));
    assert_ne!(old, new);
    write_edition(root, "second");

    // How long the build to be killed takes when left alone, timed from the
    // same starting state (old site, old twin, warm image cache).
    let duration = {
        let site = tempfile::tempdir().unwrap();
        copy_tree(root, site.path());
        let started = Instant::now();
        assert!(build(site.path()).wait().unwrap().success());
        started.elapsed()
    };

    // Kill points spread over the whole run, closer together near its end,
    // where the twin is written and exchanged. On a loaded machine the killed
    // build can run slower than the timed one, so when no kill has yet landed
    // after the exchange, later points follow until one does: a kill after
    // the build has ended must find the new site.
    let spread = (0..10).map(|step| step as f64 / 10.0).chain((0..6).map(|step| 0.85 + step as f64 * 0.04));
    let later = [1.3, 1.8, 2.5, 4.0, 8.0];
    let mut outcomes = (0, 0);
    for (step, fraction) in spread.chain(later).enumerate() {
        if step >= 16 && outcomes.1 > 0 {
            break;
        }
        let delay = duration.mul_f64(fraction);
        let site = tempfile::tempdir().unwrap();
        copy_tree(root, site.path());

        let mut child = build(site.path());
        std::thread::sleep(delay);
        child.kill().unwrap();
        child.wait().unwrap();

        let after = snapshot(&site.path().join("public"));
        if after == old {
            outcomes.0 += 1;
        } else if after == new {
            outcomes.1 += 1;
        } else {
            let differing: Vec<_> =
                after.keys().chain(old.keys()).filter(|k| after.get(*k) != old.get(*k)).take(5).collect();
            panic!("killed after {delay:?}: public/ is neither site; differs from the old in {differing:?}");
        }

        // The next build cleans up after the killed one.
        assert!(build(site.path()).wait().unwrap().success(), "the build after a kill at {delay:?} failed");
        assert!(snapshot(&site.path().join("public")) == new, "the build after a kill at {delay:?} gave another site");
        assert_eq!(beside(site.path()), Vec::<String>::new(), "debris after a kill at {delay:?}");
        let cache = site.path().join(".public.broadsheet-cache");
        assert_eq!(partials(&cache), Vec::<PathBuf>::new(), "partial cache files after a kill at {delay:?}");
    }
    // Both outcomes occurred: the kills did land before and after the exchange.
    assert!(outcomes.0 > 0 && outcomes.1 > 0, "old/new outcomes {outcomes:?} over a {duration:?} build");
}
