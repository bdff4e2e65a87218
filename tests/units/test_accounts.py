"""The log-in flow: Chinese pages and errors, log-out by POST, password change, lock-out by axes."""
import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_renders_in_chinese(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "登录绿色机关创建管理系统" in html
    assert "用户名" in html and "密码" in html


def test_login_good_credentials_redirect_home(client, director_a):
    response = _login(client, "director_a", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_login_honours_next_within_site(client, director_a, unit_a):
    target = reverse("units:detail", args=[unit_a.pk])
    response = client.post(reverse("login"), {"username": "director_a", "password": PASSWORD, "next": target})
    assert response["Location"] == target


def test_login_bad_password_shows_chinese_error(client, director_a):
    response = _login(client, "director_a", "wrong-password")
    html = response.content.decode()
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码。" in html
    assert "_auth_user_id" not in client.session


def test_logout_by_post_ends_session(client, director_a):
    client.force_login(director_a)
    assert client.get(reverse("logout")).status_code == 405  # a link or a prefetch cannot log out
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_password_change_then_login_with_new_password(client, director_a):
    client.force_login(director_a)
    new_password = "Lvse-jiguan-2027!"
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password,
    })
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    assert "密码已修改" in client.get(reverse("password_change_done")).content.decode()
    client.post(reverse("logout"))
    assert _login(client, "director_a", PASSWORD).status_code == 200  # the old one no longer works
    assert _login(client, "director_a", new_password).status_code == 302


def test_password_change_rejects_weak_password_in_chinese(client, director_a):
    client.force_login(director_a)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678",
    })
    html = response.content.decode()
    assert response.status_code == 200
    assert "这个密码太常见了。" in html and "密码只包含数字。" in html


def test_login_locked_out_after_failure_limit(client, director_a):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "director_a", "wrong-password").status_code == 200
    response = _login(client, "director_a", "wrong-password")
    # The attempt that reaches the limit is answered with the lock-out page.
    assert response.status_code == 429
    assert "登录失败次数过多,账号已临时锁定" in response.content.decode()
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    # Now even the right password is refused.
    response = _login(client, "director_a", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
