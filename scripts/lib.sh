# Shared helpers of the provisioning scripts (sourced, not run): paths, options, pid files, waits.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${TOOLS_DIR:-$ROOT/.tools}"

log() { printf '[%s] %s\n' "${SCRIPT_NAME:-scripts}" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# Relative data folders are relative to the repository root, whatever the caller's cwd.
abs_path() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$ROOT/$1" ;;
  esac
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Pid from a pid file, only if that process is alive.
live_pid() {
  local file="$1" pid
  [[ -f "$file" ]] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

# Stop a process we started: TERM, wait up to $2 seconds, then KILL.
stop_pid() {
  local pid="$1" grace="${2:-30}" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < grace * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  log "pid $pid did not stop within ${grace}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
}

wait_port_closed() {
  local port="$1" secs="${2:-30}" i
  for ((i = 0; i < secs * 5; i++)); do
    port_open "$port" || return 0
    sleep 0.2
  done
  return 1
}

show_log_tail() {
  local file="$1"
  if [[ -f "$file" ]]; then
    log "last lines of $file:"
    tail -n "${2:-40}" "$file" >&2
  else
    log "no log file at $file"
  fi
}
