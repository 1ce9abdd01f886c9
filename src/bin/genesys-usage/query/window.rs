//! The window of a query: the interval to send, and the notes printed
//! before it is sent, where the window may not mean what it seems (the
//! legacy and the jobs services read its end differently; a window with no
//! data yet comes back empty, not as an error).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use genesys_usage::Interval;

use crate::args::{Command, WindowArgs};
use crate::parse::LastDays;

impl WindowArgs {
    /// The window: `--interval`, else `--last`, else the last 7 days.
    pub(crate) fn window(&self) -> Interval {
        self.interval
            .unwrap_or_else(|| self.last.unwrap_or(LastDays(7)).interval())
    }

    /// The interval to send.
    pub(crate) fn interval(&self) -> String {
        self.window().to_string()
    }
}

/// How a service reads the end of an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// The legacy queries: `[start, end)`.
    EndExcluded,
    /// The jobs queries: `[start, end]` (Genesys documents both ends as inclusive).
    EndIncluded,
}

impl Command {
    /// The window this command sends and how its service reads it; `None`
    /// for `client-summary` (a number of days) and `resume`.
    fn window(&self) -> Option<(Interval, Reading)> {
        let (window, reading) = match self {
            Self::Query(args) => (&args.window, Reading::EndExcluded),
            Self::Search(args) => (&args.window, Reading::EndExcluded),
            Self::ClientQuery(args) => (&args.window, Reading::EndExcluded),
            Self::Jobs(args) => (&args.filters.window, Reading::EndIncluded),
            Self::ClientJobs(args) => (&args.filters.window, Reading::EndIncluded),
            Self::ClientSummary(_) | Self::Resume(_) | Self::Sync(_) | Self::Export(_) => {
                return None;
            }
        };
        Some((window.window(), reading))
    }
}

/// The lines to print on stderr about `command`'s window, as of `now`.
pub(crate) fn notes(command: &Command, now: DateTime<Utc>) -> Vec<String> {
    let Some((interval, reading)) = command.window() else {
        return Vec::new();
    };
    let today = now.date_naive();
    let name = command.kind().name();
    [
        future_warning(&interval, today),
        end_note(&interval, reading, today, name),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A warning when no day of the window has data yet.
fn future_warning(interval: &Interval, today: NaiveDate) -> Option<String> {
    let first = interval.start().date_naive();
    (first >= today).then(|| {
        format!(
            "warning: the window starts {first}, today or later (UTC): the service has data \
             for a day only once it has ended, so no rows will come back"
        )
    })
}

/// A note when the end of `--interval` falls on a midnight before today:
/// then the jobs service counts that day and the legacy one does not.
fn end_note(interval: &Interval, reading: Reading, today: NaiveDate, name: &str) -> Option<String> {
    let first = interval.start().date_naive();
    let end_day = interval.end().date_naive();
    let last_excluded = (interval.end() - Duration::nanoseconds(1)).date_naive();
    if last_excluded == end_day || end_day >= today {
        return None;
    }
    let excluded = span(first, last_excluded);
    let included = span(first, end_day);
    Some(match reading {
        Reading::EndExcluded => format!(
            "note: {name} excludes the end of --interval: it covers {excluded}; \
             jobs and client-jobs would also count {end_day}, {included}"
        ),
        Reading::EndIncluded => format!(
            "note: {name} counts the end of --interval too: it covers {included}; \
             query, search and client-query would stop before {end_day}, {excluded}"
        ),
    })
}

/// `2026-11-30 (1 day)` or `2026-11-30 to 2026-12-01 (2 days)`.
fn span(first: NaiveDate, last: NaiveDate) -> String {
    let days = (last - first).num_days() + 1;
    if days == 1 {
        format!("{first} (1 day)")
    } else {
        format!("{first} to {last} ({days} days)")
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use clap::Parser;

    use super::*;
    use crate::args::Cli;

    /// The notes on 10 December 2026.
    fn notes_for(args: &[&str]) -> Vec<String> {
        notes_at(args, Utc.with_ymd_and_hms(2026, 12, 10, 9, 30, 0).unwrap())
    }

    fn notes_at(args: &[&str], now: DateTime<Utc>) -> Vec<String> {
        let mut argv = vec!["genesys-usage"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).unwrap();
        notes(&cli.command, now)
    }

    #[test]
    fn jobs_say_they_count_the_end_day_and_what_legacy_would_cover() {
        let notes = notes_for(&["jobs", "--interval", "2026-11-30/2026-12-01"]);
        assert_eq!(
            notes,
            [
                "note: jobs counts the end of --interval too: it covers 2026-11-30 to 2026-12-01 \
                 (2 days); query, search and client-query would stop before 2026-12-01, \
                 2026-11-30 (1 day)"
            ]
        );
    }

    #[test]
    fn legacy_queries_say_they_stop_before_the_end_day() {
        let notes = notes_for(&["search", "--interval", "2026-10-01/2026-12-01"]);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with(
                "note: search excludes the end of --interval: it covers 2026-10-01 to \
                 2026-11-30 (61 days); jobs and client-jobs would also count 2026-12-01, \
                 2026-10-01 to 2026-12-01 (62 days)"
            ),
            "{notes:?}"
        );
    }

    #[test]
    fn no_note_when_both_services_cover_the_same_days() {
        // An end inside a day counts that day in both; --last ends today, which has no data.
        assert!(notes_for(&["jobs", "--interval", "2026-11-30/2026-12-01T12:00:00"]).is_empty());
        // `--last` ends at today's midnight by the real clock.
        assert!(notes_at(&["jobs", "--last", "7d"], Utc::now()).is_empty());
        assert!(notes_at(&["query"], Utc::now()).is_empty());
        assert!(notes_for(&["query", "--interval", "2026-12-01/2026-12-10"]).is_empty());
        assert!(notes_for(&["client-summary", "--client-id", "c"]).is_empty());
    }

    #[test]
    fn a_window_starting_today_or_later_warns_that_no_rows_will_come() {
        let notes = notes_for(&["query", "--interval", "2027-01-01/2027-01-08"]);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].starts_with("warning: the window starts 2027-01-01, today or later"));
        assert!(notes[0].ends_with("so no rows will come back"));
        let today = notes_for(&["jobs", "--interval", "2026-12-10/2026-12-11"]);
        assert_eq!(today.len(), 1, "{today:?}");
        assert!(notes_for(&["query", "--interval", "2026-12-09/2026-12-11"]).is_empty());
    }
}
