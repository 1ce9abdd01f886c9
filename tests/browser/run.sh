#!/usr/bin/env bash
# The report page in a real browser: installs Debian's chromium and
# playwright-core (from package-lock.json, into tests/browser/node_modules)
# when missing, has the report_cli test write the page and its JSON report
# for the fixture store, then opens the page headless with check.mjs.
# Screenshots land in target/report-browser/ (a CI artefact);
# docs/report.png is a copy of report.png from a run of this script.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if ! command -v node >/dev/null 2>&1; then
  echo "installing Debian's nodejs and npm"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  # --ignore-scripts: playwright-core has no install step; nothing else may
  # run, and no browser is downloaded (the check uses /usr/bin/chromium).
  npm ci --prefix tests/browser --ignore-scripts --no-audit --no-fund
fi

# The page and JSON of the whole fixture, from the binary (cargo reuses the
# test build of the tests step).
cargo test --locked --all-features --test report_cli -- --exact writes_the_page_and_json_the_browser_check_opens
page_dir=target/tmp/report-page
out=target/report-browser
rm -rf "$out"
timeout 300 node tests/browser/check.mjs "$page_dir/report.html" "$page_dir/report.json" "$out"
