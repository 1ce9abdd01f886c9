//! [`Dataset`]: the seeded, deterministic synthetic request log.
//!
//! The log is generated per UTC day from `hash(seed, day)`, so any interval
//! can be queried without storing anything and the same seed always gives
//! the same records. There is no data before [`Dataset::FIRST_DAY`], and none
//! for the current day or later (the real service lags a day).

use chrono::{Datelike, NaiveDate, Weekday};

use crate::fake::data::catalog::{
    CLIENTS, Grant, METHODS, ORGANIZATIONS, PLATFORMS, TEMPLATES, USERS_PER_ORG,
};
use crate::fake::data::rng::{SplitMix64, stable_uuid};

/// The synthetic request log of an [`Engine`](crate::fake::Engine).
#[derive(Debug, Clone)]
pub struct Dataset {
    seed: u64,
    records_per_day: u32,
    users: Vec<UserInfo>,
    /// Per organisation, the indices of its users in `users`.
    org_users: Vec<Vec<usize>>,
}

/// An organisation of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrganizationInfo {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether it is the main organisation (the one the legacy and
    /// organisation queries report on); the others are partners.
    pub main: bool,
}

/// An OAuth client of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthClientInfo {
    /// Its stable id.
    pub id: String,
    /// Its name, e.g. `Client Creds`.
    pub name: String,
    /// The organisations whose requests use this client.
    pub organization_ids: Vec<String>,
    /// Whether its requests carry a user (implicit or code grant); client
    /// credentials requests do not.
    pub user_grant: bool,
}

/// A user of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserInfo {
    /// Its stable id.
    pub id: String,
    /// Its organisation.
    pub organization_id: String,
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
        self.s200 + self.s300 + self.s400 + self.s500
    }

    pub(crate) fn add(&mut self, other: &Counts) {
        self.s200 += other.s200;
        self.s300 += other.s300;
        self.s400 += other.s400;
        self.s429 += other.s429;
        self.s500 += other.s500;
    }
}

/// The user index of a request made without a user (client credentials).
pub(crate) const NO_USER: u32 = u32::MAX - 1;

/// One record of the log: indices into the catalog tables.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record {
    pub(crate) org: u32,
    pub(crate) client: u32,
    pub(crate) user: u32,
    pub(crate) template: u32,
    pub(crate) method: u32,
    pub(crate) platform: u32,
    pub(crate) counts: Counts,
}

impl Dataset {
    /// The first day with data (the blog says queries reached back to 2018).
    pub const FIRST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2018, 1, 1) {
        Some(d) => d,
        None => NaiveDate::MIN,
    };

    /// The log of `seed` with about `records_per_day` records per weekday
    /// (weekends are quieter). Above 80 records per day the cast of users
    /// grows in proportion, so dense logs have many distinct rows.
    #[must_use]
    pub fn new(seed: u64, records_per_day: u32) -> Self {
        // Denser logs get more users, so that big benchmarks can produce many
        // distinct rows; the default density keeps the base cast.
        let scale = (records_per_day / 40).max(1) as usize;
        let mut users: Vec<UserInfo> = USERS_PER_ORG
            .iter()
            .enumerate()
            .flat_map(|(org, &count)| {
                (0..count * scale).map(move |i| UserInfo {
                    id: stable_uuid(&[0x5553_4552, org as u64, i as u64]),
                    organization_id: ORGANIZATIONS[org].0.to_owned(),
                })
            })
            .collect();
        // Index order is id order, so sorting rows by index sorts them by id.
        users.sort_by(|a, b| a.id.cmp(&b.id));
        let org_users = ORGANIZATIONS
            .iter()
            .map(|(org_id, _)| {
                (0..users.len())
                    .filter(|&u| users[u].organization_id == *org_id)
                    .collect()
            })
            .collect();
        Self {
            seed,
            records_per_day,
            users,
            org_users,
        }
    }

    /// The seed.
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The density: records per weekday, on average.
    #[must_use]
    pub fn records_per_day(&self) -> u32 {
        self.records_per_day
    }

    /// The id of the main organisation.
    #[must_use]
    pub fn main_organization_id(&self) -> &'static str {
        ORGANIZATIONS[0].0
    }

    /// The organisations, the main one first.
    #[must_use]
    pub fn organizations(&self) -> Vec<OrganizationInfo> {
        ORGANIZATIONS
            .iter()
            .enumerate()
            .map(|(i, (id, name))| OrganizationInfo {
                id: (*id).to_owned(),
                name: (*name).to_owned(),
                main: i == 0,
            })
            .collect()
    }

    /// The OAuth clients, sorted by name.
    #[must_use]
    pub fn clients(&self) -> Vec<OAuthClientInfo> {
        CLIENTS
            .iter()
            .map(|c| OAuthClientInfo {
                id: c.id.to_owned(),
                name: c.name.to_owned(),
                organization_ids: c
                    .orgs
                    .iter()
                    .map(|&(o, _)| ORGANIZATIONS[o].0.to_owned())
                    .collect(),
                user_grant: c.grant == Grant::UserGrant,
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
    pub fn users(&self) -> &[UserInfo] {
        &self.users
    }

    /// The endpoint templates, e.g. `api/v2/users` (no leading slash).
    #[must_use]
    pub fn template_uris(&self) -> Vec<&'static str> {
        TEMPLATES.iter().map(|(uri, _)| *uri).collect()
    }

    /// The calling platforms.
    #[must_use]
    pub fn platforms(&self) -> Vec<&'static str> {
        PLATFORMS.to_vec()
    }

    /// The records of one UTC day (empty before [`Self::FIRST_DAY`]).
    pub(crate) fn day_records(&self, day: NaiveDate) -> Vec<Record> {
        if day < Self::FIRST_DAY {
            return Vec::new();
        }
        let mut rng =
            SplitMix64::from_parts(&[self.seed, u64::from(day.num_days_from_ce().unsigned_abs())]);
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let throttle_day = rng.below(5) == 0;
        let base = u64::from(self.records_per_day) * if weekend { 35 } else { 100 };
        // ±30 % day-to-day variation.
        let n = base * (70 + rng.below(61)) / 10_000;
        (0..n)
            .map(|_| self.record(&mut rng, throttle_day))
            .collect()
    }

    fn record(&self, rng: &mut SplitMix64, throttle_day: bool) -> Record {
        let client = rng.weighted(CLIENTS.iter().map(|c| c.weight));
        let spec = &CLIENTS[client];
        let org = spec.orgs[rng.weighted(spec.orgs.iter().map(|&(_, w)| w))].0;
        let user = match spec.grant {
            Grant::ClientCredentials => NO_USER,
            Grant::UserGrant => {
                let members = &self.org_users[org];
                members[pick(rng, members.len())] as u32
            }
        };
        let template = spec.templates[pick(rng, spec.templates.len())];
        let methods = TEMPLATES[template].1;
        // The first method of a template is the usual one.
        let method_weights = (0..methods.len()).map(|i| if i == 0 { 4 } else { 1 });
        let method = methods[rng.weighted(method_weights)];
        let platform = spec.platforms[pick(rng, spec.platforms.len())];
        let is_get = METHODS[usize::from(method)] == crate::models::HttpMethod::Get;
        let throttle = if throttle_day {
            spec.throttle
        } else {
            spec.throttle / 4
        };
        Record {
            org: org as u32,
            client: client as u32,
            user,
            template: template as u32,
            method: u32::from(method),
            platform: platform as u32,
            counts: counts(rng, throttle, is_get),
        }
    }
}

fn pick(rng: &mut SplitMix64, len: usize) -> usize {
    rng.below(len as u64) as usize
}

/// Status counters of one record: mostly 2xx, some 4xx (429s a subset), rare 5xx.
fn counts(rng: &mut SplitMix64, throttle_percent: u32, is_get: bool) -> Counts {
    let mut total = 1 + rng.below(40) as i64;
    if rng.below(10) == 0 {
        total += rng.below(400) as i64;
    }
    let percent = |rng: &mut SplitMix64, max: u64| total * rng.below(max + 1) as i64 / 100;
    let s500 = if rng.below(25) == 0 {
        1 + percent(rng, 3)
    } else {
        0
    }
    .min(total);
    let s429 = percent(rng, u64::from(throttle_percent));
    let s400 = (s429 + percent(rng, 5)).min(total - s500);
    let s300 = if is_get && rng.below(8) == 0 {
        percent(rng, 10)
    } else {
        0
    }
    .min(total - s500 - s400);
    Counts {
        s200: total - s500 - s400 - s300,
        s300,
        s400,
        s429: s429.min(s400),
        s500,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn same_seed_and_day_give_the_same_records() {
        let a = Dataset::new(42, 40).day_records(day(2025, 3, 4));
        let b = Dataset::new(42, 40).day_records(day(2025, 3, 4));
        assert!(!a.is_empty());
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        let c = Dataset::new(43, 40).day_records(day(2025, 3, 4));
        assert_ne!(format!("{a:?}"), format!("{c:?}"));
    }

    #[test]
    fn records_keep_the_counter_invariants() {
        let data = Dataset::new(7, 200);
        for d in 1..=28 {
            for r in data.day_records(day(2025, 2, d)) {
                let c = r.counts;
                assert!(c.s200 >= 0 && c.s300 >= 0 && c.s500 >= 0);
                assert!(c.s429 >= 0 && c.s429 <= c.s400, "{c:?}");
                assert!(c.requests() >= 1);
            }
        }
    }

    #[test]
    fn client_credentials_records_have_no_user_and_users_belong_to_the_org() {
        let data = Dataset::new(1, 300);
        for r in data.day_records(day(2025, 5, 6)) {
            let spec = &CLIENTS[r.client as usize];
            if spec.grant == Grant::ClientCredentials {
                assert_eq!(r.user, NO_USER);
            } else {
                let user = &data.users()[r.user as usize];
                assert_eq!(user.organization_id, ORGANIZATIONS[r.org as usize].0);
            }
        }
    }

    #[test]
    fn there_is_no_data_before_the_first_day() {
        assert!(
            Dataset::new(1, 40)
                .day_records(day(2017, 12, 31))
                .is_empty()
        );
    }

    #[test]
    fn catalog_tables_are_sorted_so_index_order_is_text_order() {
        let data = Dataset::new(1, 1);
        let names: Vec<String> = data.clients().into_iter().map(|c| c.name).collect();
        assert!(names.is_sorted());
        assert!(data.template_uris().is_sorted());
        assert!(METHODS.iter().map(|m| m.as_str()).is_sorted());
        assert!(PLATFORMS.is_sorted());
    }
}
