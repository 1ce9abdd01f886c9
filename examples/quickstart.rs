//! Quick start: organisation API usage over the last 7 days, per OAuth client
//! and per day.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With no `GENESYS_*` variables it starts the mock server in this process
//! and queries it, so it runs offline. With `GENESYS_CLIENT_ID`,
//! `GENESYS_CLIENT_SECRET` and `GENESYS_REGION` (e.g. `eu_west_1`) set it
//! runs the same query against your Genesys Cloud organisation.
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
    ApiUsageOrganizationQuery, ApiUsageRow, Granularity, Interval, OrganizationGroupBy, Region,
    UsageClient, WaitPolicy,
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
    println!();
    print_table(&rows);
    Ok(())
}

/// The mock server when no `GENESYS_*` variable is set, else the real region.
async fn connect() -> Result<(UsageClient, Option<MockServer>), Box<dyn Error>> {
    // Quick to notice the mock's completion (third poll), patient enough for
    // the real service, and never waiting forever.
    let wait = WaitPolicy {
        initial_delay: Duration::from_millis(500),
        max_delay: Duration::from_secs(10),
        deadline: Duration::from_secs(300),
        ..WaitPolicy::default()
    };
    let vars = [
        "GENESYS_CLIENT_ID",
        "GENESYS_CLIENT_SECRET",
        "GENESYS_REGION",
    ];
    let values: Vec<Option<String>> = vars.iter().map(|v| std::env::var(v).ok()).collect();
    if let [Some(id), Some(secret), Some(region)] = values.as_slice() {
        let region: Region = region.parse()?;
        println!("using Genesys Cloud region {region} (GENESYS_* variables are set)");
        let client = UsageClient::builder()
            .region(region)
            .client_credentials(id, secret)
            .wait(wait)
            .build()?;
        return Ok((client, None));
    }
    if values.iter().any(Option::is_some) {
        let missing: Vec<&str> = vars
            .iter()
            .zip(&values)
            .filter_map(|(name, value)| value.is_none().then_some(*name))
            .collect();
        return Err(format!(
            "set all three GENESYS_* variables or none; missing: {}",
            missing.join(", ")
        )
        .into());
    }
    let server = MockServer::start(Config::default()).await?;
    println!(
        "no GENESYS_* variables: using the in-process mock server at {}",
        server.url()
    );
    let client = UsageClient::builder()
        .base_url(server.url())
        .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        .wait(wait)
        .build()?;
    Ok((client, Some(server)))
}

/// An aligned table, a totals line and the row count.
fn print_table(rows: &[ApiUsageRow]) {
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
        let date = row.date.as_deref().unwrap_or_default();
        let client = match row.client_name.as_deref() {
            Some(name) if !name.is_empty() => name,
            _ => row.client_id.as_deref().unwrap_or_default(),
        };
        let mut line = vec![date.get(..10).unwrap_or(date).to_owned(), client.to_owned()];
        line.extend(counts.iter().map(i64::to_string));
        lines.push(line);
    }
    let mut total_line = vec!["TOTAL".to_owned(), String::new()];
    total_line.extend(totals.iter().map(i64::to_string));
    lines.push(total_line);

    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            lines
                .iter()
                .map(|l| l[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for line in &lines {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .enumerate()
            // Text left, numbers right.
            .map(|(i, (cell, &w))| {
                if i < 2 {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        println!("{}", cells.join("  "));
    }
    println!("rows: {}", rows.len());
}
