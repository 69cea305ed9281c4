//! The one order of article lists: newest first, then by content path.
//! Listings, feeds, backlinks and the home page all sort with
//! [`newest_first`], so two articles published in the same second appear
//! in the same order everywhere.

use std::cmp::Ordering;

use jiff::Timestamp;

/// Where an article stands in time: its publication instant, to the
/// nanosecond, and its content path to break ties. Ordered oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dated<'a> {
    pub at: Timestamp,
    pub rel: &'a str,
}

/// Newest first; on the same instant, by content path ascending.
pub fn newest_first(a: Dated, b: Dated) -> Ordering {
    b.at.cmp(&a.at).then_with(|| a.rel.cmp(b.rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_then_by_path() {
        let at = |s: i64, ns: i32| Timestamp::new(s, ns).unwrap();
        let mut list = [
            Dated { at: at(10, 0), rel: "b.md" },
            Dated { at: at(10, 500), rel: "z.md" },
            Dated { at: at(10, 0), rel: "a.md" },
            Dated { at: at(20, 0), rel: "c.md" },
        ];
        list.sort_by(|a, b| newest_first(*a, *b));
        let rels: Vec<&str> = list.iter().map(|d| d.rel).collect();
        // Half a microsecond later is newer: whole seconds would tie z with a and b.
        assert_eq!(rels, ["c.md", "z.md", "a.md", "b.md"]);
    }
}
