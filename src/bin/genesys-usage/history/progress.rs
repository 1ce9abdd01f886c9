//! What `sync` shows while it works: a bar per organisation on a terminal
//! (indicatif), plain lines otherwise (cron mail, CI logs); and the final
//! summary.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use genesys_usage::sync::{Observer, SyncEvent, SyncReport};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use super::eprintln_safe;

/// The observer of a run, and how to end its display.
pub(crate) struct Progress {
    bars: Option<Arc<Bars>>,
}

struct Bars {
    multi: MultiProgress,
    by_org: Mutex<HashMap<String, ProgressBar>>,
}

impl Progress {
    /// Bars when `terminal`, else lines.
    pub(crate) fn new(terminal: bool) -> Self {
        let bars = terminal.then(|| {
            Arc::new(Bars {
                multi: MultiProgress::new(),
                by_org: Mutex::new(HashMap::new()),
            })
        });
        Self { bars }
    }

    /// The observer to hand to the sync.
    pub(crate) fn observer(&self) -> Observer {
        match &self.bars {
            Some(bars) => {
                let bars = Arc::clone(bars);
                Arc::new(move |e: &SyncEvent| bars.show(e))
            }
            None => Arc::new(|e: &SyncEvent| {
                if let Some(line) = line(e) {
                    eprintln_safe(&line);
                }
            }),
        }
    }

    /// Clears the bars, so the summary starts on a clean line.
    pub(crate) fn finish(&self) {
        if let Some(bars) = &self.bars {
            let _ = bars.multi.clear();
        }
    }
}

impl Bars {
    fn show(&self, event: &SyncEvent) {
        let mut by_org = self.by_org.lock().unwrap_or_else(|p| p.into_inner());
        match event {
            SyncEvent::Planned { name, chunks } => {
                let days: u64 = chunks.iter().map(|(f, t)| days(*f, *t)).sum();
                let bar = self.multi.add(ProgressBar::new(days));
                bar.set_style(
                    ProgressStyle::with_template("{prefix:>16} [{bar:30}] {pos}/{len} days {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
                bar.set_prefix(name.clone());
                by_org.insert(name.clone(), bar);
            }
            SyncEvent::Committed {
                name,
                from,
                through,
                ..
            } => {
                if let Some(bar) = by_org.get(name) {
                    bar.inc(days(*from, *through));
                    bar.set_message(format!("through {through}"));
                }
            }
            SyncEvent::Finished(report) => {
                if let Some(bar) = by_org.get(&report.name) {
                    match &report.error {
                        Some(_) => bar.abandon_with_message("failed"),
                        None => bar.finish_with_message("done"),
                    }
                }
            }
            other => {
                if let Some(text) = line(other) {
                    let _ = self.multi.println(text);
                }
            }
        }
    }
}

/// The plain line of an event, if it has one.
fn line(event: &SyncEvent) -> Option<String> {
    Some(match event {
        SyncEvent::Waiting { name, holder } => {
            format!("{name}: waiting for another sync ({holder})")
        }
        SyncEvent::Planned { name, chunks } => match (chunks.first(), chunks.last()) {
            (Some((first, _)), Some((_, last))) => {
                format!(
                    "{name}: fetching {first} to {last} in {} chunk(s)",
                    chunks.len()
                )
            }
            _ => format!("{name}: up to date"),
        },
        SyncEvent::Retrying {
            name,
            from,
            through,
            attempt,
            error,
        } => {
            format!("{name}: {from} to {through}: try {attempt} failed, trying again: {error}")
        }
        SyncEvent::Committed {
            name,
            from,
            through,
            records,
        } => {
            format!("{name}: stored {from} to {through} ({records} records)")
        }
        SyncEvent::Finished(_) => return None,
        _ => return None,
    })
}

fn days(from: chrono::NaiveDate, through: chrono::NaiveDate) -> u64 {
    u64::try_from((through - from).num_days() + 1).unwrap_or(0)
}

/// The final summary: a headline, then one line per organisation, failed
/// ones saying why.
pub(crate) fn summary(report: &SyncReport, location: &str, dry_run: bool) -> String {
    let failed: Vec<&str> = report.failed().map(|o| o.name.as_str()).collect();
    let total = report.organizations.len();
    let mut text = if dry_run {
        format!("dry run: {total} organisation(s), store {location}; nothing fetched or written\n")
    } else if failed.is_empty() {
        format!("synced {total} organisation(s) into {location}\n")
    } else {
        format!(
            "synced {} of {total} organisation(s) into {location}; failed: {}\n",
            total - failed.len(),
            failed.join(", ")
        )
    };
    let width = report
        .organizations
        .iter()
        .map(|o| o.name.len())
        .max()
        .unwrap_or(0);
    for o in &report.organizations {
        let checkpoint = o
            .checkpoint
            .map_or_else(|| "none".to_owned(), |c| c.to_string());
        let _ = match &o.error {
            Some(error) => writeln!(text, "  {:width$}  FAILED  {error}", o.name),
            None if dry_run => writeln!(
                text,
                "  {:width$}  would fetch {} day(s); checkpoint {checkpoint}",
                o.name, o.days
            ),
            None => writeln!(
                text,
                "  {:width$}  ok      {} day(s), {} record(s); checkpoint {checkpoint}",
                o.name, o.days, o.records
            ),
        };
    }
    text
}
