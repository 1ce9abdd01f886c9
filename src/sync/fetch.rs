//! One chunk of days of one organisation, fetched whole: submit, wait, every
//! page, each row a [`UsageRecord`].

use chrono::NaiveDate;
use futures_util::StreamExt;

use crate::client::UsageClient;
use crate::error::{Error, Result};
use crate::models::{
    ApiUsageOrganizationQuery, Granularity, Interval, OrganizationGroupBy, OrganizationJobsGroupBy,
    OrganizationPublicApiUsageQueryRequest, UsageRecord,
};

/// Rows per results page: the most the jobs service allows, so a chunk of
/// 90 days costs as few GETs as it can.
pub const PAGE_SIZE: u32 = 1000;

/// Which query service a sync reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Service {
    /// The jobs service (N1/N2, permission `usage:organization:view`): every
    /// client, Genesys's own included, with the platform.
    #[default]
    Jobs,
    /// The legacy organisation query (L1/L2), for credentials without the
    /// jobs permission: no platform, and no requests of Genesys-owned clients
    /// (`purecloud`, `purecloud-builtin`).
    Legacy,
}

impl Service {
    /// `jobs` or `legacy`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jobs => "jobs",
            Self::Legacy => "legacy",
        }
    }
}

impl std::str::FromStr for Service {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        match text {
            "jobs" => Ok(Self::Jobs),
            "legacy" => Ok(Self::Legacy),
            other => Err(format!(
                "unknown service {other:?}: expected jobs or legacy"
            )),
        }
    }
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The daily records of `organization_id` for the days `from..=through`,
/// every page of them.
///
/// # Errors
/// Any error of the submit, the wait or a page, or a row without a date.
pub(crate) async fn fetch_days(
    client: &UsageClient,
    service: Service,
    organization_id: &str,
    from: NaiveDate,
    through: NaiveDate,
) -> Result<Vec<UsageRecord>> {
    match service {
        Service::Jobs => fetch_jobs(client, organization_id, from, through).await,
        Service::Legacy => fetch_legacy(client, organization_id, from, through).await,
    }
}

async fn fetch_jobs(
    client: &UsageClient,
    organization_id: &str,
    from: NaiveDate,
    through: NaiveDate,
) -> Result<Vec<UsageRecord>> {
    // Both ends of a jobs interval count: the last instant of `through`
    // closes the range, as Genesys's own examples write it.
    let interval = format!("{from}T00:00:00Z/{through}T23:59:59Z");
    let body = OrganizationPublicApiUsageQueryRequest::new(interval)
        .with_granularity(Granularity::Day)
        .with_group_by([
            OrganizationJobsGroupBy::OauthClientId,
            OrganizationJobsGroupBy::OauthClientName,
            OrganizationJobsGroupBy::UserId,
            OrganizationJobsGroupBy::TemplateUri,
            OrganizationJobsGroupBy::HttpMethod,
            OrganizationJobsGroupBy::Platform,
        ]);
    let handle = client.submit_usage_aggregates_query_job(&body).await?;
    // The polls read pages of the service's default size; the rows are then
    // read again from the start in pages of PAGE_SIZE, one GET more for ten
    // times fewer.
    handle.wait().await?;
    let mut rows = std::pin::pin!(handle.rows(Some(PAGE_SIZE)));
    let mut records = Vec::new();
    while let Some(row) = rows.next().await {
        let record =
            UsageRecord::from_organization_jobs_row(&row?, Granularity::Day, organization_id)?;
        records.push(inside(record, from, through)?);
    }
    Ok(records)
}

async fn fetch_legacy(
    client: &UsageClient,
    organization_id: &str,
    from: NaiveDate,
    through: NaiveDate,
) -> Result<Vec<UsageRecord>> {
    // The legacy service excludes the end: `[from, through + 1)`.
    let interval =
        Interval::days(from, through).map_err(|e| Error::invalid("interval", e.to_string()))?;
    let query = ApiUsageOrganizationQuery::new(interval.to_string())
        .with_granularity(Granularity::Day)
        .with_group_by([
            OrganizationGroupBy::OAuthClientId,
            OrganizationGroupBy::UserId,
            OrganizationGroupBy::TemplateUri,
            OrganizationGroupBy::HttpMethod,
        ]);
    let result = client.run_usage_query(&query).await?;
    result
        .results
        .unwrap_or_default()
        .iter()
        .map(|row| {
            let record = UsageRecord::from_legacy_row(row, Granularity::Day, organization_id)?;
            inside(record, from, through)
        })
        .collect()
}

/// A row dated outside the days asked for would be stored under a range
/// that never asked for it: refuse it, so the chunk is fetched again.
fn inside(record: UsageRecord, from: NaiveDate, through: NaiveDate) -> Result<UsageRecord> {
    if record.date < from || record.date > through {
        return Err(Error::invalid(
            "date",
            format!(
                "the service returned a row of {} for the days {from} to {through}",
                record.date
            ),
        ));
    }
    Ok(record)
}
