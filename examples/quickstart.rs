//! Quick start: organisation API usage over the last 7 days, per OAuth client
//! and per day.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With no configuration variable set it starts the mock server in this
//! process and queries it, so it runs offline. With
//! `GENESYSCLOUD_OAUTHCLIENT_ID`, `GENESYSCLOUD_OAUTHCLIENT_SECRET` and
//! `GENESYSCLOUD_REGION` (e.g. `eu-west-1`) set it runs the same query
//! against your Genesys Cloud organisation; with `GENESYSCLOUD_BASE_URL`
//! against that URL instead (e.g. a mock server you started). The older
//! `GENESYS_*` names work too.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "an example prints its results"
)]

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use futures_util::StreamExt;
use genesys_usage::{
    ApiUsageOrganizationQuery, ApiUsageRow, Granularity, HttpTransport, Interval,
    OrganizationGroupBy, UsageClient, WaitPolicy,
};
use genesys_usage_mock::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockServer};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    // Keep the mock server alive for the whole run (it stops when dropped).
    let (client, _mock) = connect().await?;

    let query = ApiUsageOrganizationQuery::new(Interval::last_days(7))
        .with_granularity(Granularity::Day)
        .with_group_by([OrganizationGroupBy::OAuthClientId]);
    let handle = client.submit_usage_query(&query).await?;
    println!("submitted query {}", handle.execution_id());

    // One line per poll; the last event carries the result.
    let mut events = std::pin::pin!(handle.progress());
    let mut rows = Vec::new();
    while let Some(event) = events.next().await {
        let event = event?;
        let next = event.next_delay.map_or_else(String::new, |d| {
            format!("  next poll in {:.1}s", d.as_secs_f64())
        });
        println!(
            "poll {}  {:>5.1}s  {}{next}",
            event.attempt,
            event.elapsed.as_secs_f64(),
            event.status
        );
        if let Some(result) = event.result {
            rows = result.results.unwrap_or_default();
        }
    }
    // One write, so a reader that stops early (`| grep -q CLIENT`) does not
    // break the pipe under a later line.
    print!("\n{}", table(&rows));
    Ok(())
}

/// The variables that mean "configured": with none of them set, the
/// quick start uses its own mock server.
const CONFIGURATION: [&str; 10] = [
    "GENESYSCLOUD_OAUTHCLIENT_ID",
    "GENESYSCLOUD_OAUTHCLIENT_SECRET",
    "GENESYSCLOUD_ACCESS_TOKEN",
    "GENESYSCLOUD_REGION",
    "GENESYSCLOUD_BASE_URL",
    "GENESYS_CLIENT_ID",
    "GENESYS_CLIENT_SECRET",
    "GENESYS_TOKEN",
    "GENESYS_REGION",
    "GENESYS_BASE_URL",
];

/// The mock server when no configuration variable is set, else what the
/// variables say (the SDK reads them: `with_env`).
async fn connect() -> Result<(UsageClient, Option<MockServer>), Box<dyn Error>> {
    let wait = demo_wait_policy();
    let configured = CONFIGURATION.iter().any(|v| std::env::var_os(v).is_some());
    if configured {
        // A missing or unusable variable is a clear error naming it.
        let transport = HttpTransport::builder().with_env()?.build()?;
        println!(
            "configuration variables are set: querying {}",
            transport.base_url()
        );
        let client = UsageClient::with_transport(transport).with_wait_policy(wait);
        return Ok((client, None));
    }
    let server = MockServer::start(Config::default()).await?;
    println!(
        "no configuration variables: querying the in-process mock server at {}",
        server.url()
    );
    let client = UsageClient::builder()
        .base_url(server.url())
        .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        .wait(wait)
        .build()?;
    Ok((client, Some(server)))
}

/// Quick to notice the mock's completion (third poll), patient enough for the
/// real service, and never waiting forever.
fn demo_wait_policy() -> WaitPolicy {
    WaitPolicy {
        initial_delay: Duration::from_millis(500),
        max_delay: Duration::from_secs(10),
        deadline: Duration::from_secs(300),
        ..WaitPolicy::default()
    }
}

/// An aligned table (text left, numbers right), a totals line and the row count.
fn table(rows: &[ApiUsageRow]) -> String {
    let lines = table_lines(rows);
    let widths: Vec<usize> = (0..lines[0].len())
        .map(|i| {
            lines
                .iter()
                .map(|l| l[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut text = String::new();
    for line in &lines {
        let cells = line.iter().zip(&widths).enumerate().map(|(i, (cell, &w))| {
            if i < 2 {
                format!("{cell:<w$}")
            } else {
                format!("{cell:>w$}")
            }
        });
        text.push_str(&cells.collect::<Vec<_>>().join("  "));
        text.push('\n');
    }
    text.push_str(&format!("rows: {}\n", rows.len()));
    text
}

/// The header, one line per row and the totals, as text cells.
fn table_lines(rows: &[ApiUsageRow]) -> Vec<Vec<String>> {
    let header = [
        "DATE", "CLIENT", "REQUESTS", "2XX", "3XX", "4XX", "429", "5XX",
    ];
    let mut lines = vec![header.map(String::from).to_vec()];
    let mut totals = [0_i64; 6];
    for row in rows {
        let counts = [
            row.requests,
            row.status200,
            row.status300,
            row.status400,
            row.status429,
            row.status500,
        ]
        .map(Option::unwrap_or_default);
        for (total, count) in totals.iter_mut().zip(counts) {
            *total += count;
        }
        // Dates come as 2024-01-02T00:00:00Z; the day is enough here.
        let date = row.date.as_deref().unwrap_or_default();
        let client = row.client_name.as_deref().filter(|n| !n.is_empty());
        let client = client.or(row.client_id.as_deref()).unwrap_or_default();
        let mut line = vec![date.get(..10).unwrap_or(date).to_owned(), client.to_owned()];
        line.extend(counts.iter().map(i64::to_string));
        lines.push(line);
    }
    let mut total_line = vec!["TOTAL".to_owned(), String::new()];
    total_line.extend(totals.iter().map(i64::to_string));
    lines.push(total_line);
    lines
}
