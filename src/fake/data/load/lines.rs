//! Reading a dataset file line by line, with every line bounded, and
//! splitting CSV lines into cells.

use std::borrow::Cow;
use std::io::{BufRead, Read};

/// The longest line accepted. A longer one is refused as soon as this many
/// bytes are read, so a 1 GiB line costs 1 MiB of memory, not 1 GiB.
pub(crate) const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Why a line could not be read.
#[derive(Debug)]
pub(super) enum LineError {
    TooLong,
    Utf8 { byte: usize },
    Io(std::io::Error),
}

/// A reader of bounded UTF-8 lines, numbered from 1.
#[derive(Debug)]
pub(super) struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    number: u64,
}

impl<R: BufRead> Lines<R> {
    pub(super) fn new(reader: R) -> Self {
        Self {
            reader,
            buf: Vec::new(),
            number: 0,
        }
    }

    /// The number of the line last returned (or failed).
    pub(super) fn number(&self) -> u64 {
        self.number
    }

    /// The next line's number and text without its line ending (and, on
    /// line 1, without a UTF-8 byte order mark); `None` at the end.
    pub(super) fn next_line(&mut self) -> Option<(u64, Result<&str, LineError>)> {
        // `read_line` counts every line it returns.
        let number = self.number + 1;
        let line = self.read_line()?;
        Some((number, line))
    }

    fn read_line(&mut self) -> Option<Result<&str, LineError>> {
        self.buf.clear();
        let limit = MAX_LINE_BYTES as u64 + 1;
        let read = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.buf);
        match read {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) => {
                self.number += 1;
                return Some(Err(LineError::Io(e)));
            }
        }
        self.number += 1;
        let ended = self.buf.last() == Some(&b'\n');
        if ended {
            self.buf.pop();
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
        }
        if self.buf.len() > MAX_LINE_BYTES {
            return Some(Err(LineError::TooLong));
        }
        let mut text = match std::str::from_utf8(&self.buf) {
            Ok(text) => text,
            Err(e) => {
                return Some(Err(LineError::Utf8 {
                    byte: e.valid_up_to() + 1,
                }));
            }
        };
        if self.number == 1 {
            text = text.strip_prefix('\u{feff}').unwrap_or(text);
        }
        Some(Ok(text))
    }
}

/// The cells of one CSV line (RFC 4180 quoting: `"a,b"`, `""` inside quotes
/// for one `"`). A record is one line: quoted line breaks are not supported.
///
/// # Errors
/// A rule naming the problem: a quote that is not closed, or text after a
/// closing quote.
pub(super) fn split_csv(line: &str) -> Result<Vec<Cow<'_, str>>, String> {
    let mut cells = Vec::new();
    let mut rest = line;
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            let (cell, after) = quoted_cell(quoted)?;
            cells.push(cell);
            match after.strip_prefix(',') {
                Some(next) => rest = next,
                None if after.is_empty() => return Ok(cells),
                None => {
                    return Err(format!(
                        "text after a closing quote in cell {} (quote the whole cell)",
                        cells.len()
                    ));
                }
            }
        } else {
            match rest.find(',') {
                Some(comma) => {
                    cells.push(Cow::Borrowed(&rest[..comma]));
                    rest = &rest[comma + 1..];
                }
                None => {
                    cells.push(Cow::Borrowed(rest));
                    return Ok(cells);
                }
            }
        }
    }
}

/// A quoted cell (after its opening quote) and the text after its closing quote.
fn quoted_cell(text: &str) -> Result<(Cow<'_, str>, &str), String> {
    let mut owned: Option<String> = None;
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            if bytes.get(i + 1) == Some(&b'"') {
                owned
                    .get_or_insert_with(String::new)
                    .push_str(&text[start..=i]);
                i += 2;
                start = i;
                continue;
            }
            let cell = match owned {
                Some(mut s) => {
                    s.push_str(&text[start..i]);
                    Cow::Owned(s)
                }
                None => Cow::Borrowed(&text[..i]),
            };
            return Ok((cell, &text[i + 1..]));
        }
        i += 1;
    }
    Err("a quoted cell is not closed (records are one line each)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(line: &str) -> Vec<String> {
        split_csv(line)
            .unwrap()
            .into_iter()
            .map(|c| c.into_owned())
            .collect()
    }

    #[test]
    fn csv_cells_split_on_commas_and_honour_quotes() {
        assert_eq!(cells("a,b,,c"), ["a", "b", "", "c"]);
        assert_eq!(cells(r#""x, y",2"#), ["x, y", "2"]);
        assert_eq!(cells(r#""say ""hi""",z"#), [r#"say "hi""#, "z"]);
        assert_eq!(cells(r#""""#), [""]);
        assert_eq!(cells("a,"), ["a", ""]);
        assert!(split_csv(r#""open,b"#).is_err());
        assert!(split_csv(r#""a"b,c"#).is_err());
    }

    #[test]
    fn lines_are_numbered_and_lose_their_endings_and_the_bom() {
        let mut lines = Lines::new("\u{feff}h1,h2\r\nx,y\n\nlast".as_bytes());
        let mut seen = Vec::new();
        while let Some((number, line)) = lines.next_line() {
            seen.push((number, line.unwrap().to_owned()));
        }
        let want = [(1, "h1,h2"), (2, "x,y"), (3, ""), (4, "last")];
        let want: Vec<(u64, String)> = want.iter().map(|(n, s)| (*n, (*s).to_owned())).collect();
        assert_eq!(seen, want);
    }

    #[test]
    fn a_huge_line_is_refused_after_reading_only_the_limit() {
        let endless = std::io::repeat(b'a').take(1 << 30);
        let mut lines = Lines::new(std::io::BufReader::new(endless));
        assert!(matches!(
            lines.next_line(),
            Some((1, Err(LineError::TooLong)))
        ));
    }

    #[test]
    fn a_line_of_exactly_the_limit_is_accepted() {
        let mut text = vec![b'a'; MAX_LINE_BYTES];
        text.push(b'\n');
        let mut lines = Lines::new(&text[..]);
        assert_eq!(lines.next_line().unwrap().1.unwrap().len(), MAX_LINE_BYTES);
        let unended = vec![b'a'; MAX_LINE_BYTES];
        let mut lines = Lines::new(&unended[..]);
        assert_eq!(lines.next_line().unwrap().1.unwrap().len(), MAX_LINE_BYTES);
    }

    #[test]
    fn invalid_utf8_names_the_byte() {
        let mut lines = Lines::new(&b"ok\nab\xffc\n"[..]);
        assert!(lines.next_line().unwrap().1.is_ok());
        assert!(matches!(
            lines.next_line(),
            Some((2, Err(LineError::Utf8 { byte: 3 })))
        ));
    }
}
