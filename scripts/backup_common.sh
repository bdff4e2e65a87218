# Shared by scripts/backup.sh and scripts/restore.sh (sourced, not run): database URLs and row counts.
# shellcheck shell=bash disable=SC2034  # the variables are used by the scripts that source this file

# The same defaults as greenoffice/settings/base.py when the environment sets nothing.
VAR_DIR_DEFAULT="${GREENOFFICE_VAR_DIR:-var}"
DATABASE_URL_DEFAULT="sqlite:///${VAR_DIR_DEFAULT}/greenoffice.sqlite3"
MEDIA_ROOT_DEFAULT="${VAR_DIR_DEFAULT}/media"

# Python for the manifest (standard library only): the project's own if there is one.
if [ -x .venv/bin/python ]; then
    MANIFEST_PY=(.venv/bin/python scripts/backup_manifest.py)
else
    MANIFEST_PY=(python3 scripts/backup_manifest.py)
fi

# Exact row counts of every table, "table<TAB>rows", one statement so that it can run inside the
# snapshot the dump was taken from (query_to_xml runs a count per table without a function).
PG_COUNT_SQL="SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END
    || E'\\t' || (xpath('/row/n/text()', query_to_xml(
        format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
 ORDER BY 1;"

db_engine() {
    case "$1" in
        postgres://* | postgresql://* | pgsql://* | postgis://*) echo postgresql ;;
        sqlite://*) echo sqlite ;;
        *) echo unknown ;;
    esac
}

# libpq understands postgres:// and postgresql:// only; dj-database-url also accepts pgsql:// and postgis://.
pg_url() {
    echo "postgresql://${1#*://}"
}

_pg_split() {  # sets _authority, _path, _query from a URL
    local rest="${1#*://}"
    _query=""
    if [[ "$rest" == *\?* ]]; then
        _query="?${rest#*\?}"
        rest="${rest%%\?*}"
    fi
    _authority="${rest%%/*}"
    _path=""
    [[ "$rest" == */* ]] && _path="${rest#*/}"
}

pg_dbname() {
    _pg_split "$1"
    # Percent-decoding, as libpq does for the database part of a URL.
    printf '%b' "${_path//%/\\x}"
}

# The same server and credentials, connected to the maintenance database (to create/drop the target).
pg_maintenance_url() {
    _pg_split "$1"
    echo "postgresql://${_authority}/postgres${_query}"
}

# For messages and the manifest: never print a password.
redact_url() {
    echo "$1" | sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#'
}

# dj-database-url: sqlite:////abs/path is absolute, sqlite:///rel/path is relative to the project.
sqlite_path() {
    local path="${1#sqlite://}"
    echo "${path#/}"
}

pg_counts() {  # URL
    psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$(pg_url "$1")" -c "$PG_COUNT_SQL"
}

sqlite_counts() {  # FILE
    local table
    sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
                  ORDER BY name" |
        while IFS= read -r table; do
            printf '%s\t%s\n' "$table" "$(sqlite3 "$1" "SELECT count(*) FROM \"${table//\"/\"\"}\"")"
        done
}
