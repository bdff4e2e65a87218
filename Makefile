# Developer entry points. The scripts do the work; see scripts/*.sh.
#   make run               set up, load the demo city, start server + Celery worker + beat
#   make test [ARGS=...]   set up, then pytest (ARGS passed through, e.g. ARGS="-k scoring -x")
#   make test-dates        the date-sensitive suites under faketime at five days (scripts/test_dates.sh)
#   make lint              ruff
# CI_SKIP_SETUP=1 skips scripts/setup.sh (a machine already set up).

.PHONY: run test test-dates lint setup

ifeq ($(CI_SKIP_SETUP),1)
SETUP = @echo "setup: skipped (CI_SKIP_SETUP=1)"
else
SETUP = scripts/setup.sh
endif

setup:
	$(SETUP)

run:
	$(SETUP)
	.venv/bin/python manage.py seed_demo
	scripts/run.sh

test:
	$(SETUP)
	scripts/test.sh $(ARGS)

test-dates:
	$(SETUP)
	scripts/test_dates.sh $(ARGS)

lint:
	.venv/bin/ruff check .

# Backups (scripts/backup.sh, scripts/restore.sh): DATABASE_URL, MEDIA_ROOT, BACKUP_DIR from the environment.
#   make backup
#   make restore BACKUP=var/backups/greenoffice-<time> [TARGET_DATABASE_URL=...] [TARGET_MEDIA_ROOT=...] [FORCE=1]
.PHONY: backup restore

backup:
	scripts/backup.sh

restore:
	@test -n "$(BACKUP)" || { echo "restore: which backup? make restore BACKUP=var/backups/greenoffice-<time>" >&2; exit 2; }
	scripts/restore.sh "$(BACKUP)"

# Locked, hashed requirements (pip-tools) and the dependency vulnerability audit (pip-audit):
#   make lock    recompile requirements.txt and requirements-dev.txt from the .in files (same pins)
#   make audit   audit the lock files; fails on a known vulnerability, says so when it can't reach one
.PHONY: lock audit

PIP_COMPILE = .venv/bin/pip-compile --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -q

lock:
	$(PIP_COMPILE) -o requirements.txt requirements.in
	$(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in

audit:
	.venv/bin/python scripts/dependency_audit.py requirements-dev.txt
