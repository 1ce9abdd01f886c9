//! Bodies of the token endpoint (`POST {login}/oauth/token`, client credentials).

use serde::{Deserialize, Serialize};

/// Success answer of `POST /oauth/token`. `Debug` hides the token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenResponse {
    /// The bearer token (a secret).
    pub access_token: String,
    /// Always `bearer`.
    #[serde(default)]
    pub token_type: String,
    /// Lifetime in seconds.
    #[serde(default)]
    pub expires_in: u64,
}

impl std::fmt::Debug for AccessTokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessTokenResponse")
            .field("access_token", &"<redacted>")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// Error answer of `POST /oauth/token`, e.g. `{"error":"invalid_client",…}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthErrorBody {
    /// Code such as `invalid_client` or `unsupported_grant_type`.
    #[serde(default)]
    pub error: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Description (OAuth 2 spelling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}
