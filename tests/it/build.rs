//! Sites that must build, and what they build into.

use crate::support::{Site, snapshot};

#[test]
fn base_site_builds_every_page() {
    let site = Site::new(&[]);
    let output = site.run(&["build"]);
    output.success();
    assert!(
        output
            .stdout
            .starts_with("Built 2 articles in 2 categories: 6 files in "),
        "{}",
        output.stdout
    );
    let files: Vec<String> = snapshot(&site.root().join("public"))
        .into_keys()
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(
        files,
        [
            ".broadsheet-output",
            "index.html",
            "sport/final-score/index.html",
            "sport/index.html",
            "style.css",
            "world/harbour-reopens/index.html",
            "world/index.html",
        ]
    );
}
