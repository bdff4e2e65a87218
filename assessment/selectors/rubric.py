"""Reads of rubric versions, and the bridge from stored versions to the pure rubric/scoring modules.

Rubrics are bureau-wide reference data, not unit data: there is no unit scope. Who may open the rubric
pages is a role question answered by `rubric_can_view` / `rubric_can_manage`."""
from decimal import Decimal
from functools import lru_cache

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from assessment.models import BonusItem, RubricBlock, RubricItem, RubricStatus, RubricVersion
from assessment.rubric_schema import (
    BlockSpec,
    BonusItemSpec,
    BonusSpec,
    DeductionSpec,
    GradeBandSpec,
    ItemSpec,
    RubricSpec,
    SupervisionSpec,
    dump_rubric_yaml,
    format_points,
)
from assessment.scoring import GradeBand, ScoringRules
from units.models import Role


def rubric_can_view(user) -> bool:
    return getattr(user, "is_authenticated", False) and (user.is_admin_role or user.role == Role.INSPECTOR)


def rubric_can_manage(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_admin_role


def rubric_list() -> QuerySet[RubricVersion]:
    return (
        RubricVersion.objects.select_related("created_by")
        .annotate(item_count=Count("items", distinct=True), campaign_count=Count("campaigns", distinct=True))
        .order_by("code", "-version")
    )


def rubric_published_list() -> QuerySet[RubricVersion]:
    return RubricVersion.objects.filter(status=RubricStatus.PUBLISHED).order_by("code", "-version")


def rubric_get(*, pk) -> RubricVersion:
    try:
        return RubricVersion.objects.select_related("created_by").get(pk=pk)
    except (RubricVersion.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def rubric_get_by_code(*, code: str, version: int) -> RubricVersion:
    return RubricVersion.objects.get(code=code, version=version)


def rubric_latest_draft(*, code: str) -> RubricVersion | None:
    return RubricVersion.objects.filter(code=code, status=RubricStatus.DRAFT).order_by("-version").first()


def rubric_blocks_with_items(rubric: RubricVersion) -> list[RubricBlock]:
    """Blocks in order, each with `.items.all()` and every item's `.deductions.all()` prefetched (3 queries)."""
    return list(_blocks_queryset(rubric.pk))


def _blocks_queryset(rubric_id: int) -> QuerySet:
    items = RubricItem.objects.order_by("order").prefetch_related("deductions")
    return RubricBlock.objects.filter(rubric_id=rubric_id).order_by("order").prefetch_related(
        Prefetch("items", queryset=items))


@lru_cache(maxsize=8)
def _published_blocks(rubric_id: int, published_at) -> tuple[RubricBlock, ...]:
    return tuple(_blocks_queryset(rubric_id))


def rubric_blocks_published(rubric: RubricVersion) -> tuple[RubricBlock, ...]:
    """`rubric_blocks_with_items` kept in memory for a published version, which never changes.

    For the report workers: a bulk job renders every unit of a campaign against the same version, and
    the 3 rubric queries were a third of a unit report's data gathering. Keyed on the version's id and
    publication time, so a row re-used after a delete (tests) is never confused with an old one. Drafts
    are read afresh. The objects are shared: callers only read them."""
    if rubric.status != RubricStatus.PUBLISHED or rubric.published_at is None:
        return tuple(rubric_blocks_with_items(rubric))
    return _published_blocks(rubric.pk, rubric.published_at)


def _dec(value) -> Decimal:
    # Stored with two decimals (3.00); the file says 3. Normalising keeps dumps and specs identical.
    return Decimal(format_points(value))


def rubric_spec_from_db(rubric: RubricVersion) -> RubricSpec:
    """The stored version as the same frozen spec `parse_rubric` returns (4 queries)."""
    blocks = []
    for block in rubric_blocks_with_items(rubric):
        items = tuple(
            ItemSpec(
                code=item.code,
                points=_dec(item.points),
                method=item.method,
                title=item.title,
                title_en=item.title_en,
                evidence=tuple(item.evidence or ()),
                deductions=tuple(DeductionSpec(points=_dec(d.points), text=d.text) for d in item.deductions.all()),
                must_pass=item.must_pass,
                scoring=item.scoring_note,
            )
            for item in block.items.all()
        )
        blocks.append(BlockSpec(code=block.code, title=block.title, title_en=block.title_en,
                                points=_dec(block.points), items=items))
    bonus_items = tuple(
        BonusItemSpec(code=b.code, points=_dec(b.points), title=b.title, title_en=b.title_en)
        for b in BonusItem.objects.filter(rubric=rubric).order_by("order")
    )
    return RubricSpec(
        code=rubric.code,
        version=rubric.version,
        title=rubric.title,
        title_en=rubric.title_en,
        total_points=_dec(rubric.total_points),
        pass_mark=_dec(rubric.pass_mark),
        grade_bands=tuple(
            GradeBandSpec(min=_dec(b["min"]), grade=b["grade"], grade_en=b.get("grade_en", ""),
                          certified=bool(b["certified"]))
            for b in rubric.grade_bands
        ),
        supervision=SupervisionSpec(minor=_dec(rubric.minor_deduction), serious=_dec(rubric.serious_deduction),
                                    cap=_dec(rubric.deduction_cap)),
        vetoes=tuple(rubric.vetoes or ()),
        bonus=BonusSpec(title=rubric.bonus_title, max_points=_dec(rubric.bonus_max), items=bonus_items),
        blocks=tuple(blocks),
    )


def rubric_scoring_rules(rubric: RubricVersion) -> ScoringRules:
    """Thresholds of this version for `assessment.scoring` (no query: they live on the version row)."""
    bands = sorted(
        (GradeBand(_dec(b["min"]), b["grade"], b.get("grade_en", ""), bool(b["certified"]))
         for b in rubric.grade_bands),
        key=lambda band: band.min, reverse=True,
    )
    return ScoringRules(
        pass_mark=_dec(rubric.pass_mark),
        grade_bands=tuple(bands),
        minor_deduction=_dec(rubric.minor_deduction),
        serious_deduction=_dec(rubric.serious_deduction),
        deduction_cap=_dec(rubric.deduction_cap),
        bonus_max=_dec(rubric.bonus_max),
    )


def rubric_export_yaml(rubric: RubricVersion) -> str:
    """The version as a rubric file; importing it gives back an equal spec."""
    return dump_rubric_yaml(rubric_spec_from_db(rubric))


def rubric_export_filename(rubric: RubricVersion) -> str:
    return f"{rubric.code.lower()}-v{rubric.version}.yaml"
