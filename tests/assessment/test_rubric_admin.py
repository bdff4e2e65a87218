import pytest
from django.urls import reverse

from assessment.models import Campaign, Enrolment, RubricItem, RubricVersion
from assessment.services.campaign import campaign_enrol_units
from tests.assessment.rubric_campaign_helpers import import_rubric, make_campaign
from tests.factories import UserFactory
from units.models import Role


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.mark.django_db
def test_rubric_admin_published_is_read_only_draft_is_editable(client, superuser):
    published = import_rubric()
    draft = import_rubric(publish=False, version=2)
    client.force_login(superuser)

    published_page = client.get(reverse("admin:assessment_rubricversion_change", args=[published.pk]))
    draft_page = client.get(reverse("admin:assessment_rubricversion_change", args=[draft.pk]))
    assert published_page.status_code == 200 and draft_page.status_code == 200
    assert not published_page.context["has_change_permission"]
    assert draft_page.context["has_change_permission"]

    item = RubricItem.objects.get(rubric=published, code="1.1")
    response = client.post(reverse("admin:assessment_rubricitem_change", args=[item.pk]), {"title": "改"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.title != "改"


@pytest.mark.django_db
def test_assessment_admin_changelists_load(client, superuser, unit_a):
    campaign = make_campaign(rubric=import_rubric())
    campaign_enrol_units(actor=None, campaign=campaign, units=[unit_a])
    client.force_login(superuser)
    for model in ("rubricversion", "rubricitem", "campaign", "enrolment", "stagetransition", "selfassessment",
                  "itemresponse", "submissionround", "itemreviewcomment", "evidence"):
        assert client.get(reverse(f"admin:assessment_{model}_changelist")).status_code == 200, model
    response = client.get(reverse("admin:assessment_campaign_change", args=[campaign.pk]))
    assert response.status_code == 200 and not response.context["has_change_permission"]
    assert Campaign.objects.count() == 1 and Enrolment.objects.count() == 1
    assert not client.get(reverse("admin:assessment_rubricversion_add")).status_code == 200
    assert RubricVersion.objects.count() == 1
