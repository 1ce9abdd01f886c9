//! `genesys-usage sync`: the organisations (from `--config`, or one from
//! the connection flags), the store, the run, the summary, the exit code.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use genesys_usage::UsageClient;
use genesys_usage::sync::{
    self, BudgetTransport, Organization, Store, StoreLocation, SyncConfig, SyncOptions,
};

use super::args::SyncArgs;
use super::progress::{self, Progress};
use super::{code, default_store, eprintln_safe};
use crate::args::Cli;
use crate::connect;
use crate::failure::code as cli_code;

/// Runs the sync; the exit code.
pub(crate) async fn run(cli: &Cli, args: &SyncArgs) -> u8 {
    match prepare(cli, args).await {
        Ok((store, organizations, options)) => go(store, organizations, &options).await,
        Err((message, exit)) => {
            eprintln_safe(&message);
            exit
        }
    }
}

type Prepared = (Arc<dyn Store>, Vec<Organization>, SyncOptions);

/// Reads the config, builds the clients and opens the store; on an error,
/// the message and the exit code.
async fn prepare(cli: &Cli, args: &SyncArgs) -> Result<Prepared, (String, u8)> {
    let usage = |m: String| (format!("error: {m}"), cli_code::USAGE);
    let config = match &args.config {
        Some(path) => SyncConfig::from_path(path).map_err(|e| usage(e.to_string()))?,
        None => SyncConfig::default(),
    };
    let mut organizations = if args.config.is_some() {
        let env = |name: &str| std::env::var(name).ok();
        config
            .organizations
            .iter()
            .filter(|o| args.orgs.is_empty() || args.orgs.contains(&o.name))
            .map(|o| o.organization(args.service, env))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| usage(e.to_string()))?
    } else {
        vec![single(cli, args)?]
    };
    if let Some(missing) = args
        .orgs
        .iter()
        .find(|n| !organizations.iter().any(|o| o.name() == n.as_str()))
    {
        return Err(usage(format!(
            "--org {missing}: no such organisation in the config"
        )));
    }
    if organizations.is_empty() {
        return Err(usage("the config lists no [[organization]]".to_owned()));
    }
    organizations.sort_by(|a, b| a.name().cmp(b.name()));
    let store = open(args.store.as_deref().or(config.store.as_deref())).await?;
    let mut options = SyncOptions::default();
    options.since = args.since;
    options.now = args.now;
    options.settle = args.settle;
    options.dry_run = args.dry_run;
    options.concurrency = args.concurrency.or(config.concurrency).unwrap_or(4);
    options.lease_ttl = args.lease_ttl;
    options.lease_wait = args.lock_wait;
    Ok((store, organizations, options))
}

/// Without `--config`: one organisation, from the connection flags and the
/// environment, under `--requests-per-minute`.
fn single(cli: &Cli, args: &SyncArgs) -> Result<Organization, (String, u8)> {
    let client = connect::client(&cli.connection, cli.output.timeout)
        .map_err(|f| (f.message().trim_end().to_owned(), f.exit_code()))?;
    let budget = BudgetTransport::new(client.transport().clone(), args.requests_per_minute);
    let client = UsageClient::with_transport(budget)
        .with_retry_policy(client.retry_policy().clone())
        .with_wait_policy(client.wait_policy().clone());
    Ok(Organization::new(&args.name, &args.name, client).service(args.service))
}

/// Opens the store at `location`, or the default SQLite file (saying where,
/// when it does not exist yet).
async fn open(location: Option<&str>) -> Result<Arc<dyn Store>, (String, u8)> {
    let location = match location {
        Some(l) => l.to_owned(),
        None => {
            let path = default_store();
            if !path.exists() {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        (
                            format!("error: cannot create {}: {e}", dir.display()),
                            code::STORE,
                        )
                    })?;
                }
                eprintln_safe(&format!(
                    "store: sqlite:{} (the default, created now; choose another with --store)",
                    path.display()
                ));
            }
            format!("sqlite:{}", path.display())
        }
    };
    if let Err(e) = StoreLocation::parse(&location) {
        return Err((format!("error: --store: {e}"), cli_code::USAGE));
    }
    sync::open_store(&location)
        .await
        .map(Arc::from)
        .map_err(|e| (format!("error: {e}"), code::STORE))
}

async fn go(store: Arc<dyn Store>, organizations: Vec<Organization>, options: &SyncOptions) -> u8 {
    let location = store.location();
    let progress = Progress::new(!options.dry_run && std::io::stderr().is_terminal());
    let run = sync::sync(
        Arc::clone(&store),
        organizations,
        options,
        Some(progress.observer()),
    );
    let report = tokio::select! {
        report = run => report,
        Ok(()) = tokio::signal::ctrl_c() => {
            progress.finish();
            // Each chunk is committed whole with its checkpoint: nothing to undo.
            eprintln_safe("interrupted; the days stored so far stay, the next run goes on from them");
            return cli_code::INTERRUPTED;
        }
    };
    progress.finish();
    let text = progress::summary(&report, &location, options.dry_run);
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if report.is_success() {
        0
    } else {
        code::SOME_FAILED
    }
}
