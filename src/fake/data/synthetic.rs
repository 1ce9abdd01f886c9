//! The seeded, deterministic synthetic request log over the fixed cast of
//! `cast.rs`.
//!
//! The log is generated per UTC day from `hash(seed, day)`, so any interval
//! can be queried without storing anything and the same seed always gives
//! the same records. There is no data before [`FIRST_DAY`].

use chrono::{Datelike, NaiveDate, Weekday};

use crate::fake::data::cast::{
    CLIENTS, Grant, METHODS, ORGANIZATIONS, PLATFORMS, TEMPLATES, USERS_PER_ORG,
};
use crate::fake::data::catalog::{Catalog, ClientEntry, UserEntry};
use crate::fake::data::dataset::{Counts, NO_USER, Record};
use crate::fake::data::rng::{SplitMix64, stable_uuid};

/// The first day with data (the blog says queries reached back to 2018).
pub(crate) const FIRST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2018, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The generator of one seed and density.
#[derive(Debug, Clone)]
pub(crate) struct Synthetic {
    pub(crate) seed: u64,
    pub(crate) records_per_day: u32,
    /// Per organisation, the indices of its users in the catalog.
    org_users: Vec<Vec<usize>>,
}

impl Synthetic {
    /// The generator and the catalog its records point into. Catalog
    /// indices equal cast indices (organisations, clients, templates,
    /// platforms); users are generated per density.
    pub(crate) fn new(seed: u64, records_per_day: u32) -> (Self, Catalog) {
        // Denser logs get more users, so that big benchmarks can produce many
        // distinct rows; the default density keeps the base cast.
        let scale = (records_per_day / 40).max(1) as usize;
        let mut users: Vec<UserEntry> = USERS_PER_ORG
            .iter()
            .enumerate()
            .flat_map(|(org, &count)| {
                (0..count * scale).map(move |i| UserEntry {
                    id: stable_uuid(&[0x5553_4552, org as u64, i as u64]),
                    org: org as u32,
                })
            })
            .collect();
        // Index order is id order, so sorting rows by index sorts them by id.
        users.sort_by(|a, b| a.id.cmp(&b.id));
        let org_users = (0..ORGANIZATIONS.len())
            .map(|org| {
                (0..users.len())
                    .filter(|&u| users[u].org as usize == org)
                    .collect()
            })
            .collect();
        let catalog = Catalog {
            orgs: ORGANIZATIONS
                .iter()
                .map(|(id, name)| ((*id).to_owned(), (*name).to_owned()))
                .collect(),
            main_org: 0,
            clients: CLIENTS
                .iter()
                .map(|c| ClientEntry {
                    id: c.id.to_owned(),
                    name: c.name.to_owned(),
                    owner: ORGANIZATIONS[c.orgs[0].0].0.to_owned(),
                    user_grant: c.grant == Grant::UserGrant,
                    orgs: c.orgs.iter().map(|&(o, _)| o as u32).collect(),
                })
                .collect(),
            users,
            templates: TEMPLATES.iter().map(|(t, _)| (*t).to_owned()).collect(),
            platforms: PLATFORMS.iter().map(|p| (*p).to_owned()).collect(),
        };
        let generator = Self {
            seed,
            records_per_day,
            org_users,
        };
        (generator, catalog)
    }

    /// The records of one UTC day (empty before [`FIRST_DAY`]).
    pub(crate) fn day_records(&self, day: NaiveDate) -> Vec<Record> {
        if day < FIRST_DAY {
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

    fn records(seed: u64, density: u32, d: NaiveDate) -> Vec<Record> {
        Synthetic::new(seed, density).0.day_records(d)
    }

    #[test]
    fn same_seed_and_day_give_the_same_records() {
        let a = records(42, 40, day(2025, 3, 4));
        let b = records(42, 40, day(2025, 3, 4));
        assert!(!a.is_empty());
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        let c = records(43, 40, day(2025, 3, 4));
        assert_ne!(format!("{a:?}"), format!("{c:?}"));
    }

    #[test]
    fn records_keep_the_counter_invariants() {
        let (data, _) = Synthetic::new(7, 200);
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
        let (data, catalog) = Synthetic::new(1, 300);
        for r in data.day_records(day(2025, 5, 6)) {
            let spec = &CLIENTS[r.client as usize];
            if spec.grant == Grant::ClientCredentials {
                assert_eq!(r.user, NO_USER);
            } else {
                assert_eq!(catalog.users[r.user as usize].org, r.org);
            }
        }
    }

    #[test]
    fn there_is_no_data_before_the_first_day() {
        assert!(records(1, 40, day(2017, 12, 31)).is_empty());
    }

    #[test]
    fn catalog_tables_are_sorted_so_index_order_is_text_order() {
        let (_, catalog) = Synthetic::new(1, 1);
        let names: Vec<&str> = catalog.clients.iter().map(|c| c.name.as_str()).collect();
        assert!(names.is_sorted());
        assert!(catalog.templates.is_sorted());
        assert!(METHODS.iter().map(|m| m.as_str()).is_sorted());
        assert!(catalog.platforms.is_sorted());
        let users: Vec<&str> = catalog.users.iter().map(|u| u.id.as_str()).collect();
        assert!(users.is_sorted());
    }
}
