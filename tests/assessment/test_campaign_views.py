import pytest
from django.urls import reverse

from assessment.models import Campaign, Enrolment, Stage
from assessment.services.campaign import campaign_enrol_units
from assessment.workflow import enrolment_transition
from tests.assessment.rubric_campaign_helpers import import_rubric, make_campaign
from tests.factories import UnitFactory
from units.models import UnitCategory


@pytest.fixture
def campaign(db):
    return make_campaign(rubric=import_rubric())


@pytest.fixture
def enrolled(campaign, unit_a, unit_b):
    campaign_enrol_units(actor=None, campaign=campaign, units=[unit_a, unit_b])
    return campaign


def _form_data(campaign_rubric, **changes):
    data = {
        "year": 2027, "name": "", "rubric": campaign_rubric.pk, "target_certified_count": 40,
        "target_share": "80", "target_year": 2029, "self_assessment_start": "2027-03-01",
        "self_assessment_end": "2027-08-31", "application_deadline": "2027-09-15", "review_start": "2027-09-16",
        "review_end": "2027-09-30", "public_evaluation_start": "2027-10-10", "public_evaluation_end": "2027-12-10",
        "publicity_start": "2027-12-15", "publicity_end": "2027-12-21", "objection_window_days": 7,
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_campaign_pages_anonymous_is_redirected_to_login(client, campaign):
    for url in (reverse("assessment:campaign_list"), reverse("assessment:campaign_detail", args=[campaign.pk]),
                reverse("assessment:campaign_create"), reverse("assessment:campaign_enrol", args=[campaign.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_campaign_pages_role_matrix(client, campaign, director_a, inspector_a, leader_a, admin_user):
    pages = {
        # url: (director, inspector, leader, admin)
        reverse("assessment:campaign_list"): (403, 200, 200, 200),
        reverse("assessment:campaign_detail", args=[campaign.pk]): (403, 200, 200, 200),
        reverse("assessment:campaign_create"): (403, 403, 403, 200),
        reverse("assessment:campaign_update", args=[campaign.pk]): (403, 403, 403, 200),
        reverse("assessment:campaign_enrol", args=[campaign.pk]): (403, 403, 403, 200),
    }
    for url, codes in pages.items():
        for user, code in zip((director_a, inspector_a, leader_a, admin_user), codes, strict=True):
            client.force_login(user)
            assert client.get(url).status_code == code, (url, user.username)


@pytest.mark.django_db
def test_campaign_writes_forbidden_to_readers(client, enrolled, inspector_a, leader_a, unit_a):
    enrolment = Enrolment.objects.get(unit=unit_a)
    for user in (inspector_a, leader_a):
        client.force_login(user)
        assert client.post(reverse("assessment:campaign_create"), _form_data(enrolled.rubric)).status_code == 403
        assert client.post(reverse("assessment:campaign_enrol", args=[enrolled.pk])).status_code == 403
        url = reverse("assessment:campaign_unenrol", args=[enrolled.pk, enrolment.pk])
        assert client.post(url).status_code == 403
    assert Campaign.objects.count() == 1 and Enrolment.objects.count() == 2


@pytest.mark.django_db
def test_campaign_detail_leader_sees_only_their_district(client, enrolled, leader_a, unit_a, unit_b):
    client.force_login(leader_a)
    response = client.get(reverse("assessment:campaign_detail", args=[enrolled.pk]))

    html = response.content.decode()
    assert [e.unit for e in response.context["page"]] == [unit_a]
    assert unit_a.name in html and unit_b.name not in html
    assert response.context["enrolled_total"] == 1
    assert "您负责区域已命名" in html  # a scoped count is not passed off as the city's
    assert {row["stage"]: row["count"] for row in response.context["stage_counts"]} == {Stage.NOT_STARTED: 1}


@pytest.mark.django_db
def test_campaign_detail_admin_sees_all_and_filters_by_stage(client, enrolled, admin_user, unit_a, unit_b,
                                                             director_a):
    enrolment_transition(enrolment=Enrolment.objects.get(unit=unit_a), to_stage=Stage.SELF_ASSESSING,
                         actor=director_a)
    client.force_login(admin_user)
    url = reverse("assessment:campaign_detail", args=[enrolled.pk])
    assert {e.unit for e in client.get(url).context["page"]} == {unit_a, unit_b}
    assert [e.unit for e in client.get(url, {"stage": Stage.SELF_ASSESSING}).context["page"]] == [unit_a]
    assert [e.unit for e in client.get(url, {"district": unit_b.district_id}).context["page"]] == [unit_b]


@pytest.mark.django_db
def test_campaign_detail_query_count_is_flat(client, campaign, admin_user, django_assert_max_num_queries):
    campaign_enrol_units(actor=None, campaign=campaign, units=UnitFactory.create_batch(30))
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("assessment:campaign_detail", args=[campaign.pk]))
    assert len(response.context["page"]) == 30


@pytest.mark.django_db
def test_campaign_create_page_bad_dates_show_messages_and_keep_input(client, campaign, admin_user):
    client.force_login(admin_user)
    data = _form_data(campaign.rubric, self_assessment_end="2027-02-01")
    response = client.post(reverse("assessment:campaign_create"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["self_assessment_end"] == ["“自评截止”不能早于“自评开始”"]
    assert "“自评截止”不能早于“自评开始”" in response.content.decode()
    assert form["target_certified_count"].value() == "40"
    assert not Campaign.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_campaign_create_page_offers_only_published_rubrics(client, campaign, admin_user):
    draft = import_rubric(publish=False, version=2)
    client.force_login(admin_user)
    response = client.get(reverse("assessment:campaign_create"))
    assert list(response.context["form"].fields["rubric"].queryset) == [campaign.rubric]
    response = client.post(reverse("assessment:campaign_create"), _form_data(draft))
    assert response.status_code == 200 and "rubric" in response.context["form"].errors


@pytest.mark.django_db
def test_campaign_create_page_creates_and_redirects(client, campaign, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("assessment:campaign_create"), _form_data(campaign.rubric, is_current="on"))

    created = Campaign.objects.get(year=2027)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:campaign_detail", args=[created.pk])
    assert created.name == "2027年度绿色机关创建" and created.is_current
    campaign.refresh_from_db()
    assert not campaign.is_current


@pytest.mark.django_db
def test_campaign_update_page_saves(client, campaign, admin_user):
    client.force_login(admin_user)
    data = _form_data(campaign.rubric, year=2026, name="2026年度创建", self_assessment_start="2026-03-01",
                      self_assessment_end="2026-08-31", application_deadline="2026-09-15",
                      review_start="2026-09-16", review_end="2026-09-30", public_evaluation_start="2026-10-10",
                      public_evaluation_end="2026-12-10", publicity_start="2026-12-15", publicity_end="2026-12-21",
                      target_year=2028, is_current="on")
    response = client.post(reverse("assessment:campaign_update", args=[campaign.pk]), data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.target_certified_count) == ("2026年度创建", 40)


@pytest.mark.django_db
def test_campaign_enrol_page_filters_and_is_idempotent(client, campaign, admin_user, district_a):
    party = UnitFactory(district=district_a, category=UnitCategory.PARTY)
    UnitFactory(district=district_a, category=UnitCategory.GOVERNMENT)
    client.force_login(admin_user)
    url = reverse("assessment:campaign_enrol", args=[campaign.pk])

    preview = client.get(url, {"districts": district_a.pk, "categories": UnitCategory.PARTY})
    assert list(preview.context["candidates"]) == [party]
    response = client.post(url, {"districts": district_a.pk, "categories": UnitCategory.PARTY})
    assert response.status_code == 302
    assert list(Enrolment.objects.values_list("unit", flat=True)) == [party.pk]

    client.post(url, {"districts": district_a.pk, "categories": UnitCategory.PARTY})
    assert Enrolment.objects.count() == 1
    client.post(url, {})  # no filter: every active unit
    assert Enrolment.objects.count() == 2


@pytest.mark.django_db
def test_campaign_unenrol_page(client, enrolled, admin_user, unit_b):
    client.force_login(admin_user)
    enrolment = Enrolment.objects.get(unit=unit_b)
    response = client.post(reverse("assessment:campaign_unenrol", args=[enrolled.pk, enrolment.pk]))
    assert response.status_code == 302
    assert not Enrolment.objects.filter(unit=unit_b).exists()


@pytest.mark.django_db
def test_campaign_unenrol_of_another_campaign_is_404(client, enrolled, admin_user, unit_a):
    other = make_campaign(rubric=enrolled.rubric, year=2027, is_current=False)
    client.force_login(admin_user)
    enrolment = Enrolment.objects.get(unit=unit_a)
    response = client.post(reverse("assessment:campaign_unenrol", args=[other.pk, enrolment.pk]))
    assert response.status_code == 404
    assert Enrolment.objects.filter(unit=unit_a).exists()
