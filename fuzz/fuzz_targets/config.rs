//! config.toml: TOML and every setting's validation. Errors point inside
//! the file; a config that passes builds the site.
#![no_main]

use broadsheet_fuzz::check_location;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(diags) = broadsheet::config::parse(text) {
        assert!(!diags.is_empty());
        for diag in &diags {
            check_location(diag, "config.toml", text);
        }
    }
});
