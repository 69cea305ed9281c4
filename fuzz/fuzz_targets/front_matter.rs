//! Front matter: the fence split, TOML, and every field's validation.
//! Errors must point inside the file; a file that passes is built, and
//! its pages must parse.
#![no_main]

use std::sync::{LazyLock, Mutex};

use broadsheet::config::Config;
use broadsheet::parse::frontmatter;
use broadsheet_fuzz::{ARTICLE, Site, check_location};
use libfuzzer_sys::fuzz_target;

static CONFIG: LazyLock<Config> = LazyLock::new(|| {
    broadsheet::config::parse("title = \"T\"\nbase_url = \"https://gazette.test\"\n[categories.world]\nname = \"World\"\n[authors.ana-ruiz]\nname = \"Ana Ruiz\"\n")
        .expect("the fuzz config parses")
});
static SITE: LazyLock<Mutex<Site>> = LazyLock::new(|| Mutex::new(Site::new()));

fuzz_target!(|text: &str| {
    match frontmatter::parse(ARTICLE, "world", text, &CONFIG) {
        Ok(_) => SITE.lock().unwrap().build_and_check(text),
        Err(diags) => {
            assert!(!diags.is_empty());
            for diag in &diags {
                check_location(diag, &format!("content/{ARTICLE}"), text);
            }
        }
    }
});
