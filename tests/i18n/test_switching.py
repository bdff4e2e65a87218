"""Which language a request gets, and the switcher that changes it."""
import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.factories import UserFactory
from units.models import Role

pytestmark = pytest.mark.usefixtures("committed_catalogues")

LOGIN_ZH = "登录绿色机关创建管理系统"
LOGIN_EN = "Log in to the Green Office Campaign Management System"


def test_language_default_without_accept_language_is_zh_hans(client, db):
    response = client.get(reverse("login"))
    assert response["Content-Language"] == "zh-hans"
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert LOGIN_ZH in html
    assert LOGIN_EN not in html
    # Django's own zh_Hans catalogue still answers for its strings (the username field's label).
    assert "用户名" in html


def test_language_accept_language_en_renders_login_in_english(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert LOGIN_EN in html
    assert "Forgot your password?" in html
    assert "Username" in html
    assert LOGIN_ZH not in html


@pytest.mark.parametrize("header", ["zh-CN,zh;q=0.9", "zh-Hans", "zh"])
def test_language_chinese_accept_language_renders_zh_hans(client, db, header):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=header)
    assert response["Content-Language"] == "zh-hans"
    assert LOGIN_ZH in response.content.decode()


def test_language_unsupported_accept_language_falls_back_to_zh_hans(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert response["Content-Language"] == "zh-hans"


def test_language_switcher_on_login_page_posts_to_set_language(client, db):
    html = client.get(reverse("login")).content.decode()
    action = f'action="{reverse("set_language")}"'
    assert action in html
    assert 'name="language" value="en"' in html
    assert 'name="language" value="zh-hans"' in html
    # Each language is named in its own language, whatever the page's language.
    assert ">English</button>" in html and ">简体中文</button>" in html


def test_language_set_language_cookie_turns_home_page_english(client, director_a):
    client.force_login(director_a)
    home = reverse("home")
    zh = client.get(home).content.decode()
    assert "您好," in zh and "退出登录" in zh

    response = client.post(reverse("set_language"), {"language": "en", "next": home})
    assert response.status_code == 302
    assert response["Location"] == home
    assert client.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"

    en = client.get(home, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()  # the cookie wins
    assert '<html lang="en">' in en
    assert "Hello," in en and "Log out" in en and "Change password" in en
    assert "退出登录" not in en
    # The user menu carries the switcher too, with the current language marked.
    assert 'value="en" lang="en" aria-current="true"' in en

    client.post(reverse("set_language"), {"language": "zh-hans", "next": home})
    assert "退出登录" in client.get(home).content.decode()


def test_language_cookie_for_a_language_not_offered_falls_back_to_zh_hans(client, db):
    # Django accepts any language it has a catalogue for (fr) into the cookie; LocaleMiddleware
    # only honours the ones in LANGUAGES.
    client.post(reverse("set_language"), {"language": "fr", "next": reverse("login")})
    response = client.get(reverse("login"))
    assert response["Content-Language"] == "zh-hans"
    assert LOGIN_ZH in response.content.decode()


def test_language_set_language_ignores_offsite_next(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_language_switch_allowed_while_two_factor_code_is_owed(client, settings, db):
    # An inspector who must still set up two-factor log-in can read that page in English.
    settings.GREENOFFICE_REQUIRE_2FA_ROLES = ["inspector"]
    client.force_login(UserFactory(username="otp_owed", role=Role.INSPECTOR))
    setup = reverse("two_factor:setup")
    assert client.get(reverse("home"))["Location"].startswith(setup)

    response = client.post(reverse("set_language"), {"language": "en", "next": setup})
    assert response["Location"] == setup
    assert client.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Set up two-step verification" in client.get(setup).content.decode()
