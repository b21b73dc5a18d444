#!/usr/bin/env bash
# npm packages, installed from the lock file when missing or stale. Native modules (better-sqlite3) compile
# from source here; package.json's allowScripts lists the packages whose install scripts may run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "leakwatch: installing npm packages (better-sqlite3 compiles from source: about two minutes)…"
  # `npm install` from the lock file, not `npm ci`: npm 11 here rejects a lock without other platforms' optional
  # binaries (@next/swc-darwin-*, …) as "out of sync", though installing from it works and leaves it unchanged.
  npm install --no-audit --no-fund
fi
# A lock-file install whose native build was skipped leaves no binding: build it now rather than fail at run time.
if ! node -e "require('better-sqlite3')(':memory:').close()" 2>/dev/null; then
  echo "leakwatch: building better-sqlite3…"
  npm rebuild better-sqlite3
fi
