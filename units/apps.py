from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("单位与人员")

    def ready(self):
        # Two-factor log-in: note at log-in whether the user owes a code; its `check --deploy` rule.
        from units.two_factor import checks, signals  # noqa: F401
