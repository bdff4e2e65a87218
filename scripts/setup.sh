#!/usr/bin/env bash
# Brings a Debian machine (developer or CI) to the state the project needs; safe to run again.
#   system packages (as root, only those missing) -> .venv -> pip install (only when the
#   requirements changed) -> compilemessages -> migrate
# Env: PYTHON (interpreter for a new .venv, default python3).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup [%ss]: %s\n' "$SECONDS" "$*"; }
# Long steps show their progress: one line per package set up or collected, not minutes of silence.
progress() { grep --line-buffered -E "$1" | sed -u "s/^/setup [..]:   /" || true; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

# WeasyPrint needs pango/harfbuzz; without libharfbuzz-subset0 a Chinese PDF costs ~9 s instead of
# ~0.3 s (docs/stack-facts.md). fonts-noto-cjk is the CJK font the reports embed; chromium drives the
# browser tests (Playwright cannot download its own browser here); poppler-utils checks the PDFs.
SYSTEM_PACKAGES=(
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libjpeg62-turbo libopenjp2-7 libffi-dev
    fonts-noto-cjk poppler-utils gettext libmagic1 chromium faketime
)

is_installed() {
    dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}

# --- system packages ---------------------------------------------------------------------------
if command -v dpkg >/dev/null 2>&1; then
    missing=()
    for pkg in "${SYSTEM_PACKAGES[@]}"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        say "system packages: all present"
    elif [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "system packages: installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        say "system packages: apt-get update"
        apt-get update -qq
        say "system packages: downloading and installing (a few minutes the first time)"
        apt_log="${TMPDIR:-/tmp}/greenoffice-setup-apt.log"
        apt-get install -y --no-install-recommends -o Dpkg::Progress-Fancy=0 "${missing[@]}" 2>&1 \
            | tee "$apt_log" | progress '^Setting up ' \
            || die "apt-get install failed: its output is in $apt_log"
        for pkg in "${missing[@]}"; do
            is_installed "$pkg" || die "apt-get did not install $pkg"
        done
        say "system packages: installed"
    else
        say "system packages: MISSING ${missing[*]} (not root: install them with"
        say "  sudo apt-get install ${missing[*]}); continuing"
    fi
else
    say "system packages: no dpkg here, not checked (needs: ${SYSTEM_PACKAGES[*]})"
fi

# --- Python virtual environment ------------------------------------------------------------------
PYTHON="${PYTHON:-python3}"
check_python() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null
}

if [ ! -x .venv/bin/python ]; then
    command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found; Python >= 3.11 is required (set PYTHON=...)"
    check_python "$PYTHON" || die "$PYTHON is $("$PYTHON" -V 2>&1); Python >= 3.11 is required (set PYTHON=...)"
    say "venv: creating .venv with $("$PYTHON" -V 2>&1)"
    "$PYTHON" -m venv .venv
else
    check_python .venv/bin/python \
        || die ".venv has $(.venv/bin/python -V 2>&1); Python >= 3.11 is required: remove .venv and re-run"
    say "venv: .venv present ($(.venv/bin/python -V 2>&1))"
fi

# Reinstall only when a requirements file (or the interpreter) changed since the last install.
req_hash="$( { cat requirements*.txt; .venv/bin/python -V 2>&1; } | sha256sum | cut -d' ' -f1)"
if [ "$(cat .venv/.req-hash 2>/dev/null || true)" != "$req_hash" ]; then
    say "pip: installing requirements-dev.txt (a few minutes the first time)"
    # Every package, direct and transitive, is pinned with its hashes (make lock). pipefail: pip's own
    # failure still stops the set-up; the filter only thins its output.
    pip_log="${TMPDIR:-/tmp}/greenoffice-setup-pip.log"
    .venv/bin/python -m pip install --progress-bar off --disable-pip-version-check --require-hashes \
        -r requirements-dev.txt 2>&1 \
        | tee "$pip_log" | progress '^(Collecting|Successfully installed)' \
        || die "pip install failed: its output is in $pip_log"
    printf '%s\n' "$req_hash" > .venv/.req-hash
else
    say "pip: requirements unchanged, skipped"
fi

# --- Django ------------------------------------------------------------------------------------------
mkdir -p var/log

if [ -d locale ]; then
    say "django: compilemessages"
    .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=node_modules >/dev/null
fi

say "django: migrate"
.venv/bin/python manage.py migrate --noinput
say "done"
