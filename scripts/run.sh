#!/usr/bin/env bash
# `make run`: the app on its embedded defaults (SQLite, embedded Redis and
# document store in instance/, events relayed straight to RQ). Starts the
# worker and the relay in the background and the web server in front;
# Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-5000}
BIN=.venv/bin
export FLASK_APP=wsgi.py
[ -f .env ] && set -a && . ./.env && set +a
mkdir -p instance/logs
$BIN/flask db upgrade
if $BIN/flask --help 2>/dev/null | grep -q "^  seed"; then
  $BIN/flask seed --scale demo
fi
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
$BIN/python -m workers.worker >>instance/logs/worker.log 2>&1 & pids+=($!)
$BIN/python -m workers.relay >>instance/logs/relay.log 2>&1 & pids+=($!)
echo
echo "  Kayak is running at http://127.0.0.1:${PORT}/   (readiness: http://127.0.0.1:${PORT}/readyz)"
echo "  Worker and relay logs: instance/logs/. Press Ctrl-C to stop."
echo
$BIN/gunicorn --bind "127.0.0.1:${PORT}" --workers 2 --threads 4 --access-logfile - wsgi:app
