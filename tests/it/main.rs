//! Integration tests: small fixture sites under tests/fixtures, copied to a
//! temporary folder and built with the real binary.

mod architecture;
mod build;
mod ci_examples;
mod embeds;
mod errors;
mod finding;
mod images;
mod incremental;
mod outputs;
mod scaffold;
mod search;
mod serve;
mod story;
mod support;
