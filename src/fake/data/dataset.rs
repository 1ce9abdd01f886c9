//! [`Dataset`]: the request log an engine serves, synthetic or loaded.
//!
//! Either the seeded synthetic log (`synthetic.rs`, generated per day on
//! demand) or records loaded from a file or from code (`load/`, spec §13a),
//! held as compact index records grouped by day. Both read through the same
//! [`Catalog`] and aggregate the same way.

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;

use crate::fake::data::catalog::Catalog;
use crate::fake::data::synthetic::{self, Synthetic};

/// The request log of an [`Engine`](crate::fake::Engine): the seeded
/// synthetic one ([`Dataset::new`]) or one the user loads
/// ([`Dataset::from_path`], [`Dataset::from_reader`],
/// [`Dataset::from_records`]).
#[derive(Clone)]
pub struct Dataset {
    catalog: Catalog,
    source: Source,
}

#[derive(Debug, Clone)]
enum Source {
    Synthetic(Synthetic),
    Loaded(Arc<Loaded>),
}

/// Loaded records, sorted by day and key, one per key (duplicates summed).
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    /// Where they came from: a file name, or `<records>`.
    pub(crate) origin: String,
    /// The distinct days, ascending.
    pub(crate) days: Vec<NaiveDate>,
    /// `records[starts[i]..starts[i + 1]]` are the records of `days[i]`.
    pub(crate) starts: Vec<usize>,
    pub(crate) records: Vec<Record>,
}

impl fmt::Debug for Dataset {
    // A loaded dataset may hold millions of records: show its size only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Dataset");
        match &self.source {
            Source::Synthetic(s) => d
                .field("seed", &s.seed)
                .field("records_per_day", &s.records_per_day),
            Source::Loaded(l) => d
                .field("origin", &l.origin)
                .field("records", &l.records.len())
                .field("days", &l.days.len()),
        };
        d.field("organizations", &self.catalog.orgs.len())
            .field("clients", &self.catalog.clients.len())
            .finish()
    }
}

/// An organisation of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OrganizationInfo {
    /// Its id.
    pub id: String,
    /// Its name (a loaded dataset names organisations by their id).
    pub name: String,
    /// Whether it is the main organisation (the one the default credential
    /// belongs to, whose data the organisation queries report).
    pub main: bool,
}

/// An OAuth client of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OAuthClientInfo {
    /// Its stable id.
    pub id: String,
    /// Its name, e.g. `Client Creds`.
    pub name: String,
    /// The organisation that owns it (`purecloud` or `purecloud-builtin`
    /// for Genesys's own clients).
    pub owner_organization_id: String,
    /// The organisations whose requests use this client.
    pub organization_ids: Vec<String>,
    /// Whether its requests carry a user (implicit or code grant); client
    /// credentials requests do not.
    pub user_grant: bool,
}

/// A user of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserInfo {
    /// Its stable id.
    pub id: String,
    /// Its organisation.
    pub organization_id: String,
}

/// What a dataset holds, as `GET /__admin/dataset` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DatasetSummary {
    /// `synthetic` or `loaded`.
    pub source: String,
    /// The file it was loaded from (`<records>` for records built in code).
    pub origin: Option<String>,
    /// The seed of a synthetic log.
    pub seed: Option<u64>,
    /// Records held (after summing records with the same key); `None` for
    /// the synthetic log, which is generated per day.
    pub records: Option<usize>,
    /// Days with records (loaded data).
    pub days: Option<usize>,
    /// The first day with records.
    pub first_day: Option<NaiveDate>,
    /// The last day with records (loaded data).
    pub last_day: Option<NaiveDate>,
    /// The id of the main organisation.
    pub main_organization_id: String,
    /// The organisations, as [`Dataset::organizations`].
    pub organizations: Vec<OrganizationInfo>,
    /// The OAuth clients, as [`Dataset::clients`].
    pub clients: Vec<OAuthClientInfo>,
}

/// The counters of one record or aggregate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) s200: i64,
    pub(crate) s300: i64,
    pub(crate) s400: i64,
    pub(crate) s429: i64,
    pub(crate) s500: i64,
}

impl Counts {
    pub(crate) fn requests(&self) -> i64 {
        self.s200
            .saturating_add(self.s300)
            .saturating_add(self.s400)
            .saturating_add(self.s500)
    }

    /// Adds `other`; saturating, so that huge loaded counters never wrap.
    pub(crate) fn add(&mut self, other: &Counts) {
        self.s200 = self.s200.saturating_add(other.s200);
        self.s300 = self.s300.saturating_add(other.s300);
        self.s400 = self.s400.saturating_add(other.s400);
        self.s429 = self.s429.saturating_add(other.s429);
        self.s500 = self.s500.saturating_add(other.s500);
    }
}

/// The user index of a request made without a user (client credentials).
pub(crate) const NO_USER: u32 = u32::MAX - 1;

/// One record of the log: indices into the [`Catalog`] tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) org: u32,
    pub(crate) client: u32,
    pub(crate) user: u32,
    pub(crate) template: u32,
    pub(crate) method: u32,
    pub(crate) platform: u32,
    pub(crate) counts: Counts,
}

impl Record {
    /// The key: every dimension but the day.
    pub(crate) fn key(&self) -> [u32; 6] {
        [
            self.client,
            self.org,
            self.user,
            self.template,
            self.method,
            self.platform,
        ]
    }
}

impl Dataset {
    /// The first day of the synthetic log (the blog says queries reached
    /// back to 2018).
    pub const FIRST_DAY: NaiveDate = synthetic::FIRST_DAY;

    /// The synthetic log of `seed` with about `records_per_day` records per
    /// weekday (weekends are quieter). Above 80 records per day the cast of
    /// users grows in proportion, so dense logs have many distinct rows.
    #[must_use]
    pub fn new(seed: u64, records_per_day: u32) -> Self {
        let (generator, catalog) = Synthetic::new(seed, records_per_day);
        Self {
            catalog,
            source: Source::Synthetic(generator),
        }
    }

    /// As [`new`](Self::new), with the caller's own OAuth client
    /// `client_id` in it (spec §13b, "The caller's own client"): a
    /// client-credentials client of the main organisation, named `Own client {client_id}`,
    /// with a few requests on every day. The cast's records are the same as
    /// without it; an id of the cast is not added twice. The mock server
    /// adds its configured client this way, so a client query for the
    /// credential's own id has rows.
    #[must_use]
    pub fn new_with_own_client(seed: u64, records_per_day: u32, client_id: &str) -> Self {
        let (generator, catalog) =
            Synthetic::with_own_client(seed, records_per_day, Some(client_id));
        Self {
            catalog,
            source: Source::Synthetic(generator),
        }
    }

    /// A loaded dataset over `catalog`.
    pub(crate) fn loaded(catalog: Catalog, loaded: Loaded) -> Self {
        Self {
            catalog,
            source: Source::Loaded(Arc::new(loaded)),
        }
    }

    /// The same records seen from organisation `id`: it becomes the main
    /// organisation (the one organisation queries report). An id the data
    /// does not hold is added with no records. Cheap: the records are shared.
    #[must_use]
    pub fn with_main_organization(&self, id: &str) -> Arc<Self> {
        let mut seen = self.clone();
        let index = match seen.catalog.orgs.iter().position(|(o, _)| o == id) {
            Some(i) => i,
            None => {
                seen.catalog.orgs.push((id.to_owned(), id.to_owned()));
                seen.catalog.orgs.len() - 1
            }
        };
        seen.catalog.main_org = index as u32;
        Arc::new(seen)
    }

    pub(crate) fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Whether this is the seeded synthetic log.
    #[must_use]
    pub fn is_synthetic(&self) -> bool {
        matches!(self.source, Source::Synthetic(_))
    }

    /// The seed (0 for loaded data).
    #[must_use]
    pub fn seed(&self) -> u64 {
        match &self.source {
            Source::Synthetic(s) => s.seed,
            Source::Loaded(_) => 0,
        }
    }

    /// The density: records per weekday, on average (0 for loaded data).
    #[must_use]
    pub fn records_per_day(&self) -> u32 {
        match &self.source {
            Source::Synthetic(s) => s.records_per_day,
            Source::Loaded(_) => 0,
        }
    }

    /// The id of the main organisation: the synthetic log's first, or the
    /// organisation of a loaded file's first record.
    #[must_use]
    pub fn main_organization_id(&self) -> &str {
        self.catalog.main_org_id()
    }

    /// The organisations: the synthetic log's with the main one first, a
    /// loaded dataset's sorted by id.
    #[must_use]
    pub fn organizations(&self) -> Vec<OrganizationInfo> {
        let main = self.catalog.main_org as usize;
        self.catalog
            .orgs
            .iter()
            .enumerate()
            .map(|(i, (id, name))| OrganizationInfo {
                id: id.clone(),
                name: name.clone(),
                main: i == main,
            })
            .collect()
    }

    /// The OAuth clients, sorted by name.
    #[must_use]
    pub fn clients(&self) -> Vec<OAuthClientInfo> {
        self.catalog
            .clients
            .iter()
            .map(|c| OAuthClientInfo {
                id: c.id.clone(),
                name: c.name.clone(),
                owner_organization_id: c.owner.clone(),
                organization_ids: c
                    .orgs
                    .iter()
                    .map(|&o| self.catalog.org_id(o).to_owned())
                    .collect(),
                user_grant: c.user_grant,
            })
            .collect()
    }

    /// The client with this name, if any.
    #[must_use]
    pub fn client_by_name(&self, name: &str) -> Option<OAuthClientInfo> {
        self.clients().into_iter().find(|c| c.name == name)
    }

    /// The users, sorted by id.
    #[must_use]
    pub fn users(&self) -> Vec<UserInfo> {
        self.catalog
            .users
            .iter()
            .map(|u| UserInfo {
                id: u.id.clone(),
                organization_id: self.catalog.org_id(u.org).to_owned(),
            })
            .collect()
    }

    /// The endpoint templates, e.g. `api/v2/users` (no leading slash), sorted.
    #[must_use]
    pub fn template_uris(&self) -> Vec<&str> {
        self.catalog.templates.iter().map(String::as_str).collect()
    }

    /// The calling platforms, sorted.
    #[must_use]
    pub fn platforms(&self) -> Vec<&str> {
        self.catalog.platforms.iter().map(String::as_str).collect()
    }

    /// What the dataset holds.
    #[must_use]
    pub fn summary(&self) -> DatasetSummary {
        let (source, origin, seed, records, days, first, last) = match &self.source {
            Source::Synthetic(s) => (
                "synthetic",
                None,
                Some(s.seed),
                None,
                None,
                Some(Self::FIRST_DAY),
                None,
            ),
            Source::Loaded(l) => (
                "loaded",
                Some(l.origin.clone()),
                None,
                Some(l.records.len()),
                Some(l.days.len()),
                l.days.first().copied(),
                l.days.last().copied(),
            ),
        };
        DatasetSummary {
            source: source.to_owned(),
            origin,
            seed,
            records,
            days,
            first_day: first,
            last_day: last,
            main_organization_id: self.main_organization_id().to_owned(),
            organizations: self.organizations(),
            clients: self.clients(),
        }
    }

    /// Calls `f` with the records of each day from `first` up to (not
    /// including) `end`, in day order; days without records may be skipped.
    pub(crate) fn for_each_day(
        &self,
        first: NaiveDate,
        end: NaiveDate,
        mut f: impl FnMut(NaiveDate, &[Record]),
    ) {
        match &self.source {
            Source::Synthetic(s) => {
                let first = first.max(Self::FIRST_DAY);
                for day in first.iter_days().take_while(|d| *d < end) {
                    f(day, &s.day_records(day));
                }
            }
            Source::Loaded(l) => {
                let from = l.days.partition_point(|d| *d < first);
                let to = l.days.partition_point(|d| *d < end);
                for i in from..to.max(from) {
                    f(l.days[i], &l.records[l.starts[i]..l.starts[i + 1]]);
                }
            }
        }
    }
}
