#!/usr/bin/env bash
# The whole test suite against real servers: starts the local stack (installing
# what is missing), then runs pytest once. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
eval "$(bash scripts/stack.sh up)"
bash scripts/stack.sh browser >&2
npm ci --prefix tests/e2e/axe --no-audit --no-fund --loglevel=error >&2  # axe-core (accessibility tests)
echo "[test] stack ready in $(( $(date +%s) - started ))s" >&2
export DATABASE_URL MONGO_URL REDIS_URL KAFKA_BOOTSTRAP
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
echo "[test] finished in $(( $(date +%s) - started ))s (pytest exit $status)" >&2
exit $status
