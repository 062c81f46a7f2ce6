#!/usr/bin/env bash
# Provisions and runs a single-node Elasticsearch 8.19 for development and tests (docs/architecture.md,
# Components).
# Usage: scripts/elasticsearch.sh start|stop|kill|status|wait|install
#          [--port 9200] [--transport-port 9301] [--data .data/elasticsearch] [--name default] [--timeout 180]
#          [--security]
#        scripts/elasticsearch.sh useradd --name NAME --user U --password P --roles R1,R2
#        scripts/elasticsearch.sh roles --name NAME --file roles.yml
# - The default instance uses $ELASTICSEARCH_URL when it answers; otherwise, as every private
#   instance, it runs the integ-test zip from Maven Central (fetched with mvn), unpacked in .tools/.
# - start is idempotent (a node already answering on the port is reused); stop and kill only touch
#   the node this script started (pid file). As root, the node runs as the system user
#   `elasticsearch`, created on first use.
# - --security (scripts/elasticsearch-security.sh): HTTPS with its own CA, a bootstrap password,
#   file-realm users and roles, a trial license; clients find the URL, CA and an admin user in
#   <data>/security/admin.env. A data folder provisioned so stays secure for every verb.
set -euo pipefail
SCRIPT_NAME=elasticsearch
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ES_VERSION="${ES_VERSION:-8.19.8}"
ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"
ES_HOME="$TOOLS_DIR/elasticsearch-$ES_VERSION"
ES_USER=elasticsearch

VERB="${1:-}"
[[ $# -gt 0 ]] && shift
PORT=9200
TRANSPORT_PORT=""
DATA=""
NAME=default
TIMEOUT="${ELASTICSEARCH_START_TIMEOUT:-180}"
SECURITY=0
USER_NAME="" USER_PASSWORD="" USER_ROLES="" ROLES_FILE=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) PORT="$2"; shift 2 ;;
    --transport-port) TRANSPORT_PORT="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --name) NAME="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --security) SECURITY=1; shift ;;
    --user) USER_NAME="$2"; shift 2 ;;
    --password) USER_PASSWORD="$2"; shift 2 ;;
    --roles) USER_ROLES="$2"; shift 2 ;;
    --file) ROLES_FILE="$(abs_path "$2")"; shift 2 ;;
    *) die "unknown option $1" ;;
  esac
done
TRANSPORT_PORT="${TRANSPORT_PORT:-$((PORT + 101))}"
if [[ -z "$DATA" ]]; then
  if [[ "$NAME" == default ]]; then DATA=.data/elasticsearch; else DATA=".data/elasticsearch-$NAME"; fi
fi
DATA="$(abs_path "$DATA")"
PID_FILE="$DATA/elasticsearch.pid"
LOG_FILE="$DATA/logs/console.log"
# Where the node keeps data, logs, config and tmp: $DATA, unless its user cannot reach $DATA (a
# checkout under /root, say); then a folder under /var/tmp, recorded in $DATA/node-dir.
NODE_DIR="$DATA"
[[ -f "$DATA/node-dir" ]] && NODE_DIR="$(cat "$DATA/node-dir")"
URL="http://127.0.0.1:$PORT"
# shellcheck source=scripts/elasticsearch-security.sh
source "$(dirname "${BASH_SOURCE[0]}")/elasticsearch-security.sh"
[[ -f "$SECURITY_DIR/admin.env" ]] && SECURITY=1
((SECURITY)) && URL="https://127.0.0.1:$PORT"
CURL_OPTS=()
security_curl_options

# ---- provisioning --------------------------------------------------------------------------

install_es() {
  [[ -x "$ES_HOME/bin/elasticsearch" ]] && return 0
  mkdir -p "$TOOLS_DIR"
  exec 8>"$TOOLS_DIR/.elasticsearch-install.lock"
  flock 8
  [[ -x "$ES_HOME/bin/elasticsearch" ]] && return 0
  command -v mvn >/dev/null || die "mvn not found: Maven is needed to fetch $ES_ARTIFACT"
  command -v unzip >/dev/null || die "unzip not found"
  local repo="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
  local zip="$repo/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
  if [[ ! -f "$zip" ]]; then
    log "fetching $ES_ARTIFACT from Maven Central"
    mvn -q -B dependency:get "-Dmaven.repo.local=$repo" "-Dartifact=$ES_ARTIFACT" -Dtransitive=false ||
      die "mvn dependency:get $ES_ARTIFACT failed"
  fi
  [[ -f "$zip" ]] || die "mvn reported success but $zip is missing"
  log "unpacking $zip into $TOOLS_DIR"
  rm -rf "$ES_HOME" "$ES_HOME.partial"
  mkdir -p "$ES_HOME.partial"
  unzip -q "$zip" -d "$ES_HOME.partial"
  mv "$ES_HOME.partial/elasticsearch-$ES_VERSION" "$ES_HOME"
  rmdir "$ES_HOME.partial"
  chmod -R a+rX "$ES_HOME" # the non-root user only reads the distribution
}

java_major() {
  "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\)[."].*/\1/p' | head -n1
}

# ES 8.19 needs Java 17+. The integ-test zip bundles no JDK: take ES_JAVA_HOME, JAVA_HOME, or the
# JDK behind `java` on PATH.
resolve_java_home() {
  local candidate major
  for candidate in "${ES_JAVA_HOME:-}" "$ES_HOME/jdk" "${JAVA_HOME:-}" \
    "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [[ -n "$candidate" && -x "$candidate/bin/java" ]] || continue
    major="$(java_major "$candidate")"
    if [[ -n "$major" ]] && ((major >= 17)); then
      printf '%s\n' "$candidate"
      return
    fi
  done
  die "no Java 17+ found for Elasticsearch $ES_VERSION: set ES_JAVA_HOME (Debian: apt-get install openjdk-17-jre-headless)"
}

ensure_user() {
  if ! id -u "$ES_USER" >/dev/null 2>&1; then
    log "creating system user $ES_USER"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER" ||
      die "could not create system user $ES_USER"
  fi
}

# True when the node's user can reach $1 (every folder above it is traversable).
reachable() {
  local dir="$1"
  while [[ "$dir" != / ]]; do
    if [[ -d "$dir" ]] && ! runuser -u "$ES_USER" -- test -x "$dir"; then return 1; fi
    dir="$(dirname "$dir")"
  done
}

# A checkout the node's user cannot enter: run it from a copy under /var/tmp instead.
relocate_if_unreachable() {
  local outside=/var/tmp/mimecast-crawler-es
  if ! reachable "$ES_HOME"; then
    local copy="$outside/elasticsearch-$ES_VERSION"
    if [[ ! -x "$copy/bin/elasticsearch" ]]; then
      log "$ES_USER cannot enter $ES_HOME; copying the distribution to $copy"
      mkdir -p "$outside" && chmod 755 "$outside"
      rm -rf "$copy" && cp -R "$ES_HOME" "$copy" && chmod -R a+rX "$copy"
    fi
    ES_HOME="$copy"
  fi
  if ! reachable "$DATA/data" && [[ "$NODE_DIR" == "$DATA" ]]; then
    NODE_DIR="$outside/node-$(printf '%s' "$DATA" | sha1sum | cut -c1-12)"
    log "$ES_USER cannot enter $DATA; the node keeps its files in $NODE_DIR"
    rm -rf "$NODE_DIR" # no node-dir record: a fresh $DATA, so no stale node either
    mkdir -p "$outside" "$NODE_DIR" && chmod 755 "$outside" "$NODE_DIR"
    echo "$NODE_DIR" >"$DATA/node-dir"
  fi
}

# ---- the node ------------------------------------------------------------------------------

# 0 = an Elasticsearch node answers at $1 with the product header the official client requires.
es_answers() {
  local headers
  headers="$(curl -sS -m 5 "${CURL_OPTS[@]}" -o /dev/null -D - "$1/" 2>/dev/null)" || return 1
  grep -qi '^x-elastic-product: *Elasticsearch' <<<"$headers"
}

wait_healthy() {
  local url="$1" deadline=$((SECONDS + TIMEOUT)) headers
  while ((SECONDS < deadline)); do
    if headers="$(curl -sS -m 10 "${CURL_OPTS[@]}" -o /dev/null -D - -w '%{http_code}' \
      "$url/_cluster/health?wait_for_status=yellow&timeout=5s" 2>/dev/null)"; then
      if [[ "${headers: -3}" == 200 ]]; then
        grep -qi '^x-elastic-product: *Elasticsearch' <<<"$headers" && return 0
        die "$url answers without the 'X-Elastic-Product: Elasticsearch' header; the official client would refuse it"
      fi
    fi
    if [[ -n "${STARTED_PID:-}" ]] && ! kill -0 "$STARTED_PID" 2>/dev/null; then
      show_log_tail "$LOG_FILE" 60
      die "Elasticsearch at $url exited during start-up (logs: $NODE_DIR/logs)"
    fi
    sleep 1
  done
  show_log_tail "$LOG_FILE" 60
  die "Elasticsearch did not reach yellow at $url within ${TIMEOUT}s (logs: $NODE_DIR/logs)"
}

start() {
  local pid
  if [[ "$NAME" == default && -n "${ELASTICSEARCH_URL:-}" ]]; then
    if es_answers "$ELASTICSEARCH_URL"; then
      log "using ELASTICSEARCH_URL=$ELASTICSEARCH_URL (answers as Elasticsearch; not started here)"
      wait_healthy "$ELASTICSEARCH_URL"
      echo "$ELASTICSEARCH_URL"
      return
    fi
    log "ELASTICSEARCH_URL=$ELASTICSEARCH_URL does not answer; provisioning a local node on $URL"
  fi
  mkdir -p "$DATA"
  exec 9>"$DATA/.start.lock"
  flock 9
  if pid="$(live_pid "$PID_FILE")"; then
    log "already started by this script (pid $pid) on $URL"
    STARTED_PID=$pid
    wait_healthy "$URL"
  elif port_open "$PORT"; then
    if ! es_answers "$URL"; then
      ((SECURITY)) && die "something listens on 127.0.0.1:$PORT but does not accept this data folder's CA and admin user (a secure node of another checkout?); stop it or choose another --port"
      die "something listens on 127.0.0.1:$PORT but is not Elasticsearch; choose another --port"
    fi
    log "reusing the Elasticsearch node already answering on $URL (not started here; stop will leave it alone)"
    wait_healthy "$URL"
  else
    port_open "$TRANSPORT_PORT" && die "transport port $TRANSPORT_PORT is in use; choose another --transport-port"
    install_es
    local java_home
    java_home="$(resolve_java_home)"
    local run=()
    mkdir -p "$DATA/logs"
    if [[ "$(id -u)" == 0 ]]; then
      ensure_user
      relocate_if_unreachable
      run=(runuser -u "$ES_USER" --)
    fi
    # A private copy of the config per instance: the node writes its keystore there.
    mkdir -p "$NODE_DIR/data" "$NODE_DIR/logs" "$NODE_DIR/tmp"
    [[ -d "$NODE_DIR/config" ]] || cp -R "$ES_HOME/config" "$NODE_DIR/config"
    [[ "$(id -u)" == 0 ]] && chown -R "$ES_USER:" "$NODE_DIR/data" "$NODE_DIR/logs" "$NODE_DIR/tmp" "$NODE_DIR/config"
    JAVA_HOME_FOR_ES="$java_home"
    if ((SECURITY)); then
      security_provision
      security_curl_options
    fi
    local settings=(
      -E "cluster.name=mimecast-dev-$NAME" -E "node.name=$NAME"
      -E "path.data=$NODE_DIR/data" -E "path.logs=$NODE_DIR/logs"
      -E network.host=127.0.0.1 -E "http.port=$PORT" -E "transport.port=$TRANSPORT_PORT"
      -E discovery.type=single-node
      -E cluster.routing.allocation.disk.threshold_enabled=false
    )
    # The integ-test zip ships no ingest-geoip module (the setting would be unknown and fatal);
    # a full distribution has one, and its downloader is turned off.
    [[ -d "$ES_HOME/modules/ingest-geoip" ]] && settings+=(-E ingest.geoip.downloader.enabled=false)
    # Despite its name, the 8.19 integ-test zip ships x-pack-core and x-pack-security: left on,
    # security auto-configures TLS and passwords on first start. This is a development node on
    # loopback, so security is off (the only xpack setting, and only where the module exists).
    if ((SECURITY)); then
      security_settings
    elif [[ -d "$ES_HOME/modules/x-pack-security" ]]; then
      settings+=(-E xpack.security.enabled=false)
    fi
    log "starting Elasticsearch $ES_VERSION on $URL (java $java_home, data $NODE_DIR)"
    echo "---- $(date -u +%FT%TZ) start" >>"$LOG_FILE"
    # setsid: the node outlives this script and the caller's process group; -p writes the
    # server's pid, which stop and kill use.
    rm -f "$PID_FILE"
    setsid "${run[@]}" env ES_JAVA_HOME="$java_home" ES_PATH_CONF="$NODE_DIR/config" ES_TMPDIR="$NODE_DIR/tmp" \
      ES_JAVA_OPTS="-Xms512m -Xmx512m ${ES_EXTRA_JAVA_OPTS:-}" \
      "$ES_HOME/bin/elasticsearch" -p "$NODE_DIR/tmp/elasticsearch.pid" "${settings[@]}" \
      </dev/null >>"$LOG_FILE" 2>&1 8>&- 9>&- &
    STARTED_PID=$!
    echo "$STARTED_PID" >"$PID_FILE"
    wait_healthy "$URL"
    log "Elasticsearch up on $URL (pid $STARTED_PID, logs $NODE_DIR/logs)"
  fi
  if ((SECURITY)); then
    security_start_trial
    log "security on: client settings in $SECURITY_DIR/admin.env"
  fi
  echo "$URL"
}

# The launcher (pid file) runs the server JVM as a child; the server's own pid is in tmp/.
server_pid() {
  live_pid "$NODE_DIR/tmp/elasticsearch.pid" || true
}

stop() {
  local pid spid
  if pid="$(live_pid "$PID_FILE")"; then
    spid="$(server_pid)"
    log "stopping Elasticsearch on $URL (pid $pid${spid:+, server $spid})"
    [[ -n "$spid" ]] && kill -TERM "$spid" 2>/dev/null
    stop_pid "$pid" 60
    [[ -n "$spid" ]] && stop_pid "$spid" 10
    wait_port_closed "$PORT" 15 || log "port $PORT still answers after stop"
  else
    log "no Elasticsearch started by this script for $DATA; nothing to stop"
  fi
  rm -f "$PID_FILE"
}

# Crash simulation for the fault suite: SIGKILL the server JVM and its launcher.
hard_kill() {
  local pid spid
  if pid="$(live_pid "$PID_FILE")"; then
    spid="$(server_pid)"
    log "killing (SIGKILL) Elasticsearch on $URL (pid $pid${spid:+, server $spid})"
    [[ -n "$spid" ]] && kill -KILL "$spid" 2>/dev/null
    kill -KILL "$pid" 2>/dev/null || true
    wait_port_closed "$PORT" 15 || true
  fi
  rm -f "$PID_FILE"
}

status() {
  local pid owner="not started by this script" url="$URL"
  [[ "$NAME" == default && -n "${ELASTICSEARCH_URL:-}" ]] && es_answers "$ELASTICSEARCH_URL" && url="$ELASTICSEARCH_URL"
  pid="$(live_pid "$PID_FILE")" && owner="started by this script, pid $pid"
  if es_answers "$url"; then
    echo "elasticsearch[$NAME] answering on $url ($owner): $(curl -sS -m 5 "${CURL_OPTS[@]}" "$url/_cluster/health" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p')"
  else
    echo "elasticsearch[$NAME] not answering on $url ($owner)"
    return 3
  fi
}

case "$VERB" in
  start) start ;;
  stop) stop ;;
  kill) hard_kill ;;
  status) status ;;
  wait)
    if [[ "$NAME" == default && -n "${ELASTICSEARCH_URL:-}" ]] && es_answers "$ELASTICSEARCH_URL"; then URL="$ELASTICSEARCH_URL"; fi
    wait_healthy "$URL" && echo "$URL"
    ;;
  install) install_es && echo "$ES_HOME" ;;
  useradd | roles)
    ((SECURITY)) || die "$VERB: the node in $DATA was not started with --security"
    install_es
    JAVA_HOME_FOR_ES="$(resolve_java_home)"
    [[ "$(id -u)" == 0 ]] && relocate_if_unreachable
    "security_$VERB"
    ;;
  *) die "usage: $0 start|stop|kill|status|wait|install|useradd|roles [--port P] [--transport-port T] [--data DIR] [--name NAME] [--timeout S] [--security] [--user U --password P --roles R] [--file roles.yml]" ;;
esac
