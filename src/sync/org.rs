//! One organisation's run: take its lease, read its checkpoint, then fetch
//! and commit chunk after chunk, each chunk one [`Batch`] with its
//! checkpoint, the lease renewed all the while.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::days::{chunks, first_day, last_complete_day};
use super::fetch::fetch_days;
use super::run::{Observer, Organization, OrganizationReport, SyncEvent, SyncOptions};
use super::store::{Batch, Lease, Store};
use crate::error::Error;
use crate::models::UsageRecord;

/// The longest pause between two tries of a chunk.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(30);

/// What every organisation's task shares.
pub(crate) struct Job {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) options: SyncOptions,
    pub(crate) now: DateTime<Utc>,
    pub(crate) observer: Observer,
    pub(crate) permits: Arc<Semaphore>,
}

impl Job {
    /// Runs `org` to its end and reports it (also as [`SyncEvent::Finished`]).
    pub(crate) async fn run(self, org: Organization) -> OrganizationReport {
        let mut report = OrganizationReport::new(&org);
        if let Err(error) = self.leased(&org, &mut report).await {
            report.error = Some(error);
        }
        (self.observer)(&SyncEvent::Finished(report.clone()));
        report
    }

    fn emit(&self, event: SyncEvent) {
        (self.observer)(&event);
    }

    /// Waits for a permit and the lease, then syncs; a busy lease gives the
    /// permit back, so this process works on another organisation meanwhile.
    async fn leased(
        &self,
        org: &Organization,
        report: &mut OrganizationReport,
    ) -> Result<(), String> {
        if self.options.dry_run {
            return self.sync_days(org, report).await;
        }
        let ttl = self.options.lease_ttl;
        let give_up = Instant::now() + self.options.lease_wait;
        let mut told = false;
        loop {
            let permit = Arc::clone(&self.permits)
                .acquire_owned()
                .await
                .map_err(|e| e.to_string())?;
            let lease = self
                .store
                .lease(&org.organization_id, &self.options.holder, ttl)
                .await
                .map_err(|e| e.to_string())?;
            match lease {
                Lease::Held => {
                    let outcome = self.renewing(org, report).await;
                    // A lease not released runs out by itself: ignore errors.
                    let _ = self
                        .store
                        .release(&org.organization_id, &self.options.holder)
                        .await;
                    drop(permit);
                    return outcome;
                }
                Lease::Busy { holder } => {
                    drop(permit);
                    if Instant::now() >= give_up {
                        return Err(format!(
                            "another sync ({holder}) held it for longer than {:?}",
                            self.options.lease_wait
                        ));
                    }
                    if !told {
                        told = true;
                        self.emit(SyncEvent::Waiting {
                            name: org.name.clone(),
                            holder,
                        });
                    }
                    tokio::time::sleep(renew_every(ttl)).await;
                }
            }
        }
    }

    /// Syncs while a heartbeat renews the lease; losing it stops the sync
    /// (what was committed stays: the next holder starts from the checkpoint).
    async fn renewing(
        &self,
        org: &Organization,
        report: &mut OrganizationReport,
    ) -> Result<(), String> {
        let heartbeat = async {
            let ttl = self.options.lease_ttl;
            let mut renewed = Instant::now();
            loop {
                tokio::time::sleep(renew_every(ttl)).await;
                match self
                    .store
                    .lease(&org.organization_id, &self.options.holder, ttl)
                    .await
                {
                    Ok(Lease::Held) => renewed = Instant::now(),
                    Ok(Lease::Busy { holder }) => return format!("lost its lease to {holder}"),
                    // A failed renewal is tried again while the lease still runs.
                    Err(e) if renewed.elapsed() >= ttl * 2 / 3 => {
                        return format!("could not renew its lease: {e}");
                    }
                    Err(_) => {}
                }
            }
        };
        tokio::select! {
            outcome = self.sync_days(org, report) => outcome,
            lost = heartbeat => Err(lost),
        }
    }

    /// Plans the days from the checkpoint, then fetches and commits chunk
    /// after chunk (only plans in a dry run).
    async fn sync_days(
        &self,
        org: &Organization,
        report: &mut OrganizationReport,
    ) -> Result<(), String> {
        let id = &org.organization_id;
        let checkpoint = self.store.checkpoint(id).await.map_err(|e| e.to_string())?;
        report.checkpoint = checkpoint;
        let last = last_complete_day(self.now, self.options.settle);
        let first = first_day(checkpoint, self.options.since, last);
        let plan = chunks(first, last, self.options.max_chunk_days);
        self.emit(SyncEvent::Planned {
            name: org.name.clone(),
            chunks: plan.clone(),
        });
        if self.options.dry_run {
            report.days = plan.iter().map(|(f, t)| days_in(*f, *t)).sum();
            return Ok(());
        }
        for (from, through) in plan {
            let records = self.fetch_chunk(org, from, through).await?;
            let count = records.len() as u64;
            let batch = Batch::days(id.clone(), from, through, records);
            let summary = self.store.commit(&batch).await.map_err(|e| e.to_string())?;
            report.days += days_in(from, through);
            report.records += count;
            report.checkpoint = summary.checkpoint;
            self.emit(SyncEvent::Committed {
                name: org.name.clone(),
                from,
                through,
                records: count,
            });
        }
        Ok(())
    }

    /// One chunk, tried again after an error that may pass. A usage query
    /// only reads, so submitting it again after an ambiguous failure costs
    /// budget, never correctness.
    async fn fetch_chunk(
        &self,
        org: &Organization,
        from: NaiveDate,
        through: NaiveDate,
    ) -> Result<Vec<UsageRecord>, String> {
        let mut delay = self.options.retry_delay;
        let mut attempt = 1;
        loop {
            let fetched = fetch_days(
                &org.client,
                org.service,
                &org.organization_id,
                from,
                through,
            )
            .await;
            match fetched {
                Ok(records) => return Ok(records),
                Err(e) if attempt < self.options.chunk_attempts && may_pass(&e) => {
                    self.emit(SyncEvent::Retrying {
                        name: org.name.clone(),
                        from,
                        through,
                        attempt,
                        error: e.to_string(),
                    });
                    tokio::time::sleep(delay.max(e.retry_after().unwrap_or_default())).await;
                    delay = (delay * 2).min(MAX_RETRY_DELAY);
                    attempt += 1;
                }
                Err(e) => return Err(describe(&e, from, through)),
            }
        }
    }
}

/// Whether fetching the chunk again may succeed: not for a refused
/// credential, a missing permission or a query the service calls bad.
fn may_pass(error: &Error) -> bool {
    match error {
        Error::Unauthorized { .. } | Error::Config { .. } => false,
        Error::Api { status, .. } => !matches!(status, 400 | 403 | 405 | 413 | 415),
        _ => true,
    }
}

fn describe(error: &Error, from: NaiveDate, through: NaiveDate) -> String {
    let mut text = format!("days {from} to {through}: {error}");
    if error.status() == Some(403) {
        text.push_str(
            " (without the jobs permission usage:organization:view, try --service legacy)",
        );
    }
    text
}

fn renew_every(ttl: Duration) -> Duration {
    (ttl / 3).max(Duration::from_millis(50))
}

fn days_in(from: NaiveDate, through: NaiveDate) -> u64 {
    u64::try_from((through - from).num_days() + 1).unwrap_or(0)
}
