#!/usr/bin/env bash
# The console as e2e tests see it: the standalone production build, a fresh data dir per run.
set -euo pipefail
cd "$(dirname "$0")/.."
export LEAKWATCH_DATA_DIR="${LEAKWATCH_DATA_DIR:-$(mktemp -d /tmp/leakwatch-e2e.XXXXXX)}"
export HOSTNAME=127.0.0.1
exec node .next/standalone/leakwatch-server.mjs
