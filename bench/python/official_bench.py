"""Row 6 of the benchmarks: complete lifecycles (submit, poll until complete,
read the rows) through the official Genesys Python SDK
(purecloudplatformclientv2) against the genesys-usage mock server.

Usage: python official_bench.py URL LIFECYCLES INTERVAL GRANULARITY GROUP_BY,...
(GRANULARITY and GROUP_BY may be empty strings: left out of the query)

Run by benches/official.rs, which starts the mock server with zero-delay
lifecycles and runs the same query through our SDK. Only the lifecycles are
timed: interpreter start-up, imports, login and one warm-up lifecycle (which
opens the kept-alive connection) are not. Prints one JSON line.
"""

import json
import sys
import time

import PureCloudPlatformClientV2 as gc

CLIENT_ID = "mock-client-id"
CLIENT_SECRET = "mock-client-secret"
# Zero-delay lifecycles complete on the first poll; the bound only stops a
# misconfigured server from looping forever.
MAX_POLLS = 100


def lifecycle(api, body):
    """Submits, polls with no sleep until Complete, returns (rows, polls)."""
    submitted = api.post_usage_query(body)
    for polls in range(1, MAX_POLLS + 1):
        result = api.get_usage_query_execution_id_results(submitted.execution_id)
        if result.query_status == "Complete":
            return len(result.results or []), polls
        if result.query_status != "Running":
            raise SystemExit(f"unexpected status {result.query_status!r}")
    raise SystemExit("query did not complete within the poll bound")


def main():
    url, count, interval = sys.argv[1].rstrip("/"), int(sys.argv[2]), sys.argv[3]
    granularity, group_by = sys.argv[4], [g for g in sys.argv[5].split(",") if g]
    api_client = gc.api_client.ApiClient(host=url).get_client_credentials_token(CLIENT_ID, CLIENT_SECRET)
    api = gc.UsageApi(api_client)
    body = gc.ApiUsageOrganizationQuery()
    body.interval = interval
    if granularity:
        body.granularity = granularity
    if group_by:
        body.group_by = group_by

    rows, _ = lifecycle(api, body)
    total_polls = 0
    start = time.perf_counter()
    for _ in range(count):
        seen, polls = lifecycle(api, body)
        if seen != rows:
            raise SystemExit(f"row count changed: {seen} != {rows}")
        total_polls += polls
    wall = time.perf_counter() - start
    print(json.dumps({"lifecycles": count, "wall_s": wall, "rows": rows, "polls": total_polls}))


if __name__ == "__main__":
    main()
