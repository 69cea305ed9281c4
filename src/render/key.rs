//! Page keys: what a template context is made of, hashed, so that a page
//! whose key did not change renders to the same bytes and need not be
//! rendered again (`serve`). The key is computed from the very context the
//! template receives, through serde, so nothing a template is given can be
//! missing from it: a field added to a context is in its key the moment it
//! is added.
//!
//! Hashing every byte of a context would cost as much as building it for
//! the template. The parts made from one article alone (its summary, body,
//! table of contents, JSON-LD) are therefore wrapped in [`Of`], which a key
//! counts as the article's [`version`](crate::parse::Article::version), a
//! number every new rendering of the article renews. Everything else is
//! hashed as it is.

use std::cell::Cell;

use serde::ser::{self, Serialize, SerializeMap, Serializer};

/// A 128-bit hash of a context: equal keys, equal pages.
pub type Key = u128;

thread_local! {
    /// True while this thread computes a key: [`Of`] then stands for its
    /// version. Serializing is synchronous, so the flag cannot leak into
    /// another thread's work.
    static KEYING: Cell<bool> = const { Cell::new(false) };
    /// The bytes of the key being written, hashed at once at the end
    /// (cheaper than feeding a hasher piece by piece); kept for the next.
    static BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
    /// While [`counting`] computes a key: the version of every [`Of`] it
    /// counted.
    static COUNTED: Cell<Option<Vec<u64>>> = const { Cell::new(None) };
}

/// The key of `value`: `salt` (the template's name) and every part of it.
pub fn of(salt: &str, value: &impl Serialize) -> Key {
    let was = KEYING.replace(true);
    let mut buffer = BUFFER.take();
    buffer.clear();
    let mut hasher = Hasher(buffer);
    hasher.text(salt);
    // Hashing cannot fail; a context that cannot serialize fails its
    // rendering, with the template's error, and gets the key of nothing.
    let _ = value.serialize(&mut hasher);
    KEYING.set(was);
    let key = xxhash_rust::xxh3::xxh3_128(&hasher.0);
    BUFFER.set(hasher.0);
    key
}

/// The key of `value`, with the versions of the articles whose parts it
/// counted (each once, in order): the articles whose new versions can
/// change it. Whatever else it is made of is not among them.
pub fn counting(salt: &str, value: &impl Serialize) -> (Key, Box<[u64]>) {
    let outer = COUNTED.replace(Some(Vec::new()));
    let key = of(salt, value);
    let mut counted = COUNTED.replace(outer).unwrap_or_default();
    counted.sort_unstable();
    counted.dedup();
    (key, counted.into_boxed_slice())
}

/// `key` taken under `under`: what the page is rendered with besides its
/// context (see [`program`]).
pub fn under(under: Key, key: Key) -> Key {
    let mut bytes = [0; 32];
    bytes[..16].copy_from_slice(&under.to_le_bytes());
    bytes[16..].copy_from_slice(&key.to_le_bytes());
    xxhash_rust::xxh3::xxh3_128(&bytes)
}

/// What the running program was built from (a hash of its sources and
/// dependencies, made by build.rs): keys kept between builds are taken
/// under it, since another build of broadsheet may render the same
/// context differently.
pub fn program() -> Key {
    Key::from_str_radix(env!("BROADSHEET_BUILD"), 16).expect("build.rs writes a hex number")
}

/// A part of a template context made from one article alone, and from
/// config.toml and the theme (under which every cached page is dropped):
/// in a key it counts as the article's version, not as its bytes.
/// Serialized for a template, it is `value`.
pub struct Of<T> {
    version: u64,
    value: T,
}

impl<T> Of<T> {
    /// `value`, made from the article whose version is `version` and from
    /// nothing else of the site.
    pub fn article(version: u64, value: T) -> Of<T> {
        Of { version, value }
    }

    pub fn value(&self) -> &T {
        &self.value
    }
}

impl<T: Serialize> Serialize for Of<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        if KEYING.get() {
            if let Some(mut counted) = COUNTED.take() {
                counted.push(self.version);
                COUNTED.set(Some(counted));
            }
            // A map, so that an `Of` works where serde flattens a struct.
            let mut map = serializer.serialize_map(Some(1))?;
            map.serialize_entry("$version", &self.version)?;
            return map.end();
        }
        self.value.serialize(serializer)
    }
}

/// The serializer that writes a key's bytes: every value with a tag of its
/// kind, every string and sequence with its length or its end, so no two
/// different contexts write the same bytes.
struct Hasher(Vec<u8>);

#[derive(Debug)]
pub struct Never;

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a context that does not serialize")
    }
}

impl std::error::Error for Never {}

impl ser::Error for Never {
    fn custom<T: std::fmt::Display>(_: T) -> Never {
        Never
    }
}

mod tag {
    pub const NONE: u8 = 0;
    pub const SOME: u8 = 1;
    pub const BOOL: u8 = 2;
    pub const INT: u8 = 3;
    pub const UINT: u8 = 4;
    pub const FLOAT: u8 = 5;
    pub const TEXT: u8 = 6;
    pub const BYTES: u8 = 7;
    pub const UNIT: u8 = 8;
    pub const VARIANT: u8 = 9;
    pub const SEQ: u8 = 10;
    pub const MAP: u8 = 11;
    pub const STRUCT: u8 = 12;
    pub const END: u8 = 13;
}

impl Hasher {
    fn byte(&mut self, b: u8) {
        self.0.push(b);
    }

    fn number(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn text(&mut self, s: &str) {
        self.byte(tag::TEXT);
        self.number(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
}

type Result<T = ()> = std::result::Result<T, Never>;

impl Serializer for &mut Hasher {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Result {
        self.byte(tag::BOOL);
        self.byte(v as u8);
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result {
        self.byte(tag::INT);
        self.number(v as u64);
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result {
        self.byte(tag::INT);
        self.0.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result {
        self.serialize_u64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result {
        self.serialize_u64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result {
        self.serialize_u64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result {
        self.byte(tag::UINT);
        self.number(v);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result {
        self.byte(tag::UINT);
        self.0.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result {
        self.serialize_f64(v.into())
    }

    fn serialize_f64(self, v: f64) -> Result {
        self.byte(tag::FLOAT);
        self.number(v.to_bits());
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result {
        self.text(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result {
        self.text(v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result {
        self.byte(tag::BYTES);
        self.number(v.len() as u64);
        self.0.extend_from_slice(v);
        Ok(())
    }

    fn serialize_none(self) -> Result {
        self.byte(tag::NONE);
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        self.byte(tag::SOME);
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result {
        self.byte(tag::UNIT);
        Ok(())
    }

    fn serialize_unit_struct(self, name: &'static str) -> Result {
        self.byte(tag::UNIT);
        self.text(name);
        Ok(())
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.byte(tag::VARIANT);
        self.text(variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        self.byte(tag::VARIANT);
        self.text(variant);
        value.serialize(self)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self> {
        self.byte(tag::SEQ);
        Ok(self)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self> {
        self.byte(tag::SEQ);
        Ok(self)
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self> {
        self.byte(tag::SEQ);
        Ok(self)
    }

    fn serialize_tuple_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<Self> {
        self.byte(tag::VARIANT);
        self.text(variant);
        self.byte(tag::SEQ);
        Ok(self)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self> {
        self.byte(tag::MAP);
        Ok(self)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self> {
        self.byte(tag::STRUCT);
        Ok(self)
    }

    fn serialize_struct_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<Self> {
        self.byte(tag::VARIANT);
        self.text(variant);
        self.byte(tag::STRUCT);
        Ok(self)
    }
}

impl ser::SerializeSeq for &mut Hasher {
    type Ok = ();
    type Error = Never;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result {
        self.byte(tag::END);
        Ok(())
    }
}

impl ser::SerializeTuple for &mut Hasher {
    type Ok = ();
    type Error = Never;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result {
        self.byte(tag::END);
        Ok(())
    }
}

impl ser::SerializeTupleStruct for &mut Hasher {
    type Ok = ();
    type Error = Never;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result {
        self.byte(tag::END);
        Ok(())
    }
}

impl ser::SerializeTupleVariant for &mut Hasher {
    type Ok = ();
    type Error = Never;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result {
        self.byte(tag::END);
        Ok(())
    }
}

impl ser::SerializeMap for &mut Hasher {
    type Ok = ();
    type Error = Never;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        key.serialize(&mut **self)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result {
        self.byte(tag::END);
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Hasher {
    type Ok = ();
    type Error = Never;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.text(key);
        value.serialize(&mut **self)
    }

    fn end(self) -> Result {
        self.byte(tag::END);
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut Hasher {
    type Ok = ();
    type Error = Never;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.text(key);
        value.serialize(&mut **self)
    }

    fn end(self) -> Result {
        self.byte(tag::END);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// Every leaf of `value`, changed one at a time.
    fn variants(value: &Value) -> Vec<Value> {
        match value {
            Value::Object(map) => map
                .iter()
                .flat_map(|(k, v)| {
                    variants(v).into_iter().map(move |changed| {
                        let mut copy = map.clone();
                        copy.insert(k.clone(), changed);
                        Value::Object(copy)
                    })
                })
                .chain(map.keys().map(|k| {
                    let mut copy = map.clone();
                    copy.remove(k);
                    Value::Object(copy)
                }))
                .collect(),
            Value::Array(items) => (0..items.len())
                .flat_map(|i| {
                    variants(&items[i]).into_iter().map(move |changed| {
                        let mut copy = items.clone();
                        copy[i] = changed;
                        Value::Array(copy)
                    })
                })
                .collect(),
            Value::String(s) => vec![json!(format!("{s}x")), json!(null)],
            Value::Number(n) => vec![json!(n.as_f64().unwrap() + 1.0)],
            Value::Bool(b) => vec![json!(!b)],
            Value::Null => vec![json!("")],
        }
    }

    /// What would have caught a field left out of a hand-kept key: every
    /// part of a context, changed alone, changes its key.
    #[test]
    fn every_part_of_a_context_is_in_its_key() {
        let context = json!({
            "page": { "title": "Harbour", "description": null, "url": "https://x.test/a/" },
            "pagination": { "page": 2, "pages": 3, "prev_url": "https://x.test/p/1/", "next_url": null },
            "articles": [{ "title": "A", "featured": false }, { "title": "B", "tags": ["x", "y"] }],
            "count": 7,
        });
        let key = of("tag.html", &context);
        let changed = variants(&context);
        assert!(changed.len() > 20);
        for variant in changed {
            assert_ne!(of("tag.html", &variant), key, "{variant}");
        }
        assert_ne!(of("author.html", &context), key, "the template is in the key");
        assert_eq!(of("tag.html", &context.clone()), key);
    }

    #[test]
    fn neighbouring_strings_do_not_run_together() {
        assert_ne!(of("", &("ab", "c")), of("", &("a", "bc")));
        assert_ne!(of("", &(vec!["a"], vec!["b"])), of("", &(vec!["a", "b"], Vec::<&str>::new())));
    }

    #[test]
    fn an_article_part_counts_as_its_version() {
        #[derive(serde::Serialize)]
        struct Context<'a> {
            #[serde(flatten)]
            summary: Of<Value>,
            body: Of<&'a str>,
            note: &'a str,
        }
        let key = |version, body: &str, note| {
            of(
                "article.html",
                &Context {
                    summary: Of::article(version, json!({"title": body})),
                    body: Of::article(version, body),
                    note,
                },
            )
        };
        // The same version stands for the same article, whatever the bytes.
        assert_eq!(key(1, "body", "n"), key(1, "other", "n"));
        assert_ne!(key(1, "body", "n"), key(2, "body", "n"));
        assert_ne!(key(1, "body", "n"), key(1, "body", "m"));
        // For a template, the value itself.
        let shown = serde_json::to_value(Context {
            summary: Of::article(1, json!({"title": "T"})),
            body: Of::article(1, "B"),
            note: "n",
        })
        .unwrap();
        assert_eq!(shown, json!({"title": "T", "body": "B", "note": "n"}));
    }

    #[test]
    fn counting_names_each_article_once_and_keys_alike() {
        let context = (Of::article(9, "a"), vec![Of::article(3, "b"), Of::article(9, "c")], "note");
        let (key, counted) = counting("index.html", &context);
        assert_eq!(key, of("index.html", &context));
        assert_eq!(*counted, [3, 9]);
        assert!(counting("404.html", &"page").1.is_empty());
        // Keys computed outside `counting` record nothing.
        let _ = of("", &Of::article(5, "x"));
        assert_eq!(*counting("", &Of::article(6, "y")).1, [6]);
    }
}
