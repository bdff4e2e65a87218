"""Every URL of the evaluation app for every role, with exact statuses: one table.

Public pages answer anonymous visitors (200); a director reaches their own unit's results, posters and
photos (another unit's: 404) and nominates; inspectors and admins manage (an inspector scoped to district
A gets 404 for unit B); leaders read (403 on every management page). Anonymous visitors of signed-in
pages are sent to log in (302).

The state each row needs is built once per role; every request runs in a savepoint that is rolled back,
so a POST in one row (closing the round, withdrawing a nomination) does not change the next row."""
import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from assessment.models import Stage
from assessment.workflow import enrolment_transition
from inspections.evaluation.models import ActivityKind, EvaluationTarget
from inspections.evaluation.services.activities import activity_create, participation_register
from inspections.evaluation.services.awards import nomination_guardian
from inspections.evaluation.services.evaluation import (
    invitations_create,
    round_add_targets,
    round_create,
    round_set_status,
)
from tests.evaluation.conftest import YEAR, answer, photo_upload

ROLES = ("anon", "director_a", "director_b", "inspector_a", "leader_a", "admin")

# name, method, data, expected statuses in ROLES order
TABLE = [
    ("evaluation:index", "get", None, (302, 200, 200, 200, 200, 200)),
    ("evaluation:round_list", "get", None, (302, 403, 403, 200, 200, 200)),
    ("evaluation:round_create", "get", None, (302, 403, 403, 302, 403, 302)),  # exists: to its page
    ("evaluation:round_detail", "get", None, (302, 403, 403, 200, 200, 200)),
    ("evaluation:round_edit", "get", None, (302, 403, 403, 200, 403, 200)),
    ("evaluation:round_status", "post", {"status": "closed"}, (302, 403, 403, 302, 403, 302)),
    ("evaluation:round_targets_add", "post", {}, (302, 403, 403, 302, 403, 302)),
    ("evaluation:media_create", "get", None, (302, 403, 403, 200, 403, 200)),
    ("evaluation:target_detail:a", "get", None, (302, 200, 404, 200, 200, 200)),
    ("evaluation:target_detail:b", "get", None, (302, 404, 200, 404, 404, 200)),
    ("evaluation:target_poster:a", "get", None, (302, 200, 404, 200, 200, 200)),
    ("evaluation:target_invitations:a", "get", None, (302, 403, 403, 200, 403, 200)),
    ("evaluation:target_invitations:b", "get", None, (302, 403, 403, 404, 403, 200)),
    ("evaluation:moderation_queue", "get", None, (302, 403, 403, 200, 403, 200)),
    ("evaluation:moderation_decide:a", "post", {"decision": "approve"}, (302, 403, 403, 302, 403, 302)),
    ("evaluation:moderation_decide:b", "post", {"decision": "approve"}, (302, 403, 403, 404, 403, 302)),
    ("evaluation:activity_list", "get", None, (302, 200, 200, 200, 200, 200)),
    ("evaluation:activity_create", "get", None, (302, 403, 403, 200, 403, 200)),
    ("evaluation:activity_detail", "get", None, (302, 200, 200, 200, 200, 200)),
    ("evaluation:activity_edit", "get", None, (302, 403, 403, 200, 403, 200)),
    ("evaluation:activity_cancel", "post", {"cancelled": "1"}, (302, 403, 403, 302, 403, 302)),
    ("evaluation:participation_register", "post", {}, (302, 400, 400, 403, 403, 403)),
    ("evaluation:participation_photo", "get", None, (302, 200, 404, 200, 200, 200)),
    ("evaluation:nomination_list", "get", None, (302, 200, 200, 200, 200, 200)),
    ("evaluation:nominate_star", "post", {}, (302, 400, 400, 400, 403, 400)),
    ("evaluation:nominate_guardian", "post", {}, (302, 400, 400, 403, 403, 403)),
    ("evaluation:nomination_decide", "post", {"selected": "1"}, (302, 403, 403, 302, 403, 302)),
    ("evaluation:nomination_withdraw", "post", {}, (302, 302, 404, 302, 403, 302)),
    ("evaluation:public_awards", "get", None, (200, 200, 200, 200, 200, 200)),
    ("evaluation_public:questionnaire", "get", None, (200, 200, 200, 200, 200, 200)),
    ("evaluation_public:invited", "get", None, (200, 200, 200, 200, 200, 200)),
    ("evaluation_public:thanks", "get", None, (200, 200, 200, 200, 200, 200)),
]


def _accept(enrolment):
    # The stage machine's own service; the self-assessment content is irrelevant to these pages.
    for stage in (Stage.SUBMITTED, Stage.ACCEPTED):
        enrolment_transition(enrolment=enrolment, to_stage=stage, actor=None)


@pytest.fixture
def world(campaign, enrolment_a, enrolment_b, inspector_a, admin_user, director_a, person_a, unit_a):
    _accept(enrolment_a)
    _accept(enrolment_b)
    today = datetime.date.today()
    round_ = round_create(actor=inspector_a, campaign=campaign, title="", start_date=today - datetime.timedelta(days=3),
                          end_date=today + datetime.timedelta(days=3))
    round_set_status(actor=inspector_a, round_=round_, status="open")
    round_add_targets(actor=admin_user, round_=round_)
    target_a = EvaluationTarget.objects.get(enrolment=enrolment_a)
    target_b = EvaluationTarget.objects.get(enrolment=enrolment_b)
    activity = activity_create(actor=inspector_a, title="植树", kind=ActivityKind.TREE_PLANTING,
                               date=datetime.date(YEAR, 3, 12))
    participation = participation_register(actor=director_a, activity=activity, unit=unit_a, summary="参加",
                                           participants=3, photos=[photo_upload()])
    return {
        "round": round_, "target_a": target_a, "target_b": target_b, "activity": activity,
        "photo": participation.photos.get(),
        "response_a": answer(target_a, comment="意见A"), "response_b": answer(target_b, comment="意见B"),
        "invitation": invitations_create(actor=inspector_a, target=target_a, count=1)[0],
        "nomination": nomination_guardian(actor=director_a, campaign=campaign, person=person_a, citation="事迹"),
    }


def _url(name: str, w) -> str:
    base, _sep, which = name.partition(":")[2].partition(":")
    full = name.split(":")[0] + ":" + base
    target = w["target_b"] if which == "b" else w["target_a"]
    args = {
        "round_detail": [w["round"].pk], "round_edit": [w["round"].pk], "round_status": [w["round"].pk],
        "round_targets_add": [w["round"].pk], "media_create": [w["round"].pk],
        "target_detail": [target.pk], "target_poster": [target.pk], "target_invitations": [target.pk],
        "moderation_decide": [(w["response_b"] if which == "b" else w["response_a"]).pk],
        "activity_detail": [w["activity"].pk], "activity_edit": [w["activity"].pk],
        "activity_cancel": [w["activity"].pk], "participation_register": [w["activity"].pk],
        "participation_photo": [w["photo"].pk],
        "nomination_decide": [w["nomination"].pk], "nomination_withdraw": [w["nomination"].pk],
        "questionnaire": [w["target_a"].token], "thanks": [w["target_a"].token],
        "invited": [w["target_a"].token, w["invitation"].token],
    }.get(base, [])
    return reverse(full, args=args)


@pytest.mark.parametrize("role", ROLES)
def test_evaluation_role_matrix(client, world, role, request):
    if role != "anon":
        client.force_login(request.getfixturevalue("admin_user" if role == "admin" else role))
    column = ROLES.index(role)
    got, expected = {}, {}
    for name, method, data, statuses in TABLE:
        url = _url(name, world)
        with transaction.atomic():
            response = getattr(client, method)(url, data) if method == "post" else client.get(url)
            transaction.set_rollback(True)
        got[name], expected[name] = response.status_code, statuses[column]
        if response.status_code == 302 and role == "anon" and statuses[column] == 302:
            assert response["Location"].startswith(reverse("login")), name
    assert got == expected
