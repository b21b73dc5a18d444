#!/usr/bin/env bash
# `npm test`: installs and starts what the tests need, then runs every test: types, lint, unit, integration, e2e.
set -euo pipefail
cd "$(dirname "$0")/.."
export LEAKWATCH_TEST_REDIS_URL="${LEAKWATCH_TEST_REDIS_URL:-redis://127.0.0.1:6391}"
export LEAKWATCH_TEST_PG_URL="${LEAKWATCH_TEST_PG_URL:-postgres://leakwatch:leakwatch@127.0.0.1:54329/leakwatch_test}"
export NEXT_TELEMETRY_DISABLED=1

step() { printf '\n=== %s ===\n' "$*"; }
started=$(date +%s)

step "dependencies"
bash scripts/ensure-deps.sh
step "services (Docker Engine, Redis, PostgreSQL, Celery, Chromium)"
bash scripts/services.sh
bash scripts/build-fixtures.sh

step "format (Prettier, 120 columns)"
npx prettier --check .
step "types"
npx tsc --noEmit
step "lint"
npx eslint --max-warnings 0 .
step "unit tests"
npx vitest run --project unit
step "integration tests (live Docker, Redis, Celery, PostgreSQL)"
npx vitest run --project integration
step "production build"
npx next build
bash scripts/prepare-standalone.sh
step "cgroup v2 + systemd driver in a QEMU VM (first run builds the image: ~20 min; cached after)"
bash scripts/vm.sh build >/dev/null
npx vitest run --project vm
step "end-to-end tests (Playwright in Debian Chromium)"
npx playwright test
step "console image (base from Debian packages, cached) and its deployment test"
bash scripts/build-image.sh
npx vitest run --project deploy

printf '\nall test stages passed in %ss\n' "$(( $(date +%s) - started ))"
