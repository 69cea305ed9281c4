//! Checks the keys of spanned TOML tables against the keys a schema knows,
//! so that a typo is an error with a "did you mean" hint instead of a value
//! silently ignored. Reports every unknown key, not only the first.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, Location};
use crate::text::did_you_mean;

/// A TOML document's text as it sits inside a file: `offset` is where the
/// TOML starts in `file_text`, so spans convert to the file's lines.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub path: &'a str,
    pub file_text: &'a str,
    pub offset: usize,
}

impl Source<'_> {
    pub fn location(&self, span: Range<usize>) -> Location {
        Location::span(self.path, self.file_text, span.start + self.offset..span.end + self.offset)
    }
}

/// Reports every key of `table` not in `known`; `message` words the error
/// for one key, e.g. "unknown front-matter key `tittle`". Returns the keys
/// suggested instead, so that a missing `title` is not reported again when
/// the hint already says "did you mean `title`?".
pub fn check<'k>(
    table: &DeTable,
    known: &[&'k str],
    message: impl Fn(&str) -> String,
    source: Source,
    diags: &mut Vec<Diagnostic>,
) -> Vec<&'k str> {
    let mut suggested = Vec::new();
    for (key, _) in table.iter() {
        let name: &str = key.get_ref();
        if known.contains(&name) {
            continue;
        }
        let hint = match did_you_mean(name, known.iter().copied()) {
            Some(close) => {
                suggested.push(close);
                format!("did you mean `{close}`?")
            }
            None => format!("the known keys are {}", list(known)),
        };
        diags.push(Diagnostic::error(message(name)).at(source.location(key.span())).label("unknown key").hint(hint));
    }
    suggested
}

/// Reports every string of `table` (at any depth) that holds a control
/// character: TOML lets an escape such as `\u0000` write one.
pub fn control_chars(table: &DeTable, source: Source, diags: &mut Vec<Diagnostic>) {
    fn walk(key: &str, value: &toml::Spanned<DeValue>, source: Source, diags: &mut Vec<Diagnostic>) {
        match value.get_ref() {
            DeValue::String(text) => {
                if let Some((_, c)) = crate::text::control_char(text) {
                    diags.push(
                        Diagnostic::error(format!("`{key}` holds the control character U+{:04X}", c as u32))
                            .at(source.location(value.span()))
                            .label("no page can show it")
                            .hint("remove the escape (`\\u…`) that writes it"),
                    );
                }
            }
            DeValue::Array(list) => list.iter().for_each(|item| walk(key, item, source, diags)),
            DeValue::Table(table) => table.iter().for_each(|(k, v)| walk(k.get_ref(), v, source, diags)),
            _ => {}
        }
    }
    table.iter().for_each(|(key, value)| walk(key.get_ref(), value, source, diags));
}

/// The field names of a struct that derives `Deserialize`: the keys its
/// table may hold, in the order of the struct. Asked of the type itself, so
/// the keys an unknown-key check knows can never fall out of step with the
/// fields that parse them.
pub fn fields<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
    let found = std::cell::Cell::new(&[][..]);
    let _ = T::deserialize(FieldProbe(&found));
    found.get()
}

/// A deserializer that only listens for the field list serde's derive
/// passes to `deserialize_struct`, then stops.
struct FieldProbe<'a>(&'a std::cell::Cell<&'static [&'static str]>);

#[derive(Debug)]
struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field probe")
    }
}

impl std::error::Error for Stop {}

impl serde::de::Error for Stop {
    fn custom<T: std::fmt::Display>(_: T) -> Stop {
        Stop
    }
}

impl<'de> serde::Deserializer<'de> for FieldProbe<'_> {
    type Error = Stop;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Stop> {
        self.0.set(fields);
        Err(Stop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

/// The sub-table under `key`, if `table` has one.
pub fn table<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a DeTable<'i>> {
    match table.get(key).map(|v| v.get_ref()) {
        Some(DeValue::Table(t)) => Some(t),
        _ => None,
    }
}

/// "`a`, `b` and `c`".
pub fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// Turns toml's own errors (syntax, wrong type) into diagnostics.
pub fn toml_error(err: &toml::de::Error, source: Source) -> Diagnostic {
    let diag = Diagnostic::error(err.message().to_string());
    match err.span() {
        Some(span) => diag.at(source.location(span)),
        None => diag.at(Location::file(source.path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_come_from_the_struct() {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Raw {
            title: String,
            #[serde(default)]
            tags: Vec<String>,
            draft: Option<bool>,
        }
        assert_eq!(fields::<Raw>(), ["title", "tags", "draft"]);
    }
}
