//! Where the API budget goes (feature `report`): one [`Report`] computed
//! from a [`Store`](crate::sync::Store)'s daily records, and three views of
//! it that show the same figures.
//!
//! - [`Report::compute`] / [`Report::from_store`]: totals; the top OAuth
//!   clients and endpoints by requests, each with its share, 429 share and
//!   5xx share; day-over-day and week-over-week growth; the busiest days;
//!   the clients whose requests grew most; the clients and endpoints with
//!   the most 429s. Each figure is a sum or a ratio of sums over the
//!   records of the range, so a SQL query over the store checks it.
//! - [`Report::to_terminal`]: aligned tables with a sparkline of requests
//!   per day on each row, coloured only when asked.
//! - The report is `Serialize`: its JSON is the machine-readable view.
//! - [`Report::to_html`]: one self-contained HTML page: inline SVG charts
//!   (requests per day stacked by status class with the 429s marked, the
//!   top clients, the top endpoints), each with a `<title>`, a `<desc>` and
//!   a table of the same figures; no script, no font, no network.
//!
//! ## Parts
//!
//! - `model.rs`: the figures; `compute.rs`: the one pass that fills them;
//! - `text.rs`: how numbers, shares and sparklines are written in both views;
//! - `terminal.rs`: the tables; `html/`: the page (`page.rs`) and its charts
//!   (`charts.rs`, written with the `svg` crate).

mod compute;
mod html;
mod model;
mod terminal;
mod text;

pub use compute::ReportOptions;
pub use model::{
    ClientGrowth, ClientUsage, Counts, DayUsage, Growth, OrganizationUsage, PeriodChange, Report,
    TemplateUsage, Usage,
};

/// The report's heading, shared by both views.
fn title(report: &Report) -> String {
    let whom = match &report.organization_id {
        Some(org) => format!("organisation {org}"),
        None => match report.organizations.len() {
            1 => format!("organisation {}", report.organizations[0].id),
            n => format!("{n} organisations"),
        },
    };
    let days = report.day_count();
    let plural = if days == 1 { "" } else { "s" };
    format!(
        "API usage {} to {} ({days} day{plural}), {whom}",
        report.since, report.until
    )
}
