#!/usr/bin/env bash
# Restores a folder made by scripts/backup.sh (`make restore BACKUP=var/backups/greenoffice-...`).
#
#   scripts/restore.sh [BACKUP]          or BACKUP=... in the environment
#
# Env: TARGET_DATABASE_URL (default DATABASE_URL, default the SQLite file of settings/base.py),
# TARGET_MEDIA_ROOT (default MEDIA_ROOT, default var/media), FORCE=1 to replace a target that is not
# empty, RESTORE_JOBS (pg_restore -j, default 2).
#
# Steps, each refusing before anything is written if it can't succeed:
#   1. the backup's files match its manifest (sha256): a damaged copy is never restored;
#   2. the target database is missing (it is created) or empty; a database with tables is replaced
#      (dropped and created again) only with FORCE=1; likewise a media folder with files;
#   3. pg_restore (or a copy of the SQLite file), then the media archive is unpacked;
#   4. the restored rows per table and the sha256 of every media file are compared with the manifest;
#      any difference fails the restore (exit 1).
# PostgreSQL: the restored objects belong to the user in TARGET_DATABASE_URL (--no-owner), who needs
# the CREATEDB privilege when the database does not exist yet.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/backup_common.sh
source scripts/backup_common.sh

say() { printf 'restore: %s\n' "$*" >&2; }
die() { printf 'restore: ERROR: %s\n' "$*" >&2; exit 1; }

BACKUP="${1:-${BACKUP:-}}"
[ -n "$BACKUP" ] || die "which backup? make restore BACKUP=var/backups/greenoffice-<time>"
[ -d "$BACKUP" ] || die "$BACKUP is not a folder"
TARGET_DATABASE_URL="${TARGET_DATABASE_URL:-${DATABASE_URL:-$DATABASE_URL_DEFAULT}}"
TARGET_MEDIA_ROOT="${TARGET_MEDIA_ROOT:-${MEDIA_ROOT:-$MEDIA_ROOT_DEFAULT}}"
FORCE="${FORCE:-0}"

# --- 1. the backup is whole --------------------------------------------------------------------------
source_engine="$("${MANIFEST_PY[@]}" check "$BACKUP")" || die "$BACKUP is damaged or incomplete: not restored"
say "backup $BACKUP: files match the manifest ($source_engine)"
target_engine="$(db_engine "$TARGET_DATABASE_URL")"
[ "$target_engine" = "$source_engine" ] \
    || die "the backup is of a $source_engine database; the target $(redact_url "$TARGET_DATABASE_URL") is not"

# --- 2. the targets may be written -------------------------------------------------------------------
replace_db=0
if [ "$target_engine" = postgresql ]; then
    for tool in psql pg_restore; do
        command -v "$tool" >/dev/null || die "$tool not found (Debian: apt-get install postgresql-client)"
    done
    target_url="$(pg_url "$TARGET_DATABASE_URL")"
    db_name="$(pg_dbname "$TARGET_DATABASE_URL")"
    [ -n "$db_name" ] || die "TARGET_DATABASE_URL names no database"
    maintenance_url="$(pg_maintenance_url "$TARGET_DATABASE_URL")"
    maintenance() {  # SQL on stdin, with :'db' / :"db" bound to the target's name (psql quotes it)
        psql -X -q -t -A -v ON_ERROR_STOP=1 -v db="$db_name" -d "$maintenance_url"
    }
    exists="$(echo "SELECT count(*) FROM pg_database WHERE datname = :'db';" | maintenance)" \
        || die "cannot reach the server of $(redact_url "$TARGET_DATABASE_URL")"
    if [ "$exists" = 1 ]; then
        objects="$(psql -X -q -t -A -d "$target_url" -c "SELECT count(*) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_%'")"
        if [ "$objects" != 0 ]; then
            [ "$FORCE" = 1 ] || die "database $db_name is not empty ($objects tables and sequences): not \
overwritten. Restore into a new name (TARGET_DATABASE_URL=...) or replace it with FORCE=1"
            replace_db=1
        fi
    fi
else
    command -v sqlite3 >/dev/null || die "sqlite3 not found (Debian: apt-get install sqlite3)"
    db_file="$(sqlite_path "$TARGET_DATABASE_URL")"
    [ -n "$db_file" ] || die "TARGET_DATABASE_URL names no SQLite file"
    if [ -s "$db_file" ]; then
        [ "$FORCE" = 1 ] || die "SQLite database $db_file exists: not overwritten. Restore into a new file \
(TARGET_DATABASE_URL=sqlite:////path/new.sqlite3) or replace it with FORCE=1"
        replace_db=1
    fi
fi
if [ -d "$TARGET_MEDIA_ROOT" ] && [ -n "$(find "$TARGET_MEDIA_ROOT" -mindepth 1 -type f -print -quit)" ]; then
    [ "$FORCE" = 1 ] || die "media folder $TARGET_MEDIA_ROOT has files: not overwritten. Restore into an \
empty folder (TARGET_MEDIA_ROOT=...) or unpack over it with FORCE=1"
fi

# --- 3. restore --------------------------------------------------------------------------------------
counts="$(mktemp)"
trap 'rm -f "$counts"' EXIT
if [ "$target_engine" = postgresql ]; then
    if [ "$replace_db" = 1 ]; then
        say "database: FORCE=1: dropping and creating $db_name again"
        printf '%s\n' 'DROP DATABASE :"db" WITH (FORCE);' 'CREATE DATABASE :"db";' | maintenance
    elif [ "$exists" != 1 ]; then
        say "database: creating $db_name"
        echo 'CREATE DATABASE :"db";' | maintenance
    fi
    say "database: pg_restore into $(redact_url "$TARGET_DATABASE_URL")"
    pg_restore --exit-on-error --no-owner --no-privileges -j "${RESTORE_JOBS:-2}" -d "$target_url" \
        "$BACKUP/database.dump" || die "pg_restore failed"
    pg_counts "$TARGET_DATABASE_URL" >"$counts"
else
    mkdir -p "$(dirname "$db_file")"
    say "database: copying into $db_file"
    # Copied beside the target and renamed: a reader never sees a half-written file.
    cp "$BACKUP/database.sqlite3" "$db_file.restoring"
    rm -f "$db_file-wal" "$db_file-shm" "$db_file-journal"
    mv "$db_file.restoring" "$db_file"
    sqlite_counts "$db_file" >"$counts"
fi

mkdir -p "$TARGET_MEDIA_ROOT"
say "media: unpacking into $TARGET_MEDIA_ROOT"
tar -C "$TARGET_MEDIA_ROOT" -xf "$BACKUP/media.tar" --no-same-owner

# --- 4. verify ---------------------------------------------------------------------------------------
"${MANIFEST_PY[@]}" verify "$BACKUP" --counts "$counts" --media-root "$TARGET_MEDIA_ROOT" >&2 \
    || die "the restored copy differs from the backup (see above)"
say "done"
