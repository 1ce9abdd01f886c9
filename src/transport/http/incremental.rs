//! Decoding a 2xx body while it arrives, so that a large result is never
//! held twice (as JSON and decoded) at the same time.
//!
//! A 100,000-row legacy result is about 37 MB of JSON and about 1.5 times
//! that once decoded. Reading the whole body and then decoding it peaks at
//! the sum of both; decoding the rows as their bytes arrive keeps only the
//! not-yet-parsed tail of the body next to the rows, and overlaps decoding
//! with the transfer.
//!
//! How:
//! - A body of at most [`BUFFER_LIMIT`] bytes (every answer but large
//!   results) is buffered and decoded with one `from_slice`, as before.
//! - Past that, the body is split in two. The items of the type's one large
//!   array (its [`Streamed::FIELD`], e.g. `results`) are decoded one at a
//!   time with serde_json as soon as each is complete, and their bytes are
//!   dropped. Everything else, the *skeleton* (the body with that array left
//!   as `[]`), is small; it is kept and decoded at the end, and the items are
//!   then put in with [`Streamed::fill`].
//!
//! serde_json still parses every byte: each item, the skeleton, and (here)
//! only the whitespace, commas and brackets between items. A body is
//! therefore accepted exactly when `from_slice` accepts it (one caveat: the
//! nesting limit counts from each item, not from the top), and gives the
//! same value. A scanner that follows strings, escapes and nesting finds the
//! array; a key spelled with escapes is not recognised, and the body is then
//! simply decoded whole.

use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::models::{ApiUsageQueryResult, PublicApiUsageResultsResponse};

/// Bodies up to this size are decoded in one piece.
pub(crate) const BUFFER_LIMIT: usize = 256 * 1024;

/// Bytes of the body kept for the snippet of a decode error.
const HEAD: usize = 800;

/// A response body type, and the large array in it that may be decoded item
/// by item (`FIELD` = `None`: always decoded whole).
pub(crate) trait Streamed: DeserializeOwned {
    /// The array's item type.
    type Item: DeserializeOwned;
    /// The top-level member holding the array.
    const FIELD: Option<&'static str>;
    /// Puts the items decoded one by one into the value decoded from the
    /// skeleton (where the array was `[]`).
    fn fill(&mut self, items: Vec<Self::Item>);
}

impl Streamed for ApiUsageQueryResult {
    type Item = crate::models::ApiUsageRow;
    const FIELD: Option<&'static str> = Some("results");
    fn fill(&mut self, items: Vec<Self::Item>) {
        self.results = Some(items);
    }
}

impl<R: DeserializeOwned> Streamed for PublicApiUsageResultsResponse<R> {
    type Item = R;
    const FIELD: Option<&'static str> = Some("entities");
    fn fill(&mut self, items: Vec<R>) {
        self.entities = Some(items);
    }
}

/// Small answers: always decoded whole.
macro_rules! whole {
    ($($ty:ty),*) => {$(
        impl Streamed for $ty {
            type Item = serde::de::IgnoredAny;
            const FIELD: Option<&'static str> = None;
            fn fill(&mut self, _: Vec<Self::Item>) {}
        }
    )*};
}
whole!(
    crate::models::UsageExecutionResult,
    crate::models::OrganizationUsageQueryResponse
);

/// Why a body could not be decoded.
#[derive(Debug)]
pub(crate) struct Undecodable {
    /// What serde said, and where.
    pub(crate) message: String,
    /// The first bytes of the body.
    pub(crate) head: Vec<u8>,
    /// The body is not JSON at all (a syntax error or an early end), as
    /// opposed to JSON of another shape. Only a body decoded whole is told
    /// apart; a large body that breaks off while streaming counts as JSON.
    pub(crate) not_json: bool,
}

/// Decodes one body of type `T` from its chunks: [`push`](Self::push) each,
/// then [`finish`](Self::finish).
pub(crate) struct BodyDecoder<T: Streamed> {
    limit: usize,
    head: Vec<u8>,
    received: usize,
    state: State<T::Item>,
}

enum State<I> {
    /// Up to the limit: the whole body so far.
    Whole(Vec<u8>),
    /// Past it.
    Split(Split<I>),
}

impl<T: Streamed> std::fmt::Debug for BodyDecoder<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyDecoder")
            .field("received", &self.received)
            .finish_non_exhaustive()
    }
}

impl<T: Streamed> BodyDecoder<T> {
    /// A decoder; `size_hint` (the `Content-Length`) sizes the buffer.
    pub(crate) fn new(size_hint: Option<u64>) -> Self {
        Self::with_limit(BUFFER_LIMIT, size_hint)
    }

    /// A decoder that splits bodies larger than `limit` (tests use 0).
    pub(crate) fn with_limit(limit: usize, size_hint: Option<u64>) -> Self {
        let hint = size_hint.map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
        Self {
            limit,
            head: Vec::new(),
            received: 0,
            state: State::Whole(Vec::with_capacity(hint.min(limit))),
        }
    }

    /// Takes the next chunk of the body.
    ///
    /// # Errors
    /// As soon as the body is known to be undecodable.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<(), Undecodable> {
        if self.head.len() < HEAD {
            let take = chunk.len().min(HEAD - self.head.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        let at = self.received;
        self.received += chunk.len();
        let outcome = match &mut self.state {
            State::Whole(buffer) => {
                let Some(field) = T::FIELD.filter(|_| buffer.len() + chunk.len() > self.limit)
                else {
                    buffer.extend_from_slice(chunk);
                    return Ok(());
                };
                let earlier = std::mem::take(buffer);
                let mut split = Split::new(field);
                let outcome = split.push(&earlier, 0).and_then(|()| split.push(chunk, at));
                self.state = State::Split(split);
                outcome
            }
            State::Split(split) => split.push(chunk, at),
        };
        outcome.map_err(|message| self.undecodable(message))
    }

    /// Decodes what is left once the body has ended.
    ///
    /// # Errors
    /// When the body is not a valid `T` (including a body cut short).
    pub(crate) fn finish(self) -> Result<T, Undecodable> {
        let received = self.received;
        let outcome = match self.state {
            State::Whole(buffer) => serde_json::from_slice(&buffer).map_err(|e| {
                let not_json = matches!(e.classify(), Category::Syntax | Category::Eof);
                (e.to_string(), not_json)
            }),
            State::Split(split) => split.finish(received).map_err(|e| (e, false)),
        };
        outcome.map_err(|(message, not_json)| Undecodable {
            message,
            head: self.head,
            not_json,
        })
    }

    fn undecodable(&mut self, message: String) -> Undecodable {
        Undecodable {
            message,
            head: std::mem::take(&mut self.head),
            not_json: false,
        }
    }
}

/// The split decoding of a body past the limit.
struct Split<I> {
    field: &'static str,
    /// The body minus the streamed items.
    skeleton: Vec<u8>,
    outer: Outer,
    /// While inside the streamed array.
    array: Option<Items>,
    /// The array was streamed (there is only one per body).
    streamed: bool,
    items: Vec<I>,
}

impl<I: DeserializeOwned> Split<I> {
    fn new(field: &'static str) -> Self {
        Self {
            field,
            skeleton: Vec::new(),
            outer: Outer::default(),
            array: None,
            streamed: false,
            items: Vec::new(),
        }
    }

    /// Takes `bytes`, which start at byte `at` of the body.
    fn push(&mut self, bytes: &[u8], at: usize) -> Result<(), String> {
        if let Some(array) = &mut self.array {
            return match array.feed(bytes, &mut self.items, self.field, false)? {
                Some(tail) => self.close_array(&tail),
                None => Ok(()),
            };
        }
        if self.streamed {
            self.skeleton.extend_from_slice(bytes);
            return Ok(());
        }
        match self.outer.scan(bytes, self.field.as_bytes()) {
            Some(open) => {
                // `open` is the `[` of the array: the skeleton keeps it.
                self.skeleton.extend_from_slice(&bytes[..=open]);
                self.array = Some(Items::new(at + open + 1));
                self.push(&bytes[open + 1..], at + open + 1)
            }
            None => {
                self.skeleton.extend_from_slice(bytes);
                Ok(())
            }
        }
    }

    fn close_array(&mut self, tail: &[u8]) -> Result<(), String> {
        self.array = None;
        self.streamed = true;
        self.skeleton.push(b']');
        self.skeleton.extend_from_slice(tail);
        Ok(())
    }

    fn finish<T: Streamed<Item = I>>(mut self, received: usize) -> Result<T, String> {
        if let Some(mut array) = self.array.take() {
            match array.feed(&[], &mut self.items, self.field, true)? {
                Some(tail) => self.close_array(&tail)?,
                None => {
                    return Err(format!(
                        "EOF while parsing `{}`: the body ends after {received} bytes and {} items",
                        self.field,
                        self.items.len()
                    ));
                }
            }
        }
        let mut value: T = serde_json::from_slice(&self.skeleton).map_err(|e| {
            if self.streamed {
                format!("{e} (counting without the `{}` items)", self.field)
            } else {
                e.to_string()
            }
        })?;
        if self.streamed {
            value.fill(self.items);
        }
        Ok(value)
    }
}

/// JSON whitespace (RFC 8259).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Whether the value at the start of `bytes` ends within them: its closing
/// bracket or quote, or (a number or literal) a delimiter after it.
fn complete(bytes: &[u8]) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                if depth == 0 {
                    return true;
                }
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth <= 1 => return true,
            b'}' | b']' => depth -= 1,
            b',' | b':' if depth == 0 => return true,
            b if depth == 0 && is_space(b) => return true,
            _ => {}
        }
    }
    false
}

/// What the scanner saw last at the top level of the object.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Armed {
    #[default]
    No,
    /// The key was the field.
    Key,
    /// … and its `:` followed.
    Colon,
}

/// Follows the body outside the streamed array: strings, escapes and
/// nesting, and the keys of the top-level object, to find the array.
#[derive(Debug, Default)]
struct Outer {
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// The top-level value has begun.
    started: bool,
    /// … and is an object that is still open.
    object: bool,
    /// At depth 1, the next string is a key.
    expect_key: bool,
    /// The depth-1 key being read (at most one byte longer than the field).
    key: Option<Vec<u8>>,
    armed: Armed,
}

impl Outer {
    /// Scans `bytes`; the index of the `[` opening the field's array, if in them.
    fn scan(&mut self, bytes: &[u8], field: &[u8]) -> Option<usize> {
        for (i, &b) in bytes.iter().enumerate() {
            if self.in_string {
                self.string_byte(b, field);
                continue;
            }
            if is_space(b) {
                continue;
            }
            let armed = std::mem::take(&mut self.armed);
            match b {
                b'"' => {
                    self.in_string = true;
                    if self.depth == 1 && self.object && self.expect_key {
                        self.key = Some(Vec::with_capacity(field.len() + 1));
                    }
                }
                b'[' if armed == Armed::Colon => return Some(i),
                b'{' | b'[' => {
                    if self.depth == 0 && !self.started {
                        self.object = b == b'{';
                    }
                    self.started = true;
                    self.depth += 1;
                    self.expect_key = self.depth == 1;
                }
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        self.object = false;
                    }
                }
                b',' if self.depth == 1 => self.expect_key = true,
                b':' if self.depth == 1 => {
                    self.expect_key = false;
                    if armed == Armed::Key {
                        self.armed = Armed::Colon;
                    }
                }
                _ => self.started = true,
            }
        }
        None
    }

    fn string_byte(&mut self, b: u8, field: &[u8]) {
        if self.escaped {
            self.escaped = false;
        } else if b == b'\\' {
            self.escaped = true;
        } else if b == b'"' {
            self.in_string = false;
            if self.key.take().is_some_and(|key| key == field) {
                self.armed = Armed::Key;
            }
            return;
        }
        // An escape makes the key differ from the field: such a spelling is
        // not recognised (the body is then decoded whole, correctly).
        if let Some(key) = &mut self.key {
            if key.len() <= field.len() {
                key.push(b);
            }
        }
    }
}

/// What comes next inside the streamed array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Right after `[`: an item or `]`.
    FirstOrEnd,
    /// After `,`: an item.
    Item,
    /// After an item: `,` or `]`.
    CommaOrEnd,
}

/// The inside of the streamed array.
#[derive(Debug)]
struct Items {
    /// Received bytes not yet parsed (at most a partial item and one chunk).
    pending: Vec<u8>,
    /// Body offset of `pending[0]`, for error messages.
    pending_at: usize,
    expect: Expect,
    /// After an incomplete item: how many bytes to wait for before trying
    /// again (twice as many each time), so a huge item is parsed O(n) times.
    wait_for: usize,
}

impl Items {
    fn new(at: usize) -> Self {
        Self {
            pending: Vec::new(),
            pending_at: at,
            expect: Expect::FirstOrEnd,
            wait_for: 0,
        }
    }

    /// Parses every complete item of `pending + bytes` into `items`. Once
    /// the closing `]` is seen, returns the bytes after it. `eof`: no more
    /// bytes will come, so an incomplete item is an error.
    fn feed<I: DeserializeOwned>(
        &mut self,
        bytes: &[u8],
        items: &mut Vec<I>,
        field: &str,
        eof: bool,
    ) -> Result<Option<Vec<u8>>, String> {
        self.pending.extend_from_slice(bytes);
        let buf = self.pending.as_slice();
        let mut pos = 0;
        let closed = loop {
            while pos < buf.len() && is_space(buf[pos]) {
                pos += 1;
            }
            let Some(&b) = buf.get(pos) else {
                break false;
            };
            match self.expect {
                Expect::FirstOrEnd | Expect::CommaOrEnd if b == b']' => {
                    pos += 1;
                    break true;
                }
                Expect::CommaOrEnd if b == b',' => {
                    pos += 1;
                    self.expect = Expect::Item;
                }
                Expect::CommaOrEnd => {
                    return Err(format!(
                        "expected `,` or `]` after `{field}` item {} at byte {}",
                        items.len() - 1,
                        self.pending_at + pos
                    ));
                }
                Expect::FirstOrEnd | Expect::Item => {
                    let available = buf.len() - pos;
                    if !eof && available < self.wait_for {
                        break false;
                    }
                    let mut stream =
                        serde_json::Deserializer::from_slice(&buf[pos..]).into_iter::<I>();
                    match stream.next() {
                        Some(Ok(item)) => {
                            let end = pos + stream.byte_offset();
                            // A number or literal that ends with the bytes
                            // so far may go on in the next chunk.
                            let delimited = matches!(b, b'{' | b'[' | b'"');
                            if end == buf.len() && !eof && !delimited {
                                self.wait_for = available + 1;
                                break false;
                            }
                            items.push(item);
                            pos = end;
                            self.expect = Expect::CommaOrEnd;
                            self.wait_for = 0;
                        }
                        // serde_json does not always say EOF when an item
                        // is cut short (an ignored `-` at the end is an
                        // "invalid number"): an error counts only once the
                        // whole item is here.
                        Some(Err(_)) if !eof && !complete(&buf[pos..]) => {
                            self.wait_for = available.saturating_mul(2);
                            break false;
                        }
                        Some(Err(e)) => {
                            return Err(format!(
                                "`{field}` item {} (at byte {}): {e}",
                                items.len(),
                                self.pending_at + pos
                            ));
                        }
                        // Unreachable: a non-space byte is there.
                        None => break false,
                    }
                }
            }
        };
        if closed {
            return Ok(Some(self.pending[pos..].to_vec()));
        }
        self.pending.drain(..pos);
        self.pending_at += pos;
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ApiUsageRow;
    use proptest::prelude::*;

    /// Decodes `body` split at `cuts` with limit 0 (always split).
    fn split_decode<T: Streamed>(body: &[u8], cuts: &[usize]) -> Result<T, String> {
        let mut decoder = BodyDecoder::<T>::with_limit(0, None);
        let mut start = 0;
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
        cuts.sort_unstable();
        for cut in cuts.into_iter().chain([body.len()]) {
            decoder
                .push(&body[start..cut])
                .map_err(|e| e.message.clone())?;
            start = cut;
        }
        decoder.finish().map_err(|e| e.message)
    }

    fn row(i: i64) -> ApiUsageRow {
        ApiUsageRow {
            client_id: Some(format!("client-{i}")),
            template_uri: Some("api/v2/\"quoted\"/[x]{y}\\".to_owned()),
            requests: Some(i),
            date: (i % 2 == 0).then(|| "2025-01-01T00:00:00Z".to_owned()),
            ..ApiUsageRow::default()
        }
    }

    fn result(n: i64) -> ApiUsageQueryResult {
        ApiUsageQueryResult {
            results: Some((0..n).map(row).collect()),
            query_status: Some(crate::models::QueryStatus::Complete),
            cursors: None,
        }
    }

    #[test]
    fn a_large_body_decodes_split_and_equals_from_slice() {
        let value = result(5_000);
        let body = serde_json::to_vec(&value).unwrap();
        assert!(body.len() > BUFFER_LIMIT);
        let mut decoder = BodyDecoder::<ApiUsageQueryResult>::new(None);
        for chunk in body.chunks(7_919) {
            decoder.push(chunk).unwrap();
        }
        assert!(matches!(decoder.state, State::Split(_)));
        assert_eq!(decoder.finish().unwrap(), value);
    }

    #[test]
    fn members_around_the_array_in_any_order_and_spacing_are_kept() {
        let body = br#" { "queryStatus" : "Complete" , "results" : [ {"requests":1} ,
            {"requests":2}] , "cursors":{"after":"a]\"["}, "unknown": [1,{"results":[3]}] } "#;
        for cuts in [
            vec![],
            vec![1, 5, 40, 41, 42, 90],
            (0..body.len()).collect(),
        ] {
            let got: ApiUsageQueryResult = split_decode(body, &cuts).unwrap();
            let want: ApiUsageQueryResult = serde_json::from_slice(body).unwrap();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn a_body_cut_inside_the_array_is_an_error_naming_the_field() {
        let body = serde_json::to_vec(&result(50)).unwrap();
        let cut = &body[..body.len() / 2];
        let err = split_decode::<ApiUsageQueryResult>(cut, &[100, 2_000]).unwrap_err();
        assert!(err.contains("EOF") && err.contains("results"), "{err}");
    }

    #[test]
    fn a_bad_item_is_reported_with_its_index_and_offset() {
        let body = br#"{"results":[{"requests":1},{"requests":"x"}]}"#;
        let err = split_decode::<ApiUsageQueryResult>(body, &[3]).unwrap_err();
        assert!(err.contains("`results` item 1 (at byte 27)"), "{err}");
    }

    #[test]
    fn an_item_cut_inside_an_ignored_number_waits_for_the_rest() {
        let body = br#"{"results":[{"requests":1,"unknown":-12}]}"#;
        let want: ApiUsageQueryResult = serde_json::from_slice(body).unwrap();
        let minus = body.iter().position(|&b| b == b'-').unwrap();
        for cut in [minus, minus + 1, minus + 2] {
            assert_eq!(
                split_decode::<ApiUsageQueryResult>(body, &[cut]).unwrap(),
                want
            );
        }
    }

    #[test]
    fn null_results_and_duplicates_behave_as_from_slice() {
        let null: ApiUsageQueryResult = split_decode(br#"{"results":null}"#, &[4]).unwrap();
        assert_eq!(null.results, None);
        let dup = br#"{"results":[],"results":[{"requests":1}]}"#;
        assert!(serde_json::from_slice::<ApiUsageQueryResult>(dup).is_err());
        assert!(split_decode::<ApiUsageQueryResult>(dup, &[20]).is_err());
    }

    /// JSON-ish bytes: valid bodies with spacing, and mutations of them.
    fn body_strategy() -> impl Strategy<Value = Vec<u8>> {
        let rows = prop::collection::vec((any::<i64>(), "[a-z\"\\\\\\]\\[{},: ]{0,6}"), 0..6);
        (
            rows,
            any::<bool>(),
            0usize..4,
            prop::collection::vec(any::<(usize, u8)>(), 0..3),
        )
            .prop_map(|(rows, status_first, spaces, edits)| {
                let items: Vec<String> = rows
                    .iter()
                    .map(|(n, s)| {
                        let row = ApiUsageRow {
                            requests: Some(*n),
                            client_name: Some(s.clone()),
                            ..ApiUsageRow::default()
                        };
                        serde_json::to_string(&row).unwrap()
                    })
                    .collect();
                let pad = " \n".repeat(spaces);
                let array = format!("[{pad}{}{pad}]", items.join(&format!("{pad},{pad}")));
                let members = [
                    format!(r#""results"{pad}:{pad}{array}"#),
                    r#""queryStatus":"Running""#.to_owned(),
                ];
                let (a, b) = if status_first { (1, 0) } else { (0, 1) };
                let mut body = format!("{{{pad}{}{pad},{}}}", members[a], members[b]).into_bytes();
                for (at, byte) in edits {
                    if !body.is_empty() {
                        let at = at % body.len();
                        body[at] = b"{}[],:\" x1\\"[usize::from(byte) % 11];
                    }
                }
                body
            })
    }

    proptest! {
        /// Split decoding accepts exactly what `from_slice` accepts, with the
        /// same value, wherever the chunks are cut.
        #[test]
        fn split_decoding_agrees_with_from_slice(
            body in body_strategy(),
            cuts in prop::collection::vec(any::<usize>(), 0..6),
        ) {
            let whole = serde_json::from_slice::<ApiUsageQueryResult>(&body);
            let split = split_decode::<ApiUsageQueryResult>(&body, &cuts);
            match (whole, split) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
                (Err(_), Err(_)) => {}
                (a, b) => prop_assert!(false, "from_slice {:?} vs split {:?} on {:?}",
                    a, b, String::from_utf8_lossy(&body)),
            }
        }

        /// The same for a body of numbers, whose items end only at a delimiter.
        #[test]
        fn numbers_cut_anywhere_agree(
            numbers in prop::collection::vec(-1_000_000i64..1_000_000, 0..8),
            cuts in prop::collection::vec(any::<usize>(), 0..8),
        ) {
            let text: Vec<String> = numbers.iter().map(i64::to_string).collect();
            let body = format!(r#"{{"entities":[{}],"queryStatus":"Complete"}}"#, text.join(", "));
            type Page = PublicApiUsageResultsResponse<i64>;
            let whole: Page = serde_json::from_slice(body.as_bytes()).unwrap();
            let split: Page = split_decode(body.as_bytes(), &cuts).unwrap();
            prop_assert_eq!(whole, split);
        }
    }
}
