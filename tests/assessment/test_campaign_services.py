from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from assessment.models import Campaign, Enrolment, Stage
from assessment.selectors.campaign import (
    campaign_current,
    campaign_get_for_user,
    campaign_list_for_user,
    enrol_candidates,
    enrolment_get_for_user,
    enrolment_list_for_user,
    enrolment_stage_counts,
)
from assessment.services.campaign import (
    campaign_enrol_units,
    campaign_unenrol,
    campaign_update,
)
from assessment.workflow import enrolment_transition
from greenoffice.models import AuditEvent
from tests.assessment.rubric_campaign_helpers import import_rubric, make_campaign
from tests.factories import UnitFactory
from units.services import unit_set_active


@pytest.fixture
def rubric(db):
    return import_rubric()


@pytest.fixture
def campaign(rubric):
    return make_campaign(rubric=rubric)


@pytest.mark.django_db
def test_campaign_create_stores_targets_and_audits(admin_user, rubric):
    campaign = make_campaign(rubric=rubric, actor=admin_user, name="")

    assert campaign.name == "2026年度绿色机关创建"
    assert (campaign.target_certified_count, campaign.target_share, campaign.target_year) == (50, 80, 2028)
    assert campaign.is_current
    assert AuditEvent.objects.filter(action="campaign_create", object_id=str(campaign.pk), actor=admin_user).exists()


@pytest.mark.django_db
def test_campaign_create_requires_a_published_rubric():
    draft = import_rubric(publish=False)
    with pytest.raises(ValidationError) as caught:
        make_campaign(rubric=draft)
    assert caught.value.message_dict["rubric"] == ["创建年度只能使用已发布的考评细则"]


@pytest.mark.django_db
def test_campaign_create_dates_out_of_order_are_named(rubric):
    with pytest.raises(ValidationError) as caught:
        make_campaign(
            rubric=rubric,
            self_assessment_end=date(2026, 2, 1),  # before the start (3-1)
            publicity_start=date(2026, 12, 1),  # before the end of public evaluation (12-10)
        )
    errors = caught.value.message_dict
    assert errors["self_assessment_end"] == ["“自评截止”不能早于“自评开始”"]
    assert errors["publicity_start"] == ["“公示开始”不能早于“公开评议结束”"]
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_campaign_create_skips_empty_dates_but_keeps_the_order(rubric):
    with pytest.raises(ValidationError) as caught:
        make_campaign(rubric=rubric, self_assessment_end=None, application_deadline=date(2026, 2, 1))
    assert caught.value.message_dict["application_deadline"] == ["“申报截止”不能早于“自评开始”"]


@pytest.mark.django_db
def test_campaign_create_year_is_unique(campaign, rubric):
    with pytest.raises(ValidationError) as caught:
        make_campaign(rubric=rubric, is_current=False)
    assert caught.value.message_dict["year"] == ["2026年度的创建活动已存在"]


@pytest.mark.django_db
def test_campaign_create_target_rules(rubric):
    with pytest.raises(ValidationError) as caught:
        make_campaign(rubric=rubric, target_share=120, target_year=2020)
    assert set(caught.value.message_dict) == {"target_share", "target_year"}


@pytest.mark.django_db
def test_campaign_only_one_is_current(campaign, rubric):
    newer = make_campaign(rubric=rubric, year=2027, is_current=True)
    campaign.refresh_from_db()

    assert newer.is_current and not campaign.is_current
    assert campaign_current() == newer
    campaign_update(actor=None, campaign=campaign, is_current=True)
    assert campaign_current() == campaign
    assert Campaign.objects.filter(is_current=True).count() == 1


@pytest.mark.django_db
def test_campaign_create_refused_leaves_the_current_campaign_current(campaign, rubric):
    with pytest.raises(ValidationError):
        make_campaign(rubric=rubric, year=2027, is_current=True, review_end=date(2027, 1, 1))
    campaign.refresh_from_db()
    assert campaign.is_current


@pytest.mark.django_db
def test_campaign_create_and_update_require_admin(rubric, inspector_a, leader_a, campaign):
    for user in (inspector_a, leader_a):
        with pytest.raises(PermissionDenied):
            make_campaign(rubric=rubric, actor=user, year=2030)
        with pytest.raises(PermissionDenied):
            campaign_update(actor=user, campaign=campaign, target_certified_count=1)


@pytest.mark.django_db
def test_campaign_update_records_the_changes(admin_user, campaign):
    updated = campaign_update(actor=admin_user, campaign=campaign, target_certified_count=60)

    assert updated.target_certified_count == 60
    event = AuditEvent.objects.get(action="campaign_update")
    assert event.changes == {"target_certified_count": [50, 60]}
    # Nothing changed: nothing written.
    campaign_update(actor=admin_user, campaign=campaign, target_certified_count=60)
    assert AuditEvent.objects.filter(action="campaign_update").count() == 1


@pytest.mark.django_db
def test_campaign_update_dates_validated(campaign):
    with pytest.raises(ValidationError) as caught:
        campaign_update(actor=None, campaign=campaign, review_end=date(2026, 9, 1))
    assert caught.value.message_dict["review_end"] == ["“现场考核结束”不能早于“现场考核开始”"]
    campaign.refresh_from_db()
    assert campaign.review_end == date(2026, 9, 30)


@pytest.mark.django_db
def test_campaign_rubric_cannot_change_once_units_started(campaign, unit_a, director_a):
    first, other = campaign.rubric, import_rubric(version=2)
    campaign_enrol_units(actor=None, campaign=campaign, units=[unit_a])
    campaign_update(actor=None, campaign=campaign, rubric=other)  # nobody started: allowed
    campaign_update(actor=None, campaign=campaign, rubric=first)
    enrolment = Enrolment.objects.get(unit=unit_a)
    enrolment_transition(enrolment=enrolment, to_stage=Stage.SELF_ASSESSING, actor=director_a)
    with pytest.raises(ValidationError) as caught:
        campaign_update(actor=None, campaign=campaign, rubric=other)
    assert caught.value.message_dict["rubric"] == ["已有单位开始自评,不能更换考评细则"]


@pytest.mark.django_db
def test_campaign_enrol_units_is_idempotent(admin_user, campaign, unit_a, unit_b):
    assert campaign_enrol_units(actor=admin_user, campaign=campaign, units=[unit_a, unit_b]) == 2
    assert campaign_enrol_units(actor=admin_user, campaign=campaign, units=[unit_a, unit_b.pk]) == 0

    enrolments = Enrolment.objects.filter(campaign=campaign)
    assert enrolments.count() == 2
    assert set(enrolments.values_list("stage", flat=True)) == {Stage.NOT_STARTED}
    assert all(e.history.count() == 1 for e in enrolments)
    event = AuditEvent.objects.get(action="campaign_enrol_units")
    assert event.changes["count"] == 2 and sorted(event.changes["unit_ids"]) == sorted([unit_a.pk, unit_b.pk])


@pytest.mark.django_db
def test_campaign_enrol_units_query_count_is_flat(campaign, django_assert_max_num_queries):
    units = UnitFactory.create_batch(40)
    with django_assert_max_num_queries(10):
        assert campaign_enrol_units(actor=None, campaign=campaign, units=units) == 40


@pytest.mark.django_db
def test_campaign_enrol_refuses_inactive_units(campaign, unit_a):
    unit_set_active(actor=None, unit=unit_a, is_active=False)
    with pytest.raises(ValidationError, match="停用的单位不能参加创建"):
        campaign_enrol_units(actor=None, campaign=campaign, units=[unit_a])
    assert not Enrolment.objects.exists()
    assert unit_a not in enrol_candidates(campaign=campaign)


@pytest.mark.django_db
def test_campaign_enrol_requires_admin(campaign, unit_a, inspector_a):
    with pytest.raises(PermissionDenied):
        campaign_enrol_units(actor=inspector_a, campaign=campaign, units=[unit_a])


@pytest.mark.django_db
def test_campaign_unenrol_only_before_the_unit_starts(admin_user, campaign, unit_a, unit_b, director_a):
    campaign_enrol_units(actor=None, campaign=campaign, units=[unit_a, unit_b])
    enrolment_b = Enrolment.objects.get(unit=unit_b)
    campaign_unenrol(actor=admin_user, enrolment=enrolment_b)
    assert not Enrolment.objects.filter(unit=unit_b).exists()
    assert AuditEvent.objects.filter(action="campaign_unenrol", unit_id=unit_b.pk).exists()

    enrolment_a = Enrolment.objects.get(unit=unit_a)
    enrolment_transition(enrolment=enrolment_a, to_stage=Stage.SELF_ASSESSING, actor=director_a)
    with pytest.raises(ValidationError, match="只能撤销未开始自评的单位"):
        campaign_unenrol(actor=admin_user, enrolment=enrolment_a)
    assert Enrolment.objects.filter(unit=unit_a).exists()


@pytest.mark.django_db
def test_enrolment_list_for_user_is_scoped(role_users, campaign, unit_a, unit_b, inspector_city, leader_city):
    campaign_enrol_units(actor=None, campaign=campaign, units=[unit_a, unit_b])
    for role in ("director", "inspector", "leader"):
        assert [e.unit for e in enrolment_list_for_user(user=role_users[role])] == [unit_a], role
    for user in (role_users["admin"], inspector_city, leader_city):
        assert {e.unit for e in enrolment_list_for_user(user=user, campaign=campaign)} == {unit_a, unit_b}


@pytest.mark.django_db
def test_enrolment_get_for_user_out_of_scope_is_404(leader_a, campaign, unit_a, unit_b):
    campaign_enrol_units(actor=None, campaign=campaign, units=[unit_a, unit_b])
    assert enrolment_get_for_user(user=leader_a, pk=Enrolment.objects.get(unit=unit_a).pk).unit == unit_a
    with pytest.raises(Http404):
        enrolment_get_for_user(user=leader_a, pk=Enrolment.objects.get(unit=unit_b).pk)
    with pytest.raises(Http404):
        enrolment_get_for_user(user=leader_a, pk="x")


@pytest.mark.django_db
def test_enrolment_stage_counts_are_scoped(leader_a, admin_user, campaign, unit_a, unit_b, director_a):
    campaign_enrol_units(actor=None, campaign=campaign, units=[unit_a, unit_b])
    enrolment_transition(enrolment=Enrolment.objects.get(unit=unit_a), to_stage=Stage.SELF_ASSESSING,
                         actor=director_a)
    leader_counts = {row["stage"]: row["count"] for row in enrolment_stage_counts(user=leader_a, campaign=campaign)}
    admin_counts = {row["stage"]: row["count"] for row in enrolment_stage_counts(user=admin_user, campaign=campaign)}

    assert leader_counts[Stage.SELF_ASSESSING] == 1 and leader_counts[Stage.NOT_STARTED] == 0
    assert admin_counts[Stage.SELF_ASSESSING] == 1 and admin_counts[Stage.NOT_STARTED] == 1


@pytest.mark.django_db
def test_campaign_list_for_user_directors_see_their_years(director_a, director_b, leader_a, campaign, rubric, unit_a):
    other_year = make_campaign(rubric=rubric, year=2027, is_current=False)
    campaign_enrol_units(actor=None, campaign=campaign, units=[unit_a])

    assert list(campaign_list_for_user(user=leader_a)) == [other_year, campaign]
    assert list(campaign_list_for_user(user=director_a)) == [campaign]
    assert list(campaign_list_for_user(user=director_b)) == []
    with pytest.raises(Http404):
        campaign_get_for_user(user=director_a, pk=other_year.pk)
