import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from greenoffice.celery import app
from tests.production_env import REQUIRED, production_env

ROOT = Path(__file__).resolve().parents[2]


def test_settings_language_and_timezone_are_chinese():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]


def _load_production(env: dict) -> subprocess.CompletedProcess:
    code = "import greenoffice.settings.production as s; print(s.EMAIL_BACKEND)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.mark.parametrize("name", REQUIRED)
def test_production_settings_refuse_to_start_without_each_required_variable(tmp_path, name):
    result = _load_production(production_env(tmp_path, **{name: None}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert name in last_line, last_line


@pytest.mark.parametrize("name, value", [
    ("DJANGO_SECRET_KEY", "short"),
    ("DATABASE_URL", "sqlite:///var/greenoffice.sqlite3"),
    ("REDIS_URL", "filesystem://"),
    ("GREENOFFICE_SITE_URL", "/relative"),
    ("GREENOFFICE_SITE_URL", "http://lvse.example.gov.cn"),
    ("DJANGO_DEFAULT_FROM_EMAIL", "greenoffice@localhost"),
])
def test_production_settings_refuse_unsuitable_values(tmp_path, name, value):
    result = _load_production(production_env(tmp_path, **{name: value}))
    assert result.returncode != 0
    assert name in result.stderr.strip().splitlines()[-1]


def test_production_settings_refuse_a_non_redis_cache_or_broker_named_separately(tmp_path):
    result = _load_production(production_env(tmp_path, REDIS_URL=None, CELERY_BROKER_URL="redis://r:6379/1"))
    assert result.returncode != 0 and "CACHE_URL" in result.stderr.strip().splitlines()[-1]
    result = _load_production(production_env(tmp_path, REDIS_URL=None, CACHE_URL="redis://r:6379/2"))
    assert result.returncode != 0 and "CELERY_BROKER_URL" in result.stderr.strip().splitlines()[-1]
    result = _load_production(production_env(tmp_path, REDIS_URL=None, CACHE_URL="redis://r:6379/2",
                                             CELERY_BROKER_URL="redis://r:6379/1"))
    assert result.returncode == 0, result.stderr


def test_production_settings_start_with_everything_and_send_mail_by_smtp(tmp_path):
    result = _load_production(production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"


def test_production_settings_accept_the_explicit_choice_of_no_email(tmp_path):
    env = production_env(tmp_path, DJANGO_EMAIL_HOST=None, DJANGO_DEFAULT_FROM_EMAIL=None,
                         GREENOFFICE_EMAIL_DISABLED="1")
    result = _load_production(env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.mail.backends.dummy.EmailBackend"


def test_production_settings_read_smtp_site_url_and_evaluation_limits_from_the_environment(tmp_path):
    code = ("import json, greenoffice.settings.production as s; print(json.dumps([s.EMAIL_HOST, s.EMAIL_PORT,"
            " s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.GREENOFFICE_SITE_URL,"
            " s.EVALUATION_MIN_ANSWERS, s.EVALUATION_SUBMIT_LIMIT, s.EVALUATION_OPEN_PER_ADDRESS,"
            " s.GREENOFFICE_TRUSTED_PROXIES]))")
    env = production_env(tmp_path, DJANGO_EMAIL_PORT="587", DJANGO_EMAIL_HOST_USER="lvse",
                         DJANGO_EMAIL_HOST_PASSWORD="pw", DJANGO_EMAIL_USE_TLS="1", EVALUATION_MIN_ANSWERS="30",
                         EVALUATION_SUBMIT_LIMIT="7", EVALUATION_OPEN_PER_ADDRESS="2",
                         GREENOFFICE_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["smtp.example.gov.cn", 587, "lvse", "pw", True,
                                         "https://lvse.example.gov.cn", 30, 7, 2, ["127.0.0.1", "10.0.0.0/8"]]


def test_local_settings_default_to_sqlite_and_embedded_broker(tmp_path):
    code = (
        "import greenoffice.settings.local as s;"
        "print(s.DATABASES['default']['ENGINE']);print(s.CELERY_BROKER_URL);"
        "print(s.CELERY_BROKER_TRANSPORT_OPTIONS['control_folder'])"
    )
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"} and not k.startswith("DJANGO_")}
    env["GREENOFFICE_VAR_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    engine, broker, control = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem://"
    assert (tmp_path / "broker" / "out").is_dir()
    # kombu's exchange tables go under var/, not into ./control of whatever directory a worker runs in.
    assert control == str(tmp_path / "broker" / "control")


def test_broker_control_folder_is_not_in_the_repository():
    tracked = subprocess.run(["git", "ls-files", "control"], cwd=ROOT, capture_output=True, text=True).stdout
    assert tracked == ""
    ignored = subprocess.run(["git", "check-ignore", "-q", "control/celery.exchange"], cwd=ROOT)
    assert ignored.returncode == 0


def test_celery_worker_children_have_a_memory_cap(tmp_path):
    assert app.conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD
    assert 200_000 <= app.conf.worker_max_memory_per_child <= 2_000_000  # KiB: above one render, below the host
    code = "import greenoffice.settings.local as s; print(s.CELERY_WORKER_MAX_MEMORY_PER_CHILD)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GREENOFFICE_"))}
    env.update(GREENOFFICE_VAR_DIR=str(tmp_path), GREENOFFICE_WORKER_MAX_MEMORY_KB="400000")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "400000", result.stderr


def test_celery_app_is_json_only_with_reports_queue_and_late_acks():
    conf = app.conf
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json"
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit
    assert app.amqp.router.route({}, "reports.render", (), {})["queue"].name == "reports"
    assert app.amqp.router.route({}, "inspections.send_rectification_reminders", (), {})["queue"].name == "celery"
    scheduled = {entry["task"] for entry in conf.beat_schedule.values()}
    assert {"inspections.send_rectification_reminders", "reports.sweep_queued"} <= scheduled
