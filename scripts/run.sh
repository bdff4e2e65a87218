#!/usr/bin/env bash
# Runs the development stack: Django dev server, Celery worker and Celery beat.
# The server logs to this terminal; worker and beat log to var/log/. Ctrl-C stops all three, and so
# does any one of them exiting. Expects scripts/setup.sh to have run (`make run` does that).
# Env: PORT (default 8000).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-8000}"
# The demo runs as users see it: DEBUG off, so a wrong URL shows the application's Chinese 404 page
# (not Django's technical page with the URL map); WhiteNoise serves static/ (settings/local.py).
# DJANGO_DEBUG=1 make run brings Django's debug pages back for development.
export DJANGO_DEBUG="${DJANGO_DEBUG:-0}"
[ -x .venv/bin/python ] || { echo "run: .venv missing: run scripts/setup.sh first" >&2; exit 1; }
mkdir -p var/log

pids=()
stopping=0
# shellcheck disable=SC2317  # called from the traps
stop_all() {
    [ "$stopping" -eq 1 ] && return
    stopping=1
    trap - INT TERM
    echo
    echo "run: stopping server, worker and beat"
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    # Give the worker time for a warm shutdown, then make sure nothing is left behind.
    for _ in $(seq 20); do
        alive=0
        for pid in "${pids[@]}"; do
            kill -0 "$pid" 2>/dev/null && alive=1
        done
        [ "$alive" -eq 0 ] && break
        sleep 0.5
    done
    for pid in "${pids[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    echo "run: stopped"
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

echo "run: celery worker (queues celery,reports) -> var/log/celery-worker.log"
.venv/bin/celery -A greenoffice worker -Q celery,reports --concurrency 2 --loglevel INFO \
    >>var/log/celery-worker.log 2>&1 &
pids+=("$!")

echo "run: celery beat -> var/log/celery-beat.log"
.venv/bin/celery -A greenoffice beat --loglevel INFO --schedule var/celerybeat-schedule \
    >>var/log/celery-beat.log 2>&1 &
pids+=("$!")

echo "run: django dev server on 0.0.0.0:${PORT}"
.venv/bin/python manage.py runserver "0.0.0.0:${PORT}" &
pids+=("$!")

echo
echo "  Green Office is at  http://127.0.0.1:${PORT}/"
echo "  Demo log-ins were printed above by seed_demo (python manage.py seed_demo prints them again)."
echo "  Ctrl-C stops the server, the worker and beat."
echo

# Return as soon as any of the three exits (a crash, or the port taken), then stop the others.
set +e
wait -n
status=$?
set -e
echo "run: a process exited (status $status)"
exit "$status"
