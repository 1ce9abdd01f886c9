//! The Genesys error body, returned with every error status.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The body of every Genesys error answer, and the `errorBody` of a failed job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// Human-readable message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Machine-readable code, e.g. `bad.request`, `too.many.requests.retry.after`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The HTTP status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<i32>,
    /// Id of the entity concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// Name of the entity concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_name: Option<String>,
    /// The message template with its parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_with_params: Option<String>,
    /// Parameters of the message template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_params: Option<BTreeMap<String, String>>,
    /// Equal to the `ININ-Correlation-Id` response header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_id: Option<String>,
    /// Per-field details, e.g. which field of a request was bad.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<Detail>>,
    /// Nested errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ErrorBody>>,
    /// The limit that was hit, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<Limit>,
}

/// One detail of an [`ErrorBody`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Detail {
    /// Machine-readable code of this detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The request field concerned, e.g. `interval`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_name: Option<String>,
    /// Id of the entity concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// Name of the entity concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_name: Option<String>,
}

/// A limit named in an [`ErrorBody`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Limit {
    /// Key of the limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Namespace, e.g. `usage`, `platform.api` (about 100 values; kept as text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The limit's value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
}

impl ErrorBody {
    /// A body with `status`, `code` and `message` set and empty `details`/`errors`,
    /// the shape the service uses for its own errors.
    #[must_use]
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            message: Some(message.into()),
            code: Some(code.into()),
            status: Some(i32::from(status)),
            message_params: Some(BTreeMap::new()),
            details: Some(Vec::new()),
            errors: Some(Vec::new()),
            ..Self::default()
        }
    }

    /// Adds a detail naming `field_name`.
    #[must_use]
    pub fn with_detail(
        mut self,
        field_name: impl Into<String>,
        error_code: impl Into<String>,
    ) -> Self {
        self.details.get_or_insert_with(Vec::new).push(Detail {
            error_code: Some(error_code.into()),
            field_name: Some(field_name.into()),
            ..Detail::default()
        });
        self
    }

    /// Sets `contextId`.
    #[must_use]
    pub fn with_context_id(mut self, context_id: impl Into<String>) -> Self {
        self.context_id = Some(context_id.into());
        self
    }

    /// The field names of the details, in order.
    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.details
            .iter()
            .flatten()
            .filter_map(|d| d.field_name.as_deref())
    }
}
