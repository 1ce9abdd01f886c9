//! Bad dataset files are refused whole, with the file, the line, the field
//! and the rule in the message; each message is snapshotted.
#![cfg(feature = "fake")]

use std::io::Read;

use genesys_usage::fake::{Dataset, DatasetError, DatasetFormat};

const HEADER: &str = "date,organization_id,oauth_client_id,template_uri,http_method,status200,status300,status400,status500";

fn csv(body: &str) -> Result<Dataset, DatasetError> {
    Dataset::from_reader("usage.csv", DatasetFormat::Csv, body.as_bytes())
}

fn jsonl(body: &str) -> Result<Dataset, DatasetError> {
    Dataset::from_reader("usage.jsonl", DatasetFormat::JsonLines, body.as_bytes())
}

fn refused(result: Result<Dataset, DatasetError>) -> DatasetError {
    match result {
        Ok(d) => panic!("the dataset was accepted: {d:?}"),
        Err(e) => e,
    }
}

fn csv_error(rows: &str) -> DatasetError {
    refused(csv(&format!("{HEADER}\n{rows}")))
}

fn good_row() -> &'static str {
    "2025-06-02,org-a,c1,api/v2/users,GET,10,0,3,0"
}

#[test]
fn a_good_file_loads() {
    let d = csv(&format!("{HEADER}\n{}\n", good_row())).unwrap();
    assert_eq!(d.summary().records, Some(1));
}

#[test]
fn a_missing_column_is_named() {
    let e = refused(csv(
        "date,organization_id,oauth_client_id,template_uri,status200,status300,status400,status500\n",
    ));
    assert_eq!((e.line, e.field.as_deref()), (Some(1), Some("http_method")));
    insta::assert_snapshot!("missing_column", e);
}

#[test]
fn an_unknown_column_is_an_error_so_typos_do_not_pass() {
    let e = refused(csv(&format!("{HEADER},status_200\n")));
    assert_eq!((e.line, e.field.as_deref()), (Some(1), Some("status_200")));
    insta::assert_snapshot!("unknown_column", e);
}

#[test]
fn a_bad_date_is_named() {
    let e = csv_error("2025-6-2,org-a,c1,api/v2/users,GET,10,0,3,0");
    assert_eq!((e.line, e.field.as_deref()), (Some(2), Some("date")));
    insta::assert_snapshot!("bad_date", e);
}

#[test]
fn negative_and_non_integer_counts_are_refused() {
    let e = csv_error(&format!(
        "{}\n2025-06-02,org-a,c1,api/v2/users,GET,-1,0,3,0",
        good_row()
    ));
    assert_eq!((e.line, e.field.as_deref()), (Some(3), Some("status200")));
    insta::assert_snapshot!("negative_count", e);
    let e = csv_error("2025-06-02,org-a,c1,api/v2/users,GET,10,1.5,3,0");
    assert_eq!(e.field.as_deref(), Some("status300"));
    insta::assert_snapshot!("fractional_count", e);
    let e = refused(jsonl(
        r#"{"date":"2025-06-02","organization_id":"o","oauth_client_id":"c","template_uri":"t","http_method":"GET","status200":2.5,"status300":0,"status400":0,"status500":0}"#,
    ));
    assert_eq!((e.line, e.field.as_deref()), (Some(1), Some("status200")));
    insta::assert_snapshot!("fractional_count_json", e);
}

#[test]
fn status429_above_status400_is_refused() {
    let e = refused(csv(&format!(
        "{HEADER},status429\n2025-06-02,org-a,c1,api/v2/users,GET,10,0,3,0,4\n"
    )));
    assert_eq!((e.line, e.field.as_deref()), (Some(2), Some("status429")));
    insta::assert_snapshot!("status429_above_status400", e);
}

#[test]
fn requests_that_do_not_add_up_are_refused() {
    let e = refused(csv(&format!(
        "{HEADER},requests\n2025-06-02,org-a,c1,api/v2/users,GET,10,0,3,0,14\n"
    )));
    assert_eq!(e.field.as_deref(), Some("requests"));
    insta::assert_snapshot!("requests_do_not_add_up", e);
}

#[test]
fn an_unknown_method_is_refused() {
    let e = csv_error("2025-06-02,org-a,c1,api/v2/users,OPTIONS,10,0,3,0");
    assert_eq!((e.line, e.field.as_deref()), (Some(2), Some("http_method")));
    insta::assert_snapshot!("unknown_method", e);
    let e = csv_error("2025-06-02,org-a,c1,api/v2/users,get,10,0,3,0");
    assert_eq!(
        e.field.as_deref(),
        Some("http_method"),
        "methods are spelt exactly"
    );
}

#[test]
fn a_client_with_two_names_is_refused_naming_both_lines() {
    let e = refused(csv(&format!(
        "{HEADER},oauth_client_name\n\
         2025-06-02,org-a,c1,api/v2/users,GET,10,0,3,0,Reports\n\
         2025-06-03,org-a,c1,api/v2/users,GET,10,0,3,0,Exports\n"
    )));
    assert_eq!(
        (e.line, e.field.as_deref()),
        (Some(3), Some("oauth_client_name"))
    );
    assert!(e.rule.contains("line 2"), "{e}");
    insta::assert_snapshot!("client_with_two_names", e);
}

#[test]
fn an_empty_file_is_refused() {
    let e = refused(csv(""));
    assert_eq!(e.field, None);
    insta::assert_snapshot!("empty_file", e);
    let e = refused(csv(&format!("{HEADER}\n\n")));
    insta::assert_snapshot!("header_only", e);
    let e = refused(jsonl("\n\n"));
    insta::assert_snapshot!("empty_jsonl", e);
}

#[test]
fn a_1_gib_line_is_refused_without_reading_it_all() {
    let head = format!("{HEADER}\n");
    let endless = head.as_bytes().chain(std::io::repeat(b'x').take(1 << 30));
    let e = refused(Dataset::from_reader(
        "huge.csv",
        DatasetFormat::Csv,
        endless,
    ));
    assert_eq!((e.line, e.field.as_deref()), (Some(2), None));
    insta::assert_snapshot!("one_gib_line", e);
}

#[test]
fn invalid_utf8_is_refused_with_its_line() {
    let mut bytes = format!("{HEADER}\n").into_bytes();
    bytes.extend_from_slice(b"2025-06-02,org-\xff,c1,api/v2/users,GET,10,0,3,0\n");
    let e = refused(Dataset::from_reader(
        "latin1.csv",
        DatasetFormat::Csv,
        &bytes[..],
    ));
    assert_eq!(e.line, Some(2));
    insta::assert_snapshot!("invalid_utf8", e);
}

#[test]
fn a_json_line_that_is_not_an_object_is_refused() {
    let e = refused(jsonl("[1, 2, 3]\n"));
    assert_eq!((e.line, e.field.as_deref()), (Some(1), None));
    insta::assert_snapshot!("json_not_an_object", e);
    let e = refused(jsonl("{\"date\": \n"));
    insta::assert_snapshot!("json_not_json", e);
}

#[test]
fn json_lines_refuse_unknown_and_missing_fields() {
    let e = refused(jsonl(
        r#"{"date":"2025-06-02","organization_id":"o","oauth_client_id":"c","template_uri":"t","http_method":"GET","status200":1,"status300":0,"status400":0,"status500":0,"colour":"red"}"#,
    ));
    assert_eq!(e.field.as_deref(), Some("colour"));
    insta::assert_snapshot!("json_unknown_field", e);
    let e = refused(jsonl(
        r#"{"date":"2025-06-02","organization_id":"o","template_uri":"t","http_method":"GET","status200":1,"status300":0,"status400":0,"status500":0}"#,
    ));
    assert_eq!(e.field.as_deref(), Some("oauth_client_id"));
    insta::assert_snapshot!("json_missing_field", e);
    let e = refused(jsonl(
        r#"{"date":"2025-06-02","organization_id":"o","oauth_client_id":7,"template_uri":"t","http_method":"GET","status200":1,"status300":0,"status400":0,"status500":0}"#,
    ));
    assert_eq!(e.field.as_deref(), Some("oauth_client_id"));
    insta::assert_snapshot!("json_wrong_type", e);
}

#[test]
fn a_row_with_the_wrong_number_of_cells_and_a_slashed_template_are_refused() {
    let e = csv_error("2025-06-02,org-a,c1,api/v2/users,GET,10,0,3");
    assert_eq!((e.line, e.field.as_deref()), (Some(2), None));
    insta::assert_snapshot!("wrong_cell_count", e);
    let e = csv_error("2025-06-02,org-a,c1,/api/v2/users,GET,10,0,3,0");
    assert_eq!(e.field.as_deref(), Some("template_uri"));
    insta::assert_snapshot!("template_with_slash", e);
}

#[test]
fn a_bad_record_anywhere_refuses_the_whole_file() {
    let mut body = format!("{HEADER}\n");
    for _ in 0..500 {
        body.push_str(good_row());
        body.push('\n');
    }
    body.push_str("2025-06-02,org-a,c1,api/v2/users,GET,10,0,3,x\n");
    let e = refused(csv(&body));
    assert_eq!(e.line, Some(502));
}

#[test]
fn a_missing_file_names_the_path() {
    let e = refused(Dataset::from_path("/nonexistent/usage.csv"));
    assert_eq!((e.file.as_str(), e.line), ("/nonexistent/usage.csv", None));
    assert!(
        e.to_string()
            .starts_with("dataset /nonexistent/usage.csv: cannot open it"),
        "{e}"
    );
}

#[test]
fn records_in_code_follow_the_same_rules() {
    let mut r = genesys_usage::UsageRecord::new(
        chrono::NaiveDate::from_ymd_opt(2025, 6, 2).unwrap(),
        genesys_usage::Granularity::Week,
    );
    r.organization_id = "o".into();
    r.oauth_client_id = "c".into();
    r.template_uri = "api/v2/users".into();
    r.http_method = "GET".into();
    let e = refused(Dataset::from_records([r.clone()]));
    assert_eq!(
        (e.file.as_str(), e.line, e.field.as_deref()),
        ("<records>", Some(1), Some("granularity"))
    );
    r.granularity = genesys_usage::Granularity::Day;
    r.status429 = 1;
    let e = refused(Dataset::from_records([r]));
    assert_eq!(e.field.as_deref(), Some("status429"));
    let e = refused(Dataset::from_records([]));
    insta::assert_snapshot!("no_records_in_code", e);
}
