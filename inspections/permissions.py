"""Who may do what in inspections: role rules shared by the services (which enforce them) and the views
(which hide buttons and answer 403). Scope (which units) is the selectors' job, not this module's."""
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from units.models import Role


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_bureau_staff(user) -> bool:
    """Inspectors and administrators: the people who run rounds, visits, orders, reviews, certification."""
    return _authenticated(user) and (user.is_admin_role or user.role == Role.INSPECTOR)


def can_read_supervision(user) -> bool:
    """Rounds, reviews and certification pages: bureau staff and leaders (leaders only read)."""
    return _authenticated(user) and (user.is_admin_role or user.role in (Role.INSPECTOR, Role.LEADER))


def is_city_reviewer(user) -> bool:
    """The city's review (市级评审): reviewers decide; administrators may act for them."""
    return _authenticated(user) and (user.is_admin_role or user.role == Role.REVIEWER)


def can_read_city_review(user) -> bool:
    """The applicants and the city's decisions: reviewers, bureau staff and leaders."""
    return _authenticated(user) and (user.is_admin_role or user.role in (Role.REVIEWER, Role.INSPECTOR, Role.LEADER))


def is_director(user) -> bool:
    return _authenticated(user) and not user.is_admin_role and user.role == Role.DIRECTOR


def is_member_of(user, unit_id) -> bool:
    return user.memberships.filter(unit_id=unit_id).exists()


def require_bureau_staff(user):
    if not is_bureau_staff(user):
        raise PermissionDenied(_("只有督查员或管理员可以执行此操作"))


def require_reads_supervision(user):
    if not can_read_supervision(user):
        raise PermissionDenied


def require_impartial(user, unit_id):
    """An inspector never checks, scores or verifies a unit they belong to."""
    require_bureau_staff(user)
    if is_member_of(user, unit_id):
        raise PermissionDenied(_("不能对本人所在单位进行检查、考核或验收"))


def require_director_of(user, unit_id):
    if not (is_director(user) and is_member_of(user, unit_id)):
        raise PermissionDenied(_("只有本单位的办公室主任可以执行此操作"))
