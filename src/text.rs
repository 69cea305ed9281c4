//! Small text helpers shared by every stage: URL slugs, GitHub-style heading
//! ids, typographic punctuation for plain strings, and "did you mean" hints.

/// A URL slug: ASCII transliteration, lowercase, apostrophes dropped, runs
/// of anything else collapsed into one `-` ("Política Exterior" →
/// "politica-exterior", "Harbour's Gates" → "harbours-gates").
pub fn slugify(text: &str) -> String {
    slug::slugify(text.replace(['\'', '’'], ""))
}

/// The id GitHub gives a heading: lowercase, punctuation dropped, spaces as
/// `-`, letters of any script kept ("What's Next" → "whats-next").
pub fn heading_id(text: &str) -> String {
    let mut id = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            id.extend(c.to_lowercase());
        } else if c == ' ' {
            id.push('-');
        }
    }
    id
}

/// Typographic punctuation for plain text that is not Markdown (titles,
/// deks, captions, notes): the same curls pulldown-cmark's smart punctuation
/// gives the body. An apostrophe inside or after a word closes (`won't` →
/// `won’t`), a quote after a space or an opening bracket opens, `--` is an
/// en dash, `---` an em dash and `...` an ellipsis. Never produces a straight
/// quote from a curly one or the other way round.
pub fn smarten(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = if i == 0 { None } else { Some(chars[i - 1]) };
        let next = chars.get(i + 1).copied();
        match c {
            '\'' => out.push(if opens(prev) && !next.is_some_and(|n| n.is_ascii_digit()) { '‘' } else { '’' }),
            '"' => out.push(if opens(prev) { '“' } else { '”' }),
            '-' if next == Some('-') => {
                if chars.get(i + 2) == Some(&'-') {
                    out.push('—');
                    i += 2;
                } else {
                    out.push('–');
                    i += 1;
                }
            }
            '.' if next == Some('.') && chars.get(i + 2) == Some(&'.') => {
                out.push('…');
                i += 2;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Whether a quote after `prev` opens a quotation: at the start, after
/// whitespace, an opening bracket, a dash or another opening quote.
fn opens(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(p) => p.is_whitespace() || "([{‘“—–-/".contains(p),
    }
}

/// The first character of `text` no page can carry (a control character
/// other than tab, line feed and carriage return: NUL, escape, DEL, the C1
/// controls), with its byte offset. HTML forbids them, XML 1.0 refuses
/// most, and in a news article they are always an accident of a copy and
/// paste or an encoding.
pub fn control_char(text: &str) -> Option<(usize, char)> {
    // Over bytes, 64 at a time: every body and feed item is scanned, and
    // decoding each char cost 3 % of a build's instructions. In UTF-8 a
    // control character begins with a byte below 0x20, with 0x7F, or with
    // 0xC2 followed by 0x80-0x9F (the C1 controls); a block with none of
    // those bytes is passed over without a branch a byte.
    let bytes = text.as_bytes();
    let suspect = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) | (b == 0x7F) | (b == 0xC2);
    for (block, chunk) in bytes.chunks(64).enumerate() {
        if !chunk.iter().fold(false, |any, &b| any | suspect(b)) {
            continue;
        }
        for (i, &b) in chunk.iter().enumerate() {
            let at = block * 64 + i;
            if suspect(b) && (b != 0xC2 || matches!(bytes.get(at + 1), Some(0x80..=0x9F))) {
                return text[at..].chars().next().map(|c| (at, c));
            }
        }
    }
    None
}

/// Whether `c` is one of the characters [`control_char`] finds.
pub fn forbidden(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// The closest of `candidates` to a misspelt `word`, if one is close enough
/// to be worth suggesting.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The literal `id="…"` values of HTML or a template.
pub fn literal_ids(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for (at, _) in text.match_indices(" id=\"") {
        let rest = &text[at + 5..];
        if let Some(end) = rest.find('"') {
            let id = &rest[..end];
            if !id.contains("{{") && !id.contains("{%") {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_and_dashed() {
        assert_eq!(slugify("Política Exterior"), "politica-exterior");
        assert_eq!(slugify("  U.S. Navy -- 2025! "), "u-s-navy-2025");
        assert_eq!(slugify("Harbour's Gates, Harbour’s Gates"), "harbours-gates-harbours-gates");
    }

    #[test]
    fn control_characters_are_found() {
        assert_eq!(control_char("tab\tand\r\nlines"), None);
        assert_eq!(control_char("a\0b"), Some((1, '\0')));
        assert_eq!(control_char("é\u{1b}[31m"), Some((2, '\u{1b}')));
        assert_eq!(control_char("x\u{85}"), Some((1, '\u{85}')));
        assert_eq!(control_char("\u{7f}"), Some((0, '\u{7f}')));
        // U+00A0 and U+00BF start with 0xC2 too, and are no controls.
        assert_eq!(control_char("a\u{a0}b\u{bf}c\u{a1}"), None);
        // A C1 control split across two blocks of the byte scan.
        let split = format!("{}\u{9f}", "x".repeat(63));
        assert_eq!(control_char(&split), Some((63, '\u{9f}')));
        // The same answer as the char-by-char definition, at every offset.
        let by_chars = |t: &str| t.char_indices().find(|&(_, c)| forbidden(c));
        for c in ['\0', '\u{1f}', '\u{7f}', '\u{80}', '\u{9f}', '\u{a0}', 'é', '\t', '\n', '’'] {
            for pad in [0, 1, 62, 63, 64, 65, 130] {
                let text = format!("{}{c}tail\r\n", "é".repeat(pad / 2) + &"a".repeat(pad % 2));
                assert_eq!(control_char(&text), by_chars(&text), "{text:?}");
            }
        }
    }

    #[test]
    fn heading_ids_follow_github() {
        assert_eq!(heading_id("What's Next"), "whats-next");
        assert_eq!(heading_id("What’s Next"), "whats-next");
        assert_eq!(heading_id("Key Details"), "key-details");
        assert_eq!(heading_id("Año 2025: un balance"), "año-2025-un-balance");
        assert_eq!(heading_id("snake_case and-dash"), "snake_case-and-dash");
    }

    #[test]
    fn smarten_curls_apostrophes_and_quotes() {
        assert_eq!(smarten("We won't concede"), "We won’t concede");
        assert_eq!(smarten("\"Hello,\" she said"), "“Hello,” she said");
        assert_eq!(smarten("'quoted' and rock 'n' roll"), "‘quoted’ and rock ‘n’ roll");
        assert_eq!(smarten("the '90s"), "the ’90s");
        assert_eq!(smarten("2019--2025 --- and so..."), "2019–2025 — and so…");
        assert_eq!(smarten("(\"inner\")"), "(“inner”)");
    }

    #[test]
    fn smarten_leaves_markup_characters_alone() {
        let hostile = "</script><script>alert(1)</script> & <b>";
        assert_eq!(smarten(hostile), hostile);
    }

    #[test]
    fn did_you_mean_finds_close_keys() {
        let keys = ["title", "description", "date", "tags"];
        assert_eq!(did_you_mean("tittle", keys), Some("title"));
        assert_eq!(did_you_mean("descripton", keys), Some("description"));
        assert_eq!(did_you_mean("zzz", keys), None);
    }
}
