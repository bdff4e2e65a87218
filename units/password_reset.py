"""Password reset e-mail, sent by a Celery worker: the request only enqueues the user's id, and the
worker makes the token and renders the message (Django's PasswordResetForm would send it inside the
request, where a slow or broken mail server holds or fails the page)."""
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"
EMAIL_TEMPLATE = "registration/password_reset_email.html"


class QueuedPasswordResetForm(PasswordResetForm):
    """PasswordResetForm whose mail goes out from the worker (units.send_password_reset_email)."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        from units.tasks import send_password_reset_email

        # Nothing was written: there is no transaction to wait for. With the broker down the page
        # still says "sent" (it must not tell who has an account); the user asks again later.
        try:
            send_password_reset_email.delay(context["user"].pk, context["domain"], context["protocol"],
                                            translation.get_language() or settings.LANGUAGE_CODE)
        except Exception:  # noqa: BLE001 — kombu raises several kinds for an unreachable broker
            logger.exception("password_reset_email_not_queued user_id=%s", context["user"].pk)


def password_reset_email_send(*, user_id: int, domain: str, protocol: str, language: str) -> bool:
    """Worker side: the reset e-mail for an active user with a usable password (as Django decides at
    request time; checked again here, the user may have changed since). The link's host comes from
    GREENOFFICE_SITE_URL when set, else from the request that asked."""
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password() or not user.email:
        return False
    site = (getattr(settings, "GREENOFFICE_SITE_URL", "") or "").rstrip("/")
    if site:
        protocol, domain = site.split("://", 1)
    context = {
        "email": user.email, "domain": domain, "site_name": _("绿色机关创建管理"),
        "uid": urlsafe_base64_encode(force_bytes(user.pk)), "user": user,
        "token": default_token_generator.make_token(user), "protocol": protocol,
    }
    with translation.override(language):
        PasswordResetForm().send_mail(SUBJECT_TEMPLATE, EMAIL_TEMPLATE, context, None, user.email)
    return True
