"""Short public links (/p/...): a unit's questionnaire, a personal invitation, the thank-you page.
Codes are matched case-insensitively (people type them from a printed poster)."""
from django.urls import re_path

from inspections.evaluation.views import public

app_name = "evaluation_public"
urlpatterns = [
    re_path(r"^(?P<token>[A-Za-z0-9]{8})/$", public.questionnaire, name="questionnaire"),
    re_path(r"^(?P<token>[A-Za-z0-9]{8})/thanks/$", public.thanks, name="thanks"),
    re_path(r"^(?P<token>[A-Za-z0-9]{8})/(?P<invitation_token>[A-Za-z0-9]{10})/$", public.questionnaire,
            name="invited"),
]
