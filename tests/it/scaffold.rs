//! `new` and `init`.

use crate::support::Site;

#[test]
fn new_writes_an_article_that_builds() {
    let site = Site::new(&[]);
    let output = site.run(&["new", "world", "Storm Closes the \"Old\" Harbour's Gates", "--author", "Ana Ruiz"]);
    output.success();
    // *Now* is 2025-06-01T00:00:00Z: May 31 in the site's time zone.
    let rel = "content/world/2025-05-31-storm-closes-the-old-harbours-gates.md";
    assert_eq!(output.stdout, format!("Created {rel}\n"));
    assert_eq!(
        site.read(rel),
        "+++\ntitle = \"Storm Closes the \\\"Old\\\" Harbour's Gates\"\ndescription = \"\"\n\
         date = 2025-05-31T18:00:00-06:00\nauthors = [\"Ana Ruiz\"]\ntags = []\n+++\n"
    );
    let build = site.run(&["build"]);
    build.success();
    assert!(
        site.read("public/world/storm-closes-the-old-harbours-gates/index.html")
            .contains("Storm Closes the “Old” Harbour’s Gates")
    );

    let again = site.run(&["new", "world", "Storm Closes the \"Old\" Harbour's Gates"]);
    assert_eq!(again.code, 2);
    assert_eq!(again.stderr, format!("error: {rel} already exists; broadsheet new never overwrites a file\n"));
}

#[test]
fn new_rejects_an_undeclared_category() {
    let site = Site::new(&[]);
    let output = site.run(&["new", "science", "Comet Visible Tonight"]);
    assert_eq!(output.code, 2);
    assert_eq!(
        output.stderr,
        "error: category `science` is not declared in config.toml; the declared categories are `world` and `sport`\n"
    );
    assert!(!site.root().join("content/science").exists());
}

#[test]
fn init_writes_a_site_that_builds() {
    let site = Site::empty();
    let output = site.run(&["init", "paper"]);
    output.success();
    assert!(output.stdout.ends_with("Build it with: broadsheet build --root paper\n"), "{}", output.stdout);
    site.run(&["build", "--root", "paper"]).success();
    let home = site.read("paper/public/index.html");
    assert!(home.contains("The Ledger Opens Its Newsroom"));
    assert!(site.read("paper/public/opinion/why-we-publish/index.html").contains("the launch of the newsroom"));
    // A second init into the same, now non-empty, folder is refused.
    let again = site.run(&["init", "paper"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.starts_with("error: paper is not empty"), "{}", again.stderr);
}
