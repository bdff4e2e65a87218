"""The role matrix of every self-assessment, evidence and review URL, in one table.

Rows: URL × target unit (unit_a in every scoped user's scope, unit_b in nobody's but the admin's).
Columns: director_a, inspector_a, leader_a, admin, anonymous. A role that may never use a page gets
403 whatever the unit; out of scope is 404; anonymous users are sent to log in (302 to the login page).
A refused write must leave no trace."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessment.models import Campaign, ItemResponse
from assessment.services.evidence import evidence_add
from assessment.services.self_assessment import assessment_submit
from greenoffice.models import AuditEvent
from tests.assessment.conftest import PDF_BYTES, png_bytes

pytestmark = pytest.mark.django_db

ROLES = ("director", "inspector", "leader", "admin", "anonymous")
LOGIN = "login"


def _statuses(director, inspector, leader, admin, anonymous=LOGIN):
    return dict(zip(ROLES, (director, inspector, leader, admin, anonymous), strict=True))


# (URL name, method, target unit, state needed, expected status per role)
MATRIX = [
    ("my_assessments", "get", None, None, _statuses(200, 403, 403, 403)),
    ("self_assessment", "get", "a", None, _statuses(200, 200, 200, 200)),
    ("self_assessment", "get", "b", None, _statuses(404, 404, 404, 200)),
    ("self_assessment_item", "post", "a", None, _statuses(302, 403, 403, 403)),
    ("self_assessment_item", "post", "b", None, _statuses(404, 403, 403, 403)),
    ("self_assessment_submit", "post", "a", None, _statuses(302, 403, 403, 403)),
    ("self_assessment_submit", "post", "b", None, _statuses(404, 403, 403, 403)),
    ("self_assessment_history", "get", "a", None, _statuses(200, 200, 200, 200)),
    ("self_assessment_history", "get", "b", None, _statuses(404, 404, 404, 200)),
    ("evidence_download", "get", "a", None, _statuses(200, 200, 200, 200)),
    ("evidence_download", "get", "b", None, _statuses(404, 404, 404, 200)),
    ("evidence_delete", "post", "a", None, _statuses(302, 403, 403, 403)),
    ("evidence_delete", "post", "b", None, _statuses(404, 403, 403, 403)),
    ("evidence_replace", "post", "a", None, _statuses(302, 403, 403, 403)),
    ("evidence_replace", "post", "b", None, _statuses(404, 403, 403, 403)),
    ("review_queue", "get", None, None, _statuses(403, 200, 403, 200)),
    ("review_detail", "get", "a", None, _statuses(403, 200, 403, 200)),
    ("review_detail", "get", "b", None, _statuses(403, 404, 403, 200)),
    ("review_detail", "post", "a", "submitted", _statuses(403, 302, 403, 302)),
    ("review_detail", "post", "b", "submitted", _statuses(403, 404, 403, 302)),
    ("extension_grant", "get", "a", None, _statuses(403, 200, 403, 200)),
    ("extension_grant", "get", "b", None, _statuses(403, 404, 403, 200)),
    ("extension_grant", "post", "a", "dated", _statuses(403, 302, 403, 302)),
    ("extension_grant", "post", "b", "dated", _statuses(403, 404, 403, 302)),
]

CASES = [
    pytest.param(name, method, target, setup, role, expected[role],
                 id=f"{name}-{method}-{target or 'none'}-{role}")
    for name, method, target, setup, expected in MATRIX
    for role in ROLES
]


@pytest.fixture
def world(answered_a, answered_b, director_a, director_b, enrolment_a, enrolment_b, items):
    files = {}
    for key, assessment, director in (("a", answered_a, director_a), ("b", answered_b, director_b)):
        response = ItemResponse.objects.get(assessment=assessment, item=items["1.1"])
        files[key] = evidence_add(actor=director, response=response,
                                  uploaded_file=SimpleUploadedFile("成立文件.pdf", PDF_BYTES))
    return {
        "enrolment": {"a": enrolment_a, "b": enrolment_b},
        "assessment": {"a": answered_a, "b": answered_b},
        "director": {"a": director_a, "b": director_b},
        "evidence": files,
        "item": items["1.1"],
    }


def _request(client, world, name, method, target):
    item = world["item"]
    if name in ("my_assessments", "review_queue"):
        return getattr(client, method)(reverse(f"assessment:{name}"))
    if name.startswith("evidence_"):
        evidence = world["evidence"][target]
        url = reverse(f"assessment:{name}", args=[evidence.pk])
        data = {f"replace-{evidence.pk}": SimpleUploadedFile("新照片.png", png_bytes())} if name == "evidence_replace" \
            else {}
        return getattr(client, method)(url, data) if method == "post" else client.get(url)
    enrolment = world["enrolment"][target]
    if name == "self_assessment_item":
        url = reverse(f"assessment:{name}", args=[enrolment.pk, item.pk])
        return client.post(url, {f"i{item.pk}-explanation": "越权写入", f"i{item.pk}-full_marks": "on"})
    url = reverse(f"assessment:{name}", args=[enrolment.pk])
    if method == "get":
        return client.get(url)
    if name == "self_assessment_submit":
        world["assessment"][target].refresh_from_db()
        return client.post(url, {"version": world["assessment"][target].revision})
    if name == "extension_grant":
        new_date = timezone.localdate() + datetime.timedelta(days=7)
        return client.post(url, {"kind": "self_assessment", "new_date": new_date.isoformat(), "reason": "延期"})
    return client.post(url, {"decision": "accept", "comment": ""})


@pytest.mark.parametrize("name, method, target, setup, role, expected", CASES)
def test_role_matrix(client, world, role_users, name, method, target, setup, role, expected):
    if setup == "dated":  # a campaign with a 自评截止 to extend
        Campaign.objects.update(self_assessment_end=timezone.localdate())
    if setup == "submitted":
        for key in ("a", "b"):
            assessment_submit(actor=world["director"][key], assessment=world["assessment"][key])
    if role != "anonymous":
        client.force_login(role_users[role])
    events_before = AuditEvent.objects.count()

    response = _request(client, world, name, method, target)

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
    if expected in (403, 404, LOGIN):
        assert AuditEvent.objects.count() == events_before  # refused: nothing written
    elif method == "post":
        assert AuditEvent.objects.count() > events_before
