//! Record and replay at the transport seam: `RecordingTransport` over the
//! fake, `ReplayTransport` from what it wrote. Each trap of record/replay
//! tools is a test: polls in recorded order, interleaved executions, N
//! identical polls, misses that name the call, calls never made, delays on
//! paused time.
#![cfg(feature = "cassette")]

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use genesys_usage::cassette::{Cassette, RecordingTransport, ReplayTransport};
use genesys_usage::fake::{
    Clock, FakeTransport, Fault, FaultRule, FaultTrigger, Lifecycle, Operation, RetryAfterHint,
    Terminal,
};
use genesys_usage::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageSimpleSearch,
    ClientPublicApiUsageQueryRequest, Error, Granularity, OrganizationPublicApiUsageQueryRequest,
    PageRequest, UsageClient, UsageTransport, WaitPolicy,
};
use tokio::time::Instant;

const CLIENT: &str = "7de3af06-c0b3-4f9b-af45-72f4a14037cc";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 7, 1, 9, 0, 0).unwrap()
}

fn fake_with(lifecycle: Lifecycle) -> FakeTransport {
    FakeTransport::builder()
        .clock(Clock::frozen_at(now()))
        .lifecycle(lifecycle)
        .build()
}

fn org_query() -> ApiUsageOrganizationQuery {
    ApiUsageOrganizationQuery::new("2025-06-01/2025-06-08").with_granularity(Granularity::Day)
}

fn fast_polls() -> WaitPolicy {
    WaitPolicy::fixed(Duration::from_secs(1), Duration::from_secs(120))
}

#[tokio::test(start_paused = true)]
async fn every_query_kind_replays_to_the_result_it_recorded() {
    let recorder = RecordingTransport::new(fake_with(Lifecycle::polls(1, 1, Terminal::Complete)));
    let client = UsageClient::with_transport(recorder.clone()).with_wait_policy(fast_polls());
    let org = client.run_usage_query(&org_query()).await.unwrap();
    let search = client
        .run_usage_simplesearch(&ApiUsageSimpleSearch::new("2025-06-01/2025-06-08"))
        .await
        .unwrap();
    let by_client = client
        .run_oauth_client_usage_query(CLIENT, &ApiUsageClientQuery::new("2025-06-01/2025-06-03"))
        .await
        .unwrap();
    let summary = client
        .run_oauth_client_usage_summary(CLIENT, Some(3))
        .await
        .unwrap();
    let jobs = client
        .run_usage_aggregates_query_job(&OrganizationPublicApiUsageQueryRequest::new(
            "2025-06-01/2025-06-08",
        ))
        .await
        .unwrap();
    let client_jobs = client
        .run_usage_client_aggregates_query_job(
            CLIENT,
            &ClientPublicApiUsageQueryRequest::new("2025-06-01/2025-06-08"),
        )
        .await
        .unwrap();
    let cassette = recorder.cassette();
    let recorded_ops: std::collections::BTreeSet<_> =
        cassette.exchanges.iter().map(|e| e.operation).collect();
    assert_eq!(
        recorded_ops.len(),
        11,
        "every operation was recorded: {recorded_ops:?}"
    );

    let replay = ReplayTransport::new(cassette);
    let client = UsageClient::with_transport(replay.clone()).with_wait_policy(fast_polls());
    assert_eq!(client.run_usage_query(&org_query()).await.unwrap(), org);
    assert!(org.results.as_ref().is_some_and(|r| !r.is_empty()));
    let replayed = client
        .run_usage_simplesearch(&ApiUsageSimpleSearch::new("2025-06-01/2025-06-08"))
        .await
        .unwrap();
    assert_eq!(replayed, search);
    let replayed = client
        .run_oauth_client_usage_query(CLIENT, &ApiUsageClientQuery::new("2025-06-01/2025-06-03"))
        .await
        .unwrap();
    assert_eq!(replayed, by_client);
    let replayed = client
        .run_oauth_client_usage_summary(CLIENT, Some(3))
        .await
        .unwrap();
    assert_eq!(replayed, summary);
    let replayed = client
        .run_usage_aggregates_query_job(&OrganizationPublicApiUsageQueryRequest::new(
            "2025-06-01/2025-06-08",
        ))
        .await
        .unwrap();
    assert_eq!(replayed, jobs);
    let replayed = client
        .run_usage_client_aggregates_query_job(
            CLIENT,
            &ClientPublicApiUsageQueryRequest::new("2025-06-01/2025-06-08"),
        )
        .await
        .unwrap();
    assert_eq!(replayed, client_jobs);
    replay.assert_done();
}

#[tokio::test(start_paused = true)]
async fn running_running_complete_replays_in_that_order_and_no_further() {
    let fake = fake_with(Lifecycle::polls(0, 2, Terminal::Complete));
    let recorder = RecordingTransport::new(fake);
    let id = recorder
        .post_usage_query(&org_query())
        .await
        .unwrap()
        .body
        .execution_id
        .unwrap();
    let mut recorded = Vec::new();
    for _ in 0..3 {
        let poll = recorder
            .get_usage_query_execution_id_results(&id)
            .await
            .unwrap();
        recorded.push(poll.body.query_status.unwrap().to_string());
    }
    assert_eq!(recorded, ["Running", "Running", "Complete"]);

    let replay = ReplayTransport::new(recorder.cassette());
    replay.post_usage_query(&org_query()).await.unwrap();
    let mut replayed = Vec::new();
    for _ in 0..3 {
        let poll = replay
            .get_usage_query_execution_id_results(&id)
            .await
            .unwrap();
        replayed.push(poll.body.query_status.unwrap().to_string());
    }
    // N identical polls take the N recorded answers, one each, in order.
    assert_eq!(replayed, recorded);
    let fourth = replay
        .get_usage_query_execution_id_results(&id)
        .await
        .unwrap_err();
    assert!(
        matches!(&fourth, Error::Replay { reason, .. } if reason.contains("all 3 recorded")),
        "{fourth}"
    );
    replay.assert_done();
}

#[tokio::test(start_paused = true)]
async fn interleaved_executions_replay_independently() {
    let recorder = RecordingTransport::new(fake_with(Lifecycle::polls(0, 1, Terminal::Complete)));
    let query_a = OrganizationPublicApiUsageQueryRequest::new("2025-06-01/2025-06-08");
    let query_b = OrganizationPublicApiUsageQueryRequest::new("2025-05-01/2025-05-08");
    let a = recorder.post_usage_aggregates_query_jobs(&query_a).await;
    let a = a.unwrap().body.id;
    let b = recorder.post_usage_aggregates_query_jobs(&query_b).await;
    let b = b.unwrap().body.id;
    let page = PageRequest::with_page_size(5);
    let mut recorded = std::collections::HashMap::new();
    // Recorded interleaved: a, b, a, b.
    for id in [&a, &b, &a, &b] {
        let poll = recorder
            .get_usage_aggregates_query_job(id, &page)
            .await
            .unwrap();
        recorded
            .entry(id.clone())
            .or_insert_with(Vec::new)
            .push(poll.body);
    }

    // Replayed one execution after the other, b first.
    let replay = ReplayTransport::new(recorder.cassette());
    for id in [&b, &b, &a, &a] {
        let poll = replay
            .get_usage_aggregates_query_job(id, &page)
            .await
            .unwrap();
        let expected = recorded.get_mut(id).unwrap().remove(0);
        assert_eq!(poll.body, expected, "execution {id}");
    }
    assert!(recorded.values().all(Vec::is_empty));
    // The two submits were not replayed.
    assert_eq!(replay.unplayed().len(), 2, "{:?}", replay.unplayed());
    assert!(replay.check_done().is_err());
}

#[tokio::test(start_paused = true)]
async fn a_request_no_recording_matches_names_the_call_and_the_differing_fields() {
    let recorder = RecordingTransport::new(fake_with(Lifecycle::immediate()));
    let query = ApiUsageSimpleSearch::new("2025-06-01/2025-06-08");
    let id = recorder.post_usage_simplesearch(&query).await;
    let id = id.unwrap().body.execution_id.unwrap();
    let page = PageRequest::with_page_size(10);
    recorder
        .get_usage_simplesearch_execution_id_results(&id, &page)
        .await
        .unwrap();
    let replay = ReplayTransport::new(recorder.cassette());

    let other_query = ApiUsageSimpleSearch::new("2025-06-02/2025-06-08");
    let err = replay
        .post_usage_simplesearch(&other_query)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("post_usage_simplesearch"), "{text}");
    assert!(
        text.contains(
            r#"body.interval: recorded "2025-06-01/2025-06-08", requested "2025-06-02/2025-06-08""#
        ),
        "{text}"
    );

    let other_page = page.clone().after("cursor-1");
    let err = replay
        .get_usage_simplesearch_execution_id_results(&id, &other_page)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains(&format!("executionId=\"{id}\"")), "{text}");
    assert!(
        text.contains(r#"query.after: recorded (absent), requested "cursor-1""#),
        "{text}"
    );
    assert!(!err.is_retryable());

    let err = replay.post_usage_query(&org_query()).await.unwrap_err();
    assert!(
        err.to_string().contains("holds no post_usage_query call"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
#[should_panic(expected = "recorded call(s) never made")]
async fn assert_done_fails_when_recorded_calls_were_never_made() {
    let recorder = RecordingTransport::new(fake_with(Lifecycle::immediate()));
    let id = recorder.post_usage_query(&org_query()).await.unwrap();
    let id = id.body.execution_id.unwrap();
    recorder
        .get_usage_query_execution_id_results(&id)
        .await
        .unwrap();
    let replay = ReplayTransport::new(recorder.cassette());
    replay.post_usage_query(&org_query()).await.unwrap();
    replay.assert_done();
}

#[tokio::test(start_paused = true)]
async fn recorded_latency_and_retry_after_replay_on_the_paused_clock() {
    let fake = FakeTransport::builder()
        .clock(Clock::frozen_at(now()))
        .lifecycle(Lifecycle::polls(0, 1, Terminal::Complete))
        .latency(Duration::from_millis(250))
        .fault(
            FaultRule::new(Fault::RateLimited {
                retry_after: RetryAfterHint::Seconds(7),
            })
            .on(Operation::GetUsageQueryExecutionIdResults)
            .when(FaultTrigger::Nth(1)),
        )
        .build();
    let recorder = RecordingTransport::new(fake);
    let client = UsageClient::with_transport(recorder.clone()).with_wait_policy(fast_polls());
    let recorded = client.run_usage_query(&org_query()).await.unwrap();
    let cassette = recorder.cassette();
    assert!(
        cassette.exchanges.iter().all(|e| e.elapsed_ms == 250),
        "{cassette:?}"
    );
    let throttled = cassette
        .exchanges
        .iter()
        .find(|e| e.response.as_ref().is_some_and(|r| r.status == 429))
        .expect("the 429 was recorded");
    assert_eq!(
        throttled.response.as_ref().unwrap().headers["retry-after"],
        "7"
    );

    let replay = ReplayTransport::new(cassette.clone());
    let client = UsageClient::with_transport(replay.clone()).with_wait_policy(fast_polls());
    let started = Instant::now();
    let replayed = client.run_usage_query(&org_query()).await.unwrap();
    assert_eq!(replayed, recorded);
    // The client waited out the recorded Retry-After, and each answer its latency.
    let answers = u32::try_from(cassette.exchanges.len()).unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(7) + Duration::from_millis(250) * answers,
        "{:?}",
        started.elapsed()
    );
    replay.assert_done();

    let instant = ReplayTransport::builder(cassette).without_delays().build();
    let started = Instant::now();
    instant.post_usage_query(&org_query()).await.unwrap();
    assert_eq!(started.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn ignored_body_fields_let_a_moving_interval_match() {
    let recorder = RecordingTransport::new(fake_with(Lifecycle::immediate()));
    recorder.post_usage_query(&org_query()).await.unwrap();
    let replay = ReplayTransport::builder(recorder.cassette())
        .ignore_body_field("interval")
        .build();
    let later =
        ApiUsageOrganizationQuery::new("2025-06-02/2025-06-09").with_granularity(Granularity::Day);
    assert!(replay.post_usage_query(&later).await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn a_saved_cassette_loads_back_equal_and_saves_back_identical() {
    let recorder = RecordingTransport::new(fake_with(Lifecycle::polls(0, 1, Terminal::Failed)));
    let client = UsageClient::with_transport(recorder.clone()).with_wait_policy(fast_polls());
    let err = client.run_usage_query(&org_query()).await.unwrap_err();
    assert!(matches!(err, Error::QueryFailed { .. }), "{err}");
    let dir = std::env::temp_dir().join(format!("cassette-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("failed.json");
    recorder.save(&path).unwrap();

    let text = std::fs::read(&path).unwrap();
    let loaded = Cassette::load(&path).unwrap();
    assert_eq!(loaded, recorder.cassette());
    assert_eq!(loaded.to_vec(), text);
    assert!(String::from_utf8_lossy(&text).starts_with("{\n  \"version\": 1,"));

    // A failed query replays as a failed query.
    let client = UsageClient::with_transport(ReplayTransport::load(&path).unwrap())
        .with_wait_policy(fast_polls());
    let replayed = client.run_usage_query(&org_query()).await.unwrap_err();
    assert_eq!(replayed.to_string(), err.to_string());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_broken_file_is_an_error_naming_file_line_and_field() {
    let dir = std::env::temp_dir().join(format!("cassette-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.json");
    std::fs::write(
        &path,
        "{\n  \"version\": 1,\n  \"exchanges\": [\n    {\"operation\": \"post_usage_query\", \"request\": {\"path\": \"/x\"}}\n  ]\n}\n",
    )
    .unwrap();
    let err = Cassette::load(&path).unwrap_err().to_string();
    assert!(err.contains("bad.json"), "{err}");
    assert!(err.contains("line 4"), "{err}");
    assert!(err.contains("missing field `method`"), "{err}");
    let err = Cassette::load(dir.join("absent.json"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("absent.json"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
