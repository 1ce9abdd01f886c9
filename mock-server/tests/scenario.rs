//! Scenarios (`--scenario PATH`, `GET /__admin/scenario`), credentials with
//! permissions (403 `missing.any.permissions`, spec §13b) and several
//! organisations: each token sees only its organisation's rows, and the
//! executions of one tenant are 404 to another.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use genesys_usage_mock::{Config, Credential, MockServer, Scenario};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use support::{error_body, http_client};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/datasets/three_orgs.csv")
}

async fn token_for(http: &Client, base: &str, id: &str, secret: &str) -> String {
    let response = http
        .post(format!("{base}/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "token for {id}");
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

async fn post(http: &Client, url: String, token: &str, body: &Value) -> reqwest::Response {
    http.post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Polls a legacy organisation query to completion (bounded); its rows.
async fn org_rows(http: &Client, base: &str, token: &str, body: &Value) -> Vec<Value> {
    let submitted: Value = post(http, format!("{base}/api/v2/usage/query"), token, body)
        .await
        .json()
        .await
        .unwrap();
    let id = submitted["executionId"].as_str().unwrap().to_owned();
    for _ in 0..50 {
        let result: Value = http
            .get(format!("{base}/api/v2/usage/query/{id}/results"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if result["queryStatus"] == "Complete" {
            return result["results"].as_array().cloned().unwrap_or_default();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the query did not complete");
}

fn two_orgs() -> Scenario {
    Scenario::from_toml(&format!(
        r#"
dataset = {:?}
clock-start = "2025-06-20T12:00:00Z"
virtual-clock = true
lifecycle = "complete"

[[credentials]]
client-id = "acme-reports"
client-secret = "acme-secret"
organization = "org-acme"

[[credentials]]
client-id = "globex-reports"
client-secret = "globex-secret"
organization = "org-globex"
permissions = ["usage:organization:view"]
"#,
        fixture()
    ))
    .expect("the scenario parses")
}

async fn start(scenario: &Scenario) -> MockServer {
    let mut config = Config::default();
    scenario.apply(&mut config).expect("the scenario applies");
    MockServer::start(config).await.unwrap()
}

#[tokio::test]
async fn each_token_sees_only_its_organisations_rows_and_executions() {
    let server = start(&two_orgs()).await;
    let http = http_client();
    let base = server.url();
    let acme = token_for(&http, &base, "acme-reports", "acme-secret").await;
    let globex = token_for(&http, &base, "globex-reports", "globex-secret").await;
    let query = json!({"interval": "2025-04-01/2025-06-20", "groupBy": ["OrganizationId"]});

    let acme_rows = org_rows(&http, &base, &acme, &query).await;
    let globex_rows = org_rows(&http, &base, &globex, &query).await;
    assert_eq!(acme_rows.len(), 1, "{acme_rows:?}");
    assert_eq!(acme_rows[0]["organizationId"], "org-acme");
    assert_eq!(globex_rows.len(), 1, "{globex_rows:?}");
    assert_eq!(globex_rows[0]["organizationId"], "org-globex");

    let submitted: Value = post(&http, format!("{base}/api/v2/usage/query"), &acme, &query)
        .await
        .json()
        .await
        .unwrap();
    let id = submitted["executionId"].as_str().unwrap();
    let other = http
        .get(format!("{base}/api/v2/usage/query/{id}/results"))
        .bearer_auth(&globex)
        .send()
        .await
        .unwrap();
    error_body(other, 404, "not.found").await;
    let own = http
        .get(format!("{base}/api/v2/usage/query/{id}/results"))
        .bearer_auth(&acme)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_credential_without_the_permission_gets_403_missing_any_permissions() {
    let server = start(&two_orgs()).await;
    let http = http_client();
    let base = server.url();
    let globex = token_for(&http, &base, "globex-reports", "globex-secret").await;
    let interval = json!({"interval": "2025-06-01/2025-06-10"});

    let client_query = post(
        &http,
        format!("{base}/api/v2/oauth/clients/globex-hub/usage/query"),
        &globex,
        &interval,
    )
    .await;
    let body = error_body(client_query, 403, "missing.any.permissions").await;
    assert_eq!(
        body["message"],
        "Unable to perform the requested action. You must have at least one of the following \
         permissions assigned: oauth:client:view, usage:client:view"
    );
    let client_jobs = post(
        &http,
        format!("{base}/api/v2/usage/client/globex-hub/aggregates/query/jobs"),
        &globex,
        &interval,
    )
    .await;
    let body = error_body(client_jobs, 403, "missing.any.permissions").await;
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .ends_with(": usage:client:view"),
        "{body}"
    );

    let org_jobs = post(
        &http,
        format!("{base}/api/v2/usage/aggregates/query/jobs"),
        &globex,
        &interval,
    )
    .await;
    assert_eq!(
        org_jobs.status(),
        StatusCode::ACCEPTED,
        "it holds usage:organization:view"
    );
}

#[tokio::test]
async fn a_scenario_exported_loads_back_to_the_same_export() {
    let server = start(&two_orgs()).await;
    let http = http_client();
    let export = |url: String| {
        let http = http.clone();
        async move {
            let response = http.get(url).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.text().await.unwrap()
        }
    };
    let first = export(format!("{}/__admin/scenario", server.url())).await;
    assert!(
        !first.contains("secret"),
        "secrets stay out of the export: {first}"
    );
    assert!(first.contains("organization = \"org-globex\""), "{first}");

    // Loaded back over a config that knows the secrets (as the running
    // server does), the export is the same.
    let mut config = Config::default();
    two_orgs().apply(&mut config).unwrap();
    Scenario::from_toml(&first)
        .unwrap()
        .apply(&mut config)
        .unwrap();
    let again = MockServer::start(config).await.unwrap();
    let second = export(format!("{}/__admin/scenario", again.url())).await;
    assert_eq!(first, second);
    assert_eq!(
        Scenario::from_toml(&first).unwrap(),
        Scenario::from_toml(&second).unwrap()
    );
}

#[test]
fn a_bad_scenario_names_the_key() {
    let error = Scenario::from_toml("rate-limit = \"lots\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("setting `scenario`:") && error.contains("rate-limit"),
        "{error}"
    );
    let bad_permission = Scenario::from_toml(
        "[[credentials]]\nclient-id = \"a\"\nclient-secret = \"b\"\npermissions = [\"usage:everything\"]\n",
    )
    .unwrap();
    let error = bad_permission
        .apply(&mut Config::default())
        .unwrap_err()
        .to_string();
    assert!(error.contains("usage:everything"), "{error}");
    let credential = Credential::new("a", "b").permissions(["usage:client:view"]);
    assert!(credential.holds_any(&["usage:client:view", "oauth:client:view"]));
    assert!(!credential.holds_any(&["usage:organization:view"]));
}
