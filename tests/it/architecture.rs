//! The module list reads as the pipeline: each module uses only the
//! modules before it (issue 11). A `use crate::x` that points back — the
//! parser asking the renderer, say — fails here, naming the file.

use std::path::Path;

/// Shared leaves, then the pipeline in its order, then what sits on top.
const LEAVES: [&str; 9] = ["diag", "text", "keys", "order", "paths", "highlight", "timings", "checked", "packed"];
const PIPELINE: [&str; 11] =
    ["config", "load", "parse", "graph", "plan", "render", "outputs", "write", "driver", "serve", "scaffold"];

/// The place of a module: leaves first (in their own order), then the pipeline.
fn rank(module: &str) -> Option<usize> {
    LEAVES.iter().chain(&PIPELINE).position(|m| *m == module)
}

/// The top-level module a source file belongs to.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next().unwrap().as_os_str().to_str().unwrap();
    first.trim_end_matches(".rs").to_string()
}

#[test]
fn no_module_uses_a_later_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut back = Vec::new();
    for entry in walkdir::WalkDir::new(&src).into_iter().map(Result::unwrap) {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let module = module_of(&src, path);
        if module == "lib" || module == "main" || module == "cli" {
            continue;
        }
        let me = rank(&module).unwrap_or_else(|| panic!("src/{module} is in neither list of this test"));
        let text = std::fs::read_to_string(path).unwrap();
        for (at, _) in text.match_indices("crate::") {
            let used: String =
                text[at + "crate::".len()..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            // `crate::{a, b}` lists are split for the check.
            let names: Vec<String> = if used.is_empty() && text[at + 7..].starts_with('{') {
                let list = &text[at + 8..at + 8 + text[at + 8..].find('}').unwrap()];
                list.split(',').map(|n| n.trim().split("::").next().unwrap().to_string()).collect()
            } else {
                vec![used]
            };
            for name in names {
                let Some(other) = rank(&name) else {
                    panic!("{}: `crate::{name}` is not a module of the pipeline", path.display())
                };
                if other > me {
                    back.push(format!("{} uses crate::{name}", path.strip_prefix(&src).unwrap().display()));
                }
            }
        }
    }
    assert!(back.is_empty(), "modules that use a later module:\n{}", back.join("\n"));
}
