"""Every panel (page fragment and export) runs the same number of queries for 10 and for 1,000 more units:
nothing is fetched per unit. The extra units come with enrolments in every stage, year-end results with
item verifications, visits, findings, orders and certificates, so every query of every panel has rows."""
import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.models import Enrolment, ItemResponse, SelfAssessment, Stage
from inspections.models import (
    Certificate,
    Finding,
    Inspection,
    InspectionKind,
    InspectionStatus,
    ItemVerification,
    OrderStatus,
    RectificationOrder,
    ReviewStatus,
    YearEndReview,
)
from tests.dashboard.conftest import YEAR, local
from tests.factories import next_credit_code
from units.models import Unit, UnitCategory

pytestmark = pytest.mark.django_db

PANELS = ("dashboard:battle_map", "dashboard:targets", "dashboard:scores", "dashboard:supervision",
          "dashboard:carbon")
STAGES = list(Stage)
_serial = itertools.count(1)


def grow(*, campaign, districts, items, n):
    """Add `n` units spread over `districts`, each enrolled, in stages cycling through every stage."""
    batch = next(_serial)
    units = Unit.objects.bulk_create([
        Unit(code=f"G{batch:02d}{i:05d}", name=f"扩容单位{batch}-{i}", credit_code=next_credit_code(),
             district=districts[i % len(districts)], category=UnitCategory.GOVERNMENT)
        for i in range(n)
    ])
    enrolments = Enrolment.objects.bulk_create([
        Enrolment(campaign=campaign, unit=unit, stage=STAGES[i % len(STAGES)]) for i, unit in enumerate(units)
    ])
    reviewed = [e for e in enrolments if e.stage in (Stage.REVIEWED, Stage.PASSED, Stage.CERTIFIED, Stage.FAILED,
                                                     Stage.RECTIFYING, Stage.PUBLICITY)]
    reviews = YearEndReview.objects.bulk_create([
        YearEndReview(enrolment=e, status=ReviewStatus.FINALISED, self_total=Decimal("90"),
                      verified_total=Decimal(60 + i % 40), supervision_deduction=Decimal("0"),
                      pass_score=Decimal(60 + i % 40), bonus=Decimal("0"), final_score=Decimal(60 + i % 40),
                      gap=Decimal(30 - i % 40), grade="合格", certified=i % 2 == 0, outcome="passed")
        for i, e in enumerate(reviewed)
    ])
    assessments = SelfAssessment.objects.bulk_create([
        SelfAssessment(enrolment=e, status="accepted", round=1, self_total=Decimal("90")) for e in reviewed
    ])
    ItemResponse.objects.bulk_create([
        ItemResponse(assessment=a, item=item, answered=True, self_score=item.points)
        for a in assessments for item in items
    ])
    ItemVerification.objects.bulk_create([
        ItemVerification(review=r, item=item, decision="override", verified_score=item.points - 1)
        for r in reviews for item in items
    ])
    Certificate.objects.bulk_create([
        Certificate(enrolment=e, unit_id=e.unit_id, year=YEAR, sequence=10_000 * batch + i,
                    number=f"G-{batch}-{i}", issued_on=datetime.date(YEAR, 1, 1),
                    valid_until=datetime.date(YEAR + 3, 1, 1))
        for i, e in enumerate(enrolments) if e.stage == Stage.CERTIFIED
    ])
    today = datetime.date.today()
    inspections = Inspection.objects.bulk_create([
        Inspection(kind=InspectionKind.SPOT_CHECK, campaign=campaign, enrolment=e, unit_id=e.unit_id,
                   scheduled_date=today, status=InspectionStatus.COMPLETED,
                   completed_at=local(today.year, today.month, today.day, 9))
        for e in enrolments[::3]
    ])
    findings = Finding.objects.bulk_create([
        Finding(inspection=v, campaign=campaign, enrolment_id=v.enrolment_id, unit_id=v.unit_id,
                item=items[i % len(items)], severity="minor" if i % 2 else "serious", description="问题")
        for i, v in enumerate(inspections)
    ])
    RectificationOrder.objects.bulk_create([
        RectificationOrder(finding=f, campaign=campaign, unit_id=f.unit_id, year=YEAR, sequence=10_000 * batch + i,
                           number=f"GZ-{batch}-{i}", required_action="整改",
                           deadline=today - datetime.timedelta(days=10 - i % 20),
                           status=OrderStatus.CLOSED if i % 3 == 0 else OrderStatus.ISSUED,
                           closed_at=local(today.year, today.month, today.day, 9) if i % 3 == 0 else None)
        for i, f in enumerate(findings)
    ])


@pytest.mark.parametrize("export", [False, True], ids=["html", "xlsx"])
@pytest.mark.parametrize("url_name", PANELS)
@pytest.mark.parametrize("user_fixture", ["leader_a", "leader_city"])
def test_dashboard_panel_query_count_is_the_same_for_10_and_1000_units(
    client, request, city, campaign, district_a, district_b, django_assert_num_queries, url_name, export,
    user_fixture,
):
    client.force_login(request.getfixturevalue(user_fixture))
    items = [city["items"]["1.1"], city["items"]["2.1"], city["items"]["3.1"]]
    params = {"format": "xlsx"} if export else {}
    headers = {} if export else {"HX-Request": "true"}

    grow(campaign=campaign, districts=[district_a, district_b], items=items, n=10)
    # Warm up: the first request of a session does one-off work (session writes, security checks).
    client.get(reverse(url_name), params, headers=headers)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(url_name), params, headers=headers).status_code == 200

    grow(campaign=campaign, districts=[district_a, district_b], items=items, n=990)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse(url_name), params, headers=headers)
    assert response.status_code == 200
    if not export:
        assert "扩容单位" in response.content.decode() or url_name != "dashboard:battle_map"


def test_dashboard_index_query_count_is_the_same_for_10_and_1000_units(
    client, city, campaign, leader_a, district_a, district_b, django_assert_num_queries,
):
    client.force_login(leader_a)
    items = [city["items"]["1.1"]]
    grow(campaign=campaign, districts=[district_a, district_b], items=items, n=10)
    client.get(reverse("dashboard:index"))  # warm-up, as above
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("dashboard:index"))
    grow(campaign=campaign, districts=[district_a, district_b], items=items, n=990)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("dashboard:index"))
