//! Request bodies → validated [`QuerySpec`]s.

use chrono::{DateTime, NaiveDate, Utc};

use crate::fake::answer::EngineFailure;
use crate::fake::data::aggregate::{
    CLIENT, Filter, METHOD, ORG, PLATFORM, QuerySpec, SLOTS, TEMPLATE, USER,
};
use crate::fake::data::dataset::Dataset;
use crate::fake::data::view::{MetricSet, RowView};
use crate::fake::engine::validate as v;
use crate::models::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageSimpleSearch, ClientGroupBy,
    ClientJobsGroupBy, ClientPublicApiUsageQueryRequest, Granularity, HttpMethod, Interval,
    OrganizationGroupBy, OrganizationJobsGroupBy, OrganizationPublicApiUsageQueryRequest,
    SimpleSearchMetric, UsageQuerySortBy,
};

type Checked<T> = Result<T, EngineFailure>;

fn spec(interval: Interval, cutoff: NaiveDate, view: RowView) -> QuerySpec {
    QuerySpec {
        interval,
        bucket: None,
        group: [false; SLOTS],
        filter: Filter::default(),
        sort: Vec::new(),
        cutoff,
        view,
        limit: None,
    }
}

/// Legacy groupBy: omitted means per OAuth client (the service's default).
fn legacy_group<G: Clone>(
    list: Option<&[G]>,
    (default, known): (G, &[G]),
    slot: impl Fn(&G) -> Option<usize>,
    name: impl Fn(&G) -> &str,
) -> Checked<[bool; SLOTS]> {
    let defaulted = [default];
    let list = list.unwrap_or(&defaulted);
    let mut group = [false; SLOTS];
    for g in list {
        let slot = slot(g).ok_or_else(|| v::unknown("groupBy", name(g), v::names(known, &name)))?;
        group[slot] = true;
    }
    Ok(group)
}

fn org_slot(g: &OrganizationGroupBy) -> Option<usize> {
    match g {
        OrganizationGroupBy::OAuthClientId => Some(CLIENT),
        OrganizationGroupBy::OrganizationId => Some(ORG),
        OrganizationGroupBy::UserId => Some(USER),
        OrganizationGroupBy::TemplateUri => Some(TEMPLATE),
        OrganizationGroupBy::HttpMethod => Some(METHOD),
        _ => None,
    }
}

fn client_slot(g: &ClientGroupBy) -> Option<usize> {
    match g {
        ClientGroupBy::OAuthClientId => Some(CLIENT),
        ClientGroupBy::OrganizationId => Some(ORG),
        ClientGroupBy::TemplateUri => Some(TEMPLATE),
        ClientGroupBy::HttpMethod => Some(METHOD),
        _ => None,
    }
}

/// L1: the main organisation's records (Genesys's own clients left out).
pub(crate) fn organization(
    body: &ApiUsageOrganizationQuery,
    cutoff: NaiveDate,
    dataset: &Dataset,
) -> Checked<QuerySpec> {
    let interval = v::interval(&body.interval)?;
    let bucket = v::granularity(body.granularity.as_ref())?;
    let metrics = v::metrics(body.metrics.as_deref())?;
    let group = legacy_group(
        body.group_by.as_deref(),
        (
            OrganizationGroupBy::OAuthClientId,
            OrganizationGroupBy::KNOWN,
        ),
        org_slot,
        |g| g.as_str(),
    )?;
    let mut q = spec(interval, cutoff, RowView::Legacy { metrics });
    q.bucket = bucket;
    q.group = group;
    v::only_main_org(&mut q.filter, dataset);
    v::without_genesys_clients(&mut q.filter, dataset);
    Ok(q)
}

/// L5: the records of one OAuth client, every organisation.
pub(crate) fn client(
    client_id: &str,
    body: &ApiUsageClientQuery,
    cutoff: NaiveDate,
    dataset: &Dataset,
) -> Checked<QuerySpec> {
    let interval = v::interval(&body.interval)?;
    let bucket = v::granularity(body.granularity.as_ref())?;
    let metrics = v::metrics(body.metrics.as_deref())?;
    let group = legacy_group(
        body.group_by.as_deref(),
        (ClientGroupBy::OAuthClientId, ClientGroupBy::KNOWN),
        client_slot,
        |g| g.as_str(),
    )?;
    let mut q = spec(interval, cutoff, RowView::Legacy { metrics });
    q.bucket = bucket;
    q.group = group;
    v::only_client(&mut q.filter, client_id, dataset);
    v::without_genesys_clients(&mut q.filter, dataset);
    Ok(q)
}

/// L7: the last `days` whole UTC days of one client, per day.
pub(crate) fn summary(
    client_id: &str,
    days: u32,
    now: DateTime<Utc>,
    dataset: &Dataset,
) -> QuerySpec {
    let interval = Interval::last_days_before(now, days);
    let mut q = spec(
        interval,
        now.date_naive(),
        RowView::Legacy {
            metrics: MetricSet::ALL,
        },
    );
    q.bucket = v::granularity(Some(&Granularity::Day)).ok().flatten();
    q.group[CLIENT] = true;
    v::only_client(&mut q.filter, client_id, dataset);
    v::without_genesys_clients(&mut q.filter, dataset);
    q
}

/// L3: the main organisation's records; `metrics` picks the columns.
pub(crate) fn simple_search(
    body: &ApiUsageSimpleSearch,
    cutoff: NaiveDate,
    dataset: &Dataset,
) -> Checked<QuerySpec> {
    let interval = v::interval(&body.interval)?;
    let view = simple_view(body.metrics.as_deref())?;
    let mut q = spec(interval, cutoff, view);
    if let RowView::Simple {
        date,
        client_name,
        method,
        template,
        ..
    } = view
    {
        q.bucket = date.then_some(crate::fake::data::aggregate::Bucket::Day);
        q.group[CLIENT] = client_name;
        q.group[METHOD] = method;
        q.group[TEMPLATE] = template;
    }
    v::only_main_org(&mut q.filter, dataset);
    v::without_genesys_clients(&mut q.filter, dataset);
    v::client_names(&mut q.filter, body.oauth_client_names.as_deref(), dataset);
    v::http_methods(&mut q.filter, body.http_methods.as_deref(), false)?;
    v::text_filter(
        &mut q.filter,
        TEMPLATE,
        body.template_uris.as_deref(),
        dataset,
    );
    q.limit = Some(crate::models::SIMPLE_SEARCH_MAX_RECORDS);
    Ok(q)
}

/// The columns of a simple search (omitted or empty: all of them).
fn simple_view(list: Option<&[SimpleSearchMetric]>) -> Checked<RowView> {
    let all = SimpleSearchMetric::KNOWN;
    let list = list.filter(|l| !l.is_empty()).unwrap_or(all);
    let has = |m: SimpleSearchMetric| list.contains(&m);
    if let Some(bad) = list.iter().find(|m| !m.is_known()) {
        let allowed = v::names(all, SimpleSearchMetric::as_str);
        return Err(v::unknown("metrics", bad.as_str(), allowed));
    }
    Ok(RowView::Simple {
        date: has(SimpleSearchMetric::Date),
        client_name: has(SimpleSearchMetric::ClientName),
        method: has(SimpleSearchMetric::HttpMethod),
        template: has(SimpleSearchMetric::TemplateUri),
        metrics: MetricSet {
            s200: has(SimpleSearchMetric::Status200),
            s300: has(SimpleSearchMetric::Status300),
            s400: has(SimpleSearchMetric::Status400),
            s429: has(SimpleSearchMetric::Status429),
            s500: has(SimpleSearchMetric::Status500),
            requests: false,
        },
    })
}

/// The jobs groupBy of the organisation query: slots, and whether the
/// client is named by id and/or by name.
fn org_jobs_group(
    list: Option<&[OrganizationJobsGroupBy]>,
) -> Checked<([bool; SLOTS], bool, bool)> {
    let (mut by_id, mut by_name) = (false, false);
    let mut group = [false; SLOTS];
    for g in list.into_iter().flatten() {
        let slot = match g {
            OrganizationJobsGroupBy::OauthClientName => {
                by_name = true;
                CLIENT
            }
            OrganizationJobsGroupBy::OauthClientId => {
                by_id = true;
                CLIENT
            }
            OrganizationJobsGroupBy::UserId => USER,
            OrganizationJobsGroupBy::HttpMethod => METHOD,
            OrganizationJobsGroupBy::TemplateUri => TEMPLATE,
            OrganizationJobsGroupBy::Platform => PLATFORM,
            other => {
                let allowed = v::names(OrganizationJobsGroupBy::KNOWN, |g| g.as_str());
                return Err(v::unknown("groupBy", other.as_str(), allowed));
            }
        };
        group[slot] = true;
    }
    Ok((group, by_id, by_name))
}

fn client_jobs_group(list: Option<&[ClientJobsGroupBy]>) -> Checked<[bool; SLOTS]> {
    let mut group = [false; SLOTS];
    for g in list.into_iter().flatten() {
        let slot = match g {
            ClientJobsGroupBy::OrganizationId => ORG,
            ClientJobsGroupBy::HttpMethod => METHOD,
            ClientJobsGroupBy::TemplateUri => TEMPLATE,
            ClientJobsGroupBy::Platform => PLATFORM,
            other => {
                let allowed = v::names(ClientJobsGroupBy::KNOWN, |g| g.as_str());
                return Err(v::unknown("groupBy", other.as_str(), allowed));
            }
        };
        group[slot] = true;
    }
    Ok(group)
}

/// The fields both jobs queries share.
struct JobsCommon<'a> {
    interval: &'a str,
    granularity: Option<&'a Granularity>,
    sort_by: Option<&'a [UsageQuerySortBy]>,
    http_methods: Option<&'a [HttpMethod]>,
    template_uris: Option<&'a [String]>,
    platforms: Option<&'a [String]>,
}

/// Validates the shared fields into a spec with `group` and `view`.
fn jobs_spec(
    c: JobsCommon<'_>,
    client_rows: bool,
    now: DateTime<Utc>,
    dataset: &Dataset,
    view: impl FnOnce() -> Checked<RowView>,
) -> Checked<QuerySpec> {
    let interval = v::jobs_interval(c.interval, now)?;
    // The jobs service documents both ends as inclusive (docs/FIDELITY.md,
    // "Intervals"): widen the
    // half-open interval by one instant so the end's own day is counted.
    let interval = Interval::new(
        interval.start(),
        interval.end() + chrono::Duration::nanoseconds(1),
    )
    .unwrap_or(interval);
    let bucket = v::granularity(c.granularity)?;
    let view = view()?;
    let sort = v::sort_by(c.sort_by, client_rows)?;
    let mut q = spec(interval, now.date_naive(), view);
    q.bucket = bucket;
    q.sort = sort;
    v::http_methods(&mut q.filter, c.http_methods, true)?;
    v::text_filter(&mut q.filter, TEMPLATE, c.template_uris, dataset);
    v::text_filter(&mut q.filter, PLATFORM, c.platforms, dataset);
    Ok(q)
}

/// N1: the main organisation's records.
pub(crate) fn organization_jobs(
    body: &OrganizationPublicApiUsageQueryRequest,
    now: DateTime<Utc>,
    dataset: &Dataset,
) -> Checked<QuerySpec> {
    let common = JobsCommon {
        interval: &body.interval,
        granularity: body.granularity.as_ref(),
        sort_by: body.sort_by.as_deref(),
        http_methods: body.http_methods.as_deref(),
        template_uris: body.template_uris.as_deref(),
        platforms: body.platforms.as_deref(),
    };
    let (group, client_id, client_name) = org_jobs_group(body.group_by.as_deref())?;
    let mut q = jobs_spec(common, false, now, dataset, || {
        let metrics = v::metrics(body.metrics.as_deref())?;
        Ok(RowView::OrgJobs {
            metrics,
            client_id,
            client_name,
        })
    })?;
    q.group = group;
    v::only_main_org(&mut q.filter, dataset);
    v::text_filter(&mut q.filter, USER, body.user_ids.as_deref(), dataset);
    v::text_filter(
        &mut q.filter,
        CLIENT,
        body.oauth_client_ids.as_deref(),
        dataset,
    );
    Ok(q)
}

/// N3: the records of one OAuth client, every organisation.
pub(crate) fn client_jobs(
    client_id: &str,
    body: &ClientPublicApiUsageQueryRequest,
    now: DateTime<Utc>,
    dataset: &Dataset,
) -> Checked<QuerySpec> {
    let common = JobsCommon {
        interval: &body.interval,
        granularity: body.granularity.as_ref(),
        sort_by: body.sort_by.as_deref(),
        http_methods: body.http_methods.as_deref(),
        template_uris: body.template_uris.as_deref(),
        platforms: body.platforms.as_deref(),
    };
    let group = client_jobs_group(body.group_by.as_deref())?;
    let mut q = jobs_spec(common, true, now, dataset, || {
        let metrics = v::metrics(body.metrics.as_deref())?;
        Ok(RowView::ClientJobs { metrics })
    })?;
    q.group = group;
    v::only_client(&mut q.filter, client_id, dataset);
    v::text_filter(
        &mut q.filter,
        ORG,
        body.organization_ids.as_deref(),
        dataset,
    );
    Ok(q)
}
