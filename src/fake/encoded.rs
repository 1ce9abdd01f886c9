//! Legacy results (L2, L6) already encoded as JSON, for a server that sends
//! bytes rather than typed values.
//!
//! A complete result never changes (its rows, columns and status are fixed
//! once computed), so its encoding is made on the first read and kept with
//! the execution. Without this, a server re-builds and re-serialises every
//! row on every GET: about 0.3 s for a 100,000-row (37 MB) result, far more
//! than a client spends receiving it. The cache lives and dies with the
//! execution (retention, eviction, reset), so memory stays bounded the same way.

use std::sync::Arc;

use super::engine::{Engine, EngineFailure, EngineReply, QueryKind};
use super::ops::Polled;
use crate::models::{ApiUsageQueryResult, QueryStatus};

/// A legacy results body encoded as JSON, with the status it tells.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EncodedResult {
    /// The JSON body: exactly `serde_json::to_vec` of the typed answer.
    pub json: Arc<[u8]>,
    /// The `queryStatus` in the body.
    pub query_status: QueryStatus,
}

type Answer = Result<EngineReply<EncodedResult>, EngineFailure>;

impl Engine {
    /// L2 as [`get_usage_query_execution_id_results`](Self::get_usage_query_execution_id_results),
    /// encoded; a complete result is encoded once and shared by later reads.
    ///
    /// # Errors
    /// As L2; 500 if the body cannot be encoded (it always can).
    pub fn get_usage_query_execution_id_results_json(&self, execution_id: &str) -> Answer {
        let polled = self.poll(execution_id, &[QueryKind::Organization], None, true)?;
        self.encoded_legacy_result(&polled)
    }

    /// L6 as [`get_oauth_client_usage_query_result`](Self::get_oauth_client_usage_query_result),
    /// encoded; a complete result is encoded once and shared by later reads.
    ///
    /// # Errors
    /// As L6; 500 if the body cannot be encoded (it always can).
    pub fn get_oauth_client_usage_query_result_json(
        &self,
        client_id: &str,
        execution_id: &str,
    ) -> Answer {
        let client_id = super::validate::client_id(client_id)?;
        let kinds = [QueryKind::Client, QueryKind::ClientSummary];
        let polled = self.poll(execution_id, &kinds, Some(client_id), true)?;
        self.encoded_legacy_result(&polled)
    }

    /// The encoded answer of one poll: from the execution's cache when the
    /// result is complete and was encoded before, else freshly encoded (and
    /// then cached when complete).
    fn encoded_legacy_result(&self, polled: &Polled) -> Answer {
        let rows = polled.rows.as_deref().map(Vec::as_slice);
        if rows.is_some() {
            if let Some(json) = self.cached_json(&polled.id) {
                return Ok(reply(json, QueryStatus::Complete));
            }
        }
        let typed = self.legacy_result(polled, rows);
        let status = typed
            .body
            .query_status
            .clone()
            .unwrap_or(QueryStatus::Running);
        let json: Arc<[u8]> = encode(&typed.body)?.into();
        if rows.is_some() {
            // Encoded outside the lock; a concurrent first read may have won.
            let (mut state, _) = self.lock_state();
            if let Some(execution) = state.get_mut(&polled.id) {
                let kept = execution
                    .legacy_json
                    .get_or_insert_with(|| Arc::clone(&json));
                return Ok(reply(Arc::clone(kept), status));
            }
        }
        Ok(reply(json, status))
    }

    fn cached_json(&self, id: &str) -> Option<Arc<[u8]>> {
        let (mut state, _) = self.lock_state();
        state.get_mut(id)?.legacy_json.clone()
    }
}

fn reply(json: Arc<[u8]>, query_status: QueryStatus) -> EngineReply<EncodedResult> {
    EngineReply {
        status: 200,
        body: EncodedResult { json, query_status },
    }
}

fn encode(body: &ApiUsageQueryResult) -> Result<Vec<u8>, EngineFailure> {
    serde_json::to_vec(body).map_err(|e| EngineFailure {
        status: 500,
        body: crate::models::ErrorBody::new(
            500,
            "internal.server.error",
            format!("cannot encode the result: {e}"),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{Clock, EngineConfig, Lifecycle};
    use crate::models::{ApiUsageClientQuery, ApiUsageOrganizationQuery, Granularity};
    use chrono::{TimeZone, Utc};

    fn engine(lifecycle: &str) -> Engine {
        let config = EngineConfig {
            lifecycle: lifecycle.parse::<Lifecycle>().unwrap(),
            ..EngineConfig::default()
        };
        Engine::with_clock(
            config,
            Clock::frozen_at(Utc.with_ymd_and_hms(2025, 7, 1, 9, 0, 0).unwrap()),
        )
    }

    fn submit(engine: &Engine) -> String {
        let mut query = ApiUsageOrganizationQuery::new("2025-01-03/2025-01-20");
        query.granularity = Some(Granularity::Day);
        let reply = engine.post_usage_query(&query, None).unwrap();
        reply.body.execution_id.unwrap()
    }

    #[test]
    fn the_encoding_is_the_typed_answer_serialised_and_is_shared_once_complete() {
        let engine = engine("complete");
        let id = submit(&engine);
        let first = engine
            .get_usage_query_execution_id_results_json(&id)
            .unwrap();
        let typed = engine.get_usage_query_execution_id_results(&id).unwrap();
        assert_eq!(*first.body.json, *serde_json::to_vec(&typed.body).unwrap());
        assert_eq!(first.body.query_status, QueryStatus::Complete);
        assert!(typed.body.results.is_some_and(|rows| !rows.is_empty()));
        let second = engine
            .get_usage_query_execution_id_results_json(&id)
            .unwrap();
        assert!(Arc::ptr_eq(&first.body.json, &second.body.json), "cached");
        // Reads are still polls.
        assert_eq!(engine.execution(&id).unwrap().polls, 3);
    }

    #[test]
    fn a_running_answer_is_encoded_fresh_and_not_cached() {
        let engine = engine("running:1,complete");
        let id = submit(&engine);
        let running = engine
            .get_usage_query_execution_id_results_json(&id)
            .unwrap();
        assert_eq!(running.body.query_status, QueryStatus::Running);
        assert_eq!(&*running.body.json, br#"{"queryStatus":"Running"}"#);
        let complete = engine
            .get_usage_query_execution_id_results_json(&id)
            .unwrap();
        assert_eq!(complete.body.query_status, QueryStatus::Complete);
        assert!(complete.body.json.len() > running.body.json.len());
    }

    #[test]
    fn errors_and_the_client_family_match_the_typed_operations() {
        let engine = engine("complete");
        let err = engine
            .get_usage_query_execution_id_results_json("nope")
            .unwrap_err();
        assert_eq!(err.status, 404);
        let query = ApiUsageClientQuery::new("2025-01-03/2025-01-20");
        let client = engine.dataset().clients()[0].id.clone();
        let id = engine
            .post_oauth_client_usage_query(&client, &query, None)
            .unwrap()
            .body
            .execution_id
            .unwrap();
        let encoded = engine
            .get_oauth_client_usage_query_result_json(&client, &id)
            .unwrap();
        let typed = engine
            .get_oauth_client_usage_query_result(&client, &id)
            .unwrap();
        assert_eq!(
            *encoded.body.json,
            *serde_json::to_vec(&typed.body).unwrap()
        );
        let other = engine.get_oauth_client_usage_query_result_json("other", &id);
        assert_eq!(other.unwrap_err().status, 404);
    }
}
