//! [`Tenants`]: one engine per organisation a credential belongs to, so a
//! token sees only its organisation's rows and its own executions (those
//! of another tenant are 404 to it: they live in another engine). Tenant 0
//! is the data's main organisation, whose engine the admin API steers.

use std::collections::HashMap;
use std::sync::Arc;

use genesys_usage::fake::{Clock, Dataset, Engine};

use crate::settings::config::Config;
use crate::settings::scenario::Credential;

/// The organisations served and the credentials that reach them.
#[derive(Debug)]
pub(crate) struct Tenants {
    /// `(organisation id, engine)`; index 0 is the first credential's. No
    /// id: the organisation of the data served (it follows a new dataset).
    engines: Vec<(Option<String>, Arc<Engine>)>,
    /// Every accepted credential with the index of its tenant.
    credentials: Vec<(Credential, usize)>,
}

impl Tenants {
    /// The tenants of `config`: `main` serves the data's main organisation;
    /// every other organisation a credential names gets an engine on the
    /// same clock with the same data seen from that organisation.
    pub(crate) fn new(config: &Config, main: Arc<Engine>, clock: &Clock) -> Self {
        let data = main.dataset();
        let data_main = data.main_organization_id().to_owned();
        let all = config.all_credentials();
        // The data's main organisation when none is named.
        let org_of = |c: &Credential| c.organization.clone().filter(|o| *o != data_main);
        // Tenant 0, the one the admin API steers, is the first credential's.
        let first = all.first().and_then(org_of);
        if let Some(org) = &first {
            main.set_dataset(data.with_main_organization(org));
        }
        let mut engines = vec![(first.clone(), main)];
        let mut index: HashMap<Option<String>, usize> = HashMap::from([(first, 0)]);
        let mut credentials = Vec::new();
        for credential in all {
            let org = org_of(&credential);
            let tenant = *index.entry(org.clone()).or_insert_with(|| {
                let engine = Arc::new(Engine::with_clock(config.engine_config(), clock.clone()));
                if let Some(org) = &org {
                    engine.set_dataset(data.with_main_organization(org));
                } else {
                    engine.set_dataset(Arc::clone(&data));
                }
                engines.push((org.clone(), engine));
                engines.len() - 1
            });
            credentials.push((credential, tenant));
        }
        Self {
            engines,
            credentials,
        }
    }

    /// The engine of tenant `i` (the main one for an unknown index).
    pub(crate) fn engine(&self, i: usize) -> &Arc<Engine> {
        self.engines.get(i).map_or(&self.engines[0].1, |(_, e)| e)
    }

    /// Credential `i` and its tenant.
    pub(crate) fn credential(&self, i: usize) -> Option<&(Credential, usize)> {
        self.credentials.get(i)
    }

    /// The index of the credential with this id.
    pub(crate) fn credential_index(&self, client_id: &str) -> Option<usize> {
        self.credentials
            .iter()
            .position(|(c, _)| c.client_id == client_id)
    }

    /// Serves `dataset` on every tenant, each seeing its own organisation.
    pub(crate) fn set_dataset(&self, dataset: &Arc<Dataset>) {
        for (org, engine) in &self.engines {
            match org {
                Some(org) if dataset.main_organization_id() != org => {
                    engine.set_dataset(dataset.with_main_organization(org));
                }
                _ => engine.set_dataset(Arc::clone(dataset)),
            }
        }
    }

    /// Resets every tenant's engine.
    pub(crate) fn reset(&self) {
        for (_, engine) in &self.engines {
            engine.reset();
        }
    }
}
