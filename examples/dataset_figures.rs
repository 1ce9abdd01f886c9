//! Figures for loaded datasets (issue 11): load time and resident bytes per
//! record of a 1,000,000-record CSV file, and the aggregation rate of an
//! organisation query grouped by client and template, by day, over all of it.
//!
//! `cargo run --release --example dataset_figures --features fake [RECORDS]`
//!
//! Resident memory is read from `/proc/self/statm` (Linux), so the figure
//! includes allocator slack; on another OS it is left out.
#![allow(clippy::print_stdout, reason = "an example prints its results")]

use std::io::Write as _;
use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use genesys_usage::fake::{Clock, Dataset, Engine, EngineConfig, Lifecycle};
use genesys_usage::{ApiUsageOrganizationQuery, Granularity, OrganizationGroupBy};

const DAYS: usize = 100;
const CLIENTS: usize = 50;
const TEMPLATES: usize = 20;

/// Resident set size in bytes, where the OS tells it.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Writes `records` distinct records: DAYS days x CLIENTS clients x
/// TEMPLATES templates x users, so a query grouped by client and template,
/// by day, sums the users' records (a tenth of the records as rows at 1 M).
fn write_file(path: &std::path::Path, records: usize) -> std::io::Result<()> {
    let users = records.div_ceil(DAYS * CLIENTS * TEMPLATES);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        out,
        "date,organization_id,oauth_client_id,user_id,template_uri,http_method,status200,status300,status400,status429,status500"
    )?;
    let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
    let mut written = 0;
    'days: for d in 0..DAYS {
        let day = first + chrono::Days::new(d as u64);
        for c in 0..CLIENTS {
            for t in 0..TEMPLATES {
                for u in 0..users {
                    if written == records {
                        break 'days;
                    }
                    let n = (written % 97) as u64;
                    writeln!(
                        out,
                        "{day},org-main,client-{c},user-{u},api/v2/things/{t},GET,{},0,{},{},0",
                        n + 10,
                        n % 5,
                        (n % 3).min(n % 5)
                    )?;
                    written += 1;
                }
            }
        }
    }
    out.flush()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let records: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let path = std::env::temp_dir().join(format!("dataset-figures-{}.csv", std::process::id()));
    write_file(&path, records)?;
    let bytes = std::fs::metadata(&path)?.len();

    let before = resident_bytes();
    let started = Instant::now();
    let dataset = Dataset::from_path(&path)?;
    let load = started.elapsed();
    let after = resident_bytes();
    std::fs::remove_file(&path)?;
    let held = dataset.summary().records.unwrap_or(0);
    println!(
        "file: {records} records, {:.1} MB of CSV",
        bytes as f64 / 1e6
    );
    println!(
        "load: {:.3} s = {:.2} M records/s",
        load.as_secs_f64(),
        records as f64 / load.as_secs_f64() / 1e6
    );
    if let (Some(before), Some(after)) = (before, after) {
        println!(
            "resident: +{:.1} MB = {:.1} bytes/record",
            after.saturating_sub(before) as f64 / 1e6,
            after.saturating_sub(before) as f64 / held.max(1) as f64
        );
    }

    let clock = Clock::frozen_at(
        Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0)
            .single()
            .unwrap_or_default(),
    );
    let engine = Engine::with_clock(EngineConfig::default(), clock);
    engine.set_dataset(dataset);
    let query = ApiUsageOrganizationQuery::new("2025-01-01/2025-05-01")
        .with_granularity(Granularity::Day)
        .with_group_by([
            OrganizationGroupBy::OAuthClientId,
            OrganizationGroupBy::TemplateUri,
        ]);
    let mut best = f64::MAX;
    let mut rows = 0;
    for _ in 0..5 {
        let id = engine
            .post_usage_query(&query, Some(Lifecycle::immediate()))
            .map_err(|f| format!("{:?}", f.body))?
            .body
            .execution_id
            .unwrap_or_default();
        let started = Instant::now();
        let result = engine
            .get_usage_query_execution_id_results(&id)
            .map_err(|f| format!("{:?}", f.body))?;
        best = best.min(started.elapsed().as_secs_f64());
        rows = result.body.results.map_or(0, |r| r.len());
    }
    println!(
        "aggregate (grouped by client and template, by day; best of 5): {best:.3} s for {rows} rows = {:.2} M records/s",
        held as f64 / best / 1e6
    );
    Ok(())
}
