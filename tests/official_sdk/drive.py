"""Drive every Usage operation of the official Genesys Python SDK
(purecloudplatformclientv2) against the genesys-usage mock server.

Usage: python drive.py http://127.0.0.1:PORT [--replay]

With --replay the server serves a cassette (genesys-usage-mock --replay):
its token endpoint issues tokens to the recorded client id whatever the
secret (secrets are never recorded), so the bad-secret check is skipped.

Any answer the official client cannot read is a fidelity bug of the mock
server, not something to relax here. Every loop is bounded.
"""

import sys
import time
from datetime import datetime, timedelta, timezone

import PureCloudPlatformClientV2 as gc
from PureCloudPlatformClientV2.rest import ApiException

CLIENT_ID = "mock-client-id"
CLIENT_SECRET = "mock-client-secret"
MAX_POLLS = 40
# The SDK maps unknown enum values to this sentinel: seeing it means the mock
# sent a value the real service would not.
OUTDATED = "outdated_sdk_version"

checks = []


def check(name, condition, detail=""):
    checks.append((name, bool(condition)))
    status = "ok" if condition else "FAILED"
    print(f"{status:6} {name} {detail}".rstrip(), flush=True)
    if not condition:
        raise SystemExit(f"official SDK check failed: {name} {detail}")


def interval(days):
    end = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return f"{start.strftime(fmt)}/{end.strftime(fmt)}"


def poll(fetch, done, working):
    """Polls `fetch` until `done(result)`; every status seen must be known."""
    for _ in range(MAX_POLLS):
        result = fetch()
        status = result.query_status
        if done(status):
            return result
        if status not in working:
            raise SystemExit(f"unexpected status {status!r}")
        time.sleep(0.01)
    raise SystemExit("query did not complete within the poll bound")


def legacy_done(status):
    check("legacy status is known", status in ("Running", "Complete"), repr(status))
    return status == "Complete"


def jobs_done(status):
    check("jobs status is known", status in ("Queued", "Running", "Succeeded"), repr(status))
    return status == "Succeeded"


def check_legacy_rows(name, rows):
    check(f"{name}: rows present", rows is not None and len(rows) > 0, f"({len(rows or [])} rows)")
    for row in rows:
        if not isinstance(row, gc.ApiUsageRow):
            check(f"{name}: rows are ApiUsageRow", False, type(row).__name__)
        if row.requests is not None:
            buckets = (row.status200 or 0) + (row.status300 or 0) + (row.status400 or 0) + (row.status500 or 0)
            if row.requests != buckets:
                check(f"{name}: requests = sum of buckets", False, str(row))
    check(f"{name}: rows read into ApiUsageRow", True)


def organisation_query(api):
    body = gc.ApiUsageOrganizationQuery()
    body.interval = interval(7)
    body.granularity = "Day"
    body.metrics = ["Requests", "Status200", "Status300", "Status400", "Status500", "Status429"]
    body.group_by = ["OAuthClientId", "TemplateUri"]
    submitted = api.post_usage_query(body)
    check("L1 post_usage_query gives an execution id", submitted.execution_id, submitted.execution_id)
    check("L1 resultsUri names the id", submitted.execution_id in (submitted.results_uri or ""))
    result = poll(lambda: api.get_usage_query_execution_id_results(submitted.execution_id), legacy_done, ("Running",))
    check_legacy_rows("L2 get_usage_query_execution_id_results", result.results)
    check("L2 date is a date-time", all(r.date is not None for r in result.results))
    return [r.client_id for r in result.results if r.client_id]


def simple_search(api):
    body = gc.ApiUsageSimpleSearch()
    body.interval = interval(7)
    body.http_methods = ["GET", "POST"]
    submitted = api.post_usage_simplesearch(body)
    check("L3 post_usage_simplesearch gives an execution id", submitted.execution_id)
    first = poll(
        lambda: api.get_usage_simplesearch_execution_id_results(submitted.execution_id, page_size=5),
        legacy_done,
        ("Running",),
    )
    rows = list(first.results or [])
    cursor = first.cursors.after if first.cursors else None
    check("L4 first page has a cursor", cursor)
    pages = 1
    while cursor and pages < 500:
        page = api.get_usage_simplesearch_execution_id_results(submitted.execution_id, page_size=5, after=cursor)
        rows.extend(page.results or [])
        cursor = page.cursors.after if page.cursors else None
        pages += 1
    check("L4 paged to the end", cursor is None, f"({pages} pages, {len(rows)} rows)")
    check_legacy_rows("L4 get_usage_simplesearch_execution_id_results", rows)


def client_query(api, client_id):
    body = gc.ApiUsageClientQuery()
    body.interval = interval(7)
    body.group_by = ["TemplateUri"]
    submitted = api.post_oauth_client_usage_query(client_id, body)
    check("L5 post_oauth_client_usage_query gives an execution id", submitted.execution_id)
    result = poll(
        lambda: api.get_oauth_client_usage_query_result(submitted.execution_id, client_id),
        legacy_done,
        ("Running",),
    )
    check_legacy_rows("L6 get_oauth_client_usage_query_result", result.results)
    summary = api.get_oauth_client_usage_summary(client_id, days="3")
    check("L7 get_oauth_client_usage_summary gives an execution id", summary.execution_id)
    result = poll(
        lambda: api.get_oauth_client_usage_query_result(summary.execution_id, client_id),
        legacy_done,
        ("Running",),
    )
    check_legacy_rows("L7 summary polled through L6", result.results)


def after_of(next_uri):
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(next_uri).query)["after"][0]


def page_jobs(name, fetch):
    first = poll(lambda: fetch(None), jobs_done, ("Queued", "Running"))
    rows = list(first.entities or [])
    next_uri = first.next_uri
    pages = 1
    while next_uri and pages < 500:
        page = fetch(after_of(next_uri))
        check(f"{name}: later page succeeded", page.query_status == "Succeeded", repr(page.query_status))
        rows.extend(page.entities or [])
        next_uri = page.next_uri
        pages += 1
    check(f"{name}: paged to the end", next_uri is None, f"({pages} pages, {len(rows)} rows)")
    check(f"{name}: rows present", rows)
    for row in rows:
        if row.http_method is not None and row.http_method == OUTDATED:
            check(f"{name}: httpMethod is a known value", False, str(row))
    return rows, pages


def organisation_jobs(api):
    body = gc.OrganizationPublicApiUsageQueryRequest()
    body.interval = interval(30)
    body.granularity = "Day"
    body.group_by = ["OauthClientId", "TemplateUri"]
    body.metrics = ["Requests", "Status200", "Status429"]
    submitted = api.post_usage_aggregates_query_jobs(body)
    check("N1 post_usage_aggregates_query_jobs gives an id", submitted.id)
    rows, pages = page_jobs(
        "N2 get_usage_aggregates_query_job",
        lambda after: api.get_usage_aggregates_query_job(submitted.id, page_size=50, after=after)
        if after
        else api.get_usage_aggregates_query_job(submitted.id, page_size=50),
    )
    check("N2 spans several pages", pages > 1)
    check("N2 rows read into OrganizationPublicApiUsage", all(isinstance(r, gc.OrganizationPublicApiUsage) for r in rows))
    check("N2 rows carry oauthClient refs", all(r.oauth_client is not None for r in rows))


def client_jobs(api, client_id):
    body = gc.ClientPublicApiUsageQueryRequest()
    body.interval = interval(30)
    body.group_by = ["OrganizationId", "HttpMethod"]
    submitted = api.post_usage_client_client_id_aggregates_query_jobs(client_id, body)
    check("N3 post_usage_client_client_id_aggregates_query_jobs gives an id", submitted.id)
    rows, _ = page_jobs(
        "N4 get_usage_client_client_id_aggregates_query_job",
        lambda after: api.get_usage_client_client_id_aggregates_query_job(client_id, submitted.id, after=after)
        if after
        else api.get_usage_client_client_id_aggregates_query_job(client_id, submitted.id),
    )
    check("N4 rows read into ClientPublicApiUsage", all(isinstance(r, gc.ClientPublicApiUsage) for r in rows))


def errors(api, url, replay):
    try:
        api.get_usage_query_execution_id_results("no-such-execution")
        check("404 for an unknown execution id", False, "no exception")
    except ApiException as e:
        check("404 for an unknown execution id", e.status == 404, str(e.status))
        check("404 body names the id", b"no-such-execution" in (e.body if isinstance(e.body, bytes) else str(e.body).encode()))
    bad = gc.api_client.ApiClient(host=url)
    bad.access_token = "not-a-token-the-mock-issued"
    try:
        gc.UsageApi(bad).get_usage_query_execution_id_results("x")
        check("401 for a bad token", False, "no exception")
    except ApiException as e:
        check("401 for a bad token", e.status == 401, str(e.status))
    if replay:
        print("skip   token request with a bad secret (a replay never saw the secret)", flush=True)
        return
    try:
        gc.api_client.ApiClient(host=url).get_client_credentials_token(CLIENT_ID, "wrong-secret")
        check("token request with a bad secret is refused", False, "no exception")
    except ApiException as e:
        check("token request with a bad secret is refused", e.status in (400, 401), str(e.status))


def main():
    url = sys.argv[1].rstrip("/")
    replay = "--replay" in sys.argv[2:]
    api_client = gc.api_client.ApiClient(host=url).get_client_credentials_token(CLIENT_ID, CLIENT_SECRET)
    check("client credentials token obtained", api_client.access_token)
    api = gc.UsageApi(api_client)
    client_ids = organisation_query(api)
    check("L1 rows name OAuth clients", client_ids)
    simple_search(api)
    client_query(api, client_ids[0])
    organisation_jobs(api)
    client_jobs(api, client_ids[0])
    errors(api, url, replay)
    passed = sum(1 for _, ok in checks if ok)
    print(f"{passed} passed, {len(checks) - passed} failed")


if __name__ == "__main__":
    main()
