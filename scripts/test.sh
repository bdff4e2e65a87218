#!/usr/bin/env bash
# Runs the test suite: .venv/bin/python -m pytest with any arguments passed through.
# DATABASE_URL / REDIS_URL are taken from the environment when set (greenoffice.settings.test reads
# them). Env: PYTEST_WORKERS (default 2). A run that collects no tests (pytest exit code 5) is a failure, not a pass.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

[ -x .venv/bin/python ] || { echo "test: .venv missing: run scripts/setup.sh first" >&2; exit 1; }

# Two processes by default (the machines have 2 cores); whole files stay on one process so that
# module-scoped fixtures are built once. PYTEST_WORKERS=0 runs everything in this process.
workers="${PYTEST_WORKERS:-2}"
parallel=()
if [ "$workers" != "0" ]; then
    parallel=(-n "$workers" --dist loadfile)
fi

status=0
.venv/bin/python -m pytest "${parallel[@]}" "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "test: FAILED: pytest collected no tests (exit code 5)" >&2
    exit 1
fi
exit "$status"
