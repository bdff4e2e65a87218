from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GreenOfficeConfig(AppConfig):
    name = "greenoffice"
    verbose_name = _("绿色机关平台")

    def ready(self):
        import greenoffice.checks  # noqa: F401  (registers the deploy checks)
        from greenoffice.security import connect_signals

        connect_signals()
        # Connects the dashboard cache's invalidation to the audit trail in every process (web, Celery
        # workers, commands), not only in those that load the URLconf (docs/performance.md).
        import greenoffice.dashboard.cache  # noqa: F401
