//! Checked records → a [`Dataset`]: names interned into sorted catalog
//! tables, records with the same key summed, grouped by day.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use crate::fake::data::catalog::{Catalog, ClientEntry, UserEntry};
use crate::fake::data::dataset::{Dataset, Loaded, NO_USER, Record};
use crate::fake::data::load::DatasetError;
use crate::fake::data::load::fields::{At, Parsed};

/// Text → index, in first-seen order.
#[derive(Debug, Default)]
struct Interner {
    index: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    fn get(&mut self, text: &str) -> u32 {
        if let Some(&i) = self.index.get(text) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(text.into());
        self.index.insert(text.into(), i);
        i
    }

    /// The names sorted by `key`, and old index → new index.
    fn sorted_by<K: Ord>(&self, key: impl Fn(usize) -> K) -> (Vec<usize>, Vec<u32>) {
        let mut order: Vec<usize> = (0..self.names.len()).collect();
        order.sort_by_key(|&i| key(i));
        let mut remap = vec![0; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old] = new as u32;
        }
        (order, remap)
    }

    fn sorted(&self) -> (Vec<String>, Vec<u32>) {
        let (order, remap) = self.sorted_by(|i| self.names[i].clone());
        let names = order.iter().map(|&i| self.names[i].to_string()).collect();
        (names, remap)
    }
}

/// What the file says of one client, with the line that first said it.
#[derive(Debug)]
struct ClientFacts {
    name: Option<(String, u64)>,
    owner: Option<(String, u64)>,
    first_org: u32,
    user_grant: bool,
}

/// Collects checked records.
#[derive(Debug)]
pub(crate) struct Builder {
    origin: String,
    orgs: Interner,
    clients: Interner,
    facts: Vec<ClientFacts>,
    users: Interner,
    user_org: Vec<u32>,
    templates: Interner,
    platforms: Interner,
    rows: Vec<(i32, Record)>,
}

impl Builder {
    pub(crate) fn new(origin: &str) -> Self {
        Self {
            origin: origin.to_owned(),
            orgs: Interner::default(),
            clients: Interner::default(),
            facts: Vec::new(),
            users: Interner::default(),
            user_org: Vec::new(),
            templates: Interner::default(),
            platforms: Interner::default(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }

    /// Adds one record.
    ///
    /// # Errors
    /// A client named two ways, or owned by two organisations.
    pub(crate) fn add(&mut self, p: Parsed<'_>, at: At<'_>) -> Result<(), DatasetError> {
        let org = self.orgs.get(&p.org);
        let client = self.clients.get(&p.client_id);
        if client as usize == self.facts.len() {
            self.facts.push(ClientFacts {
                name: None,
                owner: None,
                first_org: org,
                user_grant: false,
            });
        }
        let facts = &mut self.facts[client as usize];
        agree(
            &mut facts.name,
            p.client_name.as_deref(),
            at,
            "oauth_client_name",
            |first| {
                format!(
                    "client {:?} is already named {first:?}: one client has one name",
                    p.client_id
                )
            },
        )?;
        agree(
            &mut facts.owner,
            p.client_org.as_deref(),
            at,
            "oauth_client_org_id",
            |first| {
                format!(
                    "client {:?} is already owned by organisation {first:?}: one client has one owner",
                    p.client_id
                )
            },
        )?;
        let user = if p.user.is_empty() {
            NO_USER
        } else {
            let u = self.users.get(&p.user);
            if u as usize == self.user_org.len() {
                self.user_org.push(org);
            }
            facts.user_grant = true;
            u
        };
        let record = Record {
            org,
            client,
            user,
            template: self.templates.get(&p.template),
            method: p.method,
            platform: self.platforms.get(&p.platform),
            counts: p.counts,
        };
        self.rows.push((p.date.num_days_from_ce(), record));
        Ok(())
    }

    /// The dataset.
    ///
    /// # Errors
    /// When there is no record (`lines` lines were read).
    pub(crate) fn finish(mut self, lines: u64) -> Result<Dataset, DatasetError> {
        let Some(&(_, first)) = self.rows.first() else {
            return Err(DatasetError::new(
                &self.origin,
                Some(lines.max(1)),
                None,
                "there are no records (a dataset needs at least one)",
            ));
        };
        let (orgs, org_map) = self.orgs.sorted();
        let (client_order, client_map) = self.clients.sorted_by(|i| {
            let id = self.clients.names[i].clone();
            let name = self.facts[i].name.as_ref().map(|(n, _)| n.clone());
            (name.unwrap_or_else(|| id.to_string()), id)
        });
        let (users, user_map) = self.users.sorted();
        let (templates, template_map) = self.templates.sorted();
        let (platforms, platform_map) = self.platforms.sorted();
        for (_, r) in &mut self.rows {
            r.org = org_map[r.org as usize];
            r.client = client_map[r.client as usize];
            if r.user != NO_USER {
                r.user = user_map[r.user as usize];
            }
            r.template = template_map[r.template as usize];
            r.platform = platform_map[r.platform as usize];
        }
        let mut client_orgs: Vec<Vec<u32>> = vec![Vec::new(); client_order.len()];
        for (_, r) in &self.rows {
            client_orgs[r.client as usize].push(r.org);
        }
        let clients = client_order
            .iter()
            .zip(client_orgs)
            .map(|(&old, mut acted_in)| {
                acted_in.sort_unstable();
                acted_in.dedup();
                let facts = &self.facts[old];
                let id = self.clients.names[old].to_string();
                ClientEntry {
                    name: facts
                        .name
                        .as_ref()
                        .map_or_else(|| id.clone(), |(n, _)| n.clone()),
                    owner: facts.owner.as_ref().map_or_else(
                        || orgs[org_map[facts.first_org as usize] as usize].clone(),
                        |(o, _)| o.clone(),
                    ),
                    user_grant: facts.user_grant,
                    orgs: acted_in,
                    id,
                }
            })
            .collect();
        let mut user_entries: Vec<UserEntry> = vec![
            UserEntry {
                id: String::new(),
                org: 0
            };
            users.len()
        ];
        for (old, &org) in self.user_org.iter().enumerate() {
            let new = user_map[old] as usize;
            user_entries[new] = UserEntry {
                id: users[new].clone(),
                org: org_map[org as usize],
            };
        }
        let catalog = Catalog {
            orgs: orgs.iter().map(|o| (o.clone(), o.clone())).collect(),
            main_org: first.org,
            clients,
            users: user_entries,
            templates,
            platforms,
        };
        let loaded = group(self.origin, self.rows);
        Ok(Dataset::loaded(catalog, loaded))
    }
}

/// Records a fact said first at `at`, or checks that it agrees with the
/// first saying.
fn agree(
    slot: &mut Option<(String, u64)>,
    said: Option<&str>,
    at: At<'_>,
    field: &str,
    conflict: impl FnOnce(&str) -> String,
) -> Result<(), DatasetError> {
    let Some(said) = said else { return Ok(()) };
    match slot {
        None => *slot = Some((said.to_owned(), at.line)),
        Some((first, line)) if first != said => {
            let rule = format!("{} (line {line})", conflict(first));
            return Err(at.err(Some(field), rule));
        }
        Some(_) => {}
    }
    Ok(())
}

/// Sorts by day and key, sums records with the same key, and groups by day.
fn group(origin: String, mut rows: Vec<(i32, Record)>) -> Loaded {
    rows.sort_unstable_by_key(|(day, r)| (*day, r.key()));
    let mut days = Vec::new();
    let mut starts = Vec::new();
    let mut records: Vec<Record> = Vec::with_capacity(rows.len());
    let mut last: Option<(i32, [u32; 6])> = None;
    for (day, r) in rows {
        let key = (day, r.key());
        if last == Some(key) {
            if let Some(prev) = records.last_mut() {
                prev.counts.add(&r.counts);
            }
            continue;
        }
        if last.map(|(d, _)| d) != Some(day) {
            days.push(NaiveDate::from_num_days_from_ce_opt(day).unwrap_or(NaiveDate::MIN));
            starts.push(records.len());
        }
        records.push(r);
        last = Some(key);
    }
    starts.push(records.len());
    records.shrink_to_fit();
    Loaded {
        origin,
        days,
        starts,
        records,
    }
}
