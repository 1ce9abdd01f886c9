//! The jobs operations N1–N4.

use crate::fake::answer::{EngineFailure, EngineReply};
use crate::fake::data::aggregate::AggRow;
use crate::fake::data::paging::{self, Page};
use crate::fake::data::rows;
use crate::fake::engine::ops::{Polled, accepted, job_error, job_status, seg};
use crate::fake::engine::queries;
use crate::fake::engine::state::Engine;
use crate::fake::engine::validate;
use crate::fake::kinds::{ExecutionState, QueryKind};
use crate::fake::script::lifecycle::Lifecycle;
use crate::models::{
    ClientPublicApiUsageQueryRequest, ClientPublicApiUsageResultsResponse,
    ClientUsageQueryResponse, OrganizationPublicApiUsageQueryRequest,
    OrganizationPublicApiUsageResultsResponse, OrganizationUsageQueryResponse,
    PublicApiUsageResultsResponse,
};
use crate::transport::PageRequest;

type Answer<T> = Result<EngineReply<T>, EngineFailure>;

/// Default page size of the jobs results.
const JOBS_PAGE_SIZE: u32 = 100;

fn job_created(id: String, uri: String) -> EngineReply<OrganizationUsageQueryResponse> {
    accepted(OrganizationUsageQueryResponse {
        id,
        name: None,
        results_uri: Some(uri.clone()),
        self_uri: Some(uri),
    })
}

fn org_job_uri(id: &str) -> String {
    format!("/api/v2/usage/aggregates/query/jobs/{}", seg(id))
}

fn client_job_uri(client_id: &str, id: &str) -> String {
    format!(
        "/api/v2/usage/client/{}/aggregates/query/jobs/{}",
        seg(client_id),
        seg(id)
    )
}

impl Engine {
    /// N1 `POST /api/v2/usage/aggregates/query/jobs`: 202 `{id, resultsUri, selfUri}`.
    ///
    /// # Errors
    /// 400 naming the bad field, the interval limits included (start at most
    /// a year before the engine clock's now, at most 90 days long).
    pub fn post_usage_aggregates_query_jobs(
        &self,
        body: &OrganizationPublicApiUsageQueryRequest,
        lifecycle: Option<Lifecycle>,
    ) -> Answer<OrganizationUsageQueryResponse> {
        let now = self.clock.now();
        let data = self.dataset();
        let query = queries::organization_jobs(body, now, &data)?;
        let id = self.submit(
            QueryKind::OrganizationJobs,
            None,
            query,
            data,
            lifecycle,
            now,
        );
        let uri = org_job_uri(&id);
        Ok(job_created(id, uri))
    }

    /// N2 `GET /api/v2/usage/aggregates/query/jobs/{jobId}`: 202 while
    /// `Queued`/`Running` and when `Failed` (with `errorBody`)/`Cancelled`;
    /// 200 `Succeeded` with a page of `entities` (`pageSize` 1..=1000, default
    /// 100) and `nextUri` while rows remain. A fetch with a cursor is not a poll.
    ///
    /// # Errors
    /// 400 naming `pageSize` or `after`; 404 for an unknown or other-family id.
    pub fn get_usage_aggregates_query_job(
        &self,
        job_id: &str,
        page: &PageRequest,
    ) -> Answer<OrganizationPublicApiUsageResultsResponse> {
        let page = paging::page(page, job_id, JOBS_PAGE_SIZE)?;
        let polled = self.poll(
            job_id,
            &[QueryKind::OrganizationJobs],
            None,
            !page.has_cursor,
        )?;
        let uri = org_job_uri(job_id);
        self.job_result(&polled, page, &uri, |r| {
            rows::org_job(r, &polled.view, &polled.dataset)
        })
    }

    /// N3 `POST /api/v2/usage/client/{clientId}/aggregates/query/jobs`: as N1,
    /// over that client's records in every organisation.
    ///
    /// # Errors
    /// 400 naming `clientId` (empty) or the bad body field.
    pub fn post_usage_client_aggregates_query_jobs(
        &self,
        client_id: &str,
        body: &ClientPublicApiUsageQueryRequest,
        lifecycle: Option<Lifecycle>,
    ) -> Answer<ClientUsageQueryResponse> {
        let client_id = validate::client_id(client_id)?;
        let now = self.clock.now();
        let data = self.dataset();
        let query = queries::client_jobs(client_id, body, now, &data)?;
        let id = self.submit(
            QueryKind::ClientJobs,
            Some(client_id),
            query,
            data,
            lifecycle,
            now,
        );
        let uri = client_job_uri(client_id, &id);
        Ok(job_created(id, uri))
    }

    /// N4 `GET /api/v2/usage/client/{clientId}/aggregates/query/jobs/{jobId}`: as N2.
    ///
    /// # Errors
    /// 400 for an empty `clientId`, a bad `pageSize` or `after`; 404 for an
    /// unknown id or another client's.
    pub fn get_usage_client_aggregates_query_job(
        &self,
        client_id: &str,
        job_id: &str,
        page: &PageRequest,
    ) -> Answer<ClientPublicApiUsageResultsResponse> {
        let client_id = validate::client_id(client_id)?;
        let page = paging::page(page, job_id, JOBS_PAGE_SIZE)?;
        let polled = self.poll(
            job_id,
            &[QueryKind::ClientJobs],
            Some(client_id),
            !page.has_cursor,
        )?;
        let uri = client_job_uri(client_id, job_id);
        self.job_result(&polled, page, &uri, |r| {
            rows::client_job(r, &polled.view, &polled.dataset)
        })
    }

    fn job_result<R>(
        &self,
        polled: &Polled,
        page: Page,
        uri: &str,
        render: impl Fn(&AggRow) -> R,
    ) -> Answer<PublicApiUsageResultsResponse<R>> {
        let (status, http) = job_status(polled.state);
        let mut body = PublicApiUsageResultsResponse::with_status(status);
        body.self_uri = Some(uri.to_owned());
        if polled.state == ExecutionState::Failed {
            body.error_body = Some(job_error(&polled.id));
        }
        if let Some(all) = &polled.rows {
            let (rows, next) = paging::slice(all, page)?;
            body.entities = Some(rows.iter().map(render).collect());
            body.next_uri = next.map(|offset| {
                let cursor = paging::cursor(&polled.id, offset);
                format!("{uri}?pageSize={}&after={cursor}", page.size)
            });
        }
        Ok(EngineReply { status: http, body })
    }
}
