import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from greenoffice.celery import app

ROOT = Path(__file__).resolve().parents[2]


def _import_settings(module: str, env: dict) -> subprocess.CompletedProcess:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, env=clean_env, capture_output=True, text=True,
    )


def test_settings_language_and_timezone_are_chinese():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]


def test_production_settings_refuse_to_start_without_secret_key():
    result = _import_settings("greenoffice.settings.production", {"DJANGO_ALLOWED_HOSTS": "x.gov.cn"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_refuse_to_start_without_allowed_hosts():
    result = _import_settings("greenoffice.settings.production", {"DJANGO_SECRET_KEY": "k" * 60})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_settings_start_with_both():
    result = _import_settings(
        "greenoffice.settings.production", {"DJANGO_SECRET_KEY": "k" * 60, "DJANGO_ALLOWED_HOSTS": "x.gov.cn"}
    )
    assert result.returncode == 0, result.stderr


def test_local_settings_default_to_sqlite_and_embedded_broker(tmp_path):
    code = (
        "import greenoffice.settings.local as s;"
        "print(s.DATABASES['default']['ENGINE']);print(s.CELERY_BROKER_URL)"
    )
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"} and not k.startswith("DJANGO_")}
    env["GREENOFFICE_VAR_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    engine, broker = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem://"
    assert (tmp_path / "broker" / "out").is_dir()


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
