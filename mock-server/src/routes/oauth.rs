//! `POST /oauth/token`: the client-credentials grant (`docs/FIDELITY.md`,
//! "Authentication").

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::Response;
use axum::routing::post;
use genesys_usage::fake::Operation;
use genesys_usage::{AccessTokenResponse, OAuthErrorBody};

use crate::control::auth::{basic_credentials, same_secret};
use crate::http::error::ApiError;
use crate::http::pipeline::{Answer, Call, CallInput};
use crate::serve::state::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/oauth/token", post(token))
}

async fn token(State(state): State<AppState>, request: Request) -> Response {
    let handler_state = state.clone();
    Call::new(Operation::Token, None)
        .unauthenticated()
        .run(&state, request, move |input| issue(&handler_state, input))
        .await
}

/// The one content type of a token request (RFC 6749 §4.4.2).
const FORM: &str = "application/x-www-form-urlencoded";

fn issue(state: &AppState, input: &CallInput) -> Result<Answer, ApiError> {
    // Checked first: from another body no field can be read, and "missing
    // grant type" would hide why.
    if let Some(found) = input.headers.get(header::CONTENT_TYPE) {
        let found = String::from_utf8_lossy(found.as_bytes());
        let essence = found.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case(FORM) {
            return oauth_error(
                400,
                "invalid_request",
                &format!(
                    "The token request body must be a form (Content-Type: {FORM}, e.g. \
                     grant_type=client_credentials), not {essence}"
                ),
            );
        }
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&input.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    // RFC 6749 §2.3.1: Basic auth, or (less preferred) the form fields.
    let credentials = basic_credentials(&input.headers)
        .or_else(|| Some((field("client_id")?, field("client_secret")?)));
    let holder = credentials.and_then(|(id, secret)| {
        let known = state.tenants.credential_index(&id);
        let matches = known.filter(|&i| {
            state.tenants.credential(i).is_some_and(|(c, _)| {
                c.client_secret
                    .as_deref()
                    .is_some_and(|s| same_secret(&secret, s))
            })
        });
        matches
            .or_else(|| {
                state
                    .config
                    .accept_any_credentials
                    .then(|| known.unwrap_or(0))
            })
            // A replay issues tokens to the recorded client, whatever the
            // secret: secrets are never recorded.
            .or_else(|| {
                state
                    .replay
                    .as_ref()
                    .is_some_and(|book| book.accepts_client(&id))
                    .then_some(0)
            })
    });
    let Some(holder) = holder else {
        return oauth_error(401, "invalid_client", "Bad client credentials");
    };
    match field("grant_type").as_deref() {
        Some("client_credentials") => {}
        Some(other) => {
            return oauth_error(
                400,
                "unsupported_grant_type",
                &format!("Unsupported grant type: {other}"),
            );
        }
        None => return oauth_error(400, "invalid_request", "Missing grant type"),
    }
    let (access_token, expires_in) = state.tokens.issue_for(holder);
    Answer::json(
        200,
        &AccessTokenResponse {
            access_token,
            token_type: "bearer".to_owned(),
            expires_in,
        },
    )
}

fn oauth_error(status: u16, error: &str, description: &str) -> Result<Answer, ApiError> {
    Answer::json(
        status,
        &OAuthErrorBody {
            error: error.to_owned(),
            description: Some(description.to_owned()),
            error_description: Some(description.to_owned()),
        },
    )
}
