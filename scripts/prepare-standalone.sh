#!/usr/bin/env bash
# Next's standalone output leaves static assets out; copy them beside server.js (what the Dockerfile does too).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .next/standalone/.next
rm -rf .next/standalone/.next/static .next/standalone/public
cp -r .next/static .next/standalone/.next/static
[ -d public ] && cp -r public .next/standalone/public
cp scripts/server-entry.mjs .next/standalone/leakwatch-server.mjs
exit 0
