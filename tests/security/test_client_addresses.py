"""Client addresses behind the reverse proxy: one setting (GREENOFFICE_TRUSTED_PROXIES) decides whether
X-Forwarded-For is read, for the security log, django-axes' lock-out and the questionnaire's limits.
A header from a peer that is not a trusted proxy is ignored, so a client can't pick its address."""
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from greenoffice.security import axes_client_ip, client_address
from inspections.evaluation import device
from tests.conftest import PASSWORD
from tests.production_env import production_env

PROXY = "127.0.0.1"


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.fixture
def behind_nginx(settings):
    settings.GREENOFFICE_TRUSTED_PROXIES = [PROXY, "10.8.0.0/16"]
    return settings


def test_client_address_ignores_forwarded_for_without_trusted_proxies(settings):
    settings.GREENOFFICE_TRUSTED_PROXIES = []
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_client_address_ignores_forwarded_for_from_an_untrusted_peer(behind_nginx):
    # A client that reaches the application directly and forges the header keeps its own address.
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"
    assert client_address(_request("203.0.113.9", f"198.51.100.1, {PROXY}")) == "203.0.113.9"


def test_client_address_reads_forwarded_for_from_the_right_behind_a_trusted_proxy(behind_nginx):
    # nginx appends the address it saw: what the client sent itself stays on the left and is ignored.
    assert client_address(_request(PROXY, "203.0.113.9")) == "203.0.113.9"
    assert client_address(_request(PROXY, "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    # A load balancer (trusted network) in front of nginx: its hop is skipped too.
    assert client_address(_request(PROXY, "1.2.3.4, 203.0.113.9, 10.8.0.5")) == "203.0.113.9"
    # The trusted proxy sent no header: the proxy's own address.
    assert client_address(_request(PROXY)) == PROXY
    # Garbage in the client's hop is not an address.
    assert client_address(_request(PROXY, "not-an-address")) == PROXY


def test_client_address_is_the_same_for_axes_the_questionnaire_and_the_log(behind_nginx):
    request = _request(PROXY, "forged, 203.0.113.9")
    assert axes_client_ip(request) == device.client_ip(request) == client_address(request) == "203.0.113.9"
    assert settings.AXES_CLIENT_IP_CALLABLE == "greenoffice.security.axes_client_ip"


def _login(client, username, password, address):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


@pytest.mark.django_db
def test_lockout_by_another_address_behind_the_proxy_does_not_lock_the_victim(client, director_a, behind_nginx):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "director_a", "wrong-password", "198.51.100.66")
    # The attacker's address is locked out for this user ...
    assert _login(client, "director_a", PASSWORD, "198.51.100.66").status_code == 429
    # ... the victim, behind the same proxy but from their own address, still logs in.
    response = _login(client, "director_a", PASSWORD, "203.0.113.9")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(director_a.pk)


@pytest.mark.django_db
def test_lockout_cannot_be_dodged_by_forging_forwarded_for(client, director_a, behind_nginx):
    # Straight to the application (not through the proxy): a new forged address per try changes nothing.
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "director_a", "password": "wrong-password"},
                    REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}")
    response = client.post(reverse("login"), {"username": "director_a", "password": PASSWORD},
                           REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert response.status_code == 429


@pytest.mark.django_db
def test_security_log_records_the_forwarded_address_only_from_a_trusted_proxy(client, director_a, behind_nginx,
                                                                               caplog):
    with caplog.at_level(logging.WARNING, logger="greenoffice.security"):
        _login(client, "director_a", "wrong", "203.0.113.9")
        client.post(reverse("login"), {"username": "director_a", "password": "wrong"},
                    REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR="6.6.6.6")
    messages = [r.getMessage() for r in caplog.records if "login_failed" in r.getMessage()]
    assert "ip=203.0.113.9" in messages[0]
    assert "ip=203.0.113.50" in messages[1] and "6.6.6.6" not in messages[1]


def test_trusted_proxies_setting_refuses_what_is_not_an_address(settings):
    settings.GREENOFFICE_TRUSTED_PROXIES = ["nginx.local"]
    with pytest.raises(ImproperlyConfigured, match="GREENOFFICE_TRUSTED_PROXIES"):
        client_address(_request(PROXY, "203.0.113.9"))


def test_deploy_check_warns_without_trusted_proxies_and_refuses_bad_entries(tmp_path):
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    ok = subprocess.run(command, cwd=root, env=production_env(tmp_path), capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    missing = subprocess.run(command, cwd=root, env=production_env(tmp_path, GREENOFFICE_TRUSTED_PROXIES=None),
                             capture_output=True, text=True)
    assert missing.returncode != 0 and "greenoffice.W101" in missing.stdout + missing.stderr
    bad = subprocess.run(command, cwd=root, env=production_env(tmp_path, GREENOFFICE_TRUSTED_PROXIES="nginx"),
                         capture_output=True, text=True)
    assert bad.returncode != 0 and "greenoffice.E101" in bad.stdout + bad.stderr
