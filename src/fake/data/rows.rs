//! Aggregated rows → wire rows of each family (the row rules of
//! `docs/FIDELITY.md`, "The data").

use crate::fake::data::aggregate::{AggRow, CLIENT, METHOD, ORG, PLATFORM, TEMPLATE, USER};
use crate::fake::data::catalog::Catalog;
use crate::fake::data::dataset::{Counts, Dataset, NO_USER};
use crate::fake::data::view::{MetricSet, RowView};
use crate::models::{
    ApiUsageRow, ClientPublicApiUsage, DomainEntityRef, HttpMethod, OrganizationPublicApiUsage,
    UserReference,
};

/// The counters of a row, each present only when asked for.
struct Counters {
    s200: Option<i64>,
    s300: Option<i64>,
    s400: Option<i64>,
    s429: Option<i64>,
    s500: Option<i64>,
    requests: Option<i64>,
}

fn counters(c: &Counts, m: &MetricSet) -> Counters {
    Counters {
        s200: m.s200.then_some(c.s200),
        s300: m.s300.then_some(c.s300),
        s400: m.s400.then_some(c.s400),
        s429: m.s429.then_some(c.s429),
        s500: m.s500.then_some(c.s500),
        requests: m.requests.then_some(c.requests()),
    }
}

fn user_id(catalog: &Catalog, i: u32) -> Option<&str> {
    (i != NO_USER).then(|| catalog.user_id(i)).flatten()
}

fn method(i: u32) -> &'static HttpMethod {
    Catalog::method(i)
}

/// A legacy row (L2, L4, L6): ungrouped dimensions are `""`; the simple
/// search carries only its own columns.
pub(crate) fn legacy(row: &AggRow, view: &RowView, dataset: &Dataset) -> ApiUsageRow {
    let (metrics, mut out) = match *view {
        RowView::Simple {
            client_name,
            method,
            template,
            metrics,
            ..
        } => (
            metrics,
            simple_columns(row, dataset.catalog(), client_name, method, template),
        ),
        RowView::Legacy { metrics }
        | RowView::OrgJobs { metrics, .. }
        | RowView::ClientJobs { metrics } => (metrics, legacy_dimensions(row, dataset.catalog())),
    };
    let c = counters(&row.counts, &metrics);
    out.status200 = c.s200;
    out.status300 = c.s300;
    out.status400 = c.s400;
    out.status429 = c.s429;
    out.status500 = c.s500;
    out.requests = c.requests;
    out.date = row
        .date()
        .map(|d| format!("{}T00:00:00Z", d.format("%Y-%m-%d")));
    out
}

/// The text of `slot`, `""` when not grouped.
fn text(row: &AggRow, slot: usize, f: impl Fn(u32) -> String) -> Option<String> {
    Some(row.slot(slot).map(f).unwrap_or_default())
}

/// Every legacy dimension, `""` when not grouped.
fn legacy_dimensions(row: &AggRow, c: &Catalog) -> ApiUsageRow {
    ApiUsageRow {
        client_id: text(row, CLIENT, |i| c.client_id(i).to_owned()),
        client_name: text(row, CLIENT, |i| c.client_name(i).to_owned()),
        organization_id: text(row, ORG, |i| c.org_id(i).to_owned()),
        user_id: text(row, USER, |i| user_id(c, i).unwrap_or_default().to_owned()),
        template_uri: text(row, TEMPLATE, |i| c.template(i).to_owned()),
        http_method: text(row, METHOD, |i| method(i).to_string()),
        ..ApiUsageRow::default()
    }
}

/// The dimension columns a simple search asked for.
fn simple_columns(
    row: &AggRow,
    c: &Catalog,
    client: bool,
    http_method: bool,
    template_uri: bool,
) -> ApiUsageRow {
    ApiUsageRow {
        client_name: client
            .then(|| text(row, CLIENT, |i| c.client_name(i).to_owned()))
            .flatten(),
        http_method: http_method
            .then(|| text(row, METHOD, |i| method(i).to_string()))
            .flatten(),
        template_uri: template_uri
            .then(|| text(row, TEMPLATE, |i| c.template(i).to_owned()))
            .flatten(),
        ..ApiUsageRow::default()
    }
}

/// An organisation jobs row (N2): ungrouped fields absent.
pub(crate) fn org_job(
    row: &AggRow,
    view: &RowView,
    dataset: &Dataset,
) -> OrganizationPublicApiUsage {
    let (metrics, with_id, with_name) = match *view {
        RowView::OrgJobs {
            metrics,
            client_id,
            client_name,
        } => (metrics, client_id, client_name),
        RowView::Legacy { metrics }
        | RowView::ClientJobs { metrics }
        | RowView::Simple { metrics, .. } => (metrics, true, true),
    };
    let cat = dataset.catalog();
    let c = counters(&row.counts, &metrics);
    OrganizationPublicApiUsage {
        date: row.date().map(|d| d.format("%Y-%m-%d").to_string()),
        platform: row.slot(PLATFORM).map(|i| cat.platform(i).to_owned()),
        http_method: row.slot(METHOD).map(|i| method(i).clone()),
        template_uri: row.slot(TEMPLATE).map(|i| cat.template(i).to_owned()),
        request_count: c.requests,
        status200: c.s200,
        status300: c.s300,
        status400: c.s400,
        status429: c.s429,
        status500: c.s500,
        oauth_client: row.slot(CLIENT).map(|i| DomainEntityRef {
            id: with_id.then(|| cat.client_id(i).to_owned()),
            name: (with_name || with_id).then(|| cat.client_name(i).to_owned()),
            self_uri: with_id.then(|| format!("/api/v2/oauth/clients/{}", cat.client_id(i))),
        }),
        user: row
            .slot(USER)
            .and_then(|i| user_id(cat, i))
            .map(|id| UserReference {
                id: Some(id.to_owned()),
                self_uri: Some(format!("/api/v2/users/{id}")),
            }),
    }
}

/// A client jobs row (N4): ungrouped fields absent.
pub(crate) fn client_job(row: &AggRow, view: &RowView, dataset: &Dataset) -> ClientPublicApiUsage {
    let cat = dataset.catalog();
    let metrics = match *view {
        RowView::Legacy { metrics }
        | RowView::ClientJobs { metrics }
        | RowView::OrgJobs { metrics, .. }
        | RowView::Simple { metrics, .. } => metrics,
    };
    let c = counters(&row.counts, &metrics);
    ClientPublicApiUsage {
        date: row.date().map(|d| d.format("%Y-%m-%d").to_string()),
        platform: row.slot(PLATFORM).map(|i| cat.platform(i).to_owned()),
        http_method: row.slot(METHOD).map(|i| method(i).clone()),
        template_uri: row.slot(TEMPLATE).map(|i| cat.template(i).to_owned()),
        request_count: c.requests,
        status200: c.s200,
        status300: c.s300,
        status400: c.s400,
        status429: c.s429,
        status500: c.s500,
        organization_id: row.slot(ORG).map(|i| cat.org_id(i).to_owned()),
    }
}
