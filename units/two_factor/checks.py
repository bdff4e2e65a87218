"""`check --deploy`: production must make administrators and inspectors use two-factor log-in."""
from django.conf import settings
from django.core import checks

from units.models import Role

MANDATORY_ROLES = (Role.ADMIN, Role.INSPECTOR)


@checks.register(checks.Tags.security, deploy=True)
def check_two_factor_roles(app_configs, **kwargs):
    roles = set(getattr(settings, "GREENOFFICE_REQUIRE_2FA_ROLES", ()) or ())
    missing = [role.value for role in MANDATORY_ROLES if role not in roles]
    if missing:
        return [checks.Error(
            f"GREENOFFICE_REQUIRE_2FA_ROLES must include {', '.join(missing)}: administrators and inspectors "
            "must log in with two factors (OWASP ASVS 6.3.2).",
            id="greenoffice.E201",
        )]
    return []
