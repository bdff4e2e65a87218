"""Writes of suggestion records (assessment.models.Suggestion): a decision keeps what it was shown."""
from django.db import transaction
from django.utils import timezone

from assessment.models import Enrolment, RubricItem, Suggestion
from assessment.suggestions import SuggestionData
from greenoffice.audit import audit_record


@transaction.atomic
def suggestions_keep(*, actor, enrolment: Enrolment, suggestions: dict[str, SuggestionData], now=None) -> list:
    """One Suggestion row per item code, as computed now (the caller links them to its decision)."""
    now = now or timezone.now()
    items = {item.code: item for item in RubricItem.objects.filter(rubric_id=enrolment.campaign.rubric_id,
                                                                 code__in=list(suggestions))}
    rows = [
        Suggestion(enrolment=enrolment, item=items[code], source=data.source, score=data.score,
                   max_points=data.max_points, lines=list(data.lines), inputs=data.inputs,
                   inputs_digest=data.digest, factor_version=data.factor_version, computed_at=now)
        for code, data in sorted(suggestions.items()) if code in items
    ]
    rows = Suggestion.objects.bulk_create(rows)
    if rows:
        audit_record(actor=actor, action="suggestions_keep", obj=enrolment, unit_id=enrolment.unit_id,
                     changes={row.item.code: None if row.score is None else str(row.score) for row in rows})
    return rows
