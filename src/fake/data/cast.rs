//! The fixed cast of the synthetic log: organisations, OAuth clients, users,
//! endpoint templates and platforms. Ids never depend on the seed, so tests
//! and fixtures can name them.

use crate::models::HttpMethod;

/// Organisations: (id, name). The first is the main organisation (the one
/// whose credentials query the legacy and organisation endpoints).
pub(crate) const ORGANIZATIONS: [(&str, &str); 3] = [
    (
        "efb485cc-733f-4aa4-bc3a-6d03a44ab8ca",
        "Acme Contact Center",
    ),
    (
        "50b45e69-caed-480a-acb9-b8b061173393",
        "Globex Telecom Partner",
    ),
    (
        "2504ff28-542a-4ba2-b118-343bccfa9d44",
        "Initech Outsourcing Partner",
    ),
];

/// How an OAuth client authenticates: client credentials calls carry no user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grant {
    ClientCredentials,
    UserGrant,
}

/// One OAuth client of the cast.
#[derive(Debug)]
pub(crate) struct ClientSpec {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) grant: Grant,
    /// Indices into [`ORGANIZATIONS`] with relative weights.
    pub(crate) orgs: &'static [(usize, u32)],
    /// Relative share of the traffic.
    pub(crate) weight: u32,
    /// Indices into [`TEMPLATES`] this client calls.
    pub(crate) templates: &'static [usize],
    /// Indices into [`PLATFORMS`].
    pub(crate) platforms: &'static [usize],
    /// How prone the client is to hitting rate limits (percent of requests on a bad day).
    pub(crate) throttle: u32,
}

/// The OAuth clients, sorted by name (the default row order follows this order).
pub(crate) const CLIENTS: [ClientSpec; 7] = [
    ClientSpec {
        id: "5801ccc6-75d7-407d-96c9-e6706e1d6fa6",
        name: "Agent Desktop Extension",
        grant: Grant::UserGrant,
        orgs: &[(0, 8), (2, 2)],
        weight: 16,
        templates: &[0, 1, 6, 7, 10, 11, 12],
        platforms: &[1, 2],
        throttle: 2,
    },
    ClientSpec {
        id: "7de3af06-c0b3-4f9b-af45-72f4a14037cc",
        name: "Client Creds",
        grant: Grant::ClientCredentials,
        orgs: &[(0, 1)],
        weight: 28,
        templates: &[0, 2, 3, 4, 9, 13, 14, 15],
        platforms: &[0],
        throttle: 6,
    },
    ClientSpec {
        id: "dbe6ed23-0a59-40f9-9d3d-c03778b0731c",
        name: "Data Action Runner",
        grant: Grant::ClientCredentials,
        orgs: &[(0, 1)],
        weight: 8,
        templates: &[1, 6, 8, 16],
        platforms: &[0],
        throttle: 1,
    },
    ClientSpec {
        id: "4e993302-84d8-452c-9b2d-6623e312f70e",
        name: "Partner Integration Hub",
        grant: Grant::ClientCredentials,
        orgs: &[(0, 2), (1, 5), (2, 3)],
        weight: 10,
        templates: &[0, 2, 3, 6, 9, 14],
        platforms: &[0],
        throttle: 4,
    },
    ClientSpec {
        id: "e7de8a75-86bb-43eb-9063-38699f8c21af",
        name: "Prince Implicit Grant",
        grant: Grant::UserGrant,
        orgs: &[(0, 1)],
        weight: 18,
        templates: &[0, 1, 7, 10, 11, 12],
        platforms: &[1],
        throttle: 1,
    },
    ClientSpec {
        id: "7f5d258d-a0cf-411f-ad3e-047bf6d5130e",
        name: "Reporting Exporter",
        grant: Grant::ClientCredentials,
        orgs: &[(0, 6), (1, 1)],
        weight: 14,
        templates: &[4, 5, 8, 9, 17],
        platforms: &[0],
        throttle: 12,
    },
    ClientSpec {
        id: "1ffacd64-1b51-482e-900c-539d72c359a4",
        name: "WFM Sync",
        grant: Grant::ClientCredentials,
        orgs: &[(0, 1)],
        weight: 9,
        templates: &[0, 3, 13, 15],
        platforms: &[0],
        throttle: 3,
    },
];

/// Endpoint templates (no leading slash, as the service reports them) with
/// the methods they are called with, sorted by URI.
pub(crate) const TEMPLATES: [(&str, &[HttpMethodIdx]); 18] = [
    ("api/v2/analytics/conversations/aggregates/query", &[POST]),
    ("api/v2/analytics/conversations/details/query", &[POST]),
    ("api/v2/architect/flows", &[GET]),
    ("api/v2/conversations/calls", &[GET, POST]),
    ("api/v2/conversations/{conversationId}", &[GET, PATCH]),
    ("api/v2/groups", &[GET, HEAD]),
    ("api/v2/notifications/channels", &[POST]),
    (
        "api/v2/notifications/channels/{channelId}/subscriptions",
        &[PUT, POST],
    ),
    ("api/v2/oauth/clients", &[GET]),
    ("api/v2/presence/definitions", &[GET]),
    ("api/v2/routing/queues", &[GET, POST]),
    (
        "api/v2/routing/queues/{queueId}/members",
        &[GET, POST, DELETE],
    ),
    ("api/v2/routing/skills", &[GET]),
    ("api/v2/usage/aggregates/query/jobs", &[POST]),
    ("api/v2/usage/aggregates/query/jobs/{jobId}", &[GET]),
    ("api/v2/usage/query", &[POST]),
    ("api/v2/users", &[GET]),
    ("api/v2/users/{userId}", &[GET, PATCH, DELETE]),
];

/// An index into [`METHODS`].
pub(crate) type HttpMethodIdx = u8;

const DELETE: HttpMethodIdx = 0;
const GET: HttpMethodIdx = 1;
const HEAD: HttpMethodIdx = 2;
const PATCH: HttpMethodIdx = 3;
const POST: HttpMethodIdx = 4;
const PUT: HttpMethodIdx = 5;

/// The methods the log contains, sorted by wire name.
pub(crate) const METHODS: [HttpMethod; 6] = [
    HttpMethod::Delete,
    HttpMethod::Get,
    HttpMethod::Head,
    HttpMethod::Patch,
    HttpMethod::Post,
    HttpMethod::Put,
];

/// Calling platforms (their values are not documented by Genesys), sorted.
pub(crate) const PLATFORMS: [&str; 3] = ["Api", "Browser", "Mobile"];

/// Users per organisation (index into [`ORGANIZATIONS`] → count).
pub(crate) const USERS_PER_ORG: [usize; 3] = [8, 3, 3];
