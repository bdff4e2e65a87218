"""Backup drill: data made through the services is backed up with scripts/backup.sh, restored with
scripts/restore.sh into a fresh database and media folder, and the copy has the same rows in every table
and the same bytes in every media file. Also: restore refuses a non-empty target and a damaged backup.

PostgreSQL only (pg_dump / pg_restore); the test data is committed (transactional test) so that the
pg_dump process, which has its own connection, sees it."""
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from assessment.models import Enrolment, Evidence
from assessment.services.campaign import campaign_enrol_units
from assessment.services.self_assessment import assessment_return, assessment_submit
from tests.drills.conftest import answer_all, is_postgres, postgres_connect, postgres_url
from tests.factories import UserFactory
from units.credit_code import credit_code_complete
from units.models import Role
from units.services import district_create, membership_add, person_create, unit_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SCRIPTS = Path(settings.BASE_DIR) / "scripts"


@pytest.fixture
def postgres_tools():
    if not is_postgres():
        pytest.skip("the backup drill needs PostgreSQL (pg_dump/pg_restore): run with "
                    "DATABASE_URL=postgres://postgres@127.0.0.1:5432/greenoffice, as CI does")
    missing = [tool for tool in ("pg_dump", "pg_restore", "psql") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"PostgreSQL client tools missing: {', '.join(missing)} (apt-get install postgresql-client)")


@pytest.fixture
def restore_db_name():
    """A fresh database name on the test server, dropped afterwards whatever happened."""
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"[:63]
    yield name
    with contextlib.closing(postgres_connect("postgres")) as admin, admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(script: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPTS / script)], env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=120, check=False)


def table_counts(dbname: str | None = None) -> dict[str, int]:
    with contextlib.closing(postgres_connect(dbname)) as raw, raw.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables "
                       "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def file_hashes(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*")) if path.is_file()
    }


@pytest.fixture
def campaign_data(admin_user, enrolment_a, director_a, inspector_a):
    """Units, people, the imported rubric, a campaign and two self-assessments with evidence files (one
    submitted and returned by an inspector), all through the services."""
    district = district_create(actor=admin_user, code="DR", name="演练区", kind="county")
    unit = unit_create(actor=admin_user, code="DR001", name="演练区机关事务中心", category=enrolment_a.unit.category,
                       credit_code=credit_code_complete("11330100MB0000001"), district=district, headcount=40,
                       floor_area=1200)
    director = UserFactory(username="director_drill", role=Role.DIRECTOR)
    membership_add(actor=admin_user, user=director, unit=unit, position="办公室主任")
    person_create(actor=admin_user, unit=unit, name="王五", position="办公室", is_leadership_group=True)
    campaign_enrol_units(actor=admin_user, campaign=enrolment_a.campaign, units=[unit])
    enrolment = Enrolment.objects.select_related("campaign__rubric").get(campaign=enrolment_a.campaign, unit=unit)
    answer_all(enrolment, director, evidence=True)
    assessment = answer_all(enrolment_a, director_a, evidence=True)
    assessment_submit(actor=director_a, assessment=assessment)
    assessment_return(actor=inspector_a, assessment=assessment, comment="请补充领导小组成立文件")
    assert Evidence.objects.count() == 6


def test_backup_restore_gives_same_rows_and_media_hashes(postgres_tools, campaign_data, restore_db_name, tmp_path):
    media_root = Path(settings.MEDIA_ROOT)
    source_counts = table_counts()
    source_files = file_hashes(media_root)
    assert source_counts["assessment_rubricitem"] == 27 and source_counts["units_unit"] == 2
    assert len(source_files) >= 3  # content-addressed: the same PNG in two assessments is stored per assessment

    backup = run("backup.sh", DATABASE_URL=postgres_url(), MEDIA_ROOT=str(media_root),
                 BACKUP_DIR=str(tmp_path / "backups"))
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in folder.iterdir()) == ["SHA256SUMS", "database.dump", "manifest.json", "media.tar"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"] == source_counts
    assert {name: entry["sha256"] for name, entry in manifest["media"]["files"].items()} == source_files

    restored_media = tmp_path / "restored-media"
    restore = run("restore.sh", BACKUP=str(folder), TARGET_DATABASE_URL=postgres_url(restore_db_name),
                  TARGET_MEDIA_ROOT=str(restored_media))
    assert restore.returncode == 0, restore.stderr
    assert "match the backup" in restore.stderr

    # Checked here independently of the script's own verification.
    assert table_counts(restore_db_name) == source_counts
    assert file_hashes(restored_media) == source_files
    with contextlib.closing(postgres_connect(restore_db_name)) as raw, raw.cursor() as cursor:
        cursor.execute(f'SELECT file, sha256 FROM "{Evidence._meta.db_table}"')
        rows = cursor.fetchall()
    assert len(rows) == 6
    for name, sha256 in rows:
        assert hashlib.sha256((restored_media / name).read_bytes()).hexdigest() == sha256

    # A second restore into the now non-empty database is refused, and changes nothing.
    again = run("restore.sh", BACKUP=str(folder), TARGET_DATABASE_URL=postgres_url(restore_db_name),
                TARGET_MEDIA_ROOT=str(tmp_path / "other-media"))
    assert again.returncode != 0
    assert "is not empty" in again.stderr and "FORCE=1" in again.stderr
    assert table_counts(restore_db_name) == source_counts
    assert not (tmp_path / "other-media").exists()


def test_restore_refuses_a_damaged_backup(postgres_tools, campaign_data, restore_db_name, tmp_path):
    backup = run("backup.sh", DATABASE_URL=postgres_url(), MEDIA_ROOT=str(settings.MEDIA_ROOT),
                 BACKUP_DIR=str(tmp_path / "backups"))
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip().splitlines()[-1])
    with (folder / "database.dump").open("r+b") as dump:
        dump.seek(100)
        byte = dump.read(1)
        dump.seek(100)
        dump.write(bytes([byte[0] ^ 0xFF]))

    restore = run("restore.sh", BACKUP=str(folder), TARGET_DATABASE_URL=postgres_url(restore_db_name),
                  TARGET_MEDIA_ROOT=str(tmp_path / "restored-media"))
    assert restore.returncode != 0
    assert "database.dump: sha256 or size differs" in restore.stderr and "not restored" in restore.stderr
    with contextlib.closing(postgres_connect("postgres")) as admin, admin.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [restore_db_name])
        assert cursor.fetchone()[0] == 0
    assert not (tmp_path / "restored-media").exists()
