"""The environment the production settings need (every required variable set to something valid), for
tests that load them in a subprocess. Nothing is connected to: `check --deploy` never opens the
database or Redis."""
import os
import secrets

#: Every variable greenoffice.settings.production refuses to start without (with the e-mail choice).
REQUIRED = ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "DJANGO_EMAIL_HOST",
            "DJANGO_DEFAULT_FROM_EMAIL", "GREENOFFICE_SITE_URL")

# Variables of the developer's or CI's environment that would change what the settings see.
_DROPPED = ("DJANGO_", "DATABASE_", "REDIS_URL", "CELERY_BROKER_URL", "CACHE_URL", "GREENOFFICE_", "EVALUATION_",
            "SENTRY_")


def production_env(tmp_path, **overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROPPED)}
    env.update({
        "DJANGO_SETTINGS_MODULE": "greenoffice.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "lvse.example.gov.cn",
        "DATABASE_URL": "postgres://greenoffice@127.0.0.1:5432/greenoffice_never_opened",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "DJANGO_EMAIL_HOST": "smtp.example.gov.cn",
        "DJANGO_DEFAULT_FROM_EMAIL": "lvse@example.gov.cn",
        "GREENOFFICE_SITE_URL": "https://lvse.example.gov.cn",
        "GREENOFFICE_TRUSTED_PROXIES": "127.0.0.1",
        "GREENOFFICE_VAR_DIR": str(tmp_path),
    })
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env
