//! Opaque cursors and page slicing of L4, N2 and N4.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::fake::answer::EngineFailure;
use crate::transport::PageRequest;

/// Largest page of every paged GET.
pub(crate) const MAX_PAGE_SIZE: u32 = 1000;

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    pub(crate) offset: usize,
    pub(crate) size: usize,
    /// Whether the request carried a cursor (a page fetch, not a poll).
    pub(crate) has_cursor: bool,
}

/// Checks `pageSize` (1..=1000) and the cursor, which must come from a page
/// of execution `id`.
pub(crate) fn page(req: &PageRequest, id: &str, default_size: u32) -> Result<Page, EngineFailure> {
    let size = req.page_size.unwrap_or(default_size);
    if !(1..=MAX_PAGE_SIZE).contains(&size) {
        return Err(EngineFailure::bad_request(
            "pageSize",
            "out.of.range",
            format!("pageSize must be from 1 to {MAX_PAGE_SIZE}, got {size}"),
        ));
    }
    let offset = match req.after.as_deref() {
        None => 0,
        Some(cursor) => decode(cursor, id).ok_or_else(bad_cursor)?,
    };
    Ok(Page {
        offset,
        size: size as usize,
        has_cursor: req.after.is_some(),
    })
}

fn bad_cursor() -> EngineFailure {
    EngineFailure::bad_request(
        "after",
        "invalid.value",
        "after is not a cursor of this result",
    )
}

/// The cursor of the page starting at `offset` of execution `id`.
pub(crate) fn cursor(id: &str, offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{offset}:{id}"))
}

fn decode(cursor: &str, id: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let rest = text.strip_prefix("v1:")?;
    let (offset, cursor_id) = rest.split_once(':')?;
    (cursor_id == id).then_some(())?;
    offset.parse().ok().filter(|&o| o > 0)
}

/// The rows of `page` and the offset of the next page, if rows remain.
///
/// # Errors
/// 400 `after` when the cursor points past the end.
pub(crate) fn slice<T>(rows: &[T], page: Page) -> Result<(&[T], Option<usize>), EngineFailure> {
    if page.offset > rows.len() || (page.has_cursor && page.offset == rows.len()) {
        return Err(bad_cursor());
    }
    let end = page.offset.saturating_add(page.size).min(rows.len());
    let next = (end < rows.len()).then_some(end);
    Ok((&rows[page.offset..end], next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_is_bound_to_its_execution() {
        let c = cursor("exec-1", 250);
        let p = page(
            &PageRequest::with_page_size(10).after(c.clone()),
            "exec-1",
            100,
        )
        .unwrap();
        assert_eq!((p.offset, p.size, p.has_cursor), (250, 10, true));
        let other = page(&PageRequest::first().after(c), "exec-2", 100).unwrap_err();
        assert_eq!(other.body.field_names().collect::<Vec<_>>(), ["after"]);
    }

    #[test]
    fn page_size_outside_1_to_1000_is_refused() {
        for size in [0, 1001] {
            let e = page(&PageRequest::with_page_size(size), "x", 100).unwrap_err();
            assert_eq!(e.body.field_names().collect::<Vec<_>>(), ["pageSize"]);
        }
        assert_eq!(page(&PageRequest::first(), "x", 100).unwrap().size, 100);
    }

    #[test]
    fn garbage_cursor_is_refused() {
        for c in ["", "!!!", "djE6eDp5"] {
            assert!(
                page(&PageRequest::first().after(c), "x", 100).is_err(),
                "{c}"
            );
        }
    }

    #[test]
    fn slice_gives_the_next_offset_while_rows_remain() {
        let rows: Vec<u32> = (0..5).collect();
        let first = Page {
            offset: 0,
            size: 2,
            has_cursor: false,
        };
        assert_eq!(slice(&rows, first).unwrap(), (&rows[0..2], Some(2)));
        let last = Page {
            offset: 4,
            size: 2,
            has_cursor: true,
        };
        assert_eq!(slice(&rows, last).unwrap(), (&rows[4..5], None));
        let past = Page {
            offset: 5,
            size: 2,
            has_cursor: true,
        };
        assert!(slice(&rows, past).is_err());
        let empty: Vec<u32> = Vec::new();
        assert_eq!(
            slice(
                &empty,
                Page {
                    offset: 0,
                    size: 2,
                    has_cursor: false
                }
            )
            .unwrap()
            .1,
            None
        );
    }
}
