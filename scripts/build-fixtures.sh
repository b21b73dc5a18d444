#!/usr/bin/env bash
# Builds the thread-leaking fixture image leakwatch-fixture/leaker:latest from fixtures/leaker/leaker.c.
# The image is one static binary imported from a local rootfs (never pulled); it is rebuilt only when
# the source or the compile flags change, tracked by the image label leakwatch.fixture.hash.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGE="${LEAKWATCH_FIXTURE_IMAGE:-leakwatch-fixture/leaker:latest}"
SRC="$ROOT/fixtures/leaker/leaker.c"
BUILD="$ROOT/.fixtures-build/leaker"
CFLAGS="-static -pthread -O2 -Wall -Wextra"

log() { printf 'build-fixtures: %s\n' "$*"; }
die() { printf 'build-fixtures: error: %s\n' "$*" >&2; exit 1; }

command -v gcc >/dev/null || die "gcc is not installed (apt-get install -y gcc libc6-dev)"
command -v docker >/dev/null || die "docker is not installed (run scripts/services.sh first)"
docker info >/dev/null 2>&1 || die "the Docker daemon does not answer (run scripts/services.sh first)"
[ -f "$SRC" ] || die "missing $SRC"

hash="$( { cat "$SRC"; printf '%s\n' "$CFLAGS"; } | sha256sum | cut -c1-16)"
# Test files and the demo may build at the same time: one builder at a time, the others then find it done.
mkdir -p "$ROOT/.fixtures-build"
exec 9>"$ROOT/.fixtures-build/.lock"
flock -w 300 9 || die "timed out waiting for another build (lock $ROOT/.fixtures-build/.lock)"
current="$(docker image inspect --format '{{ index .Config.Labels "leakwatch.fixture.hash" }}' "$IMAGE" 2>/dev/null || true)"
if [ "$current" = "$hash" ]; then
  log "$IMAGE is up to date (hash $hash)"
  exit 0
fi

log "compiling $SRC"
rm -rf "$BUILD"
mkdir -p "$BUILD/rootfs/tmp"
# shellcheck disable=SC2086  # CFLAGS is a list of flags on purpose
gcc $CFLAGS -o "$BUILD/rootfs/leaker" "$SRC"
chmod 0755 "$BUILD/rootfs/leaker"
chmod 1777 "$BUILD/rootfs/tmp"

log "importing $IMAGE (hash $hash)"
tar -C "$BUILD/rootfs" --owner=0 --group=0 --numeric-owner -cf "$BUILD/rootfs.tar" .
docker import \
  --change "LABEL leakwatch.fixture.hash=$hash" \
  --change 'LABEL leakwatch.fixture=leaker' \
  --change 'ENTRYPOINT ["/leaker"]' \
  --change 'CMD ["--rate", "1"]' \
  "$BUILD/rootfs.tar" "$IMAGE" >/dev/null
log "built $IMAGE"
