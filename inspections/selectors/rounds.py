"""Reads of spot-check rounds. Rounds are bureau records: inspectors, leaders and admins read them
(a district-scoped user sees city-wide rounds and those of their districts); directors never do."""
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from inspections import sampling
from inspections.models import SpotCheckRound
from inspections.permissions import can_read_supervision


def round_list_for_user(*, user) -> QuerySet[SpotCheckRound]:
    if not can_read_supervision(user):
        return SpotCheckRound.objects.none()
    qs = SpotCheckRound.objects.select_related("campaign", "district", "drawn_by", "created_by")
    if not user.is_admin_role:
        district_ids = list(user.districts.values_list("pk", flat=True))
        if district_ids:
            qs = qs.filter(Q(district__isnull=True) | Q(district_id__in=district_ids))
    return qs


def round_get_for_user(*, user, pk) -> SpotCheckRound:
    try:
        return round_list_for_user(user=user).get(pk=pk)
    except (SpotCheckRound.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def round_effective_size(spot_round: SpotCheckRound, candidate_count: int) -> int:
    if spot_round.sample_size is not None:
        return spot_round.sample_size
    if candidate_count == 0:
        return 0
    return sampling.size_from_share(float(spot_round.sample_share), candidate_count)


def round_months_left(spot_round: SpotCheckRound) -> int:
    """Months of the calendar year still to come, this one included (12 in January)."""
    return 12 - spot_round.month.month + 1


def run_draw(spot_round: SpotCheckRound, candidates: list[sampling.Candidate]) -> sampling.DrawResult:
    """The draw from a round's settings and the given candidates; used to draw and to re-check a draw."""
    return sampling.draw(
        candidates,
        seed=spot_round.seed,
        size=round_effective_size(spot_round, len(candidates)),
        weighted=spot_round.risk_weighting,
        no_repeat_months=spot_round.no_repeat_months,
        months_left=round_months_left(spot_round),
    )


@dataclass(frozen=True)
class RedrawCheck:
    selected: tuple[int, ...]
    matches: bool


def round_redraw(spot_round: SpotCheckRound) -> RedrawCheck | None:
    """Redo a drawn round's draw from its stored seed and candidates: the audit that it reproduces."""
    if not spot_round.is_drawn:
        return None
    candidates = [sampling.Candidate.from_dict(c) for c in spot_round.candidates]
    result = run_draw(spot_round, candidates)
    return RedrawCheck(selected=result.selected, matches=list(result.selected) == list(spot_round.drawn_unit_ids))
