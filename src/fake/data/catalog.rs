//! [`Catalog`]: the names a dataset's records point into.
//!
//! A [`Record`](crate::fake::data::dataset::Record) holds small indices, not
//! text, so that a million records stay small and aggregate fast. The
//! catalog turns the indices back into ids and names. Every table is sorted
//! (clients by name, the rest by id), so ordering rows by index orders them
//! by text, as the service's default row order does.

use crate::fake::data::cast::METHODS;
use crate::models::HttpMethod;

/// One OAuth client of a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientEntry {
    pub(crate) id: String,
    pub(crate) name: String,
    /// The organisation that owns the client (`purecloud` or
    /// `purecloud-builtin` for Genesys's own clients).
    pub(crate) owner: String,
    /// Whether any of its requests carries a user.
    pub(crate) user_grant: bool,
    /// Indices into [`Catalog::orgs`] of the organisations it acted in, sorted.
    pub(crate) orgs: Vec<u32>,
}

/// One user of a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UserEntry {
    pub(crate) id: String,
    /// Index into [`Catalog::orgs`].
    pub(crate) org: u32,
}

/// The tables of one dataset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Catalog {
    /// Organisations: (id, name).
    pub(crate) orgs: Vec<(String, String)>,
    /// Index of the organisation the default credential belongs to.
    pub(crate) main_org: u32,
    pub(crate) clients: Vec<ClientEntry>,
    pub(crate) users: Vec<UserEntry>,
    pub(crate) templates: Vec<String>,
    pub(crate) platforms: Vec<String>,
}

impl Catalog {
    /// The method of index `i` (methods are the six of the wire, for every dataset).
    pub(crate) fn method(i: u32) -> &'static HttpMethod {
        &METHODS[i as usize % METHODS.len()]
    }

    /// The index of method `m`, if it is one of the six.
    pub(crate) fn method_index(m: &HttpMethod) -> Option<u32> {
        METHODS.iter().position(|x| x == m).map(|i| i as u32)
    }

    pub(crate) fn org_id(&self, i: u32) -> &str {
        self.orgs.get(i as usize).map_or("", |(id, _)| id.as_str())
    }

    pub(crate) fn client(&self, i: u32) -> Option<&ClientEntry> {
        self.clients.get(i as usize)
    }

    pub(crate) fn client_id(&self, i: u32) -> &str {
        self.client(i).map_or("", |c| c.id.as_str())
    }

    pub(crate) fn client_name(&self, i: u32) -> &str {
        self.client(i).map_or("", |c| c.name.as_str())
    }

    pub(crate) fn user_id(&self, i: u32) -> Option<&str> {
        self.users.get(i as usize).map(|u| u.id.as_str())
    }

    pub(crate) fn template(&self, i: u32) -> &str {
        self.templates.get(i as usize).map_or("", String::as_str)
    }

    pub(crate) fn platform(&self, i: u32) -> &str {
        self.platforms.get(i as usize).map_or("", String::as_str)
    }

    /// The id of the main organisation.
    pub(crate) fn main_org_id(&self) -> &str {
        self.org_id(self.main_org)
    }
}
