#!/usr/bin/env bash
# `npm run demo`: provisions and starts the Temporal dev server (with its Web UI) and Elasticsearch,
# then the Mimecast simulator (preset demo) and a worker in the background (pid files and logs
# under .data/demo/), and runs the guided demo (client/demo.ts). Everything keeps running after.
# `npm run demo:stop` (scripts/demo.sh stop): stops the worker, the simulator and the services.
#   DEMO_KEEP_SERVICES=1 leaves Temporal and Elasticsearch running (shared machines);
#   DEMO_CONFIG=FILE runs the demo with another source file; DEMO_SIMULATOR_PORT moves the simulator.
set -euo pipefail
SCRIPT_NAME=demo
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEMO_DIR="$ROOT/.data/demo"
SIM_PORT="${DEMO_SIMULATOR_PORT:-8089}"
CLI=(node "$ROOT/bin/mimecast-crawler.js")
# The simulator's built-in credential; the worker reads it as the `default` credential.
export MIMECAST_CLIENT_ID="${MIMECAST_CLIENT_ID:-sim-client}"
export MIMECAST_CLIENT_SECRET="${MIMECAST_CLIENT_SECRET:-sim-secret}"
# The development switch: lets the credential reach the simulator on loopback over plain HTTP.
export MIMECAST_DEV_HOSTS="${MIMECAST_DEV_HOSTS:-loopback}"

start_background() {
  local name="$1"
  shift
  local pid_file="$DEMO_DIR/$name.pid" log_file="$DEMO_DIR/$name.log"
  if pid="$(live_pid "$pid_file")"; then
    log "$name already running (pid $pid)"
    return 0
  fi
  nohup "$@" >"$log_file" 2>&1 &
  echo $! >"$pid_file"
  log "$name started (pid $!, log ${log_file#"$ROOT"/})"
}

wait_for_port() {
  local port="$1" what="$2" pid_file="$3" i
  for ((i = 0; i < 150; i++)); do
    port_open "$port" && return 0
    live_pid "$pid_file" >/dev/null || die "$what exited; see ${pid_file%.pid}.log"
    sleep 0.2
  done
  die "$what did not open port $port within 30 s; see ${pid_file%.pid}.log"
}

run_demo() {
  cd "$ROOT"
  mkdir -p "$DEMO_DIR"
  if [[ ! -d node_modules ]]; then
    log "installing dependencies (npm ci)"
    npm ci --no-audit --no-fund
  fi
  log "starting Temporal and Elasticsearch (scripts/services.sh up; the first run downloads them)"
  bash "$ROOT/scripts/services.sh" up

  if ! live_pid "$DEMO_DIR/simulator.pid" >/dev/null && port_open "$SIM_PORT"; then
    die "port $SIM_PORT is taken by another program; stop it or set DEMO_SIMULATOR_PORT"
  fi
  start_background simulator "${CLI[@]}" simulator --port "$SIM_PORT" --preset demo
  wait_for_port "$SIM_PORT" simulator "$DEMO_DIR/simulator.pid"
  start_background worker "${CLI[@]}" worker
  sleep 2
  live_pid "$DEMO_DIR/worker.pid" >/dev/null || die "the worker exited; see .data/demo/worker.log"

  local status=0
  "${CLI[@]}" demo --config "${DEMO_CONFIG:-examples/demo-source.json}" --simulator-url "http://127.0.0.1:$SIM_PORT" || status=$?
  echo
  echo "Logs: .data/demo/worker.log, .data/demo/simulator.log"
  echo "Temporal Web UI: http://127.0.0.1:8233    Elasticsearch: ${ELASTICSEARCH_URL:-http://127.0.0.1:9200}"
  echo "npm run demo:stop stops the worker, the simulator, Temporal and Elasticsearch."
  return "$status"
}

stop_demo() {
  local name pid
  for name in worker simulator; do
    if pid="$(live_pid "$DEMO_DIR/$name.pid")"; then
      log "stopping $name (pid $pid)"
      stop_pid "$pid" 30
    fi
    rm -f "$DEMO_DIR/$name.pid"
  done
  if [[ "${DEMO_KEEP_SERVICES:-0}" == 1 ]]; then
    log "leaving Temporal and Elasticsearch running (DEMO_KEEP_SERVICES=1)"
  else
    bash "$ROOT/scripts/services.sh" down
  fi
}

case "${1:-run}" in
  run) run_demo ;;
  stop) stop_demo ;;
  *) die "usage: scripts/demo.sh [run|stop]" ;;
esac
