//! serve's request path: nothing that could leave the site is let
//! through, whatever its encoding.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &str| {
    let Some(path) = broadsheet::serve::site_path(raw) else { return };
    assert!(!path.starts_with('/'), "{raw:?} → {path:?}: absolute");
    assert!(!path.contains('\\') && !path.contains('\0'), "{raw:?} → {path:?}: a backslash or NUL");
    assert!(!path.contains("//"), "{raw:?} → {path:?}: an empty segment");
    for segment in path.split('/') {
        assert!(segment != ".." && segment != ".", "{raw:?} → {path:?}: a dot segment");
    }
    // What is served is what was asked for: the path is the request,
    // decoded once.
    assert_eq!(decode_once(raw).as_deref(), Some(&*format!("/{path}")), "{raw:?}");
});

/// Percent-decoding written out here, independent of the code under test.
fn decode_once(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}
