//! What a run is given ([`Organization`], [`SyncOptions`]), what it tells
//! while it works ([`SyncEvent`]) and what it returns ([`SyncReport`]); and
//! [`sync`], which runs the organisations concurrently.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use tokio::sync::Semaphore;

use super::fetch::Service;
use super::org;
use super::store::Store;
use crate::client::UsageClient;

/// One organisation to sync: its name (for messages), its key in the store
/// and the client that reads its usage.
#[derive(Debug, Clone)]
pub struct Organization {
    pub(crate) name: String,
    pub(crate) organization_id: String,
    pub(crate) client: UsageClient,
    pub(crate) service: Service,
}

impl Organization {
    /// `name`, stored under `organization_id`, read with `client` through
    /// the jobs service.
    #[must_use]
    pub fn new(name: &str, organization_id: &str, client: UsageClient) -> Self {
        Self {
            name: name.to_owned(),
            organization_id: organization_id.to_owned(),
            client,
            service: Service::Jobs,
        }
    }

    /// Reads through `service` instead.
    #[must_use]
    pub fn service(mut self, service: Service) -> Self {
        self.service = service;
        self
    }

    /// The service it reads through.
    #[must_use]
    pub fn service_used(&self) -> Service {
        self.service
    }

    /// Its name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// How a run goes. `Default` is what the CLI uses without flags.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SyncOptions {
    /// The first day of a first run (default: 30 days before today), or a
    /// day before the checkpoint to sync again from (idempotent).
    pub since: Option<NaiveDate>,
    /// The run's "now" (default: the system clock): today is never stored.
    /// Set it to an emulator's virtual clock in tests.
    pub now: Option<DateTime<Utc>>,
    /// How long after a day ends the service has finalised it (default 0:
    /// the service answers a day's rows once it has ended).
    pub settle: Duration,
    /// The longest query, in days (default and most: 90).
    pub max_chunk_days: u32,
    /// Tries per chunk before its organisation fails (default 4).
    pub chunk_attempts: u32,
    /// The first pause before a chunk is tried again, doubled each time up
    /// to 30 s (default 1 s).
    pub retry_delay: Duration,
    /// Only plan: read checkpoints, fetch and write nothing.
    pub dry_run: bool,
    /// Organisations synced at once (default 4).
    pub concurrency: usize,
    /// The lease's length (default 60 s); renewed every third of it.
    pub lease_ttl: Duration,
    /// How long to wait for an organisation another process holds before
    /// giving up on it (default 10 min).
    pub lease_wait: Duration,
    /// This process's name on its leases (default `host:pid:random`).
    pub holder: String,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            since: None,
            now: None,
            settle: Duration::ZERO,
            max_chunk_days: super::days::MAX_CHUNK_DAYS,
            chunk_attempts: 4,
            retry_delay: Duration::from_secs(1),
            dry_run: false,
            concurrency: 4,
            lease_ttl: Duration::from_secs(60),
            lease_wait: Duration::from_secs(600),
            holder: default_holder(),
        }
    }
}

fn default_holder() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".to_owned());
    let tag = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}:{}:{}", std::process::id(), &tag[..8])
}

/// What a run reports while it works, in order for each organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyncEvent {
    /// Another process holds the organisation; waiting for its lease.
    Waiting {
        /// The organisation's name.
        name: String,
        /// Who holds it.
        holder: String,
    },
    /// The days to fetch are known.
    Planned {
        /// The organisation's name.
        name: String,
        /// The chunks, oldest first (empty: up to date).
        chunks: Vec<(NaiveDate, NaiveDate)>,
    },
    /// A chunk failed and will be fetched again.
    Retrying {
        /// The organisation's name.
        name: String,
        /// The chunk.
        from: NaiveDate,
        /// Its last day.
        through: NaiveDate,
        /// The try that failed, from 1.
        attempt: u32,
        /// Why.
        error: String,
    },
    /// A chunk is stored, with the checkpoint.
    Committed {
        /// The organisation's name.
        name: String,
        /// The chunk.
        from: NaiveDate,
        /// Its last day, now the checkpoint.
        through: NaiveDate,
        /// Its records.
        records: u64,
    },
    /// The organisation is done (see its [`OrganizationReport`]).
    Finished(OrganizationReport),
}

/// Receives [`SyncEvent`]s (a progress bar, log lines); called from the
/// organisations' tasks, so it must be quick.
pub type Observer = Arc<dyn Fn(&SyncEvent) + Send + Sync>;

/// How one organisation's run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrganizationReport {
    /// The name.
    pub name: String,
    /// The key in the store.
    pub organization_id: String,
    /// The days fetched and stored (or planned, in a dry run).
    pub days: u64,
    /// Records written.
    pub records: u64,
    /// The checkpoint at the end.
    pub checkpoint: Option<NaiveDate>,
    /// Why it failed, if it did; the days before the failure stay stored.
    pub error: Option<String>,
}

impl OrganizationReport {
    pub(crate) fn new(org: &Organization) -> Self {
        Self {
            name: org.name.clone(),
            organization_id: org.organization_id.clone(),
            days: 0,
            records: 0,
            checkpoint: None,
            error: None,
        }
    }
}

/// The outcome of a run: one report per organisation, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SyncReport {
    /// Per organisation.
    pub organizations: Vec<OrganizationReport>,
}

impl SyncReport {
    /// The organisations that failed.
    pub fn failed(&self) -> impl Iterator<Item = &OrganizationReport> {
        self.organizations.iter().filter(|o| o.error.is_some())
    }

    /// Whether every organisation succeeded.
    #[must_use]
    pub fn is_success(&self) -> bool {
        self.failed().next().is_none()
    }
}

/// Syncs every organisation into `store`, [`SyncOptions::concurrency`] at a
/// time, each from its own checkpoint, each holding its lease (see
/// [`Store::lease`]) while it works. One organisation's failure never stops
/// the others: it is in its [`OrganizationReport`].
pub async fn sync(
    store: Arc<dyn Store>,
    organizations: Vec<Organization>,
    options: &SyncOptions,
    observer: Option<Observer>,
) -> SyncReport {
    let observer: Observer = observer.unwrap_or_else(|| Arc::new(|_: &SyncEvent| {}));
    let now = options.now.unwrap_or_else(Utc::now);
    let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let tasks: Vec<_> = organizations
        .into_iter()
        .map(|org| {
            let job = org::Job {
                store: Arc::clone(&store),
                options: options.clone(),
                now,
                observer: Arc::clone(&observer),
                permits: Arc::clone(&permits),
            };
            let fallback = OrganizationReport::new(&org);
            (fallback, tokio::spawn(job.run(org)))
        })
        .collect();
    let mut report = SyncReport::default();
    for (fallback, task) in tasks {
        let outcome = task.await.unwrap_or_else(|join| OrganizationReport {
            error: Some(format!("the organisation's task ended: {join}")),
            ..fallback
        });
        report.organizations.push(outcome);
    }
    report
}
