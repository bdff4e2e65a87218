"""Spot-check rounds through the services: the draw stores its inputs, reproduces, assigns two
impartial inspectors per visit, and the round is immutable once drawn."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from greenoffice.models import AuditEvent
from inspections import sampling
from inspections.models import Inspection, InspectionKind, RoundStatus, SpotCheckRound
from inspections.selectors.rounds import round_redraw, run_draw
from inspections.services.rounds import round_create, round_draw, round_update
from tests.factories import UnitFactory, UserFactory
from tests.inspections.conftest import YEAR, enrol
from units.models import Membership, Role

MAY = datetime.date(2026, 5, 1)


@pytest.fixture
def population(campaign, unit_a, unit_b, district_a, district_b):
    """12 enrolled units (6 per district) and four inspectors, one of whom works in unit_a."""
    units = [unit_a, unit_b]
    units += [UnitFactory(district=district_a) for _ in range(5)]
    units += [UnitFactory(district=district_b) for _ in range(5)]
    for unit in units:
        enrol(campaign, unit)
    member = UserFactory(username="insp_member", role=Role.INSPECTOR)
    Membership.objects.create(user=member, unit=unit_a)
    inspectors = [
        UserFactory(username="insp_city1", role=Role.INSPECTOR),
        UserFactory(username="insp_city2", role=Role.INSPECTOR),
        UserFactory(username="insp_a", role=Role.INSPECTOR, districts=[district_a]),
        member,
    ]
    return {"units": units, "inspectors": inspectors, "member": member}


def _round(campaign, actor, **kwargs):
    values = {"month": MAY, "sample_size": 6, "seed": 424242, "no_repeat_months": 3}
    values.update(kwargs)
    return round_create(actor=actor, campaign=campaign, **values)


def test_round_draw_stores_seed_candidates_weights_and_creates_visits(population, campaign, inspector_a):
    spot_round = _round(campaign, inspector_a)
    drawn = round_draw(actor=inspector_a, spot_round=spot_round)
    assert drawn.status == RoundStatus.DRAWN
    assert drawn.seed == 424242
    assert drawn.drawn_by == inspector_a and drawn.drawn_at is not None
    assert [c["unit_id"] for c in drawn.candidates] == sorted(u.pk for u in population["units"])
    assert set(drawn.weights) == {str(u.pk) for u in population["units"]}
    assert len(drawn.drawn_unit_ids) == 6
    visits = Inspection.objects.filter(round=drawn)
    assert sorted(v.unit_id for v in visits) == sorted(drawn.drawn_unit_ids)
    assert all(v.kind == InspectionKind.SPOT_CHECK and v.scheduled_date == MAY for v in visits)
    assert AuditEvent.objects.filter(action="round_draw", object_id=str(drawn.pk)).exists()
    assigned = {u for v in visits for u in v.inspectors.all()}
    assert all(u.notifications.filter(kind="spot_check_assigned").count() == 1 for u in assigned)


def test_round_draw_assigns_two_inspectors_never_their_own_unit(population, campaign, inspector_a, unit_a):
    # Every unit drawn: unit_a is certainly among them.
    drawn = round_draw(actor=inspector_a, spot_round=_round(campaign, inspector_a, sample_size=12))
    member = population["member"]
    for visit in Inspection.objects.filter(round=drawn).prefetch_related("inspectors"):
        team = list(visit.inspectors.all())
        assert len(team) == 2
        assert len({u.pk for u in team}) == 2
        for inspector in team:
            assert not Membership.objects.filter(user=inspector, unit=visit.unit).exists()
            districts = list(inspector.districts.all())
            assert not districts or visit.unit.district in districts
    assert not Inspection.objects.filter(round=drawn, unit=unit_a, inspectors=member).exists()


def test_round_draw_is_reproducible_from_the_stored_inputs(population, campaign, inspector_a):
    drawn = round_draw(actor=inspector_a, spot_round=_round(campaign, inspector_a))
    check = round_redraw(drawn)
    assert check.matches
    assert list(check.selected) == drawn.drawn_unit_ids


def test_round_same_seed_same_units_other_seed_other_units(population, campaign, inspector_a):
    drawn = round_draw(actor=inspector_a, spot_round=_round(campaign, inspector_a, seed=11))
    candidates = [sampling.Candidate.from_dict(c) for c in drawn.candidates]
    assert list(run_draw(drawn, candidates).selected) == drawn.drawn_unit_ids
    drawn.seed = 12  # in memory only: the stored round keeps its seed
    assert list(run_draw(drawn, candidates).selected) != drawn.drawn_unit_ids


def test_round_is_immutable_after_drawing(population, campaign, inspector_a):
    drawn = round_draw(actor=inspector_a, spot_round=_round(campaign, inspector_a))
    with pytest.raises(ValidationError) as exc:
        round_update(actor=inspector_a, spot_round=drawn, sample_size=3)
    assert "不可更改" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        round_draw(actor=inspector_a, spot_round=drawn)
    drawn.refresh_from_db()
    assert drawn.sample_size == 6 and Inspection.objects.filter(round=drawn).count() == 6


def test_round_draft_can_be_edited_and_validated(campaign, inspector_a):
    spot_round = _round(campaign, inspector_a)
    spot_round = round_update(actor=inspector_a, spot_round=spot_round, sample_size=None, sample_share=Decimal("0.2"))
    assert spot_round.sample_share == Decimal("0.2")
    with pytest.raises(ValidationError):
        round_update(actor=inspector_a, spot_round=spot_round, sample_size=3)  # both size and share
    with pytest.raises(ValidationError):
        _round(campaign, inspector_a, month=datetime.date(2025, 12, 1))  # outside the campaign year
    with pytest.raises(ValidationError):
        _round(campaign, inspector_a)  # the month already has a round


def test_round_create_refused_to_leaders_and_directors(campaign, leader_a, director_a):
    for actor in (leader_a, director_a):
        with pytest.raises(PermissionDenied):
            _round(campaign, actor)


def test_round_draw_respects_no_repeat_months(population, campaign, inspector_a):
    may = round_draw(actor=inspector_a, spot_round=_round(campaign, inspector_a, sample_size=6))
    june = round_draw(actor=inspector_a, spot_round=_round(campaign, inspector_a, month=datetime.date(2026, 6, 1),
                                                           sample_size=6, seed=99))
    assert set(may.drawn_unit_ids).isdisjoint(june.drawn_unit_ids)
    assert set(june.draw_log["excluded_recent"]) == set(may.drawn_unit_ids)


def test_round_share_of_candidates(population, campaign, inspector_a):
    drawn = round_draw(actor=inspector_a, spot_round=_round(campaign, inspector_a, sample_size=None,
                                                            sample_share=Decimal("0.25")))
    assert len(drawn.drawn_unit_ids) == 3  # 25% of 12


def test_round_refuses_when_a_unit_lacks_two_impartial_inspectors(campaign, unit_a, inspector_a):
    enrol(campaign, unit_a)
    with pytest.raises(ValidationError) as exc:
        round_draw(actor=inspector_a, spot_round=_round(campaign, inspector_a, sample_size=1))
    assert "督查员不足" in exc.value.messages[0]
    assert not Inspection.objects.exists()
    assert SpotCheckRound.objects.get().status == RoundStatus.DRAFT


def test_draw_spot_checks_command_draws_reproducibly(population, campaign, capsys):
    call_command("draw_spot_checks", "--month", "2026-05", "--size", "4", "--seed", "77")
    spot_round = SpotCheckRound.objects.get(month=MAY)
    assert spot_round.seed == 77 and len(spot_round.drawn_unit_ids) == 4
    assert round_redraw(spot_round).matches
    out = capsys.readouterr().out
    assert "种子 77" in out
    with pytest.raises(CommandError):
        call_command("draw_spot_checks", "--month", "2026-05", "--size", "4", "--seed", "77")


def test_draw_spot_checks_command_options(population, campaign, district_a):
    call_command("draw_spot_checks", "--month", "2026-07", "--share", "0.5", "--seed", "5", "--district",
                 district_a.code, "--no-weighting", "--campaign", "2026")
    spot_round = SpotCheckRound.objects.get(month=datetime.date(2026, 7, 1))
    assert spot_round.district == district_a and spot_round.risk_weighting is False
    assert len(spot_round.candidates) == 6 and len(spot_round.drawn_unit_ids) == 3
    assert set(spot_round.weights.values()) == {1.0}


def test_round_month_may_follow_the_campaign_past_the_year(campaign, inspector_a):
    """A campaign whose publicity runs into January keeps its spot checks until then, and no longer."""
    from assessment.services.campaign import campaign_update

    campaign = campaign_update(actor=None, campaign=campaign, public_evaluation_end=datetime.date(YEAR + 1, 1, 10),
                               publicity_start=datetime.date(YEAR + 1, 1, 15),
                               publicity_end=datetime.date(YEAR + 1, 1, 21))
    january = _round(campaign, inspector_a, month=datetime.date(YEAR + 1, 1, 1))
    assert january.month == datetime.date(YEAR + 1, 1, 1)
    with pytest.raises(ValidationError) as caught:
        _round(campaign, inspector_a, month=datetime.date(YEAR + 1, 2, 1))
    assert "本年度创建活动期间" in caught.value.message_dict["month"][0]
