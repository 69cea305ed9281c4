//! `card(item=…, …)`: the theme's `partials/card.html` for one article,
//! rendered once for each distinct set of arguments and then reused. A
//! listing page shows twenty cards and an article is on a dozen lists (its
//! category's pages and the home page, each of its tags', its author's,
//! its day, month and year in the archive, the related lists of other
//! articles): included, the partial ran some 17 times for every article of
//! the benchmark's corpus, each time the same.
//!
//! The partial gets the arguments as its variables, and `site`, and
//! nothing else of the page, so that what it renders depends on the
//! arguments alone: they are the memo's key. `item` counts by identity:
//! template values are never changed once made, so the map that a page's
//! `item` is (an article's summary, shared by every page that shows it)
//! renders the same card each time; the memo holds the map while it holds
//! its card, so no other map can take its address meanwhile. Hashing the
//! summary's content instead cost more than rendering the card. The other
//! arguments count by content. The memo lasts as long as the templates:
//! `serve` keeps the summaries of unchanged articles from one build to the
//! next, the same maps, so a save renders only the cards of what changed.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use rustc_hash::FxHashMap;
use tera::{Context, Kwargs, State, Tera, TeraResult, Value};

const TEMPLATE: &str = "partials/card.html";

/// The cards kept, in bytes: all of a 10,000-article site's (some 12 MB),
/// not all of a million articles', whose builds must stay within their
/// memory. Past it the memo starts again empty: a card forgotten is
/// rendered again when shown again.
const BUDGET: usize = 64 << 20;

/// Locks over the memo, so that threads seldom wait on each other.
const SHARDS: usize = 16;

thread_local! {
    /// Set while this thread renders a card: a card that shows a card
    /// would never end.
    static RENDERING: Cell<bool> = const { Cell::new(false) };
    /// The bytes a key is hashed from, kept for the next.
    static BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// The cards rendered, by key: each with the `item` it was rendered from
/// (held, see above).
#[derive(Default)]
struct Memo {
    shards: [Mutex<FxHashMap<u128, (Value, Value)>>; SHARDS],
    kept: AtomicUsize,
}

impl Memo {
    fn clear(&self) {
        for shard in &self.shards {
            shard.lock().unwrap_or_else(|e| e.into_inner()).clear();
        }
        self.kept.store(0, Ordering::Relaxed);
    }
}

/// The `card` function of the templates.
pub struct Card {
    /// The templates it renders with: they own this function, so it holds
    /// them weakly (set once they are complete).
    tera: Arc<OnceLock<Weak<Tera>>>,
    memo: Memo,
}

impl Card {
    pub fn new(tera: Arc<OnceLock<Weak<Tera>>>) -> Card {
        Card { tera, memo: Memo::default() }
    }

    fn render(&self, args: &Kwargs) -> TeraResult<Value> {
        let Some(tera) = self.tera.get().and_then(Weak::upgrade) else {
            return Err(tera::Error::message("the templates of card() are not ready"));
        };
        if RENDERING.replace(true) {
            return Err(tera::Error::message(format!("card() cannot be called from {TEMPLATE}")));
        }
        let mut context = Context::new();
        for (name, value) in args.iter() {
            context.insert_value(name.as_str().unwrap_or_default().to_owned(), value.clone());
        }
        let rendered = tera.render(TEMPLATE, &context);
        RENDERING.set(false);
        // Tera reports this call's error with the call's place after it:
        // the card's own report without its heading, then where it was shown.
        rendered.map(Value::from).map_err(|error| tera::Error::message(super::report(&error)))
    }
}

impl tera::Function<TeraResult<Value>> for Card {
    fn call(&self, args: Kwargs, _: &State) -> TeraResult<Value> {
        let Some(item) = args.get::<Value>("item")? else {
            return Err(tera::Error::message("card() needs `item`, the article's summary"));
        };
        // An item that is not a map (no summary) is rendered as it comes.
        let Some(map) = item.as_map() else { return self.render(&args) };
        let key = key(map, &args);
        let shard = &self.memo.shards[(key % SHARDS as u128) as usize];
        if let Some((_, card)) = shard.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(card.clone());
        }
        let card = self.render(&args)?;
        let size = card.as_str().map_or(0, str::len);
        if self.memo.kept.fetch_add(size, Ordering::Relaxed) > BUDGET {
            self.memo.clear();
        }
        shard.lock().unwrap_or_else(|e| e.into_inner()).insert(key, (item, card.clone()));
        Ok(card)
    }

    /// Its output is HTML.
    fn is_safe(&self) -> bool {
        true
    }
}

/// A 128-bit hash of the arguments: `item`'s map by its address, the
/// others by name and value, each string with whether it is marked safe
/// (which decides its escaping).
fn key(item: &tera::Map, args: &Kwargs) -> u128 {
    let mut bytes = BUFFER.take();
    bytes.clear();
    bytes.extend_from_slice(&(item as *const tera::Map as usize).to_le_bytes());
    for (name, value) in args.iter().filter(|(name, _)| name.as_str() != Some("item")) {
        write_key(&mut bytes, name);
        write_value(&mut bytes, value);
    }
    let key = xxhash_rust::xxh3::xxh3_128(&bytes);
    BUFFER.set(bytes);
    key
}

fn write_key(bytes: &mut Vec<u8>, key: &tera::value::Key<'_>) {
    match key.as_str() {
        Some(name) => write_str(bytes, b's', name),
        None => write_value(bytes, &key.as_value()),
    }
}

/// Each part tagged, and each string and list preceded by its length, so
/// that no two values write the same bytes.
fn write_value(bytes: &mut Vec<u8>, value: &Value) {
    if let Some(map) = value.as_map() {
        write_len(bytes, b'm', map.len());
        for (key, value) in map {
            write_key(bytes, key);
            write_value(bytes, value);
        }
    } else if let Some(items) = value.as_array() {
        write_len(bytes, b'a', items.len());
        for item in items {
            write_value(bytes, item);
        }
    } else if let Some(text) = value.as_str() {
        write_str(bytes, if value.is_safe() { b'S' } else { b's' }, text);
    } else if let Some(number) = value.as_number() {
        match number {
            tera::Number::Integer(n) => {
                bytes.push(b'i');
                bytes.extend_from_slice(&n.to_le_bytes());
            }
            tera::Number::Float(x) => {
                bytes.push(b'f');
                bytes.extend_from_slice(&x.to_bits().to_le_bytes());
            }
            other => write_str(bytes, b'n', &other.to_string()),
        }
    } else if let Some(flag) = value.as_bool() {
        bytes.push(if flag { b'T' } else { b'F' });
    } else if let Some(raw) = value.as_bytes() {
        write_len(bytes, b'b', raw.len());
        bytes.extend_from_slice(raw);
    } else if value.is_none() {
        bytes.push(b'0');
    } else {
        bytes.push(b'u');
    }
}

fn write_len(bytes: &mut Vec<u8>, tag: u8, len: usize) {
    bytes.push(tag);
    bytes.extend_from_slice(&(len as u64).to_le_bytes());
}

fn write_str(bytes: &mut Vec<u8>, tag: u8, text: &str) {
    write_len(bytes, tag, text.len());
    bytes.extend_from_slice(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pairs: &[(&'static str, Value)]) -> Kwargs {
        let map: tera::Map = pairs.iter().map(|(name, value)| ((*name).into(), value.clone())).collect();
        Kwargs::new(Arc::new(map))
    }

    fn item(title: &str) -> Value {
        let map: tera::Map = [("title".into(), Value::from(title))].into_iter().collect();
        Value::from(map)
    }

    fn key_of(pairs: &[(&'static str, Value)]) -> u128 {
        let args = args(pairs);
        let item = args.get::<Value>("item").unwrap().unwrap();
        key(item.as_map().unwrap(), &args)
    }

    #[test]
    fn keys_tell_apart_what_renders_apart() {
        let shown = item("A & B");
        let plain = key_of(&[("item", shown.clone())]);
        assert_eq!(plain, key_of(&[("item", shown.clone())]), "the same map");
        assert_ne!(plain, key_of(&[("item", item("A & B"))]), "another map");
        let kicker = |hide: bool| key_of(&[("item", shown.clone()), ("hide_kicker", hide.into())]);
        assert_eq!(kicker(true), kicker(true));
        assert_ne!(kicker(true), kicker(false));
        assert_ne!(plain, kicker(false));
        // The same text marked safe is not escaped: another card.
        let text = |value: Value| key_of(&[("item", shown.clone()), ("note", value)]);
        assert_ne!(text(Value::from("A & B")), text(Value::safe_string("A & B")));
        // Lengths come first: moving bytes between strings changes the key.
        let two = |a: &str, b: &str| key_of(&[("item", shown.clone()), ("x", a.into()), ("y", b.into())]);
        assert_ne!(two("ab", "c"), two("a", "bc"));
    }
}
