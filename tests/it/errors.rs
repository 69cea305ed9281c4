//! Every bad input stops the build with exit 1, prints every problem with
//! its file, line, column, source line and hint, and leaves the previous
//! public/ byte-for-byte as it was. The exact stderr of each case is pinned
//! in tests/fixtures/errors/<case>.stderr (`BLESS=1 cargo test` rewrites them).

use std::fs;

use crate::support::{Site, copy_tree, fixtures, snapshot};

/// Builds the base site, breaks it with the overlay `case`, builds again,
/// and checks the failure and that public/ is untouched.
fn fails(case: &str) {
    let site = Site::new(&[]);
    site.run(&["build"]).success();
    let before = snapshot(&site.root().join("public"));
    assert!(!before.is_empty());

    let overlay = fixtures().join("errors").join(case);
    if overlay.is_dir() {
        copy_tree(&overlay, site.root());
    }
    if case == "missing-config" {
        fs::remove_file(site.root().join("config.toml")).unwrap();
    }
    let output = site.run(&["build"]);
    assert_eq!(output.code, 1, "stdout: {}\nstderr: {}", output.stdout, output.stderr);
    assert_eq!(output.stdout, "");
    expect_stderr(case, &output.stderr);
    assert_eq!(snapshot(&site.root().join("public")), before, "public/ changed after a failed build");
    let leftovers: Vec<_> = fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        // The cache folder is the successful build's (its page keys).
        .filter(|name| name.contains("broadsheet") && name != ".public.broadsheet-cache")
        .collect();
    assert!(leftovers.is_empty(), "staging folders left behind: {leftovers:?}");

    // `check` finds exactly the same problems.
    let check = site.run(&["check"]);
    assert_eq!(check.code, 1);
    assert_eq!(check.stderr, output.stderr);
}

fn expect_stderr(case: &str, actual: &str) {
    let path = fixtures().join("errors").join(format!("{case}.stderr"));
    if std::env::var_os("BLESS").is_some() {
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_else(|_| panic!("no {}; run with BLESS=1", path.display()));
    assert_eq!(actual, expected, "stderr of case {case}");
}

macro_rules! cases {
    ($($name:ident => $case:literal),* $(,)?) => {
        $(#[test] fn $name() { fails($case); })*
    };
}

cases! {
    missing_config => "missing-config",
    malformed_config => "malformed-config",
    unknown_config_key => "unknown-config-key",
    undeclared_category => "undeclared-category",
    unclosed_front_matter => "unclosed-front-matter",
    toml_syntax_error_points_into_the_md_file => "toml-syntax",
    unknown_front_matter_key => "unknown-key",
    empty_title => "empty-title",
    missing_date => "missing-date",
    invalid_date => "invalid-date",
    updated_before_date => "updated-before-date",
    category_key_disagrees_with_folder => "category-mismatch",
    image_without_alt => "image-without-alt",
    image_with_empty_alt => "image-empty-alt",
    reference_to_missing_article => "missing-reference",
    reference_to_draft => "draft-reference",
    reference_to_scheduled_article => "scheduled-reference",
    anchor_that_is_not_a_heading => "bad-anchor",
    two_articles_one_url => "duplicate-url",
    non_utf8_file => "non-utf8",
    every_error_is_reported => "many-errors",
    a_broken_target_is_reported_once_not_by_each_reference => "broken-target",
    correction_before_the_article => "correction-before-date",
    correction_of_two_paragraphs => "correction-two-paragraphs",
    correction_without_text => "correction-without-text",
    update_id_that_a_heading_has => "update-id-taken",
    update_id_that_is_not_an_anchor => "update-bad-id",
    live_ended_while_still_live => "live-ended-while-live",
    live_ended_before_an_update => "live-ended-before-update",
    live_that_is_not_a_bool => "live-not-a-bool",
    expires_not_after_the_date => "expires-before-date",
    aliases_that_are_not_site_paths => "bad-alias",
    alias_that_a_page_has => "alias-clashes-with-a-page",
    two_articles_with_one_alias => "two-aliases-one-path",
    broken_links_and_images_in_a_body => "broken-body-links",
    reference_to_an_expired_article => "expired-reference",
    broken_link_in_a_template => "broken-template-link",
    two_articles_claim_one_part_of_a_series => "series-part-twice",
    unknown_embeds => "embed-unknown",
    embed_arguments_that_are_unknown_missing_or_mistyped => "embed-bad-arguments",
    embed_values_that_name_nothing => "embed-bad-values",
    embed_template_without_a_declaration => "embed-undeclared-template",
    embed_declaration_with_unknown_types => "embed-bad-declaration",
    a_file_name_date_that_is_not_a_real_date => "date-not-real",
    further_context_that_names_the_article_itself => "further-context-to-itself",
    control_characters_in_strings_and_the_body => "control-characters",
    toml_nested_a_thousand_deep_on_one_line => "toml-nested-too-deep",
    outputs_a_case_insensitive_host_would_merge => "case-merge",
    card_template_that_fails => "card-template-error",
    card_shown_inside_a_card => "card-inside-card",
    card_without_an_item => "card-without-item",
}

#[test]
fn dangerous_output_folders_are_usage_errors() {
    let site = Site::new(&[]);
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("notes.txt"), "keep me").unwrap();
    let outside = outside.path().to_str().unwrap().to_string();
    for (output, reason) in [
        (".", "it is the site's root folder or contains it"),
        ("content", "it lies inside one of the site's source folders"),
        ("..", "it is the site's root folder or contains it"),
        (outside.as_str(), "it is not empty and was not made by broadsheet"),
    ] {
        let result = site.run(&["build", "--output", output]);
        assert_eq!(result.code, 2, "{output}: {}", result.stderr);
        assert_eq!(result.stderr, format!("error: refusing to write the site into {output}: {reason}\n"));
    }
    assert_eq!(fs::read_to_string(format!("{outside}/notes.txt")).unwrap(), "keep me");
    // A folder holding a config.toml outside the root: another site's sources.
    let other = tempfile::tempdir().unwrap();
    fs::write(other.path().join("config.toml"), "").unwrap();
    let result = site.run(&["build", "--output", other.path().to_str().unwrap()]);
    assert_eq!(result.code, 2);
    assert!(result.stderr.ends_with("it holds config.toml or content/, so it looks like a site's sources\n"));
    // Inside a source folder that is a symbolic link to another folder of
    // the site.
    let linked = Site::new(&[]);
    fs::rename(linked.root().join("content"), linked.root().join("articles")).unwrap();
    std::os::unix::fs::symlink("articles", linked.root().join("content")).unwrap();
    let result = linked.run(&["build", "--output", "articles/out"]);
    assert_eq!(result.code, 2, "{}", result.stderr);
    assert_eq!(
        result.stderr,
        "error: refusing to write the site into articles/out: it lies inside one of the site's source folders\n"
    );
    assert!(!linked.root().join("articles/out").exists());
    // An empty folder outside the root is fine, and so is rebuilding into it.
    let empty = tempfile::tempdir().unwrap();
    let empty = empty.path().to_str().unwrap();
    site.run(&["build", "--output", empty]).success();
    site.run(&["build", "--output", empty]).success();
}

#[test]
fn usage_errors_exit_2() {
    let site = Site::new(&[]);
    assert_eq!(site.run(&["build", "--frobnicate"]).code, 2);
    let bad_url = site.run(&["build", "--base-url", "gazette.test"]);
    assert_eq!(bad_url.code, 2);
    assert_eq!(bad_url.stderr, "error: --base-url must be an absolute http(s) URL, not \"gazette.test\"\n");
    let bad_epoch = site.run_with(&["check"], &[("SOURCE_DATE_EPOCH", "yesterday")]);
    assert_eq!(bad_epoch.code, 2);
}
