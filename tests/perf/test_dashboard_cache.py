"""The dashboard panel cache (greenoffice/dashboard/cache.py): served from the cache until an audited
change commits, keyed by the viewer's scope, and never in the way when the cache fails."""
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse

from assessment.models import Enrolment, SelfAssessment
from assessment.workflow import ALLOWED_TRANSITIONS, enrolment_transition
from greenoffice.dashboard import cache as panel_cache
from greenoffice.dashboard.selectors.battle_map import STAGE_GROUP
from units.models import Role, User

HTMX = {"HX-Request": "true"}


@pytest.fixture
def cache_on(settings):
    settings.GREENOFFICE_DASHBOARD_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def leader(scale_data):
    return User.objects.get(username="scale-leader-city-1")


def _battle_map(client):
    return client.get(reverse("dashboard:battle_map"), headers=HTMX)


def test_dashboard_cache_serves_a_panel_again_without_its_queries(cache_on, leader, client,
                                                                  django_assert_max_num_queries):
    client.force_login(leader)
    first = _battle_map(client)
    assert first.status_code == 200
    # Session and user only: the panel's own queries are not run again.
    with django_assert_max_num_queries(3):
        again = _battle_map(client)
    assert again.status_code == 200
    assert again.content == first.content


def test_dashboard_cache_invalidated_by_a_committed_stage_change(cache_on, leader, client,
                                                                 django_capture_on_commit_callbacks):
    client.force_login(leader)
    # Any enrolment that can move to a stage shown in another colour on the battle map.
    enrolment, to_stage = next(
        (e, target) for e in Enrolment.objects.order_by("pk")
        for target in sorted(ALLOWED_TRANSITIONS[e.stage]) if STAGE_GROUP[target] != STAGE_GROUP[e.stage]
    )
    before = _battle_map(client).content.decode()
    version = panel_cache.dashboard_cache_version()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_transition(enrolment=enrolment, to_stage=to_stage, actor=leader, reason="测试")
    assert panel_cache.dashboard_cache_version() == version + 1
    after = _battle_map(client).content.decode()
    assert after != before


def test_dashboard_cache_not_invalidated_by_drafting_actions(cache_on, scale_data, django_capture_on_commit_callbacks):
    from greenoffice.audit import audit_record

    version = panel_cache.dashboard_cache_version()
    unit_assessment = SelfAssessment.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        audit_record(actor=None, action="response_save", obj=unit_assessment)
    assert panel_cache.dashboard_cache_version() == version
    with django_capture_on_commit_callbacks(execute=True):
        audit_record(actor=None, action="campaign_update", obj=unit_assessment)
    assert panel_cache.dashboard_cache_version() == version + 1


def test_dashboard_cache_keys_by_the_viewers_scope(cache_on, leader, client):
    district_leader = User.objects.filter(role=Role.LEADER, districts__isnull=False).first()
    district = district_leader.districts.get()
    other = User.objects.filter(role=Role.LEADER, districts__isnull=False).exclude(districts=district).first()
    client.force_login(leader)
    city_html = _battle_map(client).content.decode()
    client.force_login(district_leader)
    district_html = _battle_map(client).content.decode()
    assert district_html != city_html
    assert other.districts.get().name in city_html
    assert other.districts.get().name not in district_html


def test_dashboard_cache_leaves_full_pages_and_directors_alone(cache_on, leader, client):
    client.force_login(leader)
    page = client.get(reverse("dashboard:battle_map"))  # no htmx: the panel inside the whole page
    assert page.status_code == 200
    assert b"<html" in page.content
    director = User.objects.filter(role=Role.DIRECTOR).first()
    _battle_map(client)
    client.force_login(director)
    assert _battle_map(client).status_code == 403


def test_dashboard_cache_failure_falls_back_to_computing(cache_on, leader, client):
    client.force_login(leader)
    with mock.patch.object(panel_cache.cache, "get", side_effect=ConnectionError("redis down")):
        response = _battle_map(client)
    assert response.status_code == 200
    assert response.content.decode() == _battle_map(client).content.decode()


def test_dashboard_cache_off_by_default_in_tests(settings):
    assert settings.GREENOFFICE_DASHBOARD_CACHE_SECONDS == 0
    assert not panel_cache.dashboard_cache_enabled()
