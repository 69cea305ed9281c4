//! Integration tests: small fixture sites under tests/fixtures, copied to a
//! temporary folder and built with the real binary.

mod architecture;
mod build;
mod crash;
mod ci_examples;
mod embeds;
mod errors;
mod filesystems;
mod finding;
mod hostile;
mod images;
mod ledger;
mod load;
mod incremental;
mod outputs;
mod scaffold;
mod safety;
mod search;
mod serve;
mod story;
mod support;
