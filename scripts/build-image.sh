#!/usr/bin/env bash
# Builds the console's image offline, the way the tests run it: no registry, no network in any build step.
#  1. A base image made here: `debootstrap --variant=minbase bookworm` from Debian's archive, plus this host's Node 20
#     binary (the NodeSource `nodejs` package; bookworm's own nodejs is 18), plus a `node` user (uid 1000) as in the
#     public node:20-bookworm-slim. Cached in /var/cache/leakwatch/ and as a tagged image, keyed by its inputs.
#  2. The Dockerfile on that base (build argument BASE_IMAGE), `docker build --network none`, shipping the standalone
#     build prepared on the host (`npx next build && bash scripts/prepare-standalone.sh`). Docker's layer cache makes
#     an unchanged build a no-op.
#
#   scripts/build-image.sh          build (or find cached) base and console image; prints the console image name
#   LEAKWATCH_IMAGE=name:tag        the console image's name (default leakwatch/console:test)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGE="${LEAKWATCH_IMAGE:-leakwatch/console:test}"
CACHE_DIR="${LEAKWATCH_IMAGE_CACHE:-/var/cache/leakwatch}"
SUITE=bookworm
MIRROR="${LEAKWATCH_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
NODE_BIN=/usr/bin/node
# Bump when the recipe below changes (the hash covers its inputs, not this script's text).
BASE_RECIPE=1

log() { printf 'build-image: %s\n' "$*" >&2; }
die() { printf 'build-image: error: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

command -v debootstrap >/dev/null || die "debootstrap is not installed (run scripts/services.sh)"
docker info >/dev/null 2>&1 || die "the Docker daemon does not answer (run scripts/services.sh)"
[ -x "$NODE_BIN" ] || die "$NODE_BIN is missing"
"$NODE_BIN" -e 'process.exit(process.versions.node.split(".")[0] === "20" ? 0 : 1)' || die "$NODE_BIN is not Node 20"

node_deb="$(dpkg-query -W -f='${Package} ${Version}' nodejs 2>/dev/null || echo unpackaged)"
base_hash="$( { printf '%s\n' "$BASE_RECIPE" "$SUITE" "$MIRROR" "$(dpkg-query -W -f='${Version}' debootstrap)" "$node_deb"; sha256sum "$NODE_BIN" | cut -d' ' -f1; } | sha256sum | cut -c1-16)"
BASE_IMAGE="leakwatch-base/bookworm-node20:$base_hash"

# One builder at a time (tests and a developer may both build); the others then find the cache warm.
$SUDO mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.build-image.lock"
flock -w 900 9 || die "timed out waiting for another image build ($CACHE_DIR/.build-image.lock)"

if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  log "base $BASE_IMAGE is cached"
else
  tarball="$CACHE_DIR/base-$base_hash.tar"
  if [ ! -f "$tarball" ]; then
    work="$(mktemp -d /tmp/leakwatch-base.XXXXXX)"
    trap '$SUDO rm -rf "$work"' EXIT
    log "debootstrap --variant=minbase $SUITE from $MIRROR (a few minutes, once)"
    $SUDO debootstrap --variant=minbase "$SUITE" "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
      || { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
    # Node's only dependencies are libc6, libstdc++6 and libgcc-s1, all in minbase (apt needs them).
    $SUDO install -m 0755 "$NODE_BIN" "$work/rootfs/usr/local/bin/node"
    $SUDO chroot "$work/rootfs" /usr/local/bin/node --version >/dev/null || die "node does not run in the new rootfs"
    $SUDO chroot "$work/rootfs" groupadd --gid 1000 node
    $SUDO chroot "$work/rootfs" useradd --uid 1000 --gid node --create-home --shell /bin/bash node
    $SUDO rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin "$work/rootfs/var/log/"*.log
    $SUDO tar -C "$work/rootfs" --numeric-owner -cf "$tarball.tmp" .
    $SUDO mv "$tarball.tmp" "$tarball"
  fi
  log "importing $BASE_IMAGE"
  docker import \
    --change "LABEL leakwatch.base.hash=$base_hash" \
    --change "LABEL leakwatch.base.node=\"$node_deb\"" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' \
    "$tarball" "$BASE_IMAGE" >/dev/null
fi

[ -f "$ROOT/.next/standalone/leakwatch-server.mjs" ] \
  || die "no standalone build: run 'npx next build && bash scripts/prepare-standalone.sh' first"
log "building $IMAGE on $BASE_IMAGE"
# The legacy builder (Debian's docker.io 20.10 ships no buildx): no RUN step needs the network.
DOCKER_BUILDKIT=0 docker build --network none --build-arg "BASE_IMAGE=$BASE_IMAGE" \
  --label "leakwatch.base=$BASE_IMAGE" -t "$IMAGE" "$ROOT" >&2
printf '%s\n' "$IMAGE"
