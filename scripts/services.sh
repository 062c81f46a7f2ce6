#!/usr/bin/env bash
# Starts or stops the default Temporal dev server and Elasticsearch node (used by .ci/run and the demo).
# Usage: scripts/services.sh up|down|status   (up reuses servers that already answer; down stops
# only what the scripts started)
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case "${1:-}" in
  up)
    # Elasticsearch takes longest to boot: start it in the background while Temporal comes up.
    bash "$DIR/elasticsearch.sh" start >/dev/null &
    es=$!
    bash "$DIR/temporal.sh" start >/dev/null
    wait "$es"
    bash "$DIR/temporal.sh" status
    bash "$DIR/elasticsearch.sh" status
    ;;
  down)
    bash "$DIR/temporal.sh" stop
    bash "$DIR/elasticsearch.sh" stop
    ;;
  status)
    rc=0
    bash "$DIR/temporal.sh" status || rc=$?
    bash "$DIR/elasticsearch.sh" status || rc=$?
    exit "$rc"
    ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 1
    ;;
esac
