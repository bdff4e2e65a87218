"""Error pages for everyone: 400, 403, 404, 500 and the CSRF failure page render in Chinese for an
anonymous visitor, and for a request refused before the middleware ran (a bad Host header gets 400)."""
import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from greenoffice import views


@pytest.fixture
def real_hosts(settings):
    settings.ALLOWED_HOSTS = ["lvse.example.gov.cn"]
    return settings


@pytest.mark.django_db
def test_error_pages_bad_host_gets_a_chinese_400_not_a_500(client, real_hosts):
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    html = response.content.decode()
    assert "请求有误" in html
    assert "evil.example.com" not in html


@pytest.mark.django_db
def test_error_pages_bad_host_on_a_public_page_and_a_post_get_400(client, real_hosts):
    assert client.get(reverse("login"), HTTP_HOST="evil.example.com").status_code == 400
    assert client.post(reverse("login"), {"username": "x", "password": "y"},
                       HTTP_HOST="evil.example.com").status_code == 400


@pytest.mark.django_db
def test_error_pages_good_host_still_works(client, real_hosts):
    assert client.get(reverse("login"), HTTP_HOST="lvse.example.gov.cn").status_code == 200


@pytest.mark.django_db
def test_error_pages_404_for_an_anonymous_visitor_is_chinese(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.parametrize("handler, status, text", [
    (views.error_400, 400, "请求有误"),
    (views.error_403, 403, "无权访问"),
    (views.error_404, 404, "页面不存在"),
])
@pytest.mark.django_db
def test_error_pages_render_for_a_request_without_user_or_session(handler, status, text):
    request = RequestFactory().get("/x/")  # no middleware ran: no request.user, no session
    response = handler(request, exception=None)
    assert response.status_code == status
    assert text in response.content.decode()


def test_error_pages_500_renders_without_user_or_database():
    response = views.error_500(RequestFactory().get("/x/"))
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()


@pytest.mark.django_db
def test_error_pages_csrf_failure_is_a_chinese_page(director_a):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "director_a", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期,提交未成功" in html
    assert "CSRF verification failed" not in html


@pytest.mark.django_db
def test_error_pages_403_for_a_signed_in_user_is_chinese(client, director_a):
    client.force_login(director_a)
    response = client.get(reverse("audit_list"))
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
