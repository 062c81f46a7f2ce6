#!/usr/bin/env bash
# The README's test command (`npm test`): installs dependencies if missing, brings up the Temporal
# dev server and Elasticsearch (reusing servers that already answer), then runs the unit and
# integration tiers. Extra arguments go to jest. Servers it started are left running for the next
# run; `bash scripts/services.sh down` stops them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ -d node_modules ]] || npm ci --no-audit --no-fund
bash scripts/services.sh up
exec npx jest --selectProjects unit integration "$@"
