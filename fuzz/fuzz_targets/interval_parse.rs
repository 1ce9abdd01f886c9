//! `Interval::parse` on arbitrary text: never panics; whatever parses has
//! `start < end`, and its display (and its JSON) parses back to the same interval.
#![no_main]

use genesys_usage::Interval;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    let Ok(interval) = Interval::parse(&text) else {
        return;
    };
    assert!(
        interval.start() < interval.end(),
        "{text:?} gave {interval:?}"
    );
    let shown = interval.to_string();
    assert_eq!(
        Interval::parse(&shown),
        Ok(interval),
        "display {shown:?} of {text:?}"
    );
    let json = serde_json::to_string(&interval).expect("an interval encodes");
    let back: Interval = serde_json::from_str(&json).expect("an encoded interval decodes");
    assert_eq!(back, interval);
});
