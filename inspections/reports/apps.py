from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "inspections.reports"
    label = "reports"
    verbose_name = _("考评报告")
