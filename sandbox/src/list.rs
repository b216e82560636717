//! Paging, ordering and filter parameters of list endpoints, and the list envelope.
//!
//! Query parameters (names case-insensitive): `page` (1-based, default 1), `size` (default
//! 25, at most 1000), `orderBy` (a field name, case-insensitive; unknown names fall back to
//! `Id`), `dir` (`Ascending`/`Descending`, `asc`/`desc`, or `0`/`1`; default ascending), and
//! filters in the `Entity_Field` form. A `page` or `size` that is not a positive integer falls
//! back to its default; `size` above 1000 is cut to 1000. `CurrentSortDirection` is 0 for
//! ascending and 1 for descending.

use std::cmp::Ordering;

use serde::Serialize;

use crate::envelope::ListEnvelope;

/// Default page size.
pub const DEFAULT_SIZE: u64 = 25;
/// Largest page size.
pub const MAX_SIZE: u64 = 1000;

/// Parsed list parameters.
#[derive(Debug)]
pub struct ListQuery {
    /// 1-based page.
    pub page: u64,
    /// Page size.
    pub size: u64,
    /// `orderBy` as sent, if any.
    pub order_by: Option<String>,
    /// Descending order.
    pub descending: bool,
    /// Other parameters, names lowercased.
    pub params: Vec<(String, String)>,
}

impl ListQuery {
    /// Parses a raw query string.
    pub fn parse(raw: Option<&str>) -> ListQuery {
        let mut q = ListQuery {
            page: 1,
            size: DEFAULT_SIZE,
            order_by: None,
            descending: false,
            params: Vec::new(),
        };
        for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let key = k.to_ascii_lowercase();
            let v = v.trim().to_string();
            match key.as_str() {
                "page" => {
                    q.page = v.parse::<u64>().ok().filter(|n| *n >= 1).unwrap_or(1);
                }
                "size" => {
                    q.size = v
                        .parse::<u64>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .map_or(DEFAULT_SIZE, |n| n.min(MAX_SIZE));
                }
                "orderby" => q.order_by = Some(v).filter(|s| !s.is_empty()),
                "dir" => {
                    q.descending =
                        matches!(v.to_ascii_lowercase().as_str(), "descending" | "desc" | "1");
                }
                _ => q.params.push((key, v)),
            }
        }
        q
    }

    /// The values of a filter parameter, by any of its names (lowercase).
    pub fn filter(&self, names: &[&str]) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| names.contains(&k.as_str()))
            .map(|(_, v)| v.as_str())
    }
}

/// Sorts by `compare` (which breaks ties by id), reversed when descending, then cuts one page.
pub fn page<T: Serialize>(
    mut items: Vec<T>,
    q: &ListQuery,
    order_field: &str,
    compare: impl Fn(&T, &T) -> Ordering,
) -> ListEnvelope<T> {
    items.sort_by(|a, b| {
        let o = compare(a, b);
        if q.descending {
            o.reverse()
        } else {
            o
        }
    });
    let total = items.len() as u64;
    let total_pages = total.div_ceil(q.size);
    let offset = (q.page - 1).saturating_mul(q.size);
    let records: Vec<T> = items
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(q.size).unwrap_or(usize::MAX))
        .collect();
    let (first, last) = if records.is_empty() {
        (0, 0)
    } else {
        (offset + 1, offset + records.len() as u64)
    };
    ListEnvelope {
        records,
        current_page: q.page,
        current_page_size: q.size,
        current_order_field: order_field.to_string(),
        current_sort_direction: u8::from(q.descending),
        first_item: first,
        last_item: last,
        total_items: total,
        total_pages,
        has_next_page: q.page < total_pages,
        has_previous_page: q.page > 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_pages() {
        let q = ListQuery::parse(Some("page=2&size=2&orderBy=Id&dir=Descending&X_Y=3"));
        assert_eq!((q.page, q.size, q.descending), (2, 2, true));
        assert_eq!(q.filter(&["x_y"]), Some("3"));
        let env = page((1..=5).collect(), &q, "Id", |a: &i32, b| a.cmp(b));
        assert_eq!(env.records, vec![3, 2]);
        assert_eq!((env.first_item, env.last_item), (3, 4));
        assert_eq!((env.total_items, env.total_pages), (5, 3));
        assert!(env.has_next_page && env.has_previous_page);

        let q = ListQuery::parse(Some("size=5000&page=0&dir=0"));
        assert_eq!((q.page, q.size, q.descending), (1, 1000, false));
        let q = ListQuery::parse(Some("size=abc"));
        assert_eq!(q.size, 25);
        let q = ListQuery::parse(Some("page=9"));
        let env = page(vec![1], &q, "Id", |a: &i32, b| a.cmp(b));
        assert!(env.records.is_empty());
        assert_eq!((env.first_item, env.last_item), (0, 0));
        assert!(!env.has_next_page && env.has_previous_page);
    }
}
