//! The client from the connection flags.

use std::time::Duration;

use clap::CommandFactory;
use clap::error::ErrorKind;
use genesys_usage::{Error, UsageClient, UsageClientBuilder, WaitPolicy};

use crate::args::{Cli, ConnectionArgs};
use crate::failure::Failure;

/// Builds the client from the environment (read by the SDK, aliases and
/// proxy included) and the flags over it, or a usage error when no
/// credentials were given.
///
/// A token wins over client credentials, so a token left in the
/// environment is not a conflict. With `--record` its calls are recorded
/// (see `record.rs`).
pub(crate) fn client(
    connection: &ConnectionArgs,
    timeout: Duration,
) -> Result<UsageClient, Failure> {
    let builder = UsageClient::builder()
        .wait(WaitPolicy {
            deadline: timeout,
            ..WaitPolicy::default()
        })
        .with_env()
        .map_err(|e| Failure::sdk("reading the environment", e))?;
    let builder = with_flags(builder, connection)?;
    let client = builder.build().map_err(|e| match e {
        Error::Config { field, message } if field == "auth" => missing_credentials(&message),
        other => Failure::sdk("configuring the client", cli_spelling(other)),
    })?;
    Ok(crate::record::wrap(client, connection.record.as_deref()))
}

/// The connection flags given, over what the environment set.
fn with_flags(
    mut builder: UsageClientBuilder,
    connection: &ConnectionArgs,
) -> Result<UsageClientBuilder, Failure> {
    builder = match (&connection.base_url, connection.region) {
        (Some(url), _) => builder.base_url(url),
        (None, Some(region)) => builder.region(region),
        (None, None) => builder,
    };
    if let Some(url) = &connection.login_url {
        builder = builder.login_url(url);
    }
    Ok(match (
        &connection.token,
        &connection.auth_client_id,
        &connection.auth_client_secret,
    ) {
        (Some(token), _, _) => builder.token(token),
        (None, Some(id), Some(secret)) => builder.client_credentials(id, secret),
        (None, None, None) => builder,
        // One half from a flag, the other from the environment.
        (None, Some(id), None) => {
            let secret = from_env("GENESYSCLOUD_OAUTHCLIENT_SECRET", "GENESYS_CLIENT_SECRET");
            builder.client_credentials(id, secret.ok_or_else(half_the_credentials)?)
        }
        (None, None, Some(secret)) => {
            let id = from_env("GENESYSCLOUD_OAUTHCLIENT_ID", "GENESYS_CLIENT_ID");
            builder.client_credentials(id.ok_or_else(half_the_credentials)?, secret)
        }
    }
    .allow_insecure_http(connection.allow_insecure_http))
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

/// The base URL given, by flag or in the environment (not one derived from
/// a region), for hints that name it.
pub(crate) fn base_url(connection: &ConnectionArgs) -> Option<String> {
    connection
        .base_url
        .clone()
        .or_else(|| from_env("GENESYSCLOUD_BASE_URL", "GENESYS_BASE_URL"))
}

/// A variable as the SDK reads it: the name, else its alias; empty is unset.
fn from_env(name: &str, alias: &str) -> Option<String> {
    [name, alias]
        .into_iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.is_empty()))
}

/// `sdk` is the SDK's reason; it is kept when it says which variable of a
/// pair is missing.
fn missing_credentials(sdk: &str) -> Failure {
    let mut message = String::from(
        "no credentials: pass --auth-client-id and --auth-client-secret \
         (or set GENESYSCLOUD_OAUTHCLIENT_ID and GENESYSCLOUD_OAUTHCLIENT_SECRET), \
         or --token (GENESYSCLOUD_ACCESS_TOKEN)",
    );
    if sdk.contains(" is set but ") {
        message = format!("{sdk}; {message}");
    }
    Failure::Usage(Cli::command().error(ErrorKind::MissingRequiredArgument, message))
}

fn half_the_credentials() -> Failure {
    Failure::Usage(Cli::command().error(
        ErrorKind::MissingRequiredArgument,
        "pass --auth-client-id and --auth-client-secret together \
         (or set the other half in GENESYSCLOUD_OAUTHCLIENT_ID / GENESYSCLOUD_OAUTHCLIENT_SECRET)",
    ))
}
