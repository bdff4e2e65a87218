#!/usr/bin/env bash
# HTTP load test: gunicorn (2 sync workers, production settings) on loopback and locust headless with
# the mixed scenario of scripts/locustfile.py (directors, inspectors, leaders). Log-ins are excluded:
# the sessions are minted beforehand (manage.py bench --sessions-out). Prints throughput, p50/p95/p99
# and errors, and the machine's load average before and after (the machine may be shared).
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/greenoffice_scale scripts/load_test.sh
#
# Env: DATABASE_URL (required: a database filled by generate_scale_data), USERS (default 90),
# SPAWN_RATE (default 30/s), RUN_TIME (default 60s), PORT (default 8765), WORKERS (default 2).
# Traffic goes to 127.0.0.1 only; locust stops by itself after RUN_TIME.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?set DATABASE_URL to the benchmark database (generate_scale_data)}"
USERS="${USERS:-90}"
SPAWN_RATE="${SPAWN_RATE:-30}"
RUN_TIME="${RUN_TIME:-60s}"
PORT="${PORT:-8765}"
WORKERS="${WORKERS:-2}"
OUT="var/load-test"
mkdir -p "$OUT"

export DATABASE_URL
export DJANGO_SETTINGS_MODULE=greenoffice.settings.production
# A throw-away key for this run: the sessions are minted and served with the same one.
DJANGO_SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost"
# The production settings fail closed: Redis, the site address and the e-mail choice must be given.
: "${REDIS_URL:?set REDIS_URL to a Redis database for the broker and cache}"
export REDIS_URL
export GREENOFFICE_SITE_URL="${GREENOFFICE_SITE_URL:-https://127.0.0.1}"
export GREENOFFICE_EMAIL_DISABLED=1
export DJANGO_STATIC_ROOT="$PWD/$OUT/static"
export DJANGO_LOG_LEVEL=WARNING

echo "load: collectstatic (production uses the manifest storage)"
.venv/bin/python manage.py collectstatic --noinput -v0

echo "load: minting sessions (log-ins are not part of the figures)"
.venv/bin/python manage.py bench --sessions-out "$OUT/sessions.json" --per-role 20

echo "load: gunicorn, $WORKERS workers on 127.0.0.1:$PORT"
.venv/bin/gunicorn greenoffice.wsgi:application --workers "$WORKERS" --bind "127.0.0.1:$PORT" \
    --log-level warning --error-logfile "$OUT/gunicorn.log" &
gunicorn_pid=$!
# shellcheck disable=SC2317  # called from the trap
stop() { kill -TERM "$gunicorn_pid" 2>/dev/null || true; wait "$gunicorn_pid" 2>/dev/null || true; }
trap stop EXIT
for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
    sleep 0.2
done

echo "load: before: $(uptime)"
LOAD_SESSIONS="$OUT/sessions.json" .venv/bin/locust -f scripts/locustfile.py --headless \
    --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$RUN_TIME" --stop-timeout 5 \
    --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" --only-summary 2>&1 | tee "$OUT/locust.log"
echo "load: after: $(uptime)"
echo "load: per-page figures in $OUT/locust_stats.csv"
