//! `parse_retry_after` on arbitrary text and clock readings: never panics;
//! plain digits are exactly that many seconds (saturating); an HTTP-date
//! rendered from `now + d` parses back to `d`.
#![no_main]

use std::time::{Duration, SystemTime};

use genesys_usage::parse_retry_after;
use libfuzzer_sys::fuzz_target;

/// The first 8 bytes pick a clock reading (1970 to about 2242) and a delay, the rest is the header.
fn split(bytes: &[u8]) -> (SystemTime, u64, &[u8]) {
    let mut head = [0u8; 8];
    let n = bytes.len().min(8);
    head[..n].copy_from_slice(&bytes[..n]);
    let word = u64::from_le_bytes(head);
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(word & ((1 << 33) - 1));
    let delay = (word >> 33) & ((1 << 24) - 1);
    (now, delay, &bytes[n..])
}

fuzz_target!(|bytes: &[u8]| {
    let (now, delay, rest) = split(bytes);
    let text = String::from_utf8_lossy(rest);
    let parsed = parse_retry_after(&text, now);
    let trimmed = text.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        let secs = trimmed.parse::<u64>().unwrap_or(u64::MAX);
        assert_eq!(parsed, Some(Duration::from_secs(secs)), "{text:?}");
    }
    let date = httpdate::fmt_http_date(now + Duration::from_secs(delay));
    assert_eq!(
        parse_retry_after(&date, now),
        Some(Duration::from_secs(delay)),
        "{date}"
    );
});
