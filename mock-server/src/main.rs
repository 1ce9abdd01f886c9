//! `genesys-usage-mock`: flags → config → serve. Prints exactly one line on
//! stdout, `listening on http://HOST:PORT` (`https://` over TLS), once it
//! accepts connections; logs go to stderr. Exit codes: see
//! `genesys_usage_mock::exit_code`. `healthcheck` instead asks a running
//! server whether it is up (exit 0 or 1).

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use clap::Parser as _;
use genesys_usage_mock::{
    Args, CassetteToDatasetArgs, Command, Config, HealthCheck, HealthcheckArgs, Https,
    cassette_to_dataset, exit_code, serve_https,
};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let mut args = Args::parse();
    match args.command.take() {
        Some(Command::Healthcheck(check)) => return code(healthcheck(args, &check)),
        Some(Command::CassetteToDataset(convert)) => return code(to_dataset(&convert)),
        _ => {}
    }
    let config = match args.into_config() {
        Ok(config) => config,
        Err(error) => {
            #[allow(
                clippy::print_stderr,
                reason = "before logging exists, stderr is the channel"
            )]
            {
                eprintln!("genesys-usage-mock: {error}");
            }
            return code(exit_code::BAD_CONFIG);
        }
    };
    init_logging(&config.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(%error, "cannot start the async runtime");
            return code(exit_code::SERVER_ERROR);
        }
    };
    code(runtime.block_on(run(config)))
}

/// One line on stdout when healthy, on stderr when not; no logging set up,
/// so a container's health log holds just that line.
#[allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the check's one line is its output"
)]
fn healthcheck(args: Args, flags: &HealthcheckArgs) -> i32 {
    let check = args
        .into_config()
        .map_err(|e| e.to_string())
        .and_then(|config| {
            match &flags.url {
                Some(url) => HealthCheck::from_url(url, config.admin_token.clone()),
                None => HealthCheck::from_config(&config),
            }
            .map_err(|e| e.to_string())
        });
    let result = check.and_then(|check| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        runtime
            .block_on(check.run(flags.timeout))
            .map(|()| check.url())
            .map_err(|e| e.to_string())
    });
    match result {
        Ok(url) => {
            println!("healthy: {url}");
            exit_code::OK
        }
        Err(error) => {
            eprintln!("genesys-usage-mock healthcheck: unhealthy: {error}");
            exit_code::UNHEALTHY
        }
    }
}

/// `cassette-to-dataset`: one line on stdout when written, on stderr when not.
#[allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the conversion's one line is its output"
)]
fn to_dataset(args: &CassetteToDatasetArgs) -> i32 {
    match cassette_to_dataset(args) {
        Ok(line) => {
            println!("{line}");
            exit_code::OK
        }
        Err((code, message)) => {
            eprintln!("genesys-usage-mock cassette-to-dataset: {message}");
            code
        }
    }
}

fn code(value: i32) -> ExitCode {
    ExitCode::from(u8::try_from(value).unwrap_or(1))
}

fn init_logging(filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

async fn run(config: Config) -> i32 {
    if !config.is_loopback() {
        tracing::warn!(host = %config.host, "binding a non-loopback address: the mock server is reachable from other machines");
    }
    let listener = match TcpListener::bind((config.host, config.port)).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%error, host = %config.host, port = config.port, "cannot bind");
            return exit_code::BIND_FAILED;
        }
    };
    let Ok(addr) = listener.local_addr() else {
        return exit_code::BIND_FAILED;
    };
    // Before the listening line, so a generated CA is on disk when it is read.
    let https = match Https::setup(&config.tls) {
        Ok(https) => https,
        Err(error) => {
            tracing::error!(%error, "cannot set up https");
            return exit_code::TLS_FAILED;
        }
    };
    if let Some(path) = &config.port_file {
        if let Err(error) = write_port_file(path, addr.port()) {
            tracing::error!(%error, path = %path.display(), "cannot write the port file");
            return exit_code::PORT_FILE_FAILED;
        }
    }
    let shutdown = shutdown_signal();
    tracing::info!(config = ?config, "starting");
    announce(if https.is_some() { "https" } else { "http" }, addr);
    match serve_https(listener, config, https, shutdown).await {
        Ok(()) => {
            tracing::info!("stopped");
            exit_code::OK
        }
        Err(error) => {
            tracing::error!(%error, "server failed");
            exit_code::SERVER_ERROR
        }
    }
}

/// The one machine-readable stdout line; the listener is bound, so
/// connections made after reading it queue until the loop accepts them.
fn announce(scheme: &str, addr: SocketAddr) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "listening on {scheme}://{addr}");
    let _ = stdout.flush();
}

/// Writes the port to a temporary file beside `path`, then renames it, so a
/// reader never sees a half-written file.
fn write_port_file(path: &Path, port: u16) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    std::fs::write(&tmp, format!("{port}\n"))?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Registers the SIGINT/SIGTERM handlers now (before the listening line is
/// printed, so an early signal is never lost) and resolves on either.
fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            let (Ok(mut interrupt), Ok(mut terminate)) = (interrupt, terminate) else {
                tracing::warn!("cannot listen for signals; stop with POST /__admin/shutdown");
                return std::future::pending::<()>().await;
            };
            tokio::select! {
                _ = interrupt.recv() => tracing::info!("SIGINT received"),
                _ = terminate.recv() => tracing::info!("SIGTERM received"),
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("interrupt received");
    }
}
