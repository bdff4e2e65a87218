"""CSRF: a POST without the token to state-changing endpoints is refused (403) and changes nothing;
the same POST with the token from the page goes through (so the refusals are about the token)."""
import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import ItemResponse
from tests.otp import login_with_otp
from units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def token_from(client, url) -> str:
    client.get(url)
    return client.cookies["csrftoken"].value


def test_csrf_login_without_token_is_refused(csrf_client, director_a):
    response = csrf_client.post(reverse("login"), {"username": "director_a", "password": "Test-pass-2026"})
    assert response.status_code == 403
    assert "_auth_user_id" not in csrf_client.session


def test_csrf_login_with_token_works(csrf_client, director_a):
    token = token_from(csrf_client, reverse("login"))
    response = csrf_client.post(reverse("login"), {"username": "director_a", "password": "Test-pass-2026",
                                                   "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_csrf_unit_create_without_token_is_refused(csrf_client, admin_user, district_a):
    login_with_otp(csrf_client, admin_user)
    data = {"code": "C001", "name": "跨站请求创建的单位", "credit_code": "", "district": district_a.pk,
            "category": "government", "headcount": 1, "floor_area": 1}
    assert csrf_client.post(reverse("units:create"), data).status_code == 403
    assert not Unit.objects.filter(code="C001").exists()
    data["csrfmiddlewaretoken"] = token_from(csrf_client, reverse("units:create"))
    assert csrf_client.post(reverse("units:create"), data).status_code != 403


def test_csrf_self_assessment_item_save_without_token_is_refused(csrf_client, director_a, enrolment_a, items):
    item = items["1.1"]
    login_with_otp(csrf_client, director_a)
    url = reverse("assessment:self_assessment_item", args=[enrolment_a.pk, item.pk])
    data = {f"i{item.pk}-full_marks": "on", f"i{item.pk}-explanation": "跨站提交"}
    assert csrf_client.post(url, data).status_code == 403
    assert not ItemResponse.objects.filter(item=item).exists()
    data["csrfmiddlewaretoken"] = token_from(csrf_client, reverse("assessment:self_assessment",
                                                                  args=[enrolment_a.pk]))
    assert csrf_client.post(url, data).status_code == 302
    assert ItemResponse.objects.filter(item=item, explanation="跨站提交").exists()


def test_csrf_two_factor_code_and_logout_need_the_token(csrf_client, director_a):
    csrf_client.force_login(director_a)
    assert csrf_client.post(reverse("two_factor:verify"), {"token": "123456"}).status_code == 403
    assert csrf_client.post(reverse("logout")).status_code == 403
    assert "_auth_user_id" in csrf_client.session
