//! Which days a run fetches: complete UTC days only, from the checkpoint
//! (or `since`) up to the last finalised day, in chunks the jobs service
//! accepts.

use chrono::{DateTime, Days, NaiveDate, Utc};

/// The most days one query may span: the jobs service refuses an end more
/// than 90 days after the start.
pub const MAX_CHUNK_DAYS: u32 = 90;

/// How far back a first run starts without `since`.
pub const DEFAULT_FIRST_RUN_DAYS: u64 = 30;

/// The jobs service refuses a start more than a year before its clock; a
/// day of margin keeps a run that starts near midnight inside it.
const OLDEST_DAYS: u64 = 364;

/// The last complete UTC day at `now`: the day before the one `now - settle`
/// falls in. A day is complete once it has ended and the service has had
/// `settle` to finalise it, so today is never fetched, even in part.
#[must_use]
pub fn last_complete_day(now: DateTime<Utc>, settle: std::time::Duration) -> NaiveDate {
    let settle = chrono::Duration::from_std(settle).unwrap_or(chrono::Duration::zero());
    let settled = (now - settle).date_naive();
    settled.pred_opt().unwrap_or(settled)
}

/// The first day a run fetches for one organisation.
///
/// - With a checkpoint, the day after it; `since` earlier than that re-syncs
///   from `since` (idempotent), `since` later is ignored so no gap opens.
/// - Without one, `since`, else [`DEFAULT_FIRST_RUN_DAYS`] before `last + 1`.
///
/// Never earlier than the service's one-year limit before `last`.
#[must_use]
pub fn first_day(
    checkpoint: Option<NaiveDate>,
    since: Option<NaiveDate>,
    last: NaiveDate,
) -> NaiveDate {
    let today = last.succ_opt().unwrap_or(last);
    let first = match (checkpoint, since) {
        (Some(c), Some(s)) => s.min(c.succ_opt().unwrap_or(c)),
        (Some(c), None) => c.succ_opt().unwrap_or(c),
        (None, Some(s)) => s,
        (None, None) => today - Days::new(DEFAULT_FIRST_RUN_DAYS),
    };
    first.max(today - Days::new(OLDEST_DAYS))
}

/// The days `first..=last` cut into consecutive ranges of at most
/// `max_days` days (at least 1), oldest first; empty when `first > last`.
#[must_use]
pub fn chunks(first: NaiveDate, last: NaiveDate, max_days: u32) -> Vec<(NaiveDate, NaiveDate)> {
    let step = u64::from(max_days.max(1));
    let mut out = Vec::new();
    let mut from = first;
    while from <= last {
        let through = (from + Days::new(step - 1)).min(last);
        out.push((from, through));
        match through.succ_opt() {
            Some(next) => from = next,
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn the_last_complete_day_is_yesterday_once_settled() {
        let zero = Duration::ZERO;
        assert_eq!(
            last_complete_day(at("2026-03-10T00:00:00Z"), zero),
            d("2026-03-09")
        );
        assert_eq!(
            last_complete_day(at("2026-03-10T23:59:59Z"), zero),
            d("2026-03-09")
        );
        let hour = Duration::from_secs(3600);
        assert_eq!(
            last_complete_day(at("2026-03-10T00:30:00Z"), hour),
            d("2026-03-08")
        );
        assert_eq!(
            last_complete_day(at("2026-03-10T01:00:00Z"), hour),
            d("2026-03-09")
        );
    }

    #[test]
    fn the_first_day_follows_the_checkpoint_and_never_leaves_a_gap() {
        let last = d("2026-03-09");
        assert_eq!(first_day(None, None, last), d("2026-02-08"));
        assert_eq!(
            first_day(None, Some(d("2026-01-01")), last),
            d("2026-01-01")
        );
        assert_eq!(
            first_day(Some(d("2026-03-01")), None, last),
            d("2026-03-02")
        );
        assert_eq!(
            first_day(Some(d("2026-03-01")), Some(d("2026-02-01")), last),
            d("2026-02-01")
        );
        assert_eq!(
            first_day(Some(d("2026-03-01")), Some(d("2026-03-05")), last),
            d("2026-03-02")
        );
        assert_eq!(
            first_day(None, Some(d("2020-01-01")), last),
            d("2025-03-11")
        );
    }

    #[test]
    fn chunks_cover_every_day_once_and_none_is_longer_than_allowed() {
        let parts = chunks(d("2026-01-01"), d("2026-06-30"), 90);
        assert_eq!(parts.first().unwrap().0, d("2026-01-01"));
        assert_eq!(parts.last().unwrap().1, d("2026-06-30"));
        for w in parts.windows(2) {
            assert_eq!(w[0].1.succ_opt().unwrap(), w[1].0);
        }
        for (from, through) in &parts {
            assert!((*through - *from).num_days() < 90);
        }
        assert_eq!(parts.len(), 3);
        assert!(chunks(d("2026-01-02"), d("2026-01-01"), 90).is_empty());
        assert_eq!(chunks(d("2026-01-01"), d("2026-01-01"), 0).len(), 1);
    }
}
