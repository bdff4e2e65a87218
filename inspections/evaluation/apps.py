from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "inspections.evaluation"
    label = "evaluation"
    verbose_name = _("公开评议、公益活动与评选")
