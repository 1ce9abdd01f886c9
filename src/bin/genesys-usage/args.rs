//! The command line: global connection and output flags, one subcommand per
//! query kind, and `resume`.

use std::time::Duration;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use genesys_usage::{
    ClientGroupBy, ClientJobsGroupBy, Granularity, HttpMethod, Interval, OrganizationGroupBy,
    OrganizationJobsGroupBy, Region, SimpleSearchMetric, UsageMetric, UsageQuerySortBy,
};

use crate::parse::{self, LastDays};

/// Query Genesys Cloud API usage: submit a Usage API query, wait for it
/// (with a spinner on a terminal), and print the rows as a table, CSV or
/// JSON lines.
#[derive(Debug, Parser)]
#[command(name = "genesys-usage", version, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Where to connect and how to authenticate. `Debug` hides the secrets.
///
/// The environment is read by the SDK (`with_env`): the `GENESYSCLOUD_*`
/// names and their `GENESYS_*` aliases, and the `GENESYSCLOUD_PROXY_*`
/// proxy; these flags win over it.
#[derive(Args)]
#[command(next_help_heading = "Connection")]
pub(crate) struct ConnectionArgs {
    /// Genesys region, e.g. us_east_1, eu-west-1 or mypurecloud.ie [env: GENESYSCLOUD_REGION or GENESYS_REGION].
    #[arg(long, global = true, value_parser = str::parse::<Region>)]
    pub(crate) region: Option<Region>,
    /// API base URL instead of a region, e.g. a mock server's [env: GENESYSCLOUD_BASE_URL or GENESYS_BASE_URL].
    #[arg(long, global = true)]
    pub(crate) base_url: Option<String>,
    /// Login base URL (default: derived from the API URL) [env: GENESYSCLOUD_LOGIN_URL or GENESYS_LOGIN_URL].
    #[arg(long, global = true)]
    pub(crate) login_url: Option<String>,
    /// OAuth client id used to log in (client credentials grant) [env: GENESYSCLOUD_OAUTHCLIENT_ID or GENESYS_CLIENT_ID].
    #[arg(long, global = true)]
    pub(crate) auth_client_id: Option<String>,
    /// OAuth client secret used to log in; never printed [env: GENESYSCLOUD_OAUTHCLIENT_SECRET or GENESYS_CLIENT_SECRET].
    #[arg(long, global = true)]
    pub(crate) auth_client_secret: Option<String>,
    /// A bearer token to use instead of client credentials; never printed [env: GENESYSCLOUD_ACCESS_TOKEN or GENESYS_TOKEN].
    #[arg(long, global = true)]
    pub(crate) token: Option<String>,
    /// Allow plain http:// to a host other than loopback (e.g. a mock server
    /// on another machine); https is required otherwise.
    #[arg(long, global = true)]
    pub(crate) allow_insecure_http: bool,
    /// Write every API call of the run (requests, answers, errors, timings;
    /// never a secret or token) to this cassette file, saved at the end,
    /// also when the run fails: attach it to a bug report, or replay it
    /// with `genesys-usage-mock --replay PATH`.
    #[arg(long, global = true, value_name = "PATH")]
    pub(crate) record: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for ConnectionArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |secret: &Option<String>| secret.as_ref().map(|_| "<hidden>");
        f.debug_struct("ConnectionArgs")
            .field("region", &self.region)
            .field("base_url", &self.base_url)
            .field("login_url", &self.login_url)
            .field("auth_client_id", &self.auth_client_id)
            .field("auth_client_secret", &hidden(&self.auth_client_secret))
            .field("token", &hidden(&self.token))
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("record", &self.record)
            .finish()
    }
}

/// How to wait and what to print.
#[derive(Debug, Args)]
#[command(next_help_heading = "Output")]
pub(crate) struct OutputArgs {
    /// Output format [default: table on a terminal, json otherwise].
    #[arg(long, global = true, value_enum)]
    pub(crate) format: Option<Format>,
    /// How long to wait for the query before giving up (it can be resumed).
    #[arg(long, global = true, default_value = "10m", value_parser = parse::duration)]
    pub(crate) timeout: Duration,
    /// Log what the client does to stderr (-v debug, -vv trace).
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub(crate) verbose: u8,
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Aligned columns with a totals line, for people.
    Table,
    /// A header line, then one line per row.
    Csv,
    /// One JSON object per line, as the API returns the row (`jsonl` too).
    #[value(alias = "jsonl")]
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Organisation usage (POST /api/v2/usage/query).
    Query(QueryArgs),
    /// Simple search by client name, method and template (POST /api/v2/usage/simplesearch).
    Search(SearchArgs),
    /// Usage of one OAuth client (POST /api/v2/oauth/clients/{clientId}/usage/query).
    ClientQuery(ClientQueryArgs),
    /// Usage summary of one OAuth client over the last days (GET …/usage/summary).
    ClientSummary(ClientSummaryArgs),
    /// Organisation usage, jobs service (POST /api/v2/usage/aggregates/query/jobs).
    Jobs(JobsArgs),
    /// Usage of one OAuth client, jobs service (POST /api/v2/usage/client/{clientId}/aggregates/query/jobs).
    ClientJobs(ClientJobsArgs),
    /// Wait again for a query submitted earlier, by its execution id.
    Resume(ResumeArgs),
    /// Keep a store of complete days of usage, exactly once (SQLite or PostgreSQL).
    Sync(crate::history::args::SyncArgs),
    /// Write a store's records as a dataset file (--format csv or jsonl).
    Export(crate::history::args::ExportArgs),
}

/// The time window of a query.
#[derive(Debug, Args)]
pub(crate) struct WindowArgs {
    /// ISO-8601 interval START/END (date-times, dates or months). query,
    /// search and client-query exclude END; jobs and client-jobs count END
    /// too (2026-11-30/2026-12-01 is 1 day for query, 2 days for jobs); a
    /// note says which days are covered when the two differ.
    #[arg(long, value_parser = parse::interval, conflicts_with = "last")]
    pub(crate) interval: Option<Interval>,
    /// The last N whole UTC days or weeks, e.g. 7d or 2w [default: 7d].
    #[arg(long, value_parser = parse::last)]
    pub(crate) last: Option<LastDays>,
}

/// `query`.
#[derive(Debug, Args)]
pub(crate) struct QueryArgs {
    #[command(flatten)]
    pub(crate) window: WindowArgs,
    /// Rows per day, week or month (totals over the window when left out).
    #[arg(long, value_parser = parse::wire::<Granularity>(), ignore_case = true)]
    pub(crate) granularity: Option<Granularity>,
    /// Dimensions to group by (repeat or comma-separate).
    #[arg(long, value_delimiter = ',', value_parser = parse::wire::<OrganizationGroupBy>(), ignore_case = true)]
    pub(crate) group_by: Vec<OrganizationGroupBy>,
    /// Counters to return (all when left out).
    #[arg(long, value_delimiter = ',', value_parser = parse::wire::<UsageMetric>(), ignore_case = true)]
    pub(crate) metrics: Vec<UsageMetric>,
}

/// `search`.
#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    #[command(flatten)]
    pub(crate) window: WindowArgs,
    /// Only these OAuth client names (repeat or comma-separate).
    #[arg(long, value_delimiter = ',')]
    pub(crate) client_name: Vec<String>,
    /// Only these HTTP methods.
    #[arg(long, value_delimiter = ',', value_parser = parse::wire::<HttpMethod>(), ignore_case = true)]
    pub(crate) method: Vec<HttpMethod>,
    /// Only these endpoint templates, e.g. api/v2/users.
    #[arg(long, value_delimiter = ',')]
    pub(crate) template: Vec<String>,
    /// Columns to return (all when left out).
    #[arg(long, value_delimiter = ',', value_parser = parse::wire::<SimpleSearchMetric>(), ignore_case = true)]
    pub(crate) metrics: Vec<SimpleSearchMetric>,
    /// Rows per results page (1-1000).
    #[arg(long, value_parser = parse::page_size)]
    pub(crate) page_size: Option<u32>,
}

/// `client-query`.
#[derive(Debug, Args)]
pub(crate) struct ClientQueryArgs {
    /// The OAuth client whose usage to query.
    #[arg(long)]
    pub(crate) client_id: String,
    #[command(flatten)]
    pub(crate) window: WindowArgs,
    /// Rows per day, week or month (totals over the window when left out).
    #[arg(long, value_parser = parse::wire::<Granularity>(), ignore_case = true)]
    pub(crate) granularity: Option<Granularity>,
    /// Dimensions to group by (repeat or comma-separate).
    #[arg(long, value_delimiter = ',', value_parser = parse::wire::<ClientGroupBy>(), ignore_case = true)]
    pub(crate) group_by: Vec<ClientGroupBy>,
    /// Counters to return (all when left out).
    #[arg(long, value_delimiter = ',', value_parser = parse::wire::<UsageMetric>(), ignore_case = true)]
    pub(crate) metrics: Vec<UsageMetric>,
}

/// `client-summary`.
#[derive(Debug, Args)]
pub(crate) struct ClientSummaryArgs {
    /// The OAuth client whose usage to summarise.
    #[arg(long)]
    pub(crate) client_id: String,
    /// Previous number of days, 1-365 [default: the service's, 7].
    #[arg(long, value_parser = parse::days)]
    pub(crate) days: Option<u32>,
}

/// Filters and sorting shared by the two jobs subcommands.
#[derive(Debug, Args)]
pub(crate) struct JobFilterArgs {
    #[command(flatten)]
    pub(crate) window: WindowArgs,
    /// Rows per day, week or month.
    #[arg(long, value_parser = parse::wire::<Granularity>(), ignore_case = true)]
    pub(crate) granularity: Option<Granularity>,
    /// Counters to return (all when left out).
    #[arg(long, value_delimiter = ',', value_parser = parse::wire::<UsageMetric>(), ignore_case = true)]
    pub(crate) metrics: Vec<UsageMetric>,
    /// Only these endpoint templates, e.g. api/v2/users.
    #[arg(long, value_delimiter = ',')]
    pub(crate) template: Vec<String>,
    /// Only these HTTP methods.
    #[arg(long, value_delimiter = ',', value_parser = parse::wire::<HttpMethod>(), ignore_case = true)]
    pub(crate) method: Vec<HttpMethod>,
    /// Only these platforms.
    #[arg(long, value_delimiter = ',')]
    pub(crate) platform: Vec<String>,
    /// Sort by a field, e.g. requestCount:desc (repeatable).
    #[arg(long, value_parser = parse::sort)]
    pub(crate) sort: Vec<UsageQuerySortBy>,
    /// Rows per results page (1-1000).
    #[arg(long, value_parser = parse::page_size)]
    pub(crate) page_size: Option<u32>,
}

/// `jobs`.
#[derive(Debug, Args)]
pub(crate) struct JobsArgs {
    #[command(flatten)]
    pub(crate) filters: JobFilterArgs,
    /// Dimensions to group by (repeat or comma-separate).
    #[arg(long, value_delimiter = ',', value_parser = parse::wire::<OrganizationJobsGroupBy>(), ignore_case = true)]
    pub(crate) group_by: Vec<OrganizationJobsGroupBy>,
    /// Only these user ids.
    #[arg(long, value_delimiter = ',')]
    pub(crate) user_id: Vec<String>,
    /// Only these OAuth client ids.
    #[arg(long, value_delimiter = ',')]
    pub(crate) oauth_client_id: Vec<String>,
}

/// `client-jobs`.
#[derive(Debug, Args)]
pub(crate) struct ClientJobsArgs {
    /// The OAuth client whose usage to query.
    #[arg(long)]
    pub(crate) client_id: String,
    #[command(flatten)]
    pub(crate) filters: JobFilterArgs,
    /// Dimensions to group by (repeat or comma-separate).
    #[arg(long, value_delimiter = ',', value_parser = parse::wire::<ClientJobsGroupBy>(), ignore_case = true)]
    pub(crate) group_by: Vec<ClientJobsGroupBy>,
    /// Only these organisation ids.
    #[arg(long, value_delimiter = ',')]
    pub(crate) organization_id: Vec<String>,
}

/// `resume`.
#[derive(Debug, Args)]
pub(crate) struct ResumeArgs {
    /// The subcommand that submitted the query.
    #[arg(value_enum)]
    pub(crate) kind: QueryKind,
    /// The execution (or job) id it printed.
    #[arg(value_parser = parse::execution_id)]
    pub(crate) execution_id: String,
    /// The OAuth client id (client-query, client-summary and client-jobs).
    #[arg(long, required_if_eq_any = [
        ("kind", "client-query"), ("kind", "client-summary"), ("kind", "client-jobs"),
    ])]
    pub(crate) client_id: Option<String>,
    /// Rows per results page (1-1000).
    #[arg(long, value_parser = parse::page_size)]
    pub(crate) page_size: Option<u32>,
}

/// The kind of a query, named after the subcommand that submits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum QueryKind {
    /// `query` (L1).
    Query,
    /// `search` (L3).
    Search,
    /// `client-query` (L5).
    ClientQuery,
    /// `client-summary` (L7).
    ClientSummary,
    /// `jobs` (N1).
    Jobs,
    /// `client-jobs` (N3).
    ClientJobs,
}

impl QueryKind {
    /// The subcommand name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Search => "search",
            Self::ClientQuery => "client-query",
            Self::ClientSummary => "client-summary",
            Self::Jobs => "jobs",
            Self::ClientJobs => "client-jobs",
        }
    }

    /// What it is, for messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Query => "organisation query",
            Self::Search => "simple search",
            Self::ClientQuery => "client query",
            Self::ClientSummary => "client summary",
            Self::Jobs => "organisation jobs query",
            Self::ClientJobs => "client jobs query",
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn group_by_takes_comma_lists_in_any_case_and_keeps_the_wire_spelling() {
        let cli = Cli::try_parse_from([
            "genesys-usage",
            "query",
            "--group-by",
            "oauthclientid,TemplateUri",
            "--group-by",
            "HttpMethod",
        ])
        .unwrap();
        let Command::Query(args) = cli.command else {
            panic!("expected query")
        };
        let wire: Vec<&str> = args.group_by.iter().map(|g| g.as_str()).collect();
        assert_eq!(wire, ["OAuthClientId", "TemplateUri", "HttpMethod"]);
    }

    #[test]
    fn unknown_enum_values_are_usage_errors() {
        let err =
            Cli::try_parse_from(["genesys-usage", "query", "--granularity", "hour"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn interval_and_last_cannot_be_combined() {
        let err = Cli::try_parse_from([
            "genesys-usage",
            "query",
            "--interval",
            "2024-01-01/2024-01-08",
            "--last",
            "7d",
        ])
        .unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn resume_of_a_client_kind_needs_the_client_id() {
        let err =
            Cli::try_parse_from(["genesys-usage", "resume", "client-jobs", "abc"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::MissingRequiredArgument);
        assert!(Cli::try_parse_from(["genesys-usage", "resume", "jobs", "abc"]).is_ok());
    }

    #[test]
    fn global_flags_go_before_or_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "genesys-usage",
            "--format",
            "csv",
            "jobs",
            "--timeout",
            "30s",
        ])
        .unwrap();
        assert_eq!(cli.output.format, Some(Format::Csv));
        assert_eq!(cli.output.timeout, Duration::from_secs(30));
    }
}
