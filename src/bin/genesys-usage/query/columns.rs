//! The columns of the three row types: a title for the table, the wire
//! name for the CSV header, and how to read the value from a row.

use genesys_usage::{ApiUsageRow, ClientPublicApiUsage, OrganizationPublicApiUsage};

/// How a column reads its value from a row.
pub(crate) enum Value<R> {
    /// A dimension (text).
    Text(fn(&R) -> Option<String>),
    /// A counter, summed in the table's totals line.
    Count(fn(&R) -> Option<i64>),
}

/// One column of a row type.
pub(crate) struct Column<R> {
    /// Table header (capitals).
    pub(crate) title: &'static str,
    /// CSV header: the field's wire name.
    pub(crate) key: &'static str,
    /// The value of a row.
    pub(crate) value: Value<R>,
}

impl<R> Column<R> {
    const fn text(title: &'static str, key: &'static str, read: fn(&R) -> Option<String>) -> Self {
        Self {
            title,
            key,
            value: Value::Text(read),
        }
    }

    const fn count(title: &'static str, key: &'static str, read: fn(&R) -> Option<i64>) -> Self {
        Self {
            title,
            key,
            value: Value::Count(read),
        }
    }

    /// Whether this row has a value here (ungrouped dimensions come back as
    /// `""`, unrequested counters as absent).
    pub(crate) fn is_set(&self, row: &R) -> bool {
        match &self.value {
            Value::Text(read) => read(row).is_some_and(|text| !text.is_empty()),
            Value::Count(read) => read(row).is_some(),
        }
    }

    /// The value as CSV and JSON-free text: empty when absent.
    pub(crate) fn cell(&self, row: &R) -> String {
        match &self.value {
            Value::Text(read) => read(row).unwrap_or_default(),
            Value::Count(read) => read(row).map(|n| n.to_string()).unwrap_or_default(),
        }
    }
}

/// A row type the renderer knows.
pub(crate) trait Row: serde::Serialize {
    /// Its columns, dimensions first.
    fn columns() -> Vec<Column<Self>>
    where
        Self: Sized;
}

impl Row for ApiUsageRow {
    fn columns() -> Vec<Column<Self>> {
        vec![
            Column::text("DATE", "date", |r| r.date.clone()),
            Column::text("CLIENT", "clientName", |r| r.client_name.clone()),
            Column::text("CLIENT ID", "clientId", |r| r.client_id.clone()),
            Column::text("ORGANIZATION", "organizationId", |r| {
                r.organization_id.clone()
            }),
            Column::text("USER", "userId", |r| r.user_id.clone()),
            Column::text("TEMPLATE", "templateUri", |r| r.template_uri.clone()),
            Column::text("METHOD", "httpMethod", |r| r.http_method.clone()),
            Column::count("REQUESTS", "requests", |r| r.requests),
            Column::count("2XX", "status200", |r| r.status200),
            Column::count("3XX", "status300", |r| r.status300),
            Column::count("4XX", "status400", |r| r.status400),
            Column::count("429", "status429", |r| r.status429),
            Column::count("5XX", "status500", |r| r.status500),
        ]
    }
}

impl Row for OrganizationPublicApiUsage {
    fn columns() -> Vec<Column<Self>> {
        vec![
            Column::text("DATE", "date", |r| r.date.clone()),
            Column::text("CLIENT", "oauthClient.name", |r| {
                r.oauth_client.as_ref()?.name.clone()
            }),
            Column::text("CLIENT ID", "oauthClient.id", |r| {
                r.oauth_client.as_ref()?.id.clone()
            }),
            Column::text("USER", "user.id", |r| r.user.as_ref()?.id.clone()),
            Column::text("PLATFORM", "platform", |r| r.platform.clone()),
            Column::text("TEMPLATE", "templateUri", |r| r.template_uri.clone()),
            Column::text("METHOD", "httpMethod", |r| {
                r.http_method.as_ref().map(|m| m.as_str().to_owned())
            }),
            Column::count("REQUESTS", "requestCount", |r| r.request_count),
            Column::count("2XX", "status200", |r| r.status200),
            Column::count("3XX", "status300", |r| r.status300),
            Column::count("4XX", "status400", |r| r.status400),
            Column::count("429", "status429", |r| r.status429),
            Column::count("5XX", "status500", |r| r.status500),
        ]
    }
}

impl Row for ClientPublicApiUsage {
    fn columns() -> Vec<Column<Self>> {
        vec![
            Column::text("DATE", "date", |r| r.date.clone()),
            Column::text("ORGANIZATION", "organizationId", |r| {
                r.organization_id.clone()
            }),
            Column::text("PLATFORM", "platform", |r| r.platform.clone()),
            Column::text("TEMPLATE", "templateUri", |r| r.template_uri.clone()),
            Column::text("METHOD", "httpMethod", |r| {
                r.http_method.as_ref().map(|m| m.as_str().to_owned())
            }),
            Column::count("REQUESTS", "requestCount", |r| r.request_count),
            Column::count("2XX", "status200", |r| r.status200),
            Column::count("3XX", "status300", |r| r.status300),
            Column::count("4XX", "status400", |r| r.status400),
            Column::count("429", "status429", |r| r.status429),
            Column::count("5XX", "status500", |r| r.status500),
        ]
    }
}
