"""Two-factor log-in (TOTP): who must use it, set-up with a server-drawn QR code, the code after the
password, throttling of wrong codes, replay, turning it off, the administrators' reset, and password
reset never bypassing it. Enforcement is on here as in production (fixture `require_2fa`)."""
import base64
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from greenoffice.models import AuditEvent
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.otp import MODEL_BACKEND, confirmed_device, login_via_forms, login_with_otp, totp_code
from tests.production_env import production_env
from units.models import Role, Unit
from units.two_factor.checks import check_two_factor_roles
from units.two_factor.middleware import owes_code
from units.two_factor.selectors import SESSION_HAS_DEVICE, two_factor_required_for
from units.two_factor.services import totp_setup_confirm, totp_setup_start

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def password_login(client, user, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": user.get_username(), "password": password, **extra})


def setup_url(next_url="/"):
    return f"{reverse('two_factor:setup')}?next={next_url.replace('/', '%2F')}"


def verify_url(next_url="/"):
    return f"{reverse('two_factor:verify')}?next={next_url.replace('/', '%2F')}"


# --- who must use it -------------------------------------------------------------------------------

@pytest.mark.parametrize("role, required", [
    (Role.ADMIN, True), (Role.INSPECTOR, True), (Role.LEADER, False), (Role.DIRECTOR, False),
])
def test_two_factor_required_for_admins_and_inspectors_only(require_2fa, role, required):
    assert two_factor_required_for(UserFactory(role=role)) is required


def test_two_factor_required_for_a_superuser_whatever_the_role(require_2fa):
    assert two_factor_required_for(UserFactory(role=Role.DIRECTOR, is_superuser=True))


def test_two_factor_roles_are_admin_and_inspector_in_base_and_production(tmp_path):
    from greenoffice.settings import base

    assert base.GREENOFFICE_REQUIRE_2FA_ROLES == ["admin", "inspector"]
    code = "import greenoffice.settings.production as s; print(','.join(s.GREENOFFICE_REQUIRE_2FA_ROLES))"
    env = production_env(tmp_path)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "admin,inspector"


@pytest.mark.parametrize("value, expected", [(None, "admin,inspector"), ("", ""), ("admin", "admin")])
def test_two_factor_demo_roles_come_from_the_environment(tmp_path, value, expected):
    code = "import greenoffice.settings.local as s; print(','.join(s.GREENOFFICE_REQUIRE_2FA_ROLES))"
    env = {"GREENOFFICE_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    if value is not None:
        env["GREENOFFICE_REQUIRE_2FA_ROLES"] = value
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_two_factor_deploy_check_fails_without_admin_and_inspector(settings):
    settings.GREENOFFICE_REQUIRE_2FA_ROLES = ["admin"]
    errors = check_two_factor_roles(None)
    assert [e.id for e in errors] == ["greenoffice.E201"] and "inspector" in errors[0].msg
    settings.GREENOFFICE_REQUIRE_2FA_ROLES = ["admin", "inspector"]
    assert check_two_factor_roles(None) == []


# --- the gate --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["home", "units:list", "assessment:review_queue", "audit_list", "admin:index",
                                  "password_change", "two_factor:security"])
def test_two_factor_admin_without_device_reaches_only_the_setup_page(client, require_2fa, admin_user, name):
    password_login(client, admin_user)
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:setup") + "?next=")


def test_two_factor_unverified_post_changes_nothing(client, require_2fa, admin_user, district_a):
    password_login(client, admin_user)
    response = client.post(reverse("units:create"), {"code": "X1", "name": "不该建成的单位"})
    assert response.status_code == 302 and response["Location"] == reverse("two_factor:setup")
    assert not Unit.objects.filter(code="X1").exists()


def test_two_factor_htmx_request_gets_a_client_redirect(client, require_2fa, inspector_a):
    password_login(client, inspector_a)
    response = client.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("two_factor:setup"))


def test_two_factor_director_without_device_is_not_asked(client, require_2fa, director_a):
    password_login(client, director_a)
    assert client.get(reverse("home")).status_code == 200


def test_two_factor_user_with_device_owes_a_code_even_when_not_required(client, settings, director_a):
    settings.GREENOFFICE_REQUIRE_2FA_ROLES = []
    confirmed_device(director_a)
    password_login(client, director_a)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == verify_url("/")


def test_two_factor_gate_costs_no_query_once_the_session_knows(require_2fa, director_a,
                                                              django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = director_a
    request.session = {SESSION_HAS_DEVICE: False}
    with django_assert_num_queries(0):
        assert owes_code(request) is None


def test_two_factor_gate_asks_the_database_once_for_an_old_session(require_2fa, director_a):
    confirmed_device(director_a)
    request = RequestFactory().get("/")
    request.user = director_a
    request.session = {}
    assert owes_code(request) == "verify"
    assert request.session[SESSION_HAS_DEVICE] is True


# --- set-up ----------------------------------------------------------------------------------------

def test_two_factor_setup_page_draws_the_qr_code_here_and_shows_the_secret(client, require_2fa, inspector_a):
    password_login(client, inspector_a)
    response = client.get(setup_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "设置两步验证" in html and "系统管理员和督查员登录时必须使用两步验证" in html
    device = TOTPDevice.objects.get(user=inspector_a, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode()
    shown = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert shown.replace(" ", "") == secret
    src = re.search(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html).group(1)
    svg = base64.b64decode(src).decode()
    assert svg.startswith("<svg") and "<path" in svg and "<script" not in svg
    # Nothing is fetched from elsewhere: no external URL anywhere in the page.
    assert not re.search(r'(src|href)="https?://', html)
    # A reload shows the same key (the user may already have scanned it).
    client.get(setup_url())
    assert TOTPDevice.objects.filter(user=inspector_a).count() == 1


def test_two_factor_setup_with_the_first_code_enables_it_and_opens_the_site(client, require_2fa, inspector_a):
    password_login(client, inspector_a)
    client.get(setup_url())
    device = TOTPDevice.objects.get(user=inspector_a)
    response = client.post(reverse("two_factor:setup"), {"token": totp_code(device), "next": "/units/"})
    assert response.status_code == 302 and response["Location"] == "/units/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("units:list")).status_code == 200
    event = AuditEvent.objects.get(action="two_factor_enable")
    assert event.actor == inspector_a and event.changes["user"] == "inspector_a"
    assert device.key not in str(event.changes)


def test_two_factor_setup_wrong_code_keeps_it_off_with_a_chinese_message(client, require_2fa, inspector_a):
    password_login(client, inspector_a)
    client.get(setup_url())
    device = TOTPDevice.objects.get(user=inspector_a)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("two_factor:setup"), {"token": wrong})
    assert response.status_code == 200
    assert "验证码不正确或已过期" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and device.throttling_failure_count == 1
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("token, message", [("12345", "验证码应为6位数字"), ("abcdef", "验证码应为6位数字"),
                                            ("", "请输入身份验证器上显示的6位数字")])
def test_two_factor_malformed_codes_get_a_message(client, require_2fa, inspector_a, token, message):
    confirmed_device(inspector_a)
    password_login(client, inspector_a)
    response = client.post(reverse("two_factor:verify"), {"token": token})
    assert response.status_code == 200 and message in response.content.decode()


def test_two_factor_full_width_digits_and_spaces_are_accepted(client, require_2fa, inspector_a):
    device = confirmed_device(inspector_a)
    password_login(client, inspector_a)
    code = totp_code(device)
    full_width = "".join(chr(0xFF10 + int(d)) for d in code)
    typed = f"{full_width[:3]} {full_width[3:]}"
    response = client.post(reverse("two_factor:verify"), {"token": typed})
    assert response.status_code == 302


# --- log-in with a code ----------------------------------------------------------------------------

def test_two_factor_login_needs_password_then_code(client, require_2fa, inspector_a):
    device = confirmed_device(inspector_a)
    response = password_login(client, inspector_a, next="/units/")
    assert response.status_code == 302 and response["Location"] == "/units/"
    response = client.get("/units/")
    assert response.status_code == 302 and response["Location"] == verify_url("/units/")
    page = client.get(response["Location"])
    assert "两步验证" in page.content.decode()
    session_before = client.session.session_key
    response = client.post(reverse("two_factor:verify"), {"token": totp_code(device), "next": "/units/"})
    assert response.status_code == 302 and response["Location"] == "/units/"
    assert client.get("/units/").status_code == 200
    # Passing the second factor gives the session a new key.
    assert client.session.session_key != session_before


def test_two_factor_verify_ignores_a_next_on_another_site(client, require_2fa, inspector_a):
    device = confirmed_device(inspector_a)
    password_login(client, inspector_a)
    response = client.post(reverse("two_factor:verify"),
                           {"token": totp_code(device), "next": "https://evil.example/steal"})
    assert response["Location"] == reverse("home")


def test_two_factor_wrong_codes_are_throttled_and_logged(client, require_2fa, inspector_a, caplog):
    # A long back-off so the test doesn't depend on how fast the machine posts.
    require_2fa.OTP_TOTP_THROTTLE_FACTOR = 600
    device = confirmed_device(inspector_a)
    password_login(client, inspector_a)
    right = totp_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    with caplog.at_level(logging.WARNING, logger="greenoffice.security"):
        first = client.post(reverse("two_factor:verify"), {"token": wrong}, REMOTE_ADDR="10.1.2.3")
        second = client.post(reverse("two_factor:verify"), {"token": right}, REMOTE_ADDR="10.1.2.3")
    assert "验证码不正确或已过期" in first.content.decode()
    # Even the right code waits out the back-off.
    assert second.status_code == 200 and "验证码错误次数过多" in second.content.decode()
    assert client.get(reverse("home")).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    failures = [r.getMessage() for r in caplog.records if r.getMessage().startswith("otp_failed")]
    assert len(failures) == 2
    assert "user=inspector_a" in failures[0] and "ip=10.1.2.3" in failures[0] and "at=" in failures[0]
    assert "reason=throttled" in failures[1]


def test_two_factor_a_code_is_accepted_once(require_2fa, inspector_a):
    device = confirmed_device(inspector_a)
    code = totp_code(device)
    first, second = Client(), Client()
    password_login(first, inspector_a)
    password_login(second, inspector_a)
    assert first.post(reverse("two_factor:verify"), {"token": code}).status_code == 302
    replay = second.post(reverse("two_factor:verify"), {"token": code})
    assert replay.status_code == 200 and "验证码不正确或已过期" in replay.content.decode()


def test_two_factor_logout_is_open_to_an_unverified_session(client, require_2fa, inspector_a):
    confirmed_device(inspector_a)
    password_login(client, inspector_a)
    assert client.post(reverse("logout")).status_code == 302
    assert not get_user(client).is_authenticated


def test_two_factor_language_switch_works_before_the_code(client, require_2fa, inspector_a):
    confirmed_device(inspector_a)
    password_login(client, inspector_a)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("two_factor:verify")})
    assert response.status_code == 302 and response["Location"] == reverse("two_factor:verify")
    assert client.cookies["django_language"].value == "en"


def test_two_factor_helpers_sign_in_with_a_verified_session(require_2fa, admin_user, inspector_a):
    helper_client, forms_client = Client(), Client()
    login_with_otp(helper_client, admin_user)
    assert helper_client.get(reverse("audit_list")).status_code == 200
    response = login_via_forms(forms_client, inspector_a)
    assert response.status_code == 302
    assert forms_client.get(reverse("units:list")).status_code == 200


# --- 账号安全: optional roles turn it on and off --------------------------------------------------

def test_two_factor_director_enables_it_from_the_security_page(client, require_2fa, director_a):
    password_login(client, director_a)
    page = client.get(reverse("two_factor:security")).content.decode()
    assert "账号安全" in page and "未启用" in page and reverse("two_factor:setup") in page
    client.get(reverse("two_factor:setup"))
    device = TOTPDevice.objects.get(user=director_a)
    client.post(reverse("two_factor:setup"), {"token": totp_code(device, offset_steps=-1)})
    assert "已启用" in client.get(reverse("two_factor:security")).content.decode()
    # The next log-in asks for the code.
    other = Client()
    password_login(other, director_a)
    assert other.get(reverse("home"))["Location"] == verify_url("/")


def test_two_factor_director_turns_it_off_with_a_current_code(client, require_2fa, director_a):
    device = login_with_otp(client, director_a)
    response = client.post(reverse("two_factor:disable"), {"token": totp_code(device)}, follow=True)
    assert "两步验证已关闭" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=director_a).exists()
    assert AuditEvent.objects.filter(action="two_factor_disable", actor=director_a).exists()
    other = Client()
    password_login(other, director_a)
    assert other.get(reverse("home")).status_code == 200


def test_two_factor_inspector_cannot_turn_it_off(client, require_2fa, inspector_a):
    device = login_with_otp(client, inspector_a)
    page = client.get(reverse("two_factor:security")).content.decode()
    assert "您的角色必须使用两步验证" in page and reverse("two_factor:disable") not in page
    response = client.post(reverse("two_factor:disable"), {"token": totp_code(device)}, follow=True)
    assert "不能关闭" in response.content.decode()
    assert TOTPDevice.objects.filter(user=inspector_a, confirmed=True).exists()


# --- administrators reset a lost phone -------------------------------------------------------------

def test_two_factor_admin_reset_removes_the_device_and_is_audited(require_2fa, admin_user, inspector_a):
    inspector_client = Client()
    login_with_otp(inspector_client, inspector_a)
    admin_client = Client()
    login_with_otp(admin_client, admin_user)
    response = admin_client.post(reverse("two_factor:reset"), {"username": "inspector_a", "reason": "手机丢失"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=inspector_a).exists()
    event = AuditEvent.objects.get(action="two_factor_reset")
    assert event.actor == admin_user and event.reason == "手机丢失" and event.object_id == str(inspector_a.pk)
    # The inspector's open session must set up a new device before going on.
    response = inspector_client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor:setup"))


@pytest.mark.parametrize("data, message", [
    ({"username": "nobody", "reason": "x"}, "没有用户名为“nobody”的用户"),
    ({"username": "inspector_a", "reason": ""}, "这个字段是必填项"),
    ({"username": "inspector_a", "reason": "换手机"}, "该用户尚未设置两步验证"),
])
def test_two_factor_reset_form_errors_are_chinese(require_2fa, admin_user, inspector_a, data, message):
    admin_client = Client()
    login_with_otp(admin_client, admin_user)
    response = admin_client.post(reverse("two_factor:reset"), data)
    assert response.status_code == 200 and message in response.content.decode()


def test_two_factor_reset_is_for_admins_only(require_2fa, leader_a, inspector_a):
    confirmed_device(inspector_a)
    client = Client()
    client.force_login(leader_a, backend=MODEL_BACKEND)
    response = client.post(reverse("two_factor:reset"), {"username": "inspector_a", "reason": "x"})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=inspector_a).exists()


def test_two_factor_setup_confirm_is_idempotent(require_2fa, director_a):
    device = totp_setup_start(user=director_a)
    totp_setup_confirm(actor=director_a, device=device, token=totp_code(device, offset_steps=-1))
    again = totp_setup_confirm(actor=director_a, device=device, token="000000")
    assert again.pk == device.pk and again.confirmed
    assert AuditEvent.objects.filter(action="two_factor_enable").count() == 1


# --- password reset never bypasses the second factor ------------------------------------------------

def test_password_reset_still_needs_the_code_afterwards(client, require_2fa, inspector_a):
    inspector_a.email = "inspector_a@example.gov.cn"
    inspector_a.save()
    device = confirmed_device(inspector_a)
    response = client.post(reverse("password_reset"), {"email": inspector_a.email})
    assert response.status_code == 302 and len(mail.outbox) == 1
    assert "重设密码" in mail.outbox[0].subject
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    new_password = "Fresh-Pass-2026!"
    response = client.post(set_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_complete")
    # The reset logged nobody in ...
    assert not get_user(client).is_authenticated
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    # ... and the new password alone opens nothing: the code is still asked for.
    password_login(client, inspector_a, password=new_password)
    assert client.get(reverse("home"))["Location"] == verify_url("/")
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()
    client.post(reverse("two_factor:verify"), {"token": totp_code(device)})
    assert client.get(reverse("home")).status_code == 200


def test_password_reset_pages_are_chinese(client):
    html = client.get(reverse("password_reset")).content.decode()
    assert "找回密码" in html and "两步验证" in html
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()
