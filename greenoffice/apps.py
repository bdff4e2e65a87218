from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GreenOfficeConfig(AppConfig):
    name = "greenoffice"
    verbose_name = _("绿色机关平台")

    def ready(self):
        from greenoffice.security import connect_signals

        connect_signals()
