//! Stamps the program with a hash of what it is built from (its sources,
//! the embedded theme, Cargo.toml and Cargo.lock): page keys kept between
//! builds are taken under it, since another build of broadsheet may render
//! the same page differently (see src/write/ledger.rs). Hashing the
//! program's own file instead would cost every build the reading of 26 MB.

use std::path::Path;

fn main() {
    let mut files = Vec::new();
    for folder in ["src", "themes"] {
        println!("cargo:rerun-if-changed={folder}");
        collect(Path::new(folder), &mut files);
    }
    for file in ["Cargo.toml", "Cargo.lock", "build.rs"] {
        println!("cargo:rerun-if-changed={file}");
        files.push(file.into());
    }
    files.sort();
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for file in &files {
        // A file that cannot be read (no Cargo.lock) counts as empty.
        let bytes = std::fs::read(file).unwrap_or_default();
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    let rustc = std::env::var("RUSTC").unwrap_or_default();
    let version = std::process::Command::new(&rustc).arg("-V").output().map(|o| o.stdout).unwrap_or_default();
    hasher.update(&version);
    for var in ["TARGET", "PROFILE", "CARGO_CFG_TARGET_FEATURE"] {
        hasher.update(std::env::var(var).unwrap_or_default().as_bytes());
    }
    println!("cargo:rustc-env=BROADSHEET_BUILD={:032x}", hasher.digest128());
}

fn collect(folder: &Path, files: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
