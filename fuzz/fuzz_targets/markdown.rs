//! The Markdown pipeline: `@/` references, heading ids, footnotes, smart
//! punctuation, code blocks, images, embeds, through the templates. Every
//! page must parse as HTML, its JSON-LD as JSON; errors point inside the
//! file.
#![no_main]

use std::sync::{LazyLock, Mutex};

use broadsheet_fuzz::Site;
use libfuzzer_sys::fuzz_target;

static SITE: LazyLock<Mutex<Site>> = LazyLock::new(|| Mutex::new(Site::new()));

const FRONT: &str = "+++\ntitle = \"Fuzzed\"\ndescription = \"A fuzzed body.\"\nauthors = [\"Ana Ruiz\"]\n+++\n";

fuzz_target!(|body: &str| {
    SITE.lock().unwrap().build_and_check(&format!("{FRONT}{body}"));
});
