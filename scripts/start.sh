#!/usr/bin/env bash
# Installs what the console needs (npm packages), builds the production bundle when the source changed,
# and starts it on http://127.0.0.1:3000 with the embedded defaults (local Docker socket, Redis 127.0.0.1:6379/1,
# SQLite in ./data). Set LEAKWATCH_* variables to point it elsewhere (see README).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-deps.sh

# Rebuild only when a source file is newer than the last build.
stamp=.next/standalone/server.js
if [ ! -f "$stamp" ] || [ -n "$(find app components server lib instrumentation.ts next.config.ts package-lock.json -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "leakwatch: building the production bundle (a minute or two)…"
  npx next build
fi
bash scripts/prepare-standalone.sh

export PORT="${PORT:-3000}"
export HOSTNAME="${LEAKWATCH_HOST:-127.0.0.1}"
export LEAKWATCH_DATA_DIR="${LEAKWATCH_DATA_DIR:-$PWD/data}"
echo "leakwatch: serving on http://${HOSTNAME}:${PORT} (data in ${LEAKWATCH_DATA_DIR})"
exec node .next/standalone/leakwatch-server.mjs
