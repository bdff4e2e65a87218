"""The public questionnaire (/p/<code>/): no log-in, one answer per device per day, a per-address rate
limit, the comment cap that keeps the answers, the honeypot, invitations, and a closed round."""
import re

import pytest
from django.urls import reverse

from inspections.evaluation.device import DEVICE_COOKIE
from inspections.evaluation.models import CommentStatus, EvaluationResponse, RoundStatus
from inspections.evaluation.questions import QUESTIONS
from inspections.evaluation.services.evaluation import invitations_create, round_set_status
from tests.evaluation.conftest import answer

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile Safari"


def url(target):
    return reverse("evaluation_public:questionnaire", args=[target.token])


def form_data(overall="satisfied", comment="", **extra):
    data = {q.field: "satisfied" for q in QUESTIONS}
    data["rating_overall"] = overall
    data["comment"] = comment
    data.update(extra)
    return data


def test_questionnaire_short_link_is_public_and_sets_a_signed_httponly_device_cookie(client, target_a):
    assert len(target_a.token) == 8
    response = client.get(url(target_a), HTTP_USER_AGENT=PHONE)
    assert response.status_code == 200
    html = response.content.decode()
    assert target_a.unit.name in html and "总体满意度" in html and "基本满意" in html
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert ":" in cookie.value  # signed
    # Codes are typed from a poster: upper case works too.
    assert client.get(url(target_a).upper().replace("/P/", "/p/")).status_code == 200
    assert client.get("/p/zzzzzzzz/").status_code == 404


def test_questionnaire_same_device_cannot_answer_twice_a_day(client, target_a):
    client.get(url(target_a), HTTP_USER_AGENT=PHONE)
    first = client.post(url(target_a), form_data(), HTTP_USER_AGENT=PHONE)
    assert first.status_code == 302 and first["Location"] == reverse("evaluation_public:thanks", args=[target_a.token])
    second = client.post(url(target_a), form_data(overall="dissatisfied"), HTTP_USER_AGENT=PHONE)
    assert second.status_code == 409
    assert "您今天已经对该单位提交过评议" in second.content.decode()
    assert EvaluationResponse.objects.filter(target=target_a).count() == 1
    assert EvaluationResponse.objects.get(target=target_a).rating_overall == "satisfied"


def test_questionnaire_without_cookies_falls_back_to_address_and_browser(client, target_a):
    # A client that keeps no cookie is keyed by a hash of its address and user agent.
    assert client.post(url(target_a), form_data(), HTTP_USER_AGENT=PHONE).status_code == 302
    client.cookies.clear()
    again = client.post(url(target_a), form_data(), HTTP_USER_AGENT=PHONE)
    assert again.status_code == 409
    client.cookies.clear()
    other_browser = client.post(url(target_a), form_data(), HTTP_USER_AGENT="Another browser")
    assert other_browser.status_code == 302
    assert EvaluationResponse.objects.filter(target=target_a).count() == 2
    assert "127.0.0.1" not in str(list(EvaluationResponse.objects.values_list("device_key", "network_key")))


def test_questionnaire_rate_limit_per_address(client, target_a, target_b, settings):
    settings.EVALUATION_SUBMIT_LIMIT = 3
    codes = []
    for n in range(4):
        client.cookies.clear()  # a new "device" each time: only the address limit can stop it
        target = target_a if n % 2 == 0 else target_b
        codes.append(client.post(url(target), form_data(), HTTP_USER_AGENT=f"bot {n}",
                                 REMOTE_ADDR="10.9.8.7").status_code)
    assert codes == [302, 302, 302, 429]
    client.cookies.clear()
    refused = client.post(url(target_a), form_data(comment="保留这段话"), HTTP_USER_AGENT="bot 9",
                          REMOTE_ADDR="10.9.8.7")
    html = refused.content.decode()
    assert refused.status_code == 429 and "提交过于频繁" in html and "保留这段话" in html
    # Another address is not affected.
    assert client.post(url(target_a), form_data(), HTTP_USER_AGENT="person",
                       REMOTE_ADDR="10.9.8.8").status_code == 302
    assert EvaluationResponse.objects.count() == 4


def test_questionnaire_forwarded_for_is_ignored_unless_proxies_are_trusted(client, target_a, settings):
    settings.EVALUATION_SUBMIT_LIMIT = 1
    client.post(url(target_a), form_data(), REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1")
    client.cookies.clear()
    spoofed = client.post(url(target_a), form_data(), REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="2.2.2.2",
                          HTTP_USER_AGENT="x")
    assert spoofed.status_code == 429
    settings.GREENOFFICE_TRUSTED_PROXIES = ["10.0.0.1"]
    client.cookies.clear()
    behind_proxy = client.post(url(target_a), form_data(), REMOTE_ADDR="10.0.0.1",
                               HTTP_X_FORWARDED_FOR="forged, 3.3.3.3", HTTP_USER_AGENT="y")
    assert behind_proxy.status_code == 302


def test_questionnaire_comment_over_500_characters_is_refused_keeping_the_answers(client, target_a):
    client.get(url(target_a))
    response = client.post(url(target_a), form_data(overall="basic", comment="节" * 501))
    html = response.content.decode()
    assert response.status_code == 400
    assert "意见建议最多500字,您输入了501字" in html
    assert re.search(r'<input type="radio" name="rating_overall" value="basic"[^>]*checked', html)
    assert "节" * 501 in html  # the text is kept to shorten, not lost
    assert 'maxlength="500"' not in html
    assert not EvaluationResponse.objects.exists()
    ok = client.post(url(target_a), form_data(overall="basic", comment="节" * 500))
    assert ok.status_code == 302
    assert EvaluationResponse.objects.get().comment_status == CommentStatus.PENDING


def test_questionnaire_missing_rating_is_named_in_chinese(client, target_a):
    data = form_data()
    del data["rating_waste"]
    response = client.post(url(target_a), data)
    assert response.status_code == 400
    assert "请选择“垃圾分类”的评价" in response.content.decode()


def test_questionnaire_honeypot_stores_nothing_but_looks_like_success(client, target_a):
    response = client.post(url(target_a), form_data(website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation_public:thanks", args=[target_a.token])
    assert not EvaluationResponse.objects.exists()
    html = client.get(url(target_a)).content.decode()
    assert 'class="visually-hidden" aria-hidden="true"' in html and 'tabindex="-1"' in html


def test_questionnaire_invitations_one_answer_each_even_on_a_shared_device(client, target_a, inspector_a):
    first, second = invitations_create(actor=inspector_a, target=target_a, count=2, note="政务服务大厅")
    for invitation in (first, second):
        link = reverse("evaluation_public:invited", args=[target_a.token, invitation.token])
        assert client.post(link, form_data()).status_code == 302
    assert EvaluationResponse.objects.filter(target=target_a, invitation__isnull=False).count() == 2
    reused = client.post(reverse("evaluation_public:invited", args=[target_a.token, first.token]), form_data())
    assert reused.status_code == 200 and "该邀请码已经使用过" in reused.content.decode()
    assert EvaluationResponse.objects.count() == 2


def test_response_submit_caps_one_network_per_unit_per_day(target_a, settings):
    from django.core.exceptions import ValidationError

    settings.EVALUATION_NETWORK_DAILY_CAP = 2
    answer(target_a, network="office-wifi")
    answer(target_a, network="office-wifi")
    with pytest.raises(ValidationError) as exc:
        answer(target_a, network="office-wifi")
    assert "上限" in exc.value.messages[0] and "邀请码" in exc.value.messages[0]


def test_questionnaire_refuses_answers_when_the_round_is_closed(client, target_a, inspector_a):
    round_set_status(actor=inspector_a, round_=target_a.round, status=RoundStatus.CLOSED)
    page = client.get(url(target_a))
    assert page.status_code == 200 and "本次公开评议已结束" in page.content.decode()
    assert 'name="rating_overall"' not in page.content.decode()
    client.post(url(target_a), form_data())
    assert not EvaluationResponse.objects.exists()
