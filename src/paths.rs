//! Site paths and the output files they are written to: `/a/b/` is the
//! file `a/b/index.html`. A leaf, asked by the parser (where an article's
//! images go), the plan and the server.

/// The output file of a site path: `/a/b/` → `a/b/index.html`.
pub fn output_file(path: &str) -> String {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') { format!("{trimmed}index.html") } else { trimmed.to_string() }
}

/// The output folder of a site path: `/a/b/` → `a/b/`, `/a/b.html` → `a/`.
pub fn output_dir(path: &str) -> String {
    let file = output_file(path);
    match file.rfind('/') {
        Some(at) => file[..=at].to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_files() {
        assert_eq!(output_file("/"), "index.html");
        assert_eq!(output_file("/world/naval/"), "world/naval/index.html");
        assert_eq!(output_file("/world/naval.html"), "world/naval.html");
        assert_eq!(output_dir("/world/naval/"), "world/naval/");
        assert_eq!(output_dir("/world/naval.html"), "world/");
        assert_eq!(output_dir("/"), "");
    }
}
