#!/usr/bin/env bash
# Installs (when missing) and starts (when not running) the services Leakwatch's tests and demo use:
# dockerd without networking, a throwaway test Redis on 127.0.0.1:6391, and a PostgreSQL cluster on
# 127.0.0.1:54329. Services that already answer are left alone, so it is safe to run any number of times.
#
#   scripts/services.sh               install + start everything the tests need
#   scripts/services.sh docker|redis-test|postgres   one of them
#   scripts/services.sh redis-demo    a Redis on 127.0.0.1:6379 (the console's default broker)
#   scripts/services.sh status        print each service's state
set -euo pipefail

PACKAGES=(docker.io redis-server python3-celery python3-redis chromium postgresql openssl)
# For the deployment tests: promtool/prometheus (rules, scraping), the socket proxy, the image's base, compose's
# validator. Without recommends: prometheus recommends prometheus-node-exporter, a listener the tests do not want.
DEPLOY_PACKAGES=(prometheus haproxy debootstrap docker-compose)
TEST_REDIS_PORT="${LEAKWATCH_TEST_REDIS_PORT:-6391}"
DEMO_REDIS_PORT=6379
PG_PORT="${LEAKWATCH_TEST_PG_PORT:-54329}"
PG_CLUSTER=leakwatch
LOG_DIR=/var/log/leakwatch
DOCKERD_LOG="$LOG_DIR/dockerd.log"
DOCKER_WAIT_SECONDS=60
OWNED_DOCKERD_PIDFILE=/run/leakwatch-dockerd.pid

log() { printf 'services: %s\n' "$*"; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || die "run as root (or install sudo)"
  SUDO="sudo"
fi

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

ensure_packages() {
  local missing=() p
  for p in "$@"; do is_installed "$p" || missing+=("$p"); done
  if [ "${#missing[@]}" -eq 0 ]; then return 0; fi
  log "installing ${missing[*]}"
  if [ -z "${APT_UPDATED:-}" ]; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    APT_UPDATED=1
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=l apt-get install -y -q ${NO_RECOMMENDS:+--no-install-recommends} "${missing[@]}" >/dev/null
  log "installed ${missing[*]}"
}

redis_answers() { redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; }

pg_version() {
  local v
  v="$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n1)"
  [ -n "$v" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
  printf '%s' "$v"
}

pg_answers() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; }

# --- dockerd -----------------------------------------------------------------------------------
start_docker() {
  ensure_packages docker.io
  if $SUDO docker info >/dev/null 2>&1; then
    log "dockerd already running (left alone)"
    return 0
  fi
  $SUDO mkdir -p "$LOG_DIR"
  log "starting dockerd --bridge=none --iptables=false --ip-masq=false --live-restore (log: $DOCKERD_LOG)"
  # setsid + nohup: dockerd must outlive this script and its terminal. --live-restore keeps containers
  # running while dockerd itself is down, which the fault tests use to stop and start the real engine.
  $SUDO sh -c "setsid nohup dockerd --bridge=none --iptables=false --ip-masq=false --live-restore >>'$DOCKERD_LOG' 2>&1 < /dev/null &"
  local waited=0
  until $SUDO docker info >/dev/null 2>&1; do
    if [ "$waited" -ge "$DOCKER_WAIT_SECONDS" ]; then
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      die "dockerd did not answer 'docker info' within ${DOCKER_WAIT_SECONDS}s (see $DOCKERD_LOG)"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  log "dockerd is up after ${waited}s"
  # Marks this dockerd as started by Leakwatch's harness: only such a dockerd may be stopped by a test.
  $SUDO cp /var/run/docker.pid "$OWNED_DOCKERD_PIDFILE"
}

# Debian's prometheus package starts a server on :9090 (every interface) where systemd runs; the tests start their
# own on loopback only, so that one is stopped and disabled.
no_packaged_prometheus() {
  if [ -d /run/systemd/system ] && systemctl is-enabled prometheus >/dev/null 2>&1; then
    $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
    log "stopped and disabled the packaged prometheus service (tests run their own on 127.0.0.1)"
  fi
}

# --- redis -------------------------------------------------------------------------------------
start_redis() {
  local port="$1" persist="$2"
  ensure_packages redis-server
  if redis_answers "$port"; then
    log "redis on 127.0.0.1:$port already answers (left alone)"
    return 0
  fi
  $SUDO mkdir -p "$LOG_DIR"
  local dir="/tmp/leakwatch-redis-$port"
  mkdir -p "$dir"
  local args=(--port "$port" --bind 127.0.0.1 --daemonize yes --dir "$dir"
    --logfile "$LOG_DIR/redis-$port.log" --pidfile "$dir/redis.pid")
  # The test Redis never persists: every run starts from nothing.
  if [ "$persist" = "no" ]; then args+=(--save '' --appendonly no); fi
  $SUDO redis-server "${args[@]}"
  local i
  for i in $(seq 1 50); do
    if redis_answers "$port"; then log "started redis-server on 127.0.0.1:$port"; return 0; fi
    sleep 0.1
  done
  die "redis-server on 127.0.0.1:$port did not answer (see $LOG_DIR/redis-$port.log)"
}

# --- postgresql --------------------------------------------------------------------------------
psql_admin() { (cd / && $SUDO runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p "$PG_PORT" -d postgres "$@"); }

start_postgres() {
  ensure_packages postgresql
  local ver
  ver="$(pg_version)"
  $SUDO install -d -o postgres -g postgres -m 2775 /var/run/postgresql
  if ! $SUDO pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}' | grep -qx "$ver/$PG_CLUSTER"; then
    log "creating PostgreSQL $ver cluster '$PG_CLUSTER' on port $PG_PORT"
    $SUDO pg_createcluster "$ver" "$PG_CLUSTER" -p "$PG_PORT" --start-conf=manual -- \
      --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  fi
  # Loopback only, whatever the cluster was created with (Debian's postgresql.conf includes conf.d/).
  local dropin="/etc/postgresql/$ver/$PG_CLUSTER/conf.d/leakwatch.conf"
  local wanted="listen_addresses = '127.0.0.1'"
  if [ "$($SUDO cat "$dropin" 2>/dev/null)" != "$wanted" ]; then
    printf '%s\n' "$wanted" | $SUDO tee "$dropin" >/dev/null
    $SUDO chown postgres:postgres "$dropin"
    if pg_answers; then $SUDO pg_ctlcluster "$ver" "$PG_CLUSTER" restart; fi
  fi
  local hba="/etc/postgresql/$ver/$PG_CLUSTER/pg_hba.conf"
  if ! $SUDO grep -q '^# leakwatch: loopback only' "$hba"; then
    $SUDO sh -c "cat > '$hba'" <<'EOF'
# leakwatch: loopback only (written by scripts/services.sh)
local   all   postgres                 peer
local   all   all                      peer
host    all   all      127.0.0.1/32    scram-sha-256
EOF
    if pg_answers; then $SUDO pg_ctlcluster "$ver" "$PG_CLUSTER" reload; fi
  fi
  if pg_answers; then
    log "PostgreSQL $ver/$PG_CLUSTER on 127.0.0.1:$PG_PORT already running (left alone)"
  else
    log "starting PostgreSQL $ver/$PG_CLUSTER on 127.0.0.1:$PG_PORT"
    $SUDO pg_ctlcluster "$ver" "$PG_CLUSTER" start
    local i
    for i in $(seq 1 60); do pg_answers && break; sleep 0.5; done
    pg_answers || die "PostgreSQL did not become ready (see /var/log/postgresql/postgresql-$ver-$PG_CLUSTER.log)"
  fi
  if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'leakwatch'")" != "1" ]; then
    psql_admin -c "CREATE ROLE leakwatch LOGIN PASSWORD 'leakwatch'"
    log "created role leakwatch"
  fi
  if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = 'leakwatch_test'")" != "1" ]; then
    psql_admin -c "CREATE DATABASE leakwatch_test OWNER leakwatch"
    log "created database leakwatch_test"
  fi
  # Check the way the tests connect: password auth over TCP on loopback.
  PGPASSWORD=leakwatch psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U leakwatch -d leakwatch_test -tAc 'SELECT 1' >/dev/null \
    || die "cannot log in as leakwatch@127.0.0.1:$PG_PORT/leakwatch_test"
  log "PostgreSQL ready: postgres://leakwatch:leakwatch@127.0.0.1:$PG_PORT/leakwatch_test"
}

# --- status ------------------------------------------------------------------------------------
status() {
  local state
  if $SUDO docker info >/dev/null 2>&1; then
    state="running ($($SUDO docker info --format '{{.ServerVersion}}, cgroup v{{.CgroupVersion}}, {{.CgroupDriver}}' 2>/dev/null))"
  elif command -v dockerd >/dev/null; then state="stopped"; else state="not installed"; fi
  printf '%-12s %s\n' docker "$state"
  local port
  for port in "$TEST_REDIS_PORT" "$DEMO_REDIS_PORT"; do
    if ! command -v redis-server >/dev/null; then state="not installed"
    elif redis_answers "$port"; then state="running on 127.0.0.1:$port"
    else state="stopped (127.0.0.1:$port)"; fi
    if [ "$port" = "$TEST_REDIS_PORT" ]; then printf '%-12s %s\n' redis-test "$state"; else printf '%-12s %s\n' redis-demo "$state"; fi
  done
  if ! command -v pg_isready >/dev/null; then state="not installed"
  elif pg_answers; then state="running on 127.0.0.1:$PG_PORT"
  else state="stopped (127.0.0.1:$PG_PORT)"; fi
  printf '%-12s %s\n' postgres "$state"
  local v
  if v="$(cd /tmp && /usr/bin/python3 -c 'import celery; print(celery.__version__)' 2>/dev/null)"; then state="celery $v"; else state="not installed"; fi
  printf '%-12s %s\n' celery "$state"
  if command -v chromium >/dev/null; then state="installed"; else state="not installed"; fi
  printf '%-12s %s\n' chromium "$state"
}

case "${1:-all}" in
  all | start)
    ensure_packages "${PACKAGES[@]}"
    NO_RECOMMENDS=1 ensure_packages "${DEPLOY_PACKAGES[@]}"
    no_packaged_prometheus
    start_docker
    start_redis "$TEST_REDIS_PORT" no
    start_postgres
    ;;
  docker) start_docker ;;
  redis-test) start_redis "$TEST_REDIS_PORT" no ;;
  redis-demo) start_redis "$DEMO_REDIS_PORT" yes ;;
  postgres) start_postgres ;;
  install) ensure_packages "${PACKAGES[@]}"; NO_RECOMMENDS=1 ensure_packages "${DEPLOY_PACKAGES[@]}"; no_packaged_prometheus ;;
  status) status ;;
  -h | --help | help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$1' (all|docker|redis-test|redis-demo|postgres|install|status)" ;;
esac
