//! The client from the connection flags.

use std::time::Duration;

use clap::CommandFactory;
use clap::error::ErrorKind;
use genesys_usage::{Error, UsageClient, WaitPolicy};

use crate::args::{Cli, ConnectionArgs};
use crate::failure::Failure;

/// Builds the client, or a usage error when no credentials were given.
///
/// A token wins over client credentials, so a `GENESYS_TOKEN` left in the
/// environment is not a conflict.
pub(crate) fn client(
    connection: &ConnectionArgs,
    timeout: Duration,
) -> Result<UsageClient, Failure> {
    let mut builder = UsageClient::builder().wait(WaitPolicy {
        deadline: timeout,
        ..WaitPolicy::default()
    });
    builder = match (&connection.base_url, connection.region) {
        (Some(url), _) => builder.base_url(url),
        (None, Some(region)) => builder.region(region),
        (None, None) => builder,
    };
    if let Some(url) = &connection.login_url {
        builder = builder.login_url(url);
    }
    builder = match (
        &connection.token,
        &connection.auth_client_id,
        &connection.auth_client_secret,
    ) {
        (Some(token), _, _) => builder.token(token),
        (None, Some(id), Some(secret)) => builder.client_credentials(id, secret),
        _ => return Err(missing_credentials()),
    };
    builder
        .allow_insecure_http(connection.allow_insecure_http)
        .build()
        .map_err(|e| Failure::sdk("configuring the client", cli_spelling(e)))
}

/// The SDK names its builder options; on the command line they are flags.
fn cli_spelling(error: Error) -> Error {
    match error {
        Error::Config { field, message } => Error::Config {
            field,
            message: message.replace("allow_insecure_http(true)", "--allow-insecure-http"),
        },
        other => other,
    }
}

fn missing_credentials() -> Failure {
    Failure::Usage(Cli::command().error(
        ErrorKind::MissingRequiredArgument,
        "no credentials: pass --auth-client-id and --auth-client-secret \
         (or set GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET), or --token (GENESYS_TOKEN)",
    ))
}
