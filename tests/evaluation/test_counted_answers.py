"""Answers that count (ballot stuffing): by default the satisfaction gate counts only answers given
through a one-use invitation; open answers are stored and shown apart, and count only where the round
lets them, within its per-address and per-unit limits. A client that drops its cookies (and changes its
browser string) between answers adds no counted answer."""
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from inspections.evaluation.models import EvaluationResponse, EvaluationRound, RoundStatus
from inspections.evaluation.questions import QUESTIONS
from inspections.evaluation.selectors.gate import satisfaction_gate
from inspections.evaluation.services.evaluation import invitations_create, round_set_status, round_update
from tests.evaluation.conftest import answer


def url(target):
    return reverse("evaluation_public:questionnaire", args=[target.token])


def form_data(overall="satisfied"):
    data = {q.field: "satisfied" for q in QUESTIONS}
    data["rating_overall"] = overall
    return data


def stuff(client, target, times, *, overall="dissatisfied", address="198.51.100.7"):
    """A script posting the questionnaire again and again, throwing its cookies away each time and
    changing its browser string, all from one address."""
    statuses = []
    for n in range(times):
        client.cookies.clear()
        response = client.post(url(target), form_data(overall), REMOTE_ADDR=address,
                               HTTP_USER_AGENT=f"script/{n}")
        statuses.append(response.status_code)
    return statuses


def test_counted_answers_new_round_counts_only_invitations(target_a):
    assert target_a.round.open_answers_count is False
    answer(target_a, overall="satisfied")  # through an invitation
    answer(target_a, overall="dissatisfied", invited=False)
    gate = satisfaction_gate(enrolment=target_a.enrolment)
    assert (gate.answers, gate.satisfied, gate.uncounted) == (1, 1, 1)


def test_counted_answers_client_that_drops_cookies_adds_no_counted_answer(client, target_a, settings):
    settings.EVALUATION_SUBMIT_LIMIT = 100
    statuses = stuff(client, target_a, 18)
    assert statuses == [302] * 18  # stored (nothing tells the script), ...
    assert EvaluationResponse.objects.filter(target=target_a).count() == 18
    gate = satisfaction_gate(enrolment=target_a.enrolment)
    assert gate.answers == 0 and gate.uncounted == 18  # ... but none of them counts


def test_counted_answers_open_answers_count_only_within_the_per_address_limit(client, target_a, inspector_a,
                                                                              settings):
    settings.EVALUATION_SUBMIT_LIMIT = 100
    round_update(actor=inspector_a, round_=target_a.round, open_answers_count=True, open_per_address=2,
                 open_per_unit=50)
    stuff(client, target_a, 18)
    gate = satisfaction_gate(enrolment=target_a.enrolment)
    assert (gate.answers, gate.uncounted) == (2, 16)
    # Another address still counts: the limit is per address, not a lock-out of the unit.
    stuff(client, target_a, 1, address="203.0.113.20")
    assert satisfaction_gate(enrolment=target_a.enrolment).answers == 3


def test_counted_answers_open_answers_are_capped_per_unit(target_a, inspector_a):
    round_update(actor=inspector_a, round_=target_a.round, open_answers_count=True, open_per_address=5,
                 open_per_unit=3)
    for n in range(5):
        answer(target_a, address=f"addr-{n}")
    gate = satisfaction_gate(enrolment=target_a.enrolment)
    assert (gate.answers, gate.uncounted) == (3, 2)
    # Invitations are never capped.
    answer(target_a)
    assert satisfaction_gate(enrolment=target_a.enrolment).answers == 4


def test_counted_answers_switching_open_answers_off_leaves_only_invitations(target_a, inspector_a):
    round_update(actor=inspector_a, round_=target_a.round, open_answers_count=True)
    answer(target_a, address="addr-1")
    answer(target_a)
    assert satisfaction_gate(enrolment=target_a.enrolment).answers == 2
    round_update(actor=inspector_a, round_=target_a.round, open_answers_count=False)
    assert satisfaction_gate(enrolment=target_a.enrolment).answers == 1


def test_counted_answers_rules_are_fixed_once_the_round_is_closed(target_a, inspector_a):
    round_set_status(actor=inspector_a, round_=target_a.round, status=RoundStatus.CLOSED)
    with pytest.raises(ValidationError, match="计入规则不能再修改"):
        round_update(actor=inspector_a, round_=target_a.round, open_answers_count=True)


def test_counted_answers_invitation_link_counts_once_per_invitee(client, target_a, inspector_a):
    invitation = invitations_create(actor=inspector_a, target=target_a, count=1)[0]
    link = reverse("evaluation_public:invited", args=[target_a.token, invitation.token])
    assert client.post(link, form_data("satisfied"), REMOTE_ADDR="198.51.100.7").status_code == 302
    client.cookies.clear()
    again = client.post(link, form_data("dissatisfied"), REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="other")
    assert again.status_code == 200 and "该邀请码已经使用过" in again.content.decode()
    gate = satisfaction_gate(enrolment=target_a.enrolment)
    assert (gate.answers, gate.satisfied) == (1, 1)


def test_counted_answers_results_page_shows_open_answers_apart(client, target_a, inspector_a):
    answer(target_a, overall="satisfied")
    answer(target_a, overall="dissatisfied", invited=False)
    answer(target_a, overall="dissatisfied", invited=False)
    client.force_login(inspector_a)
    html = client.get(reverse("evaluation:target_detail", args=[target_a.pk])).content.decode()
    assert "另有公开链接答卷2份未计入满意率(满意率0%)" in html
    assert "有效答卷:仅计凭个人邀请码提交的答卷(一人一码)。" in html
    round_html = client.get(reverse("evaluation:round_detail", args=[target_a.round.pk])).content.decode()
    assert "答卷1份" in round_html and "另有2份未计入" in round_html


def test_counted_answers_invitation_page_prints_a_qr_code_per_unused_invitation(client, target_a, inspector_a):
    invitations_create(actor=inspector_a, target=target_a, count=3)
    client.force_login(inspector_a)
    html = client.get(reverse("evaluation:target_invitations", args=[target_a.pk])).content.decode()
    assert html.count('class="go-qr-slip" src="data:image/svg+xml;base64,') == 3


def test_counted_answers_round_form_sets_the_counting_rules(client, round_, inspector_a):
    client.force_login(inspector_a)
    page = client.get(reverse("evaluation:round_edit", args=[round_.pk])).content.decode()
    assert "公开链接答卷计入满意率" in page and "每个网络地址每天计入份数(每单位)" in page
    data = {"title": round_.title, "start_date": round_.start_date.isoformat(),
            "end_date": round_.end_date.isoformat(), "threshold": "80", "min_answers": "5", "intro": "",
            "open_answers_count": "on", "open_per_address": "2", "open_per_unit": "10"}
    response = client.post(reverse("evaluation:round_edit", args=[round_.pk]), data)
    assert response.status_code == 302
    round_.refresh_from_db()
    assert (round_.open_answers_count, round_.open_per_address, round_.open_per_unit) == (True, 2, 10)
    data.pop("open_answers_count")
    data["open_per_unit"] = "0"
    response = client.post(reverse("evaluation:round_edit", args=[round_.pk]), data)
    assert response.status_code == 400
    round_.refresh_from_db()
    assert round_.open_answers_count is True and round_.open_per_unit == 10


def test_counted_answers_migration_keeps_closed_rounds_counting_and_open_ones_safe(target_a, inspector_a):
    migration = importlib.import_module("inspections.evaluation.migrations.0002_answers_that_count")
    open_answer = answer(target_a, address="addr-old")
    EvaluationResponse.objects.filter(pk=open_answer.pk).update(within_limits=False)  # as the column was added
    migration.keep_closed_rounds_as_they_were(apps, None)
    assert EvaluationRound.objects.get(pk=target_a.round_id).open_answers_count is False  # open: new default
    assert EvaluationResponse.objects.get(pk=open_answer.pk).within_limits is True
    round_set_status(actor=inspector_a, round_=target_a.round, status=RoundStatus.CLOSED)
    migration.keep_closed_rounds_as_they_were(apps, None)
    assert EvaluationRound.objects.get(pk=target_a.round_id).open_answers_count is True
    assert satisfaction_gate(enrolment=target_a.enrolment).answers == 1
