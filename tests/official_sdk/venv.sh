#!/usr/bin/env bash
# Sourced by tests/official_sdk/run.sh and bench/run.sh: makes sure the
# official Genesys Python SDK (pinned) is installed in target/official-sdk-venv
# and sets OFFICIAL_SDK_PYTHON to that environment's interpreter.
# Expects the working directory to be the workspace root.
SDK_VERSION=269.0.0
venv=target/official-sdk-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import PureCloudPlatformClientV2" 2>/dev/null; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "purecloudplatformclientv2==$SDK_VERSION"
fi
export OFFICIAL_SDK_PYTHON="$PWD/$venv/bin/python"
