//! Results answers already encoded as JSON, for servers (the mock server)
//! that send the engine's answers over HTTP.
//!
//! A finished execution's result never changes, but a client may read it many
//! times (a slow poller, a load test, every page of a retry). Rendering the
//! rows and encoding them again on each read costs far more than serving the
//! request itself, so the JSON of a legacy result is encoded once per state
//! (`Running`, then `Complete` with its rows), kept with the execution, and
//! shared by every later read in that state.
//!
//! The bytes are exactly `serde_json::to_vec` of the typed answer, so a server
//! using these methods sends the same body as one encoding the typed ones.

use std::sync::Arc;

use crate::fake::answer::EngineFailure;
use crate::fake::engine::ops::{Polled, legacy_status};
use crate::fake::engine::state::{Engine, lock};
use crate::fake::kinds::ExecutionState;
use crate::models::{ErrorBody, QueryStatus};

/// The largest JSON kept with an execution. Larger results (page-sized and
/// beyond) are encoded on each read: there the encoding is small next to the
/// transfer, and keeping the bytes would double the memory of the result.
const MAX_KEPT_JSON: usize = 1024 * 1024;

/// A legacy results answer (`ApiUsageQueryResult`) as JSON bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedResult {
    /// HTTP status (200).
    pub status: u16,
    /// The `queryStatus` the body carries.
    pub query_status: QueryStatus,
    /// `serde_json::to_vec` of the typed answer, shared by the reads that see
    /// the same state (they get the same allocation).
    pub json: Arc<[u8]>,
}

impl Engine {
    /// L2 like [`get_usage_query_execution_id_results`](Self::get_usage_query_execution_id_results),
    /// answered as JSON, encoded once per state of the execution and then shared.
    ///
    /// # Errors
    /// As the typed method (404 for an unknown, expired or other-family id).
    pub fn get_usage_query_execution_id_results_json(
        &self,
        execution_id: &str,
    ) -> Result<EncodedResult, EngineFailure> {
        let polled = self.poll_organization(execution_id)?;
        self.encode_legacy(&polled)
    }

    /// L6 like [`get_oauth_client_usage_query_result`](Self::get_oauth_client_usage_query_result),
    /// answered as JSON, encoded once per state of the execution and then shared.
    ///
    /// # Errors
    /// As the typed method.
    pub fn get_oauth_client_usage_query_result_json(
        &self,
        client_id: &str,
        execution_id: &str,
    ) -> Result<EncodedResult, EngineFailure> {
        let polled = self.poll_client(client_id, execution_id)?;
        self.encode_legacy(&polled)
    }

    /// The answer to `polled` as JSON: the kept bytes when this state was
    /// encoded before, else freshly encoded (and kept).
    fn encode_legacy(&self, polled: &Polled) -> Result<EncodedResult, EngineFailure> {
        let query_status = legacy_status(polled.state);
        if let Some(json) = &polled.kept_json {
            return Ok(EncodedResult {
                status: 200,
                query_status,
                json: Arc::clone(json),
            });
        }
        let reply = self.legacy_result(polled, polled.rows.as_deref().map(Vec::as_slice));
        let json: Arc<[u8]> = serde_json::to_vec(&reply.body)
            .map_err(|e| EngineFailure {
                status: 500,
                body: ErrorBody::new(
                    500,
                    "internal.server.error",
                    format!("cannot encode the result: {e}"),
                ),
            })?
            .into();
        if json.len() <= MAX_KEPT_JSON {
            self.keep_json(&polled.id, polled.state, &json);
        }
        Ok(EncodedResult {
            status: reply.status,
            query_status,
            json,
        })
    }

    /// Keeps `json`, the answer in `state`, with execution `id`.
    fn keep_json(&self, id: &str, state: ExecutionState, json: &Arc<[u8]>) {
        if let Some(mut execution) = lock(&self.state).get_mut(id) {
            execution.kept_json = Some((state, Arc::clone(json)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{EngineConfig, ExecutionState, Lifecycle};
    use crate::models::{ApiUsageClientQuery, ApiUsageOrganizationQuery, Granularity};

    fn engine() -> Engine {
        Engine::new(EngineConfig::default())
    }

    fn submit(engine: &Engine, lifecycle: &str) -> String {
        let query = ApiUsageOrganizationQuery::new("2025-06-01T00:00:00Z/2025-06-18T00:00:00Z")
            .with_granularity(Granularity::Day);
        let lifecycle: Lifecycle = lifecycle.parse().unwrap();
        engine
            .post_usage_query(&query, Some(lifecycle))
            .unwrap()
            .body
            .execution_id
            .unwrap()
    }

    /// The typed answer of L2, encoded the way a server would.
    fn typed_json(engine: &Engine, id: &str) -> Vec<u8> {
        let reply = engine.get_usage_query_execution_id_results(id).unwrap();
        serde_json::to_vec(&reply.body).unwrap()
    }

    #[test]
    fn a_running_result_is_encoded_as_the_typed_answer() {
        let engine = engine();
        let id = submit(&engine, "running:manual,complete");
        let encoded = engine
            .get_usage_query_execution_id_results_json(&id)
            .unwrap();
        assert_eq!(encoded.status, 200);
        assert_eq!(encoded.query_status, QueryStatus::Running);
        assert_eq!(&*encoded.json, br#"{"queryStatus":"Running"}"#);
        assert_eq!(&*encoded.json, typed_json(&engine, &id).as_slice());
        let again = engine
            .get_usage_query_execution_id_results_json(&id)
            .unwrap();
        assert!(Arc::ptr_eq(&encoded.json, &again.json), "encoded once");
    }

    #[test]
    fn a_complete_result_is_encoded_once_and_shared_by_later_reads() {
        let engine = engine();
        let id = submit(&engine, "complete");
        let first = engine
            .get_usage_query_execution_id_results_json(&id)
            .unwrap();
        let second = engine
            .get_usage_query_execution_id_results_json(&id)
            .unwrap();
        assert_eq!(first.query_status, QueryStatus::Complete);
        assert!(Arc::ptr_eq(&first.json, &second.json), "encoded once");
        assert_eq!(&*second.json, typed_json(&engine, &id).as_slice());
        let rows = engine.execution(&id).unwrap().row_count.unwrap();
        assert!(rows > 50, "a real result, not an empty one: {rows} rows");
        assert_eq!(
            engine.execution(&id).unwrap().polls,
            3,
            "every read is still a poll"
        );
    }

    #[test]
    fn the_kept_json_follows_forced_states() {
        let engine = engine();
        let id = submit(&engine, "complete");
        let complete = engine
            .get_usage_query_execution_id_results_json(&id)
            .unwrap();
        // A finished execution runs again only under a new lifecycle.
        let rerun = "running:manual,complete".parse().unwrap();
        engine.script_execution(&id, rerun).unwrap();
        let running = engine
            .get_usage_query_execution_id_results_json(&id)
            .unwrap();
        assert_eq!(&*running.json, br#"{"queryStatus":"Running"}"#);
        engine.force_state(&id, ExecutionState::Failed).unwrap();
        let failed = engine
            .get_usage_query_execution_id_results_json(&id)
            .unwrap();
        assert_eq!(&*failed.json, br#"{"queryStatus":"Failed"}"#);
        assert!(
            engine.force_state(&id, ExecutionState::Complete).is_err(),
            "a failed execution stays failed"
        );
        engine
            .script_execution(&id, "complete".parse().unwrap())
            .unwrap();
        let again = engine
            .get_usage_query_execution_id_results_json(&id)
            .unwrap();
        assert_eq!(again.query_status, QueryStatus::Complete);
        assert_eq!(again.json, complete.json);
        assert_eq!(&*again.json, typed_json(&engine, &id).as_slice());
    }

    #[test]
    fn unknown_and_other_family_ids_are_not_found() {
        let engine = engine();
        let err = engine
            .get_usage_query_execution_id_results_json("nope")
            .unwrap_err();
        assert_eq!(err.status, 404);
        let id = submit(&engine, "complete");
        let err = engine
            .get_oauth_client_usage_query_result_json("some-client", &id)
            .unwrap_err();
        assert_eq!(err.status, 404, "an organisation query is not a client's");
    }

    #[test]
    fn client_results_are_encoded_as_the_typed_answer() {
        let engine = engine();
        let query = ApiUsageClientQuery {
            interval: "2025-06-01T00:00:00Z/2025-06-08T00:00:00Z".into(),
            granularity: Some(Granularity::Day),
            ..ApiUsageClientQuery::default()
        };
        let client = engine.dataset().clients()[0].id.clone();
        let id = engine
            .post_oauth_client_usage_query(&client, &query, Some("complete".parse().unwrap()))
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
        assert_eq!(&*encoded.json, serde_json::to_vec(&typed.body).unwrap());
        assert_eq!(encoded.query_status, QueryStatus::Complete);
    }
}
