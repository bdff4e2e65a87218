"""Response headers (CSP without inline script, nosniff, Referrer-Policy, frame denial), cookies, the
production settings (`check --deploy` clean, secure cookies, HSTS) and the template rule that makes the
strict CSP workable: no inline <script>, no on*= handlers, no style="" anywhere under templates/."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.production_env import production_env

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response):
    csp = csp_directives(response)
    script_src = csp.get("script-src") or csp["default-src"]
    style_src = csp.get("style-src") or csp["default-src"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "'unsafe-inline'" not in style_src
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert not any(src.startswith(("http:", "https:", "*")) for values in csp.values() for src in values)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_headers_on_the_login_page(client):
    assert_security_headers(client.get(reverse("login")))


@pytest.mark.django_db
def test_headers_on_logged_in_pages_errors_and_downloads(otp_client, admin_user, unit_a):
    # Two-factor enforcement on, as in production: the admin has passed the second factor.
    client = otp_client(admin_user)
    for url in (reverse("home"), reverse("units:list"), reverse("units:export"), "/no-such-page/",
                reverse("two_factor:security")):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert_security_headers(response)


@pytest.mark.django_db
def test_headers_session_cookie_is_http_only_and_same_site(client, director_a):
    response = client.post(reverse("login"), {"username": "director_a", "password": "Test-pass-2026"})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def _production_env(tmp_path) -> dict:
    return production_env(tmp_path)


def test_production_check_deploy_has_no_warnings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=_production_env(tmp_path), capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_cookies_are_secure_and_hsts_is_on(tmp_path):
    code = (
        "import json; from django.conf import settings as s; import django; django.setup();"
        "print(json.dumps({k: getattr(s, k) for k in ('SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE',"
        "'SESSION_COOKIE_HTTPONLY', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS',"
        "'SECURE_SSL_REDIRECT', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'DEBUG',"
        "'SECURE_REFERRER_POLICY', 'GREENOFFICE_REQUIRE_2FA_ROLES')}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_production_env(tmp_path),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert values["X_FRAME_OPTIONS"] == "DENY" and values["DEBUG"] is False
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert set(values["GREENOFFICE_REQUIRE_2FA_ROLES"]) >= {"admin", "inspector"}


def test_password_validators_refuse_short_common_and_numeric_passwords():
    names = {v["NAME"].rsplit(".", 1)[-1]: v for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert {"UserAttributeSimilarityValidator", "MinimumLengthValidator", "CommonPasswordValidator",
            "NumericPasswordValidator"} <= set(names)
    assert names["MinimumLengthValidator"]["OPTIONS"]["min_length"] >= 10


# --- the template rule -----------------------------------------------------------------------------

TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
EVENT_HANDLER = re.compile(r"(?:^|\s)(on[a-z]+|hx-on[:\w-]*)\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"(?:^|\s)style\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
# The PDF templates are rendered by WeasyPrint, never served to a browser: <style> blocks are fine there.
PDF_DIR = TEMPLATES / "reports" / "pdf"


def template_problems(path: Path, text: str) -> list[str]:
    problems = []
    # Django comments and template tags may hold ">" and are not markup.
    markup = re.sub(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", text, flags=re.S)
    for match in TAG.finditer(markup):
        name, attributes = match.group(1).lower(), match.group(2)
        line = markup.count("\n", 0, match.start()) + 1
        attributes = re.sub(r"{%.*?%}|{{.*?}}", " ", attributes, flags=re.S)
        if name == "script" and not re.search(r"\ssrc\s*=", attributes):
            problems.append(f"{path}:{line}: inline <script> (put it in static/js/ and load it with src=)")
        if name == "style" and PDF_DIR not in path.parents:
            problems.append(f"{path}:{line}: <style> element (put it in static/css/)")
        handler = EVENT_HANDLER.search(attributes)
        if handler:
            problems.append(f"{path}:{line}: event handler attribute {handler.group(1)}= (bind it in static/js/)")
        if STYLE_ATTRIBUTE.search(attributes) and PDF_DIR not in path.parents:
            problems.append(f"{path}:{line}: style=\"\" attribute (use a class, or data-width for bars)")
        if JS_URL.search(attributes):
            problems.append(f"{path}:{line}: javascript: URL")
    return problems


def test_templates_have_no_inline_script_handlers_or_style_attributes():
    paths = sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt", ".svg"})
    assert len(paths) > 50  # the scan really looked at the templates
    problems = [problem for path in paths for problem in template_problems(path.relative_to(ROOT),
                                                                             path.read_text(encoding="utf-8"))]
    assert not problems, "Templates break the Content Security Policy:\n" + "\n".join(problems)


@pytest.mark.parametrize("snippet, expected", [
    ('<script>alert(1)</script>', "inline <script>"),
    ('<script type="module">x()</script>', "inline <script>"),
    ('<button onclick="go()">', "onclick="),
    ('<div hx-on:click="x()">', "hx-on:click="),
    ('<span class="a" style="width: 5%">', 'style=""'),
    ('<a href="javascript:go()">', "javascript: URL"),
    ('<style>p{}</style>', "<style> element"),
])
def test_template_scan_catches_each_kind_of_inline_code(snippet, expected):
    problems = template_problems(Path("templates/x.html"), f"{{% block content %}}\n{snippet}\n{{% endblock %}}")
    assert len(problems) == 1 and expected in problems[0] and "templates/x.html:2" in problems[0]


@pytest.mark.parametrize("snippet", [
    '<script src="{% static \'js/app.js\' %}"></script>',
    '<div data-width="{{ pct }}" class="progress-bar">',
    '<p>按 onclick 的说明 style = 文本</p>',
    '<input name="once" data-once>',
    '{% if a > b %}<em>ok</em>{% endif %}',
])
def test_template_scan_allows_external_scripts_and_data_attributes(snippet):
    assert template_problems(Path("templates/x.html"), snippet) == []
