#!/usr/bin/env bash
# Starts a small Dify-like scene for the console to watch (npm run demo), or tears it down (demo.sh stop):
#   containers (label leakwatch.demo=1, no network):
#     lw-demo-leaky     leaks 2 threads/s under --pids-limit 1200: warn in ~7 min, the limit in ~10 min
#     lw-demo-sawtooth  grows to 60 threads and back to 8, again and again: busy, not leaking
#     lw-demo-healthy   a fixed pool of 8 threads
#   Celery on redis://127.0.0.1:6379/1 (the console's default broker):
#     a producer filling all 16 Dify queues at a steady rate, and a worker draining dataset, mail, workflow.
# Process ids and logs live in .demo/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEMO_DIR="$ROOT/.demo"
CELERY_DIR="$ROOT/fixtures/celery"
PYTHON="${LEAKWATCH_PYTHON:-/usr/bin/python3}"
IMAGE=leakwatch-fixture/leaker:latest
BROKER_URL_DEMO="redis://127.0.0.1:6379/1"
PRODUCE_RATE="${LEAKWATCH_DEMO_RATE:-4}"
WORKER_QUEUES="dataset,mail,workflow"

log() { printf 'demo: %s\n' "$*"; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

# A pid file is trusted only while its process still runs the command we started (pids get reused).
running_pid() {
  local file="$DEMO_DIR/$1.pid" pid
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$2" || return 1
  printf '%s' "$pid"
}

start_background() {
  local name="$1" match="$2"
  shift 2
  local pid
  if pid="$(running_pid "$name" "$match")"; then
    log "$name already running (pid $pid)"
    return 0
  fi
  # setsid: its own process group, so stop can end the whole tree (prefork children included).
  (
    cd "$CELERY_DIR"
    export BROKER_URL="$BROKER_URL_DEMO" PYTHONUNBUFFERED=1 SEND_TASK_EVENTS=1
    setsid nohup "$@" >>"$DEMO_DIR/$name.log" 2>&1 </dev/null &
    echo $! >"$DEMO_DIR/$name.pid"
  )
  sleep 0.5
  pid="$(running_pid "$name" "$match")" || die "$name exited at once; see $DEMO_DIR/$name.log"
  log "started $name (pid $pid, log $DEMO_DIR/$name.log)"
}

stop_background() {
  local name="$1" match="$2" pid i
  if ! pid="$(running_pid "$name" "$match")"; then
    rm -f "$DEMO_DIR/$name.pid"
    return 0
  fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    kill -0 -- "-$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$DEMO_DIR/$name.pid"
  log "stopped $name (pid $pid)"
}

start_container() {
  local name="$1"
  shift
  local state
  state="$(docker inspect -f '{{.State.Running}} {{ index .Config.Labels "leakwatch.demo" }}' "$name" 2>/dev/null || true)"
  case "$state" in
    "true 1") log "container $name already running"; return 0 ;;
    *" 1") docker rm -f "$name" >/dev/null ;;
    "") ;;
    *) die "a container named $name exists without the label leakwatch.demo=1; not touching it" ;;
  esac
  docker run -d --name "$name" --network none --label leakwatch.demo=1 \
    --label com.docker.compose.project=leakwatch-demo "$@" >/dev/null
  log "started container $name"
}

start() {
  mkdir -p "$DEMO_DIR"
  bash "$ROOT/scripts/services.sh" docker
  bash "$ROOT/scripts/services.sh" redis-demo
  bash "$ROOT/scripts/build-fixtures.sh"
  "$PYTHON" -c 'import celery' 2>/dev/null || die "$PYTHON cannot import celery (scripts/services.sh install)"

  start_container lw-demo-leaky --pids-limit 1200 --label com.docker.compose.service=plugin_daemon \
    "$IMAGE" --mode leak --rate 2
  start_container lw-demo-sawtooth --pids-limit 500 --label com.docker.compose.service=worker \
    "$IMAGE" --mode sawtooth --baseline 8 --max 60 --rate 10 --hold 20
  start_container lw-demo-healthy --pids-limit 500 --label com.docker.compose.service=api \
    "$IMAGE" --mode healthy --pool 8

  start_background producer "produce.py" "$PYTHON" produce.py --all-dify --forever --rate "$PRODUCE_RATE" \
    --priority mix --quiet-markers
  start_background worker "celery -A dify_app worker" "$PYTHON" -m celery -A dify_app worker \
    -Q "$WORKER_QUEUES" -P threads -c 4 --hostname demo-worker@%h -l info

  cat <<EOF

Leakwatch demo is running.
  containers: lw-demo-leaky (2 threads/s, pids limit 1200), lw-demo-sawtooth, lw-demo-healthy
  broker:     $BROKER_URL_DEMO; producer at ${PRODUCE_RATE}/s over the 16 Dify queues;
              worker demo-worker drains $WORKER_QUEUES, so the other queues grow
  logs:       $DEMO_DIR/producer.log, $DEMO_DIR/worker.log
  console:    npm run dev, then http://127.0.0.1:3000 (default broker: $BROKER_URL_DEMO)
  stop:       npm run demo:stop   (or bash scripts/demo.sh stop)
EOF
}

stop() {
  stop_background producer "produce.py"
  stop_background worker "celery -A dify_app worker"
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    local ids
    ids="$(docker ps -aq --filter label=leakwatch.demo=1)"
    if [ -n "$ids" ]; then
      # shellcheck disable=SC2086  # one id per word
      docker rm -f $ids >/dev/null
      log "removed demo containers: $(printf '%s' "$ids" | tr '\n' ' ')"
    fi
  fi
  log "demo stopped (queued messages stay in $BROKER_URL_DEMO)"
}

status() {
  local pid
  for name in producer worker; do
    local match="produce.py"
    [ "$name" = worker ] && match="celery -A dify_app worker"
    if pid="$(running_pid "$name" "$match")"; then log "$name running (pid $pid)"; else log "$name not running"; fi
  done
  docker ps -a --filter label=leakwatch.demo=1 --format 'demo: container {{.Names}}: {{.Status}}'
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: demo.sh [start|stop|status]" ;;
esac
