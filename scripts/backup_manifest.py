"""The manifest of a backup folder (scripts/backup.sh writes it, scripts/restore.sh checks against it).

Standard library only: it runs with whatever Python is on the machine, before or without Django.

    backup_manifest.py write  FOLDER --engine E --database-name N --media-root M --counts COUNTS.tsv
    backup_manifest.py check  FOLDER                       the files are those the manifest lists
    backup_manifest.py verify FOLDER --counts COUNTS.tsv --media-root M
                                                           a restored copy has the same rows and files

COUNTS.tsv holds "table<TAB>rows" lines. The media hashes are taken from the archive itself, not from
MEDIA_ROOT, so the manifest describes exactly what the backup holds.
"""
import argparse
import datetime
import hashlib
import json
import socket
import sys
import tarfile
from pathlib import Path

MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 1 << 20


def sha256_of(stream) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def file_entry(path: Path) -> dict:
    with path.open("rb") as stream:
        return {"sha256": sha256_of(stream), "size": path.stat().st_size}


def read_counts(path: Path) -> dict[str, int]:
    counts = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            table, rows = line.rsplit("\t", 1)
            counts[table] = int(rows)
    return dict(sorted(counts.items()))


def media_entries(archive: Path) -> dict[str, dict]:
    entries = {}
    with tarfile.open(archive) as tar:
        for member in tar:
            if not member.isfile():
                continue
            name = member.name.removeprefix("./")
            entries[name] = {"sha256": sha256_of(tar.extractfile(member)), "size": member.size}
    return dict(sorted(entries.items()))


def write(args) -> int:
    folder = Path(args.folder)
    database_file = "database.dump" if args.engine == "postgresql" else "database.sqlite3"
    manifest = {
        "format": FORMAT,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "database": {"engine": args.engine, "name": args.database_name, "file": database_file,
                     "server_version": args.server_version},
        "media": {"root": args.media_root, "file": "media.tar", "files": media_entries(folder / "media.tar")},
        "files": {name: file_entry(folder / name) for name in (database_file, "media.tar")},
        "tables": read_counts(Path(args.counts)),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    rows = sum(manifest["tables"].values())
    print(f"manifest: {len(manifest['tables'])} tables, {rows} rows, {len(manifest['media']['files'])} media files")
    return 0


def load(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise SystemExit(f"{folder} has no {MANIFEST}: not a backup made by scripts/backup.sh")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise SystemExit(f"{path}: unknown manifest format {manifest.get('format')!r}")
    return manifest


def check(args) -> int:
    """Refuse a damaged or incomplete backup before anything is restored from it."""
    folder = Path(args.folder)
    manifest = load(folder)
    problems = []
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif file_entry(path) != expected:
            problems.append(f"{name}: sha256 or size differs from the manifest (damaged copy?)")
    for problem in problems:
        print(f"check: {problem}", file=sys.stderr)
    if problems:
        return 1
    # The engine decides how restore.sh proceeds; printed for the shell to read.
    print(manifest["database"]["engine"])
    return 0


def verify(args) -> int:
    """Compare a restored database (its counts) and media folder with the manifest."""
    manifest = load(Path(args.folder))
    problems = []
    expected_rows, actual_rows = manifest["tables"], read_counts(Path(args.counts))
    for table in sorted(set(expected_rows) | set(actual_rows)):
        want, got = expected_rows.get(table), actual_rows.get(table)
        if want != got:
            problems.append(f"table {table}: {got} rows, the backup had {want}")
    media_root = Path(args.media_root)
    for name, expected in manifest["media"]["files"].items():
        path = media_root / name
        if not path.is_file():
            problems.append(f"media {name}: missing")
        elif file_entry(path)["sha256"] != expected["sha256"]:
            problems.append(f"media {name}: sha256 differs")
    for problem in problems[:50]:
        print(f"verify: {problem}", file=sys.stderr)
    if problems:
        print(f"verify: FAILED ({len(problems)} differences)", file=sys.stderr)
        return 1
    print(f"verify: {len(expected_rows)} tables with {sum(expected_rows.values())} rows and "
          f"{len(manifest['media']['files'])} media files match the backup")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("write")
    p.add_argument("folder")
    p.add_argument("--engine", choices=("postgresql", "sqlite"), required=True)
    p.add_argument("--database-name", required=True)
    p.add_argument("--server-version", default="")
    p.add_argument("--media-root", required=True)
    p.add_argument("--counts", required=True)
    p.set_defaults(run=write)
    p = commands.add_parser("check")
    p.add_argument("folder")
    p.set_defaults(run=check)
    p = commands.add_parser("verify")
    p.add_argument("folder")
    p.add_argument("--counts", required=True)
    p.add_argument("--media-root", required=True)
    p.set_defaults(run=verify)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
