#!/usr/bin/env bash
# Backs up the database and the media files into one timestamped folder (`make backup`).
#
#   BACKUP_DIR/greenoffice-<UTC time>/
#       database.dump      PostgreSQL: pg_dump -Fc (custom format; restore with scripts/restore.sh)
#       database.sqlite3   SQLite (the demo): an online copy made with sqlite3's .backup
#       media.tar          MEDIA_ROOT: evidence, photos, reports (already compressed formats: no gzip)
#       manifest.json      sha256 of the files above and of every media file, exact rows per table
#       SHA256SUMS         the same file hashes for `sha256sum -c`
#
# Env: DATABASE_URL (default: the SQLite file of greenoffice/settings/base.py), MEDIA_ROOT (default
# var/media), BACKUP_DIR (default var/backups). Prints the folder's path as the last line.
#
# Consistency: on PostgreSQL the row counts are taken inside the very snapshot pg_dump dumps
# (pg_export_snapshot), so the manifest describes the dump exactly while the site keeps running. The
# media are archived after the dump: files uploaded meanwhile are extra (harmless, unreferenced); a
# draft file deleted in that window would be missing, which restore.sh's verification would report.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/backup_common.sh
source scripts/backup_common.sh

say() { printf 'backup: %s\n' "$*" >&2; }
die() { printf 'backup: ERROR: %s\n' "$*" >&2; exit 1; }

DATABASE_URL="${DATABASE_URL:-$DATABASE_URL_DEFAULT}"
MEDIA_ROOT="${MEDIA_ROOT:-$MEDIA_ROOT_DEFAULT}"
BACKUP_DIR="${BACKUP_DIR:-var/backups}"
engine="$(db_engine "$DATABASE_URL")"
[ "$engine" != unknown ] || die "DATABASE_URL $(redact_url "$DATABASE_URL") is neither PostgreSQL nor SQLite"

# Backups hold every unit's data and evidence: readable by this user only.
umask 077
mkdir -p "$BACKUP_DIR"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
final="$BACKUP_DIR/greenoffice-$stamp"
n=1
while [ -e "$final" ]; do
    n=$((n + 1))
    final="$BACKUP_DIR/greenoffice-$stamp-$n"
done
# Built under a .partial name and renamed at the end: an interrupted backup never looks complete.
work="$final.partial"
mkdir "$work"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

counts="$work/.counts.tsv"
server_version=""
if [ "$engine" = postgresql ]; then
    for tool in psql pg_dump; do
        command -v "$tool" >/dev/null || die "$tool not found (Debian: apt-get install postgresql-client)"
    done
    url="$(pg_url "$DATABASE_URL")"
    db_name="$(pg_dbname "$DATABASE_URL")"
    say "database: pg_dump -Fc of $(redact_url "$DATABASE_URL")"
    # A session that holds a repeatable-read snapshot open while pg_dump reads the same snapshot.
    coproc SNAPSHOT { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$url" 2>&1; }
    snapshot_in="${SNAPSHOT[1]}"
    snapshot_out="${SNAPSHOT[0]}"
    printf '%s\n' "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;" "SELECT pg_export_snapshot();" \
        >&"$snapshot_in"
    IFS= read -r -t 60 snapshot <&"$snapshot_out" || die "could not open a snapshot on the database"
    [[ "$snapshot" =~ ^[0-9A-F-]+$ ]] || die "could not open a snapshot on the database: $snapshot"
    pg_dump -Fc --snapshot="$snapshot" -d "$url" -f "$work/database.dump" \
        || die "pg_dump failed (pg_dump must be as new as the server: $(pg_dump --version))"
    printf '%s\n' "$PG_COUNT_SQL" "SELECT 'server_version' || E'\\t' || current_setting('server_version');" \
        "SELECT '--end--';" >&"$snapshot_in"
    : >"$counts"
    ended=0
    while IFS= read -r -t 120 line <&"$snapshot_out"; do
        if [ "$line" = "--end--" ]; then
            ended=1
            break
        fi
        case "$line" in
            server_version$'\t'*) server_version="${line#*$'\t'}" ;;
            *$'\t'*) printf '%s\n' "$line" >>"$counts" ;;
            *) die "counting rows failed: $line" ;;
        esac
    done
    [ "$ended" -eq 1 ] || die "counting rows failed (the database session ended early)"
    printf '%s\n' "COMMIT;" '\q' >&"$snapshot_in"
    wait "$SNAPSHOT_PID" 2>/dev/null || true
else
    command -v sqlite3 >/dev/null || die "sqlite3 not found (Debian: apt-get install sqlite3)"
    db_file="$(sqlite_path "$DATABASE_URL")"
    [ -f "$db_file" ] || die "SQLite database $db_file not found"
    db_file="$(realpath "$db_file")"
    db_name="$(basename "$db_file")"
    say "database: sqlite3 .backup of $db_file"
    # .backup copies a consistent state even while the site writes; counted on the copy itself.
    (cd "$work" && sqlite3 "$db_file" ".backup database.sqlite3")
    sqlite_counts "$work/database.sqlite3" >"$counts"
    server_version="$(sqlite3 --version | cut -d' ' -f1)"
fi

if [ -d "$MEDIA_ROOT" ]; then
    say "media: tar of $MEDIA_ROOT"
    status=0
    tar -C "$MEDIA_ROOT" -cf "$work/media.tar" . || status=$?
    # 1 = a file changed while it was read (an upload in progress): the archive is still usable.
    [ "$status" -le 1 ] || die "tar of $MEDIA_ROOT failed (exit $status)"
else
    say "media: $MEDIA_ROOT does not exist; archiving no files"
    tar -cf "$work/media.tar" -T /dev/null
fi

"${MANIFEST_PY[@]}" write "$work" --engine "$engine" --database-name "$db_name" \
    --server-version "$server_version" --media-root "$MEDIA_ROOT" --counts "$counts" >&2
rm -f "$counts"
(cd "$work" && sha256sum -- database.* media.tar manifest.json >SHA256SUMS)
mv "$work" "$final"
trap - EXIT
say "done: $final ($(du -sh "$final" | cut -f1))"
echo "$final"
