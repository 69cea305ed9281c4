//! The CI examples of examples/ci/ (issue 13): every broadsheet command
//! they run is one the CLI accepts and that builds a site, the folders they
//! cache are the ones a build keeps, and the README shows them as they are.

use crate::support::Site;

const EXAMPLES: [&str; 2] = ["examples/ci/github-pages.yml", "examples/ci/gitlab-ci.yml"];

fn read(rel: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// The arguments of every `broadsheet` command a workflow runs (not the
/// install step's).
fn commands(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| line.split('#').next().unwrap())
        .filter_map(|line| {
            let at = line.find("broadsheet ")?;
            let before = &line[..at];
            let runs = before.ends_with("bin/") || before.trim_end().ends_with(':') || before.trim_end().ends_with('-');
            let words: Vec<String> = line[at + "broadsheet ".len()..].split_whitespace().map(str::to_string).collect();
            (runs && !line.contains("cargo install") && !words.is_empty() && !words[0].starts_with('-'))
                .then_some(words)
        })
        .collect()
}

#[test]
fn the_commands_of_the_ci_examples_build_a_site() {
    for example in EXAMPLES {
        let text = read(example);
        let commands = commands(&text);
        assert!(!commands.is_empty(), "{example} runs no broadsheet command");
        let site = Site::new(&[]);
        for args in &commands {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let output = site.run(&args);
            assert_eq!(output.code, 0, "{example}: broadsheet {}\n{}", args.join(" "), output.stderr);
        }
        // What they cache is what a build keeps beside its output.
        for folder in ["public", ".public.broadsheet-twin", ".public.broadsheet-cache"] {
            assert!(text.contains(folder), "{example} does not cache {folder}");
        }
        site.run(&["build"]).success();
        for folder in ["public", ".public.broadsheet-twin"] {
            assert!(site.root().join(folder).is_dir(), "{folder}");
        }
    }
}

#[test]
fn the_readme_shows_the_ci_examples_as_they_are() {
    let readme = read("README.md");
    for example in EXAMPLES {
        assert!(readme.contains(&read(example)), "README.md does not show {example} as it is");
    }
}
