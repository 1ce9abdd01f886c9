//! The figures of a [`Report`], as the JSON output spells them.
//!
//! Every figure is a plain sum or ratio over the daily records of the
//! range, so each one can be checked with a SQL query over the store (the
//! README lists them).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Status-class counters summed over some records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Counts {
    /// All requests: the sum of the four classes.
    pub requests: i64,
    /// 2xx.
    pub status200: i64,
    /// 3xx.
    pub status300: i64,
    /// 4xx, 429s included.
    pub status400: i64,
    /// 429s, a subset of `status400`.
    pub status429: i64,
    /// 5xx.
    pub status500: i64,
}

impl Counts {
    /// The counters of one record.
    #[must_use]
    pub fn of(record: &crate::models::UsageRecord) -> Self {
        Self {
            requests: record.requests(),
            status200: record.status200,
            status300: record.status300,
            status400: record.status400,
            status429: record.status429,
            status500: record.status500,
        }
    }

    /// Adds `other` to these counters.
    pub fn add(&mut self, other: &Self) {
        self.requests += other.requests;
        self.status200 += other.status200;
        self.status300 += other.status300;
        self.status400 += other.status400;
        self.status429 += other.status429;
        self.status500 += other.status500;
    }

    /// 429s per request, 0 when there were no requests.
    #[must_use]
    pub fn share_429(&self) -> f64 {
        ratio(self.status429, self.requests)
    }

    /// 5xx per request, 0 when there were no requests.
    #[must_use]
    pub fn share_5xx(&self) -> f64 {
        ratio(self.status500, self.requests)
    }
}

/// `part / whole`, 0 when `whole` is 0.
pub(crate) fn ratio(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// `(now - before) / before`; `None` when `before` is 0 (no base to grow from).
pub(crate) fn change(now: i64, before: i64) -> Option<f64> {
    (before != 0).then(|| (now - before) as f64 / before as f64)
}

/// The usage of one row of a ranking (an organisation, a client, a template).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Usage {
    /// Its counters over the range.
    #[serde(flatten)]
    pub counts: Counts,
    /// Its requests over the report's requests.
    pub share: f64,
    /// Its 429s over its requests.
    pub share429: f64,
    /// Its 5xx over its requests.
    pub share5xx: f64,
    /// Its requests on each day of the range, in order (for sparklines).
    pub daily: Vec<i64>,
}

/// One organisation's line of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrganizationUsage {
    /// The organisation id.
    pub id: String,
    /// Its usage.
    #[serde(flatten)]
    pub usage: Usage,
}

/// One OAuth client's line of a ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClientUsage {
    /// The OAuth client id.
    pub id: String,
    /// Its name (the latest non-empty one in the range, else the id).
    pub name: String,
    /// Its usage.
    #[serde(flatten)]
    pub usage: Usage,
}

/// One endpoint's line of a ranking: a template and a method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TemplateUsage {
    /// The HTTP method, e.g. `GET`.
    pub method: String,
    /// The endpoint template, e.g. `api/v2/users`.
    pub template: String,
    /// Its usage.
    #[serde(flatten)]
    pub usage: Usage,
}

impl TemplateUsage {
    /// `GET api/v2/users`: how the views name the endpoint.
    #[must_use]
    pub fn label(&self) -> String {
        if self.method.is_empty() {
            self.template.clone()
        } else {
            format!("{} {}", self.method, self.template)
        }
    }
}

/// One day of the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DayUsage {
    /// The UTC day.
    pub date: NaiveDate,
    /// Its counters.
    #[serde(flatten)]
    pub counts: Counts,
    /// Requests against the day before, `(today - before) / before`; `None`
    /// on the first day of the range or after a day without requests.
    pub day_over_day: Option<f64>,
    /// Requests against the same weekday a week before; `None` in the
    /// range's first week or after a day without requests.
    pub week_over_week: Option<f64>,
}

/// Requests of one period against the period just before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PeriodChange {
    /// First day of the period.
    pub since: NaiveDate,
    /// Last day of the period.
    pub until: NaiveDate,
    /// Requests in the period.
    pub requests: i64,
    /// Requests in the period of the same length just before.
    pub previous: i64,
    /// `(requests - previous) / previous`; `None` when `previous` is 0.
    pub change: Option<f64>,
}

/// How the range ended: its last day and its last week against the ones
/// before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Growth {
    /// The last day against the day before (ranges of 2 days or more).
    pub day_over_day: Option<PeriodChange>,
    /// The last 7 days against the 7 before (ranges of 14 days or more).
    pub week_over_week: Option<PeriodChange>,
}

/// A client whose requests grew: its last period against the one before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClientGrowth {
    /// The OAuth client id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The two periods compared.
    #[serde(flatten)]
    pub period: PeriodChange,
    /// `requests - previous`, what the ranking sorts on.
    pub increase: i64,
}

/// The computed report: every figure the terminal view, the JSON output and
/// the HTML page show, computed once by [`Report::compute`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// First day of the range (UTC).
    pub since: NaiveDate,
    /// Last day of the range (UTC, inclusive).
    pub until: NaiveDate,
    /// The organisation the report was limited to, if any.
    pub organization_id: Option<String>,
    /// Daily records read (other granularities are left out).
    pub records: u64,
    /// All requests of the range.
    pub totals: Counts,
    /// Every day of the range, in order, days without records at zero.
    pub days: Vec<DayUsage>,
    /// The last day and week against the ones before.
    pub growth: Growth,
    /// The days with the most requests, busiest first.
    pub busiest_days: Vec<DayUsage>,
    /// Every organisation with requests, most requests first.
    pub organizations: Vec<OrganizationUsage>,
    /// The OAuth clients with the most requests.
    pub top_clients: Vec<ClientUsage>,
    /// The endpoints (method and template) with the most requests.
    pub top_templates: Vec<TemplateUsage>,
    /// The clients whose requests grew most over the last period (7 days,
    /// or half the range when it is shorter than 14 days).
    pub growing_clients: Vec<ClientGrowth>,
    /// The clients with the most 429s.
    pub most_429_clients: Vec<ClientUsage>,
    /// The endpoints with the most 429s.
    pub most_429_templates: Vec<TemplateUsage>,
}

impl Report {
    /// The number of days of the range.
    #[must_use]
    pub fn day_count(&self) -> usize {
        self.days.len()
    }
}
