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
    /// Catalog index of each cast client (the caller's own client, when
    /// there is one, is sorted in among them by name).
    client_index: Vec<u32>,
    /// Catalog index of the caller's own client, if it was added.
    own: Option<u32>,
}

/// The cast client whose traffic the caller's own client imitates (a
/// client-credentials integration of the main organisation).
const OWN_LIKE: usize = 1;

impl Synthetic {
    /// The generator and the catalog its records point into. Catalog
    /// indices equal cast indices (organisations, clients, templates,
    /// platforms); users are generated per density.
    pub(crate) fn new(seed: u64, records_per_day: u32) -> (Self, Catalog) {
        Self::with_own_client(seed, records_per_day, None)
    }

    /// As [`new`](Self::new), plus the caller's own OAuth client `own` (spec
    /// §13b: it is part of its organisation's data) when it is not one of
    /// the cast: a client-credentials client of the main organisation, named
    /// `Own client {id}`, with a few records a day drawn apart from the cast's, so
    /// the cast's records are the same with or without it.
    pub(crate) fn with_own_client(
        seed: u64,
        records_per_day: u32,
        own: Option<&str>,
    ) -> (Self, Catalog) {
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
        let mut clients: Vec<ClientEntry> = CLIENTS
            .iter()
            .map(|c| ClientEntry {
                id: c.id.to_owned(),
                name: c.name.to_owned(),
                owner: ORGANIZATIONS[c.orgs[0].0].0.to_owned(),
                user_grant: c.grant == Grant::UserGrant,
                orgs: c.orgs.iter().map(|&(o, _)| o as u32).collect(),
            })
            .collect();
        let own = own.filter(|id| !id.is_empty() && CLIENTS.iter().all(|c| c.id != *id));
        if let Some(id) = own {
            clients.push(ClientEntry {
                id: id.to_owned(),
                // Not the bare id: a name equal to an id would make
                // name-based tools (the cassette pseudonymiser) rewrite ids.
                name: format!("Own client {id}"),
                owner: ORGANIZATIONS[0].0.to_owned(),
                user_grant: false,
                orgs: vec![0],
            });
        }
        // Index order is name order (the default row order), so the own
        // client is sorted in and the cast's indices mapped.
        let mut order: Vec<usize> = (0..clients.len()).collect();
        order.sort_by(|&a, &b| clients[a].name.cmp(&clients[b].name));
        let mut index = vec![0u32; clients.len()];
        for (at, &original) in order.iter().enumerate() {
            index[original] = at as u32;
        }
        let own_index = own.map(|_| index[CLIENTS.len()]);
        let clients = order.iter().map(|&i| clients[i].clone()).collect();
        index.truncate(CLIENTS.len());
        let catalog = Catalog {
            orgs: ORGANIZATIONS
                .iter()
                .map(|(id, name)| ((*id).to_owned(), (*name).to_owned()))
                .collect(),
            main_org: 0,
            clients,
            users,
            templates: TEMPLATES.iter().map(|(t, _)| (*t).to_owned()).collect(),
            platforms: PLATFORMS.iter().map(|p| (*p).to_owned()).collect(),
        };
        let generator = Self {
            seed,
            records_per_day,
            org_users,
            client_index: index,
            own: own_index,
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
        let mut records: Vec<Record> = (0..n)
            .map(|_| self.record(&mut rng, throttle_day))
            .collect();
        if let Some(own) = self.own {
            records.extend(self.own_records(own, day, weekend));
        }
        records
    }

    /// The caller's own client's records of `day`, from a stream of their
    /// own (so adding the client leaves the cast's records as they were).
    fn own_records(&self, own: u32, day: NaiveDate, weekend: bool) -> Vec<Record> {
        let day_number = u64::from(day.num_days_from_ce().unsigned_abs());
        let mut rng = SplitMix64::from_parts(&[self.seed, day_number, 0x004f_574e]);
        let spec = &CLIENTS[OWN_LIKE];
        let n = if weekend { 1 } else { 2 + rng.below(4) };
        (0..n)
            .map(|_| {
                let template = spec.templates[pick(&mut rng, spec.templates.len())];
                let method = TEMPLATES[template].1[0];
                let is_get = METHODS[usize::from(method)] == crate::models::HttpMethod::Get;
                Record {
                    org: 0,
                    client: own,
                    user: NO_USER,
                    template: template as u32,
                    method: u32::from(method),
                    platform: spec.platforms[0] as u32,
                    counts: counts(&mut rng, 1, is_get),
                }
            })
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
            client: self.client_index[client],
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
    fn the_own_client_is_added_beside_the_cast_without_changing_its_records() {
        let d = day(2025, 3, 4);
        let (plain, _) = Synthetic::new(42, 40);
        let (with_own, catalog) = Synthetic::with_own_client(42, 40, Some("Bravo"));
        let own = catalog
            .clients
            .iter()
            .position(|c| c.id == "Bravo")
            .unwrap();
        let names: Vec<&str> = catalog.clients.iter().map(|c| c.name.as_str()).collect();
        assert!(names.is_sorted(), "{names:?}");
        let (own_rows, cast_rows): (Vec<Record>, Vec<Record>) = with_own
            .day_records(d)
            .into_iter()
            .partition(|r| r.client as usize == own);
        assert!(!own_rows.is_empty());
        assert!(own_rows.iter().all(|r| r.org == 0 && r.user == NO_USER));
        let (_, plain_catalog) = Synthetic::new(42, 40);
        let names_of = |rows: &[Record], c: &Catalog| -> Vec<(String, Counts)> {
            rows.iter()
                .map(|r| (c.client_id(r.client).to_owned(), r.counts))
                .collect()
        };
        assert_eq!(
            names_of(&cast_rows, &catalog),
            names_of(&plain.day_records(d), &plain_catalog)
        );
        let (_, cast_only) = Synthetic::with_own_client(42, 40, Some(CLIENTS[0].id));
        assert_eq!(
            cast_only.clients.len(),
            CLIENTS.len(),
            "a cast id is not added twice"
        );
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
