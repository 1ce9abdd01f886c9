//! The vocabulary of `mock_requests`: methods, routes, headers, fields and
//! valid bodies that arbitrary inputs pick from.

use serde_json::{Value, json};

pub(super) const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// `{}` stands for an id.
pub(super) const ROUTES: [&str; 27] = [
    "/api/v2/usage/query",
    "/api/v2/usage/query/{}/results",
    "/api/v2/usage/simplesearch",
    "/api/v2/usage/simplesearch/{}/results",
    "/api/v2/oauth/clients/{}/usage/query",
    "/api/v2/oauth/clients/{}/usage/query/results/{}",
    "/api/v2/oauth/clients/{}/usage/summary",
    "/api/v2/usage/aggregates/query/jobs",
    "/api/v2/usage/aggregates/query/jobs/{}",
    "/api/v2/usage/client/{}/aggregates/query/jobs",
    "/api/v2/usage/client/{}/aggregates/query/jobs/{}",
    "/oauth/token",
    "/__admin/health",
    "/__admin/ready",
    "/__admin/reset",
    "/__admin/clock",
    "/__admin/journal",
    "/__admin/executions",
    "/__admin/executions/{}",
    "/__admin/executions/{}/state",
    "/__admin/executions/{}/advance",
    "/__admin/executions/{}/lifecycle",
    "/__admin/executions/{}/compliance",
    "/__admin/lifecycle",
    "/__admin/faults",
    "/__admin/faults/{}",
    "/api/v2/usage/{}",
];

pub(super) const QUERY_KEYS: [&str; 9] = [
    "pageSize",
    "pageNumber",
    "after",
    "cursor",
    "days",
    "limit",
    "executionId",
    "status",
    "path",
];

pub(super) const HEADERS: [&str; 8] = [
    "content-type",
    "x-mock-fault",
    "x-mock-lifecycle",
    "authorization",
    "accept",
    "content-length",
    "inin-correlation-id",
    "transfer-encoding",
];

pub(super) const FIELDS: [&str; 22] = [
    "interval",
    "granularity",
    "metrics",
    "groupBy",
    "httpMethods",
    "templateUris",
    "oauthClientIds",
    "oauthClientNames",
    "userIds",
    "organizationIds",
    "platforms",
    "sortBy",
    "pageSize",
    "days",
    "advance",
    "set",
    "mode",
    "state",
    "lifecycle",
    "fault",
    "trigger",
    "operation",
];

pub(super) fn templates() -> [Value; 9] {
    [
        json!({"interval": "2024-01-01T00:00:00Z/2024-01-08T00:00:00Z", "granularity": "Day",
               "metrics": ["Requests", "Status429"], "groupBy": ["OAuthClientId", "TemplateUri"]}),
        json!({"interval": "2024-01-01/2024-01-15", "metrics": ["Date", "HttpMethod"],
               "httpMethods": ["GET"], "templateUris": ["api/v2/users"]}),
        json!({"interval": "2025-06-01T00:00:00Z/2025-06-08T00:00:00Z", "granularity": "Week",
               "sortBy": [{"fieldName": "date", "order": "Asc"}], "groupBy": ["HttpMethod"]}),
        json!({"grant_type": "client_credentials"}),
        json!({"advance": 30, "mode": "virtual"}),
        json!({"set": "2024-01-01T00:00:00Z"}),
        json!({"state": "complete"}),
        json!({"lifecycle": "running:1,complete"}),
        json!({"fault": {"kind": "serverError", "status": 503}, "operation": "post_usage_query",
               "trigger": {"next": 1}}),
    ]
}

pub(super) const FAULT_KINDS: [&str; 10] = [
    "rateLimited",
    "serverError",
    "tokenExpired",
    "unknownStatus",
    "latency",
    "connectionReset",
    "truncatedBody",
    "malformedJson",
    "wrongContentType",
    "slowBody",
];
