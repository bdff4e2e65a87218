"""Fixtures of the fault drills and the backup test: the shipped rubric imported through the rubric
service, a current campaign with unit_a enrolled, a self-assessment answered through the services (with
evidence files), helpers to reach PostgreSQL from outside Django's connection, and a switch that points
the Celery app at another broker."""
import contextlib
import io
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from assessment.models import Enrolment, Method, RubricItem
from assessment.rubric_schema import DEFAULT_RUBRIC_PATH
from assessment.services.campaign import campaign_create, campaign_enrol_units
from assessment.services.rubric import rubric_import, rubric_publish
from assessment.services.self_assessment import response_save, self_assessment_start
from greenoffice.celery import app

# A port nothing listens on: connecting is refused at once, like a stopped Redis.
DEAD_BROKER_URL = "redis://127.0.0.1:6390/0"

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def png_bytes(color=(0, 128, 0)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), color).save(buffer, format="PNG")
    return buffer.getvalue()


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def postgres_url(dbname: str | None = None) -> str:
    """A libpq URL of the test database (or another database on the same server)."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    name = dbname or db["NAME"]
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(name)}"


def postgres_connect(dbname: str | None = None):
    """A second connection, outside Django's: autocommit, for killing backends and counting rows."""
    import psycopg2

    db = connection.settings_dict
    raw = psycopg2.connect(dbname=dbname or db["NAME"], user=db["USER"] or None, password=db["PASSWORD"] or None,
                           host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432)
    raw.autocommit = True
    return raw


def backend_pid() -> int:
    """The server process behind Django's connection in this thread (no query: libpq knows it)."""
    connection.ensure_connection()
    raw = connection.connection
    return raw.info.backend_pid if hasattr(raw, "info") else raw.get_backend_pid()


def terminate_backend(pid: int) -> None:
    """What an administrator's pg_terminate_backend, a failover or an idle-session killer does; the
    5 s timeout makes the call wait until the process is really gone."""
    with contextlib.closing(postgres_connect()) as killer, killer.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
        assert cursor.fetchone()[0] is True, f"backend {pid} was not terminated"


def _drop_broker_pools():
    # Celery keeps a connection pool (app._pool) and a producer pool (app.amqp._producer_pool) made
    # for the broker URL of their first use; both must go for another URL to take effect. Dropped, not
    # closed: kombu's registry keeps one pool per URL and hands the same one out again next time.
    # (app.close() is no substitute: it keeps the producer pool and deregisters the app.)
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def broker_at(url: str):
    """Send every task of this process to `url`, for real (task_always_eager off), then restore.
    The transport options (socket timeouts) stay those of the settings.

    broker_write_url, not broker_url: Celery reads broker_url from the CELERY_BROKER_URL environment
    variable first (CI sets it), and every send connects through broker_write_url."""
    saved = app.conf.get("broker_write_url"), app.conf.task_always_eager
    _drop_broker_pools()
    app.conf.broker_write_url = url
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        _drop_broker_pools()
        app.conf.broker_write_url, app.conf.task_always_eager = saved


@pytest.fixture
def rubric(db):
    version = rubric_import(actor=None, text=DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8"))
    return rubric_publish(actor=None, rubric=version)


@pytest.fixture
def campaign(rubric):
    return campaign_create(actor=None, year=timezone.localdate().year, rubric=rubric, is_current=True,
                           target_certified_count=50)


@pytest.fixture
def enrolment_a(campaign, unit_a):
    campaign_enrol_units(actor=None, campaign=campaign, units=[unit_a])
    return Enrolment.objects.select_related("unit", "campaign__rubric").get(campaign=campaign, unit=unit_a)


def answer_all(enrolment, director, *, evidence: bool = False):
    """Every self-scored item answered through response_save (full marks, or the top tier for items
    without standard deductions); with `evidence`, a PDF and a PNG on the first items."""
    assessment = self_assessment_start(actor=director, enrolment=enrolment)
    items = RubricItem.objects.filter(rubric=enrolment.campaign.rubric).exclude(method=Method.ONSITE).order_by("order")
    for index, item in enumerate(items):
        files = []
        if evidence and index == 0:
            files = [SimpleUploadedFile("领导小组成立文件.pdf", PDF_BYTES, content_type="application/pdf"),
                     SimpleUploadedFile("现场照片.png", png_bytes(), content_type="image/png")]
        elif evidence and index == 1:
            files = [SimpleUploadedFile("制度汇编.png", png_bytes((200, 30, 30)), content_type="image/png")]
        if item.deductions.exists():
            response_save(actor=director, assessment=assessment, item=item, full_marks=True, uploaded_files=files,
                          explanation="已按要求落实")
        else:
            response_save(actor=director, assessment=assessment, item=item, self_score=item.points,
                          uploaded_files=files)
    assessment.refresh_from_db()
    return assessment
