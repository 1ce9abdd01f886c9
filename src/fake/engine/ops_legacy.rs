//! The legacy operations L1–L7.

use crate::fake::answer::{EngineFailure, EngineReply};
use crate::fake::data::aggregate::AggRow;
use crate::fake::data::paging::{self, MAX_PAGE_SIZE};
use crate::fake::data::rows;
use crate::fake::engine::ops::{Polled, accepted, legacy_status, seg};
use crate::fake::engine::queries;
use crate::fake::engine::state::Engine;
use crate::fake::engine::validate;
use crate::fake::kinds::QueryKind;
use crate::fake::script::lifecycle::Lifecycle;
use crate::models::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageQueryResult, ApiUsageSimpleSearch,
    Cursors, UsageExecutionResult,
};
use crate::transport::PageRequest;

type Answer<T> = Result<EngineReply<T>, EngineFailure>;

fn execution_result(id: String, results_uri: String) -> EngineReply<UsageExecutionResult> {
    accepted(UsageExecutionResult {
        execution_id: Some(id),
        results_uri: Some(results_uri),
    })
}

impl Engine {
    /// L1 `POST /api/v2/usage/query`: 202 with the execution id.
    ///
    /// # Errors
    /// 400 `bad.request` naming the bad field (see `docs/FIDELITY.md`).
    pub fn post_usage_query(
        &self,
        body: &ApiUsageOrganizationQuery,
        lifecycle: Option<Lifecycle>,
    ) -> Answer<UsageExecutionResult> {
        let now = self.clock.now();
        let data = self.dataset();
        let query = queries::organization(body, now.date_naive(), &data)?;
        let id = self.submit(QueryKind::Organization, None, query, data, lifecycle, now);
        let uri = format!("/api/v2/usage/query/{}/results", seg(&id));
        Ok(execution_result(id, uri))
    }

    /// L2 `GET /api/v2/usage/query/{executionId}/results`: 200 with
    /// `queryStatus`, and every row once `Complete`.
    ///
    /// # Errors
    /// 404 `not.found` for an unknown, expired or other-family id.
    pub fn get_usage_query_execution_id_results(
        &self,
        execution_id: &str,
    ) -> Answer<ApiUsageQueryResult> {
        let polled = self.poll_organization(execution_id)?;
        Ok(self.legacy_result(&polled, polled.rows.as_deref().map(Vec::as_slice)))
    }

    /// The poll of L2.
    pub(super) fn poll_organization(&self, execution_id: &str) -> Result<Polled, EngineFailure> {
        self.poll(execution_id, &[QueryKind::Organization], None, true)
    }

    /// L3 `POST /api/v2/usage/simplesearch`: 202 with the execution id.
    ///
    /// # Errors
    /// 400 `bad.request` naming the bad field.
    pub fn post_usage_simplesearch(
        &self,
        body: &ApiUsageSimpleSearch,
        lifecycle: Option<Lifecycle>,
    ) -> Answer<UsageExecutionResult> {
        let now = self.clock.now();
        let data = self.dataset();
        let query = queries::simple_search(body, now.date_naive(), &data)?;
        let id = self.submit(QueryKind::SimpleSearch, None, query, data, lifecycle, now);
        let uri = format!("/api/v2/usage/simplesearch/{}/results", seg(&id));
        Ok(execution_result(id, uri))
    }

    /// L4 `GET /api/v2/usage/simplesearch/{executionId}/results`: like L2, one
    /// page at a time (`pageSize` 1..=1000, default 1000), with
    /// `cursors.after` while rows remain. A fetch with a cursor is not a poll.
    ///
    /// # Errors
    /// 400 naming `pageSize` or `after`; 404 as L2.
    pub fn get_usage_simplesearch_execution_id_results(
        &self,
        execution_id: &str,
        page: &PageRequest,
    ) -> Answer<ApiUsageQueryResult> {
        let page = paging::page(page, execution_id, MAX_PAGE_SIZE)?;
        let polled = self.poll(
            execution_id,
            &[QueryKind::SimpleSearch],
            None,
            !page.has_cursor,
        )?;
        let Some(all) = &polled.rows else {
            return Ok(self.legacy_result(&polled, None));
        };
        let (rows, next) = paging::slice(all, page)?;
        let mut reply = self.legacy_result(&polled, Some(rows));
        reply.body.cursors = next.map(|offset| Cursors {
            before: None,
            after: Some(paging::cursor(execution_id, offset)),
        });
        Ok(reply)
    }

    /// L5 `POST /api/v2/oauth/clients/{clientId}/usage/query`: 202.
    ///
    /// # Errors
    /// 400 naming `clientId` (empty) or the bad body field.
    pub fn post_oauth_client_usage_query(
        &self,
        client_id: &str,
        body: &ApiUsageClientQuery,
        lifecycle: Option<Lifecycle>,
    ) -> Answer<UsageExecutionResult> {
        let client_id = validate::client_id(client_id)?;
        let now = self.clock.now();
        let data = self.dataset();
        let query = queries::client(client_id, body, now.date_naive(), &data)?;
        let id = self.submit(
            QueryKind::Client,
            Some(client_id),
            query,
            data,
            lifecycle,
            now,
        );
        Ok(execution_result(
            id.clone(),
            client_results_uri(client_id, &id),
        ))
    }

    /// L6 `GET /api/v2/oauth/clients/{clientId}/usage/query/results/{executionId}`
    /// (polls L5 and L7 executions of that client): as L2.
    ///
    /// # Errors
    /// 400 for an empty `clientId`; 404 for an unknown id or another client's.
    pub fn get_oauth_client_usage_query_result(
        &self,
        client_id: &str,
        execution_id: &str,
    ) -> Answer<ApiUsageQueryResult> {
        let polled = self.poll_client(client_id, execution_id)?;
        Ok(self.legacy_result(&polled, polled.rows.as_deref().map(Vec::as_slice)))
    }

    /// The poll of L6.
    pub(super) fn poll_client(
        &self,
        client_id: &str,
        execution_id: &str,
    ) -> Result<Polled, EngineFailure> {
        let client_id = validate::client_id(client_id)?;
        let kinds = [QueryKind::Client, QueryKind::ClientSummary];
        self.poll(execution_id, &kinds, Some(client_id), true)
    }

    /// L7 `GET /api/v2/oauth/clients/{clientId}/usage/summary?days=`: starts a
    /// daily query of that client over the last `days` whole UTC days
    /// (default 7), polled with L6; 202.
    ///
    /// # Errors
    /// 400 naming `clientId` or `days` (a decimal string 1..=365).
    pub fn get_oauth_client_usage_summary(
        &self,
        client_id: &str,
        days: Option<&str>,
        lifecycle: Option<Lifecycle>,
    ) -> Answer<UsageExecutionResult> {
        let client_id = validate::client_id(client_id)?;
        let days = validate::days(days)?;
        let now = self.clock.now();
        let data = self.dataset();
        let query = queries::summary(client_id, days, now, &data);
        let id = self.submit(
            QueryKind::ClientSummary,
            Some(client_id),
            query,
            data,
            lifecycle,
            now,
        );
        Ok(execution_result(
            id.clone(),
            client_results_uri(client_id, &id),
        ))
    }

    /// 200 with the legacy status and, once complete, `rows`.
    pub(super) fn legacy_result(
        &self,
        polled: &Polled,
        rows: Option<&[AggRow]>,
    ) -> EngineReply<ApiUsageQueryResult> {
        let results = rows.map(|rows| {
            rows.iter()
                .map(|r| rows::legacy(r, &polled.view, &polled.dataset))
                .collect()
        });
        EngineReply {
            status: 200,
            body: ApiUsageQueryResult {
                results,
                query_status: Some(legacy_status(polled.state)),
                cursors: None,
            },
        }
    }
}

fn client_results_uri(client_id: &str, id: &str) -> String {
    format!(
        "/api/v2/oauth/clients/{}/usage/query/results/{}",
        seg(client_id),
        seg(id)
    )
}
