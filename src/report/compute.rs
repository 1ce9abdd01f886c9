//! [`Report::compute`]: one pass over the daily records into sums per day,
//! organisation, client and endpoint, then the rankings.

use std::cmp::Reverse;
use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::model::{
    ClientGrowth, ClientUsage, Counts, DayUsage, Growth, OrganizationUsage, PeriodChange, Report,
    TemplateUsage, Usage, change, ratio,
};
use crate::models::{Granularity, UsageRecord};
use crate::sync::{RecordQuery, Store, StoreError};

/// What a report covers: a range of UTC days, one organisation or all, and
/// how many lines each ranking keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportOptions {
    /// First day (inclusive).
    pub since: NaiveDate,
    /// Last day (inclusive).
    pub until: NaiveDate,
    /// Only this organisation; all of them when `None`.
    pub organization_id: Option<String>,
    /// Lines per ranking (top clients, top endpoints, …).
    pub top: usize,
    /// Lines of the busiest days.
    pub busiest: usize,
}

impl ReportOptions {
    /// The days `since` to `until` (both inclusive), every organisation,
    /// top 10 and the 5 busiest days.
    #[must_use]
    pub fn days(since: NaiveDate, until: NaiveDate) -> Self {
        Self {
            since,
            until,
            organization_id: None,
            top: 10,
            busiest: 5,
        }
    }

    /// The last `days` complete UTC days before `now` (today is never
    /// complete: the service leaves the current day out).
    #[must_use]
    pub fn last_complete_days(now: DateTime<Utc>, days: u32) -> Self {
        let until = now.date_naive() - Days::new(1);
        let since = until - Days::new(u64::from(days.max(1) - 1));
        Self::days(since, until)
    }

    /// Only `organization_id`.
    #[must_use]
    pub fn organization(mut self, organization_id: impl Into<String>) -> Self {
        self.organization_id = Some(organization_id.into());
        self
    }

    /// `top` lines per ranking.
    #[must_use]
    pub fn top(mut self, top: usize) -> Self {
        self.top = top;
        self
    }
}

/// Sums of one key of a ranking, with its requests per day.
#[derive(Default)]
struct Acc {
    counts: Counts,
    daily: Vec<i64>,
    /// The latest non-empty name seen, and its day.
    name: Option<(NaiveDate, String)>,
}

impl Acc {
    fn add(&mut self, day: usize, days: usize, counts: &Counts) {
        if self.daily.is_empty() {
            self.daily = vec![0; days];
        }
        self.counts.add(counts);
        self.daily[day] += counts.requests;
    }

    fn usage(&self, total: i64) -> Usage {
        Usage {
            counts: self.counts,
            share: ratio(self.counts.requests, total),
            share429: self.counts.share_429(),
            share5xx: self.counts.share_5xx(),
            daily: self.daily.clone(),
        }
    }
}

impl Report {
    /// Reads the range's records from `store` and computes the report.
    ///
    /// # Errors
    /// The store's, when the records cannot be read.
    pub async fn from_store(
        store: &dyn Store,
        options: &ReportOptions,
    ) -> Result<Self, StoreError> {
        let mut query = RecordQuery::all().days(Some(options.since), Some(options.until));
        if let Some(org) = &options.organization_id {
            query = query.organization(org.clone());
        }
        let records = store.records(&query).await?;
        Ok(Self::compute(&records, options))
    }

    /// Computes the report over `records`: the daily ones inside the range
    /// (and of the organisation, when the options name one); any others are
    /// left out, so a whole store's records can be passed.
    #[must_use]
    pub fn compute(records: &[UsageRecord], options: &ReportOptions) -> Self {
        let (since, until) = (options.since, options.until.max(options.since));
        let days = usize::try_from((until - since).num_days() + 1).unwrap_or(1);
        let mut daily = vec![Counts::default(); days];
        let mut orgs: HashMap<&str, Acc> = HashMap::new();
        let mut clients: HashMap<&str, Acc> = HashMap::new();
        let mut templates: HashMap<(&str, &str), Acc> = HashMap::new();
        let mut read = 0;
        let org_filter = options.organization_id.as_deref();
        for r in records {
            if r.granularity != Granularity::Day
                || r.date < since
                || r.date > until
                || org_filter.is_some_and(|o| o != r.organization_id)
            {
                continue;
            }
            read += 1;
            let day = usize::try_from((r.date - since).num_days()).unwrap_or(0);
            let counts = Counts::of(r);
            daily[day].add(&counts);
            orgs.entry(&r.organization_id)
                .or_default()
                .add(day, days, &counts);
            let client = clients.entry(&r.oauth_client_id).or_default();
            client.add(day, days, &counts);
            if !r.oauth_client_name.is_empty()
                && client.name.as_ref().is_none_or(|(d, _)| *d <= r.date)
            {
                client.name = Some((r.date, r.oauth_client_name.clone()));
            }
            templates
                .entry((&r.http_method, &r.template_uri))
                .or_default()
                .add(day, days, &counts);
        }
        let mut totals = Counts::default();
        daily.iter().for_each(|c| totals.add(c));
        let days_usage = day_usage(since, &daily);
        let client_list = client_usage(&clients, totals.requests);
        let template_list = template_usage(&templates, totals.requests);
        Self {
            since,
            until,
            organization_id: options.organization_id.clone(),
            records: read,
            totals,
            growth: growth(&days_usage),
            busiest_days: busiest(&days_usage, options.busiest),
            organizations: organization_usage(&orgs, totals.requests),
            growing_clients: growing(&client_list, &days_usage, options.top),
            top_clients: ranked(&client_list, options.top, |c| c.usage.counts.requests),
            top_templates: ranked(&template_list, options.top, |t| t.usage.counts.requests),
            most_429_clients: ranked(&client_list, options.top, |c| c.usage.counts.status429),
            most_429_templates: ranked(&template_list, options.top, |t| t.usage.counts.status429),
            days: days_usage,
        }
    }
}

fn day_usage(since: NaiveDate, daily: &[Counts]) -> Vec<DayUsage> {
    (0..daily.len())
        .map(|i| DayUsage {
            date: since + Days::new(i as u64),
            counts: daily[i],
            day_over_day: i
                .checked_sub(1)
                .and_then(|j| change(daily[i].requests, daily[j].requests)),
            week_over_week: i
                .checked_sub(7)
                .and_then(|j| change(daily[i].requests, daily[j].requests)),
        })
        .collect()
}

/// The last `len` days against the `len` before, when the range holds both.
fn period(days: &[DayUsage], len: usize) -> Option<PeriodChange> {
    if len == 0 || days.len() < 2 * len {
        return None;
    }
    let n = days.len();
    let sum = |from: usize| {
        days[from..from + len]
            .iter()
            .map(|d| d.counts.requests)
            .sum()
    };
    let (requests, previous) = (sum(n - len), sum(n - 2 * len));
    Some(PeriodChange {
        since: days[n - len].date,
        until: days[n - 1].date,
        requests,
        previous,
        change: change(requests, previous),
    })
}

fn growth(days: &[DayUsage]) -> Growth {
    Growth {
        day_over_day: period(days, 1),
        week_over_week: period(days, 7),
    }
}

fn busiest(days: &[DayUsage], keep: usize) -> Vec<DayUsage> {
    let mut sorted: Vec<&DayUsage> = days.iter().filter(|d| d.counts.requests > 0).collect();
    sorted.sort_by_key(|d| (Reverse(d.counts.requests), d.date));
    sorted.into_iter().take(keep).cloned().collect()
}

fn organization_usage(orgs: &HashMap<&str, Acc>, total: i64) -> Vec<OrganizationUsage> {
    let mut list: Vec<OrganizationUsage> = orgs
        .iter()
        .map(|(id, acc)| OrganizationUsage {
            id: (*id).to_owned(),
            usage: acc.usage(total),
        })
        .collect();
    list.sort_by(|a, b| {
        (Reverse(a.usage.counts.requests), &a.id).cmp(&(Reverse(b.usage.counts.requests), &b.id))
    });
    list
}

/// Every client, sorted by id (the rankings' tie-break).
fn client_usage(clients: &HashMap<&str, Acc>, total: i64) -> Vec<ClientUsage> {
    let mut list: Vec<ClientUsage> = clients
        .iter()
        .map(|(id, acc)| ClientUsage {
            id: (*id).to_owned(),
            name: acc
                .name
                .as_ref()
                .map_or_else(|| (*id).to_owned(), |(_, n)| n.clone()),
            usage: acc.usage(total),
        })
        .collect();
    list.sort_by(|a, b| a.id.cmp(&b.id));
    list
}

/// Every endpoint, sorted by template then method (the rankings' tie-break).
fn template_usage(templates: &HashMap<(&str, &str), Acc>, total: i64) -> Vec<TemplateUsage> {
    let mut list: Vec<TemplateUsage> = templates
        .iter()
        .map(|((method, template), acc)| TemplateUsage {
            method: (*method).to_owned(),
            template: (*template).to_owned(),
            usage: acc.usage(total),
        })
        .collect();
    list.sort_by(|a, b| (&a.template, &a.method).cmp(&(&b.template, &b.method)));
    list
}

/// The `keep` items with the largest positive `by`, in that order; a stable
/// sort keeps the input's order (by id) among ties.
fn ranked<T: Clone>(items: &[T], keep: usize, by: impl Fn(&T) -> i64) -> Vec<T> {
    let mut list: Vec<&T> = items.iter().filter(|t| by(t) > 0).collect();
    list.sort_by_key(|t| Reverse(by(t)));
    list.into_iter().take(keep).cloned().collect()
}

/// The clients whose requests grew most: the last 7 days against the 7
/// before, or the two halves of a range shorter than 14 days.
fn growing(clients: &[ClientUsage], days: &[DayUsage], keep: usize) -> Vec<ClientGrowth> {
    let len = (days.len() / 2).min(7);
    let Some(whole) = period(days, len) else {
        return Vec::new();
    };
    let n = days.len();
    let mut list: Vec<ClientGrowth> = clients
        .iter()
        .filter_map(|c| {
            let sum = |from: usize| c.usage.daily[from..from + len].iter().sum::<i64>();
            let (requests, previous) = (sum(n - len), sum(n - 2 * len));
            (requests > previous).then(|| ClientGrowth {
                id: c.id.clone(),
                name: c.name.clone(),
                period: PeriodChange {
                    requests,
                    previous,
                    change: change(requests, previous),
                    ..whole.clone()
                },
                increase: requests - previous,
            })
        })
        .collect();
    list.sort_by_key(|g| Reverse(g.increase));
    list.truncate(keep);
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, d).unwrap()
    }

    fn rec(d: u32, client: &str, ok: i64, throttled: i64) -> UsageRecord {
        let mut r = UsageRecord::new(day(d), Granularity::Day);
        r.organization_id = "org".into();
        r.oauth_client_id = client.into();
        r.template_uri = "api/v2/users".into();
        r.http_method = "GET".into();
        r.status200 = ok;
        r.status400 = throttled;
        r.status429 = throttled;
        r
    }

    #[test]
    fn an_empty_range_is_all_zeros_with_every_day_listed() {
        let report = Report::compute(&[], &ReportOptions::days(day(1), day(3)));
        assert_eq!(report.days.len(), 3);
        assert_eq!(report.totals, Counts::default());
        assert!(report.top_clients.is_empty() && report.busiest_days.is_empty());
        assert_eq!(report.growth.day_over_day.unwrap().change, None);
    }

    #[test]
    fn records_outside_the_range_or_of_other_granularities_are_left_out() {
        let mut weekly = rec(2, "a", 100, 0);
        weekly.granularity = Granularity::Week;
        let records = [rec(1, "a", 5, 0), rec(9, "a", 7, 0), weekly];
        let report = Report::compute(&records, &ReportOptions::days(day(1), day(3)));
        assert_eq!((report.records, report.totals.requests), (1, 5));
    }

    #[test]
    fn rankings_sort_by_their_figure_then_by_id_and_skip_zeros() {
        let records = [rec(1, "b", 10, 3), rec(1, "a", 10, 0), rec(2, "c", 1, 1)];
        let report = Report::compute(&records, &ReportOptions::days(day(1), day(2)));
        let ids = |l: &[ClientUsage]| l.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&report.top_clients), ["b", "a", "c"]);
        assert_eq!(ids(&report.most_429_clients), ["b", "c"]);
        assert_eq!(report.top_clients[0].usage.daily, [13, 0]);
        assert!((report.top_clients[0].usage.share - 13.0 / 25.0).abs() < 1e-12);
    }

    #[test]
    fn growth_compares_the_last_day_and_week_with_the_ones_before() {
        let records: Vec<UsageRecord> = (1..=14).map(|d| rec(d, "a", i64::from(d), 0)).collect();
        let report = Report::compute(&records, &ReportOptions::days(day(1), day(14)));
        let dod = report.growth.day_over_day.unwrap();
        assert_eq!((dod.requests, dod.previous), (14, 13));
        let wow = report.growth.week_over_week.unwrap();
        assert_eq!(
            (wow.requests, wow.previous),
            ((8..=14).sum(), (1..=7).sum())
        );
        assert_eq!(report.growing_clients[0].increase, 49);
        assert_eq!(report.days[7].week_over_week, Some(7.0));
    }
}
