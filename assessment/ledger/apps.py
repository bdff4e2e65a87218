from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "assessment.ledger"
    label = "ledger"
    verbose_name = _("能源资源消耗台账")
