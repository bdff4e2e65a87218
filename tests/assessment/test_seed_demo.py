from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessment.models import Campaign, Enrolment, RubricItem, RubricStatus, RubricVersion, Stage
from greenoffice.models import AuditEvent
from units.credit_code import credit_code_checksum_ok
from units.models import District, DistrictKind, Membership, Person, Role, Unit, User

DEMO_PASSWORD = "Green-Office-2026"


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (District, Unit, Person, User, Membership, RubricVersion, RubricItem, Campaign, Enrolment,
                      AuditEvent)
    }


@pytest.fixture
def seeded(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing(seeded):
    before = _counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert _counts() == before
    assert "没有新增任何记录" in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_builds_the_demo_city(seeded):
    assert District.objects.count() == 8
    assert set(District.objects.values_list("kind", flat=True)) == {
        DistrictKind.CITY, DistrictKind.COUNTY, DistrictKind.PARK}
    assert District.objects.get(kind=DistrictKind.CITY).name == "市直"
    assert Unit.objects.count() == 100
    assert Unit.objects.filter(name="示范市发展和改革委员会", district__name="市直").exists()
    assert len(set(Unit.objects.values_list("category", flat=True))) == 7

    codes = list(Unit.objects.values_list("credit_code", flat=True))
    assert len(set(codes)) == 100 and all(credit_code_checksum_ok(code) for code in codes)
    for unit in Unit.objects.all():
        assert 20 <= unit.headcount <= 400 and 800 <= unit.floor_area <= 30000, unit.name
        assert unit.contact_name and unit.contact_phone and unit.address, unit.name
        people = list(unit.people.all())
        assert 3 <= len(people) <= 6, unit.name
        assert sum(p.is_leadership_group for p in people) >= 3, unit.name


@pytest.mark.django_db
def test_seed_demo_rubric_and_campaign(seeded):
    rubric = RubricVersion.objects.get()
    assert rubric.status == RubricStatus.PUBLISHED
    assert rubric.items.count() == 27 and rubric.blocks.count() == 4

    campaign = Campaign.objects.get()
    assert (campaign.year, campaign.is_current, campaign.rubric) == (2026, True, rubric)
    assert (campaign.target_certified_count, campaign.target_share, campaign.target_year) == (50, 80, 2028)
    assert campaign.self_assessment_start < campaign.application_deadline < campaign.publicity_end
    assert Enrolment.objects.filter(campaign=campaign, stage=Stage.NOT_STARTED).count() == 100


@pytest.mark.django_db
def test_seed_demo_users_and_scopes(seeded):
    users = {u.username: u for u in User.objects.prefetch_related("districts", "memberships__unit")}
    assert users["admin"].role == Role.ADMIN and users["admin"].is_superuser
    assert users["inspector1"].role == Role.INSPECTOR and not users["inspector1"].districts.exists()
    assert {d.name for d in users["inspector2"].districts.all()} == {"东城区", "西城区"}
    assert users["leader"].role == Role.LEADER and not users["leader"].districts.exists()
    assert [d.name for d in users["leader_dc"].districts.all()] == ["东城区"]
    directors = [users[f"director{n}"] for n in range(1, 6)]
    assert all(d.role == Role.DIRECTOR for d in directors)
    assert sorted(d.memberships.count() for d in directors) == [1, 1, 1, 1, 2]
    assert all(u.check_password(DEMO_PASSWORD) for u in users.values())
    assert DEMO_PASSWORD in seeded and "director1" in seeded and "演示" in seeded


@pytest.mark.django_db
def test_seed_demo_users_can_log_in(seeded, client):
    for username in ("admin", "inspector2", "leader_dc", "director1"):
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        page = reverse("home") if username == "director1" else reverse("assessment:campaign_list")
        assert client.get(page).status_code == 200
        client.logout()


@pytest.mark.django_db
def test_seed_demo_reset_passwords(seeded):
    admin = User.objects.get(username="admin")
    admin.set_password("Changed-pass-2026")
    admin.save()
    call_command("seed_demo", stdout=StringIO())
    admin.refresh_from_db()
    assert admin.check_password("Changed-pass-2026")
    call_command("seed_demo", "--reset-passwords", stdout=StringIO())
    admin.refresh_from_db()
    assert admin.check_password(DEMO_PASSWORD)
