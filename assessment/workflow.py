"""The enrolment stage machine: the allowed transitions in one place, and the one function that moves
a unit from stage to stage (with its audit record). Services of assessment and inspections call it."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Enrolment, Stage, StageTransition
from greenoffice.audit import audit_record

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.NOT_STARTED: frozenset({Stage.SELF_ASSESSING, Stage.SUBMITTED}),
    Stage.SELF_ASSESSING: frozenset({Stage.SUBMITTED}),
    Stage.SUBMITTED: frozenset({Stage.RETURNED, Stage.ACCEPTED}),
    Stage.RETURNED: frozenset({Stage.RESUBMITTED}),
    Stage.RESUBMITTED: frozenset({Stage.RETURNED, Stage.ACCEPTED}),
    Stage.ACCEPTED: frozenset({Stage.REVIEWED}),
    Stage.REVIEWED: frozenset({Stage.PASSED, Stage.RECTIFYING, Stage.FAILED, Stage.REVIEWED}),
    Stage.RECTIFYING: frozenset({Stage.PASSED, Stage.FAILED, Stage.REVIEWED}),
    # → failed: the city's review (市级评审) refuses naming (不予命名); publicity needs its 同意命名
    # (inspections.services.city_review), 暂缓 leaves the unit passed.
    Stage.PASSED: frozenset({Stage.PUBLICITY, Stage.REVIEWED, Stage.FAILED}),
    Stage.FAILED: frozenset({Stage.REVIEWED}),
    Stage.PUBLICITY: frozenset({Stage.CERTIFIED, Stage.FAILED}),
    Stage.CERTIFIED: frozenset({Stage.REVOKED}),
    Stage.REVOKED: frozenset(),
}


def can_transition(from_stage: str, to_stage: str) -> bool:
    return to_stage in ALLOWED_TRANSITIONS.get(from_stage, frozenset())


@transaction.atomic
def enrolment_transition(*, enrolment: Enrolment, to_stage: str, actor, reason: str = "") -> Enrolment:
    """Move the enrolment to `to_stage` or raise ValidationError naming the refused move."""
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    from_stage = locked.stage
    if not can_transition(from_stage, to_stage):
        raise ValidationError(
            _("不能从“%(old)s”变更为“%(new)s”")
            % {"old": Stage(from_stage).label, "new": Stage(to_stage).label}
        )
    locked.stage = to_stage
    locked.stage_changed_at = timezone.now()
    locked.save(update_fields=["stage", "stage_changed_at", "updated_at"])
    StageTransition.objects.create(enrolment=locked, from_stage=from_stage, to_stage=to_stage, actor=actor,
                                   reason=reason)
    audit_record(actor=actor, action="enrolment_transition", obj=locked, unit_id=locked.unit_id,
                 changes={"stage": (from_stage, to_stage)}, reason=reason)
    enrolment.stage = locked.stage
    enrolment.stage_changed_at = locked.stage_changed_at
    return enrolment
