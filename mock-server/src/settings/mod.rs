//! What the user configures: [`Config`](config::Config) and the flags, `GENESYS_MOCK_*`
//! variables and TOML file that build it ([`Args`](cli::Args)); HTTPS in
//! [`TlsConfig`](tls::TlsConfig) (`tls.rs`); record and replay in
//! [`RecordConfig`](cassette::RecordConfig) and `CassetteArgs` (`cassette.rs`);
//! the subcommands in [`Command`](command::Command) (`command.rs`); the data
//! served (`--dataset`) in `DataArgs` (`data.rs`).

pub(crate) mod cassette;
pub(crate) mod cli;
pub(crate) mod command;
pub(crate) mod config;
pub(crate) mod data;
pub(crate) mod scenario;
pub(crate) mod tls;
