//! Proptest strategies for every wire model and every enum (known values and
//! arbitrary `Unknown` text).

use std::fmt::Debug;

use genesys_usage::{
    AccessTokenResponse, ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageQueryResult,
    ApiUsageRow, ApiUsageSimpleSearch, ClientGroupBy, ClientJobsGroupBy, ClientPublicApiUsage,
    ClientPublicApiUsageQueryRequest, Cursors, Detail, DomainEntityRef, ErrorBody, Granularity,
    HttpMethod, JobStatus, Limit, OAuthErrorBody, OrganizationGroupBy, OrganizationJobsGroupBy,
    OrganizationPublicApiUsage, OrganizationPublicApiUsageQueryRequest,
    OrganizationUsageQueryResponse, PublicApiUsageResultsResponse, QueryStatus, SimpleSearchMetric,
    SortOrder, UsageExecutionResult, UsageMetric, UsageQuerySortBy, UserReference,
};
use proptest::collection::{btree_map, vec};
use proptest::option::of as maybe;
use proptest::prelude::*;
use proptest::sample::select;

/// Any text, control characters and non-ASCII included (JSON escaping is exercised too).
pub(crate) fn text() -> impl Strategy<Value = String> {
    any::<String>()
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    maybe(text())
}

fn opt_list<S: Strategy>(item: S) -> impl Strategy<Value = Option<Vec<S::Value>>> {
    maybe(vec(item, 0..4))
}

fn counter() -> impl Strategy<Value = Option<i64>> {
    maybe(any::<i64>())
}

/// A known value of a wire enum, or arbitrary text (which becomes `Unknown`).
pub(crate) fn wire_enum<E>(known: &'static [E]) -> impl Strategy<Value = E>
where
    E: Clone + Debug + for<'a> From<&'a str> + 'static,
{
    prop_oneof![select(known), text().prop_map(|s| E::from(s.as_str()))]
}

pub(crate) fn organization_query() -> impl Strategy<Value = ApiUsageOrganizationQuery> {
    (
        text(),
        maybe(wire_enum(Granularity::KNOWN)),
        opt_list(wire_enum(UsageMetric::KNOWN)),
        opt_list(wire_enum(OrganizationGroupBy::KNOWN)),
    )
        .prop_map(
            |(interval, granularity, metrics, group_by)| ApiUsageOrganizationQuery {
                interval,
                granularity,
                metrics,
                group_by,
            },
        )
}

pub(crate) fn client_query() -> impl Strategy<Value = ApiUsageClientQuery> {
    (
        text(),
        maybe(wire_enum(Granularity::KNOWN)),
        opt_list(wire_enum(UsageMetric::KNOWN)),
        opt_list(wire_enum(ClientGroupBy::KNOWN)),
    )
        .prop_map(
            |(interval, granularity, metrics, group_by)| ApiUsageClientQuery {
                interval,
                granularity,
                metrics,
                group_by,
            },
        )
}

pub(crate) fn simple_search() -> impl Strategy<Value = ApiUsageSimpleSearch> {
    (
        text(),
        opt_list(wire_enum(SimpleSearchMetric::KNOWN)),
        opt_list(text()),
        opt_list(wire_enum(HttpMethod::KNOWN)),
        opt_list(text()),
    )
        .prop_map(
            |(interval, metrics, names, methods, uris)| ApiUsageSimpleSearch {
                interval,
                metrics,
                oauth_client_names: names,
                http_methods: methods,
                template_uris: uris,
            },
        )
}

pub(crate) fn execution_result() -> impl Strategy<Value = UsageExecutionResult> {
    (opt_text(), opt_text()).prop_map(|(execution_id, results_uri)| UsageExecutionResult {
        execution_id,
        results_uri,
    })
}

fn usage_row() -> impl Strategy<Value = ApiUsageRow> {
    let dimensions = (opt_text(), opt_text(), opt_text(), opt_text(), opt_text());
    let counters = (
        counter(),
        counter(),
        counter(),
        counter(),
        counter(),
        counter(),
    );
    (dimensions, counters, opt_text(), opt_text()).prop_map(|(d, c, http_method, date)| {
        ApiUsageRow {
            client_id: d.0,
            client_name: d.1,
            organization_id: d.2,
            user_id: d.3,
            template_uri: d.4,
            http_method,
            status200: c.0,
            status300: c.1,
            status400: c.2,
            status500: c.3,
            status429: c.4,
            requests: c.5,
            date,
        }
    })
}

pub(crate) fn query_result() -> impl Strategy<Value = ApiUsageQueryResult> {
    let cursors = (opt_text(), opt_text()).prop_map(|(before, after)| Cursors { before, after });
    (
        opt_list(usage_row()),
        maybe(wire_enum(QueryStatus::KNOWN)),
        maybe(cursors),
    )
        .prop_map(|(results, query_status, cursors)| ApiUsageQueryResult {
            results,
            query_status,
            cursors,
        })
}

fn sort_by() -> impl Strategy<Value = UsageQuerySortBy> {
    (opt_text(), maybe(wire_enum(SortOrder::KNOWN)))
        .prop_map(|(field_name, order)| UsageQuerySortBy { field_name, order })
}

/// The fields the two jobs requests share, in declaration order.
type JobsCommon = (
    String,
    Option<Granularity>,
    Option<Vec<UsageQuerySortBy>>,
    Option<Vec<UsageMetric>>,
    Option<Vec<String>>,
    Option<Vec<HttpMethod>>,
    Option<Vec<String>>,
);

fn jobs_common() -> impl Strategy<Value = JobsCommon> {
    (
        text(),
        maybe(wire_enum(Granularity::KNOWN)),
        opt_list(sort_by()),
        opt_list(wire_enum(UsageMetric::KNOWN)),
        opt_list(text()),
        opt_list(wire_enum(HttpMethod::KNOWN)),
        opt_list(text()),
    )
}

pub(crate) fn organization_jobs_request()
-> impl Strategy<Value = OrganizationPublicApiUsageQueryRequest> {
    let group_by = opt_list(wire_enum(OrganizationJobsGroupBy::KNOWN));
    (jobs_common(), group_by, opt_list(text()), opt_list(text())).prop_map(
        |(c, group_by, user_ids, oauth_client_ids)| OrganizationPublicApiUsageQueryRequest {
            interval: c.0,
            granularity: c.1,
            sort_by: c.2,
            metrics: c.3,
            template_uris: c.4,
            http_methods: c.5,
            platforms: c.6,
            group_by,
            user_ids,
            oauth_client_ids,
        },
    )
}

pub(crate) fn client_jobs_request() -> impl Strategy<Value = ClientPublicApiUsageQueryRequest> {
    let group_by = opt_list(wire_enum(ClientJobsGroupBy::KNOWN));
    (jobs_common(), group_by, opt_list(text())).prop_map(|(c, group_by, organization_ids)| {
        ClientPublicApiUsageQueryRequest {
            interval: c.0,
            granularity: c.1,
            sort_by: c.2,
            metrics: c.3,
            template_uris: c.4,
            http_methods: c.5,
            platforms: c.6,
            group_by,
            organization_ids,
        }
    })
}

pub(crate) fn jobs_submit_answer() -> impl Strategy<Value = OrganizationUsageQueryResponse> {
    (text(), opt_text(), opt_text(), opt_text()).prop_map(|(id, name, results_uri, self_uri)| {
        OrganizationUsageQueryResponse {
            id,
            name,
            results_uri,
            self_uri,
        }
    })
}

/// The columns the two jobs rows share: date, platform, method, template, six counters.
type RowCommon = (
    (
        Option<String>,
        Option<String>,
        Option<HttpMethod>,
        Option<String>,
    ),
    (
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    ),
);

fn row_common() -> impl Strategy<Value = RowCommon> {
    (
        (
            opt_text(),
            opt_text(),
            maybe(wire_enum(HttpMethod::KNOWN)),
            opt_text(),
        ),
        (
            counter(),
            counter(),
            counter(),
            counter(),
            counter(),
            counter(),
        ),
    )
}

fn organization_row() -> impl Strategy<Value = OrganizationPublicApiUsage> {
    let client = (opt_text(), opt_text(), opt_text())
        .prop_map(|(id, name, self_uri)| DomainEntityRef { id, name, self_uri });
    let user = (opt_text(), opt_text()).prop_map(|(id, self_uri)| UserReference { id, self_uri });
    (row_common(), maybe(client), maybe(user)).prop_map(|((d, c), oauth_client, user)| {
        OrganizationPublicApiUsage {
            date: d.0,
            platform: d.1,
            http_method: d.2,
            template_uri: d.3,
            request_count: c.0,
            status200: c.1,
            status300: c.2,
            status400: c.3,
            status429: c.4,
            status500: c.5,
            oauth_client,
            user,
        }
    })
}

fn client_row() -> impl Strategy<Value = ClientPublicApiUsage> {
    (row_common(), opt_text()).prop_map(|((d, c), organization_id)| ClientPublicApiUsage {
        date: d.0,
        platform: d.1,
        http_method: d.2,
        template_uri: d.3,
        request_count: c.0,
        status200: c.1,
        status300: c.2,
        status400: c.3,
        status429: c.4,
        status500: c.5,
        organization_id,
    })
}

fn jobs_page<R: Clone + Debug>(
    row: impl Strategy<Value = R>,
) -> impl Strategy<Value = PublicApiUsageResultsResponse<R>> {
    (
        opt_text(),
        wire_enum(JobStatus::KNOWN),
        maybe(error_body()),
        opt_text(),
        opt_list(row),
        opt_text(),
    )
        .prop_map(
            |(name, query_status, error_body, next_uri, entities, self_uri)| {
                PublicApiUsageResultsResponse {
                    name,
                    query_status,
                    error_body,
                    next_uri,
                    entities,
                    self_uri,
                }
            },
        )
}

pub(crate) fn organization_jobs_page()
-> impl Strategy<Value = PublicApiUsageResultsResponse<OrganizationPublicApiUsage>> {
    jobs_page(organization_row())
}

pub(crate) fn client_jobs_page()
-> impl Strategy<Value = PublicApiUsageResultsResponse<ClientPublicApiUsage>> {
    jobs_page(client_row())
}

fn error_body_with(
    errors: impl Strategy<Value = Option<Vec<ErrorBody>>>,
) -> impl Strategy<Value = ErrorBody> {
    let detail = (opt_text(), opt_text(), opt_text(), opt_text()).prop_map(|d| Detail {
        error_code: d.0,
        field_name: d.1,
        entity_id: d.2,
        entity_name: d.3,
    });
    let limit = (opt_text(), opt_text(), counter()).prop_map(|(key, namespace, value)| Limit {
        key,
        namespace,
        value,
    });
    let params = maybe(btree_map(text(), text(), 0..3));
    let head = (opt_text(), opt_text(), maybe(any::<i32>()));
    let entity = (opt_text(), opt_text(), opt_text(), params, opt_text());
    (head, entity, opt_list(detail), errors, maybe(limit)).prop_map(
        |(h, e, details, errors, limit)| ErrorBody {
            message: h.0,
            code: h.1,
            status: h.2,
            entity_id: e.0,
            entity_name: e.1,
            message_with_params: e.2,
            message_params: e.3,
            context_id: e.4,
            details,
            errors,
            limit,
        },
    )
}

/// An error body nesting other error bodies up to two levels deep.
pub(crate) fn error_body() -> impl Strategy<Value = ErrorBody> {
    error_body_with(Just(None))
        .prop_recursive(2, 8, 3, |inner| error_body_with(maybe(vec(inner, 0..3))))
}

pub(crate) fn token_answer() -> impl Strategy<Value = AccessTokenResponse> {
    (text(), text(), any::<u64>()).prop_map(|(access_token, token_type, expires_in)| {
        AccessTokenResponse {
            access_token,
            token_type,
            expires_in,
        }
    })
}

pub(crate) fn token_error() -> impl Strategy<Value = OAuthErrorBody> {
    (text(), opt_text(), opt_text()).prop_map(|(error, description, error_description)| {
        OAuthErrorBody {
            error,
            description,
            error_description,
        }
    })
}
