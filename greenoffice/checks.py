"""`check --deploy`: client addresses behind the reverse proxy (docs/security.md, "Client addresses")."""
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.security, deploy=True)
def check_trusted_proxies(app_configs, **kwargs):
    from greenoffice.security import trusted_proxies

    try:
        networks = trusted_proxies()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="greenoffice.E101")]
    if not networks and getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return [checks.Warning(
            "GREENOFFICE_TRUSTED_PROXIES is empty while the site trusts a proxy's X-Forwarded-Proto: behind "
            "nginx every client would look like nginx, and five wrong passwords from anyone would lock an "
            "account for everybody. List the proxies' addresses (docs/deployment/nginx.conf).",
            id="greenoffice.W101",
        )]
    return []
