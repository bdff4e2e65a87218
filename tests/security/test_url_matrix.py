"""The URL permission matrix: every URL of the URLconf, every role, in scope, out of scope, anonymous.

- Every URL pattern of the root URLconf (tests/security/url_matrix_urls.py walks it) must have an
  entry in REGISTRY (tests/security/url_matrix_registry.py) naming the table that holds its role
  matrix, and that table must really have a row for it. A new URL without one fails
  test_url_matrix_every_url_has_an_entry with its name. Django's admin (/django-admin/) is left out:
  it has its own permission system (is_staff); test_url_matrix_django_admin_refuses_non_staff checks it.
- URLs whose access tests elsewhere are not a table are rows of GENERIC below: each role (director_a,
  inspector_a, leader_a, admin1) against an object in scope and one out of scope, plus anonymous
  visitors, with the exact status expected. It runs as production does: administrators and
  inspectors must use two-factor log-in and have passed it.
- Two sweeps over the whole URLconf (app tables included) with placeholder ids: anonymous visitors get
  the log-in page everywhere but the public pages, and a session that still owes its 6-digit code
  reaches nothing but the code, set-up, log-out and language pages.

To add a URL: give it a row in its app's role-matrix table (or in GENERIC here when the app has no
table) and an entry in REGISTRY.

Rule of the statuses: a role that may never use a page gets 403; an object outside a permitted role's
scope is 404 (as if missing); anonymous visitors are sent to log in (302), except on public pages.
Every request runs in a savepoint that is rolled back, so a POST in one cell does not change the next."""
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from greenoffice.models import AuditEvent
from tests.otp import MODEL_BACKEND, login_with_otp
from tests.security.conftest import PRODUCTION_2FA_ROLES
from tests.security.url_matrix_registry import GENERIC as GENERIC_TABLE
from tests.security.url_matrix_registry import REGISTRY, TABLES
from tests.security.url_matrix_urls import dummy_url, url_keys, url_patterns
from tests.security.url_matrix_world import LEDGER_YEAR, World, build_world

ROLES = ("director", "inspector", "leader", "admin", "reviewer")
LOGIN = "login"  # anonymous: 302 to the log-in page


@dataclass(frozen=True)
class Req:
    """One request's arguments: URL args, query string, POST data, htmx header."""
    args: tuple = ()
    query: dict | None = None
    data: dict | None = None
    htmx: bool = False


def _no_args(w: World) -> Req:
    return Req()


@dataclass(frozen=True)
class Row:
    """One URL (and method) of the GENERIC matrix.

    expect: role → status for the in-scope request, or (in scope, out of scope) when `out` is given.
    anonymous: LOGIN (302 to the log-in page) or the status of a public page.
    leak_check: a scoped role's 200 HTML page must not name unit_b (out of everyone's scope but the admin's).
    """
    name: str
    method: str = "get"
    at: Callable[[World], Req] | str = _no_args  # or OWN_REPORT: the signed-in user's own report
    out: Callable[[World], Req] | None = None
    expect: dict = field(default_factory=dict)
    anonymous: int | str = LOGIN
    leak_check: bool = True
    redirect_to_login_ok: bool = False  # log-out sends a signed-in user to the log-in page

    @property
    def id(self) -> str:
        return f"{self.name}-{self.method}"


def roles(director, inspector, leader, admin, reviewer=None) -> dict:
    """The reviewer (市级评审) may use the home, account and report pages, the campaign timeline and
    the city review (tests/inspections/test_role_matrix.py); 403 elsewhere unless a row says otherwise."""
    if reviewer is None:
        reviewer = (403, 403) if isinstance(director, tuple) else 403
    return {"director": director, "inspector": inspector, "leader": leader, "admin": admin, "reviewer": reviewer}


def every(status) -> dict:
    return roles(status, status, status, status, status)


def _pair(attr: str, arg: Callable = lambda obj: obj.pk, **extra):
    """(in scope, out of scope) targets from world attributes `<attr>_a` / `<attr>_b`."""
    return (lambda w: Req(args=(arg(getattr(w, f"{attr}_a")),), **extra),
            lambda w: Req(args=(arg(getattr(w, f"{attr}_b")),), **extra))


def _district_b(w: World) -> Req:
    return Req(query={"district": w.district_b.pk})


def _report_b(w: World) -> Req:
    return Req(args=(w.report_b.pk,))


def _ledger_unit(attr: str):
    return lambda w: Req(args=(getattr(w, attr).pk, LEDGER_YEAR))


def _unit_report_request(attr: str):
    return lambda w: Req(data={"kind": "unit", "unit": getattr(w, attr).pk, "campaign": w.campaign.pk})


ledger_evidence_in, ledger_evidence_out = _pair("ledger_evidence")
record_in, record_out = _pair("record")
enrolment_unenrol_in = lambda w: Req(args=(w.campaign.pk, w.enrolment_a.pk))  # noqa: E731
enrolment_unenrol_out = lambda w: Req(args=(w.campaign.pk, w.enrolment_b.pk))  # noqa: E731

# A report is the requester's own: "in scope" is the signed-in user's report on unit_a, "out of scope"
# director_b's report on unit_b (404 for everyone, the admin included: reports are private to the
# person who asked for them). The in-scope target therefore depends on the role: see _target().
OWN_REPORT = "own report"

# Rows without `out` are pages with no unit-scoped object in their URL (lists, forms, rubrics, which
# are not unit data): what stands for "out of scope" there is the leak check, a scoped role's page never
# names unit_b.
GENERIC: list[Row] = [
    # -- log-in, account and platform pages -----------------------------------------------------------
    Row("home", expect=every(200)),
    Row("login", expect=every(302), anonymous=200),  # signed in: straight on to the home page
    Row("logout", "post", expect=every(302), anonymous=302, redirect_to_login_ok=True),
    Row("password_change", expect=every(200)),
    Row("password_change_done", expect=every(200)),
    Row("password_reset", expect=every(200), anonymous=200),
    Row("password_reset_done", expect=every(200), anonymous=200),
    # A link with a wrong token: the page says the link is invalid, to anybody.
    Row("password_reset_confirm", at=lambda w: Req(args=("MQ", "bad-token")), expect=every(200), anonymous=200),
    Row("password_reset_complete", expect=every(200), anonymous=200),
    Row("set_language", "post", at=lambda w: Req(data={"language": "zh-hans", "next": "/"}), expect=every(302),
        anonymous=302),
    Row("audit_list", expect=roles(403, 403, 403, 200)),
    Row("audit_list", at=lambda w: Req(query={"unit": w.unit_b.code}), expect=roles(403, 403, 403, 200)),
    # -- two-factor pages (directors and leaders have no device; the others have passed their code) ------
    Row("two_factor:verify", expect=every(302)),  # nothing to enter: on to the home page
    Row("two_factor:setup", expect=roles(200, 302, 200, 302, 200)),  # a device already: to the security page
    Row("two_factor:security", expect=every(200)),
    Row("two_factor:disable", "post", expect=every(302)),  # no code given: back with a message
    Row("two_factor:reset", expect=roles(403, 403, 403, 200)),
    Row("two_factor:reset", "post", expect=roles(403, 403, 403, 200)),  # an empty form comes back
    # -- rubrics: administrators manage, inspectors read -----------------------------------------------
    Row("assessment:rubric_list", expect=roles(403, 200, 403, 200)),
    Row("assessment:rubric_import", expect=roles(403, 403, 403, 200)),
    Row("assessment:rubric_import", "post", at=lambda w: Req(data={"text": " "}), expect=roles(403, 403, 403, 200)),
    Row("assessment:rubric_detail", at=lambda w: Req(args=(w.rubric.pk,)), expect=roles(403, 200, 403, 200)),
    Row("assessment:rubric_export", at=lambda w: Req(args=(w.rubric.pk,)), expect=roles(403, 200, 403, 200)),
    Row("assessment:rubric_publish", at=lambda w: Req(args=(w.draft.pk,)), expect=roles(403, 403, 403, 200)),
    Row("assessment:rubric_publish", "post", at=lambda w: Req(args=(w.draft.pk,)), expect=roles(403, 403, 403, 302)),
    Row("assessment:rubric_new_version", "post", at=lambda w: Req(args=(w.rubric.pk,)),
        expect=roles(403, 403, 403, 302)),
    Row("assessment:rubric_delete", "post", at=lambda w: Req(args=(w.draft.pk,)), expect=roles(403, 403, 403, 302)),
    # -- campaigns: administrators manage; inspectors and leaders read their districts' enrolments -------
    Row("assessment:campaign_list", expect=roles(403, 200, 200, 200)),
    Row("assessment:campaign_create", expect=roles(403, 403, 403, 200)),
    Row("assessment:campaign_create", "post", expect=roles(403, 403, 403, 200)),  # empty form: errors
    Row("assessment:campaign_detail", at=lambda w: Req(args=(w.campaign.pk,)),
        out=lambda w: Req(args=(w.campaign.pk,), query={"district": w.district_b.pk}),
        expect=roles((403, 403), (200, 200), (200, 200), (200, 200))),
    Row("assessment:campaign_update", at=lambda w: Req(args=(w.campaign.pk,)), expect=roles(403, 403, 403, 200)),
    # The timeline: every role; a director sees the years their units take part in.
    Row("assessment:campaign_timeline", at=lambda w: Req(args=(w.campaign.pk,)), expect=every(200)),
    Row("assessment:campaign_enrol", at=lambda w: Req(args=(w.campaign.pk,)), expect=roles(403, 403, 403, 200)),
    Row("assessment:campaign_enrol", "post", at=lambda w: Req(args=(w.campaign.pk,)),
        expect=roles(403, 403, 403, 302)),
    Row("assessment:campaign_unenrol", "post", at=enrolment_unenrol_in, out=enrolment_unenrol_out,
        expect=roles((403, 403), (403, 403), (403, 403), (302, 302))),
    # -- ledger pages without a row in tests/ledger/test_views.py's tables -------------------------------
    Row("ledger:index", expect=every(302)),  # directors to their unit, the others to the panel
    Row("ledger:unit", at=lambda w: Req(args=(w.unit_a.pk,)), out=lambda w: Req(args=(w.unit_b.pk,)),
        expect=roles((302, 404), (302, 404), (302, 404), (302, 302), (404, 404))),
    # An empty upload: those allowed in get the page back with the form's error (400).
    Row("ledger:import_year", "post", at=_ledger_unit("unit_a"), out=_ledger_unit("unit_b"),
        expect=roles((400, 404), (403, 403), (403, 403), (400, 400))),
    Row("ledger:evidence_upload", "post", at=record_in, out=record_out,
        expect=roles((302, 404), (403, 403), (403, 403), (302, 302))),
    Row("ledger:evidence_delete", "post", at=ledger_evidence_in, out=ledger_evidence_out,
        expect=roles((302, 404), (403, 403), (403, 403), (302, 302))),
    # -- reports: private to the requester, unit reports only within the requester's scope ---------------
    Row("reports:list", expect=every(200)),
    Row("reports:request", "post", at=_unit_report_request("unit_a"), out=_unit_report_request("unit_b"),
        expect=roles((302, 400), (302, 400), (302, 400), (302, 302))),  # unit_b is not a choice: 400
    Row("reports:request", "post", at=lambda w: Req(data={"kind": "summary", "campaign": w.campaign.pk}),
        expect=roles(403, 302, 302, 302)),
    # The printed code is the key: whoever holds the PDF may check it, whatever unit it is about.
    Row("reports:verify", at=lambda w: Req(query={"code": w.reports["director"].verification_code}),
        out=lambda w: Req(query={"code": w.report_b.verification_code}), expect=every((200, 200)),
        leak_check=False),
    # The reviewer has no report of its own: both of its targets are director_b's (404).
    Row("reports:detail", at=OWN_REPORT, out=_report_b, expect=every((200, 404)) | {"reviewer": (404, 404)}),
    Row("reports:status", at=OWN_REPORT, out=_report_b, expect=every((200, 404)) | {"reviewer": (404, 404)}),
    Row("reports:download", at=OWN_REPORT, out=_report_b, expect=every((200, 404)) | {"reviewer": (404, 404)}),
    Row("reports:retry", "post", at=OWN_REPORT, out=_report_b,
        expect=every((302, 404)) | {"reviewer": (404, 404)}),
    # -- the leaders' dashboard: another district asked for by hand is ignored (and never shown) ---------
    Row("dashboard:index", out=_district_b, expect=roles((403, 403), (200, 200), (200, 200), (200, 200))),
    *[Row(f"dashboard:{panel}", at=lambda w: Req(htmx=True),
          out=lambda w: Req(query={"district": w.district_b.pk}, htmx=True),
          expect=roles((403, 403), (200, 200), (200, 200), (200, 200)))
      for panel in ("battle_map", "targets", "scores", "supervision", "carbon")],
]

# Public pages: what an anonymous visitor gets with placeholder ids (the anonymous sweep). Everything
# else sends anonymous visitors to log in.
PUBLIC = {
    "login": 200,
    "logout": 405,  # POST only
    "password_reset": 200,
    "password_reset_done": 200,
    "password_reset_confirm": 200,  # "this link is invalid"
    "password_reset_complete": 200,
    "set_language": 302,
    "inspections:public_certified": 200,
    "evaluation:public_awards": 200,
    "evaluation_public:questionnaire": 404,  # no such poster code
    "evaluation_public:thanks": 404,
    "evaluation_public:invited": 404,
}

# What a session that still owes its code may open (units/two_factor/middleware.py).
SECOND_FACTOR_EXEMPT = {"two_factor:verify", "two_factor:setup", "logout", "set_language"}


# -- the world, once per module --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def url_matrix_media(tmp_path_factory):
    return tmp_path_factory.mktemp("url_matrix_media")


@pytest.fixture(autouse=True)
def _media_root(settings, url_matrix_media):
    """Overrides tests/conftest.py's per-test media directory: the module's world keeps its files in
    one directory for all its tests."""
    settings.MEDIA_ROOT = url_matrix_media


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, url_matrix_media):
    """Built once in a transaction that is rolled back after the module's last test; each test runs in
    a savepoint inside it (pytest-django's `db`), each request in a savepoint inside that."""
    from django.test.utils import override_settings

    media = override_settings(MEDIA_ROOT=url_matrix_media)
    media.enable()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            media.disable()
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
    media.disable()


def _sign_in(world: World, role: str | None) -> Client:
    client = Client()
    if role in PRODUCTION_2FA_ROLES:
        login_with_otp(client, world.users[role])
    elif role is not None:
        client.force_login(world.users[role], backend=MODEL_BACKEND)
    return client


def _target(row: Row, world: World, role: str | None, which: str) -> Req | None:
    make = row.at if which == "in" else row.out
    if make is None:
        return None
    if make == OWN_REPORT:
        # The reviewer has no report of its own: it asks for director_b's (404, as for anyone).
        return Req(args=(world.reports.get(role or "director", world.report_b).pk,))
    return make(world)


@dataclass(frozen=True)
class Sent:
    status: int
    location: str
    content_type: str
    body: bytes
    audited: int  # AuditEvent rows the request wrote


def _send(client: Client, method: str, url: str, req: Req) -> Sent:
    """The request in a savepoint that is rolled back."""
    headers = {"HX-Request": "true"} if req.htmx else {}
    if req.query:
        url = f"{url}?{urlencode(req.query)}"
    with transaction.atomic():
        events_before = AuditEvent.objects.count()
        response = getattr(client, method)(url, req.data or {}, headers=headers)
        # Reading a file response to its end closes it the way the test client wants (calling close()
        # ourselves would fire request_finished, which drops PostgreSQL's connection mid-transaction).
        body = b"".join(response.streaming_content) if response.streaming else response.content
        audited = AuditEvent.objects.count() - events_before
        transaction.set_rollback(True)
    return Sent(response.status_code, response.get("Location", ""), response.get("Content-Type", ""), body, audited)


def _is_login(location: str) -> bool:
    return location.startswith(reverse(settings.LOGIN_URL))


def _cell(row: Row, world: World, client: Client, role: str | None, which: str, expected) -> str | None:
    """Check one cell; returns a failure message or None."""
    req = _target(row, world, role, which)
    url = reverse(row.name, args=req.args)
    sent = _send(client, row.method, url, req)
    status, location, content_type, body = sent.status, sent.location, sent.content_type, sent.body
    who = role or "anonymous"
    where = f"{who} {row.method.upper()} {url}{'?' + urlencode(req.query) if req.query else ''} ({which} scope)"
    if status in (403, 404) or (role is None and status == 302 and _is_login(location)):
        if sent.audited:
            return f"{where}: refused ({status}) but wrote {sent.audited} audit event(s)"
    if expected == LOGIN:
        if status != 302 or not _is_login(location):
            return f"{where}: expected 302 to log in, got {status} {location}"
        return None
    if status != expected:
        return f"{where}: expected {expected}, got {status} {location}"
    if role is not None and status == 302 and not row.redirect_to_login_ok:
        # A signed-in user sent to log in or to the code page was refused, not served.
        if _is_login(location) or location.startswith("/accounts/2fa/verify") \
                or location.startswith("/accounts/2fa/setup"):
            return f"{where}: 302 to {location} (refused as if signed out)"
    if (row.leak_check and role in ("director", "inspector", "leader") and status == 200
            and content_type.startswith("text/html") and world.unit_b.name.encode() in body):
        return f"{where}: shows out-of-scope unit {world.unit_b.name}"
    return None


@pytest.mark.parametrize("row", GENERIC, ids=[row.id for row in GENERIC])
def test_url_matrix_generic(row, world, require_2fa, db):
    failures = []
    for role in (*ROLES, None):
        client = _sign_in(world, role)
        for which in ("in", "out"):
            if (row.at if which == "in" else row.out) is None:
                continue
            if role is None:
                expected = row.anonymous
            else:
                cell = row.expect[role]
                expected = cell if not isinstance(cell, tuple) else cell[0 if which == "in" else 1]
            failure = _cell(row, world, client, role, which, expected)
            if failure:
                failures.append(failure)
    assert not failures, "\n".join(failures)


def test_url_matrix_generic_rows_are_well_formed():
    for row in GENERIC:
        assert set(row.expect) == set(ROLES), row.id
        pairs = [isinstance(cell, tuple) for cell in row.expect.values()]
        assert all(pairs) if row.out is not None else not any(pairs), f"{row.id}: (in, out) pairs iff out given"


# -- the registry --------------------------------------------------------------------------------------

HOW_TO_ADD = ("give each a row in its app's role-matrix table (or in GENERIC in tests/security/test_url_matrix.py "
              "when the app has none) and an entry in REGISTRY in tests/security/url_matrix_registry.py")


def test_url_matrix_every_url_has_an_entry():
    missing = sorted(url_keys() - set(REGISTRY))
    assert not missing, f"URLs with no role-matrix entry: {', '.join(missing)} — {HOW_TO_ADD}"


def test_url_matrix_registry_names_only_existing_urls():
    stale = sorted(set(REGISTRY) - url_keys())
    assert not stale, f"REGISTRY names URLs that are not in the URLconf: {', '.join(stale)}"


def test_url_matrix_each_table_holds_the_urls_registered_to_it():
    problems = []
    for table in TABLES:
        covered = table.covered()
        wanted = {name for name, owner in REGISTRY.items() if owner is table}
        for name in sorted(wanted - covered):
            problems.append(f"{name}: registered to {table.label}, which has no row for it")
    assert not problems, "\n".join(problems)


def test_url_matrix_generic_rows_are_registered_to_generic():
    stray = sorted({row.name for row in GENERIC if REGISTRY.get(row.name) is not GENERIC_TABLE})
    assert not stray, f"GENERIC rows for URLs registered elsewhere (or nowhere): {', '.join(stray)}"


def test_url_matrix_walks_nested_namespaces_and_unnamed_patterns():
    entries = url_patterns()
    keys = {entry.key for entry in entries}
    assert {"units:detail", "two_factor:verify", "evaluation_public:questionnaire", "home"} <= keys
    unnamed = [entry for entry in entries if not entry.named]
    assert unnamed and all(entry.key == entry.route for entry in unnamed)
    # Only the Django admin is left out, and nothing else hides under its prefix.
    assert {entry.key for entry in entries if entry.excluded} == {
        entry.key for entry in entries if entry.route.startswith("django-admin/")}
    assert all(not entry.excluded for entry in entries if entry.named and not entry.key.startswith("admin:"))


# -- sweeps over the whole URLconf (app tables included) ---------------------------------------------------

def _named_entries():
    seen, entries = set(), []
    for entry in url_patterns():
        if entry.named and not entry.excluded and entry.key not in seen:
            seen.add(entry.key)
            entries.append(entry)
    return entries


def test_url_matrix_anonymous_sweep_every_url(client, db):
    failures = []
    for entry in _named_entries():
        url = dummy_url(entry)
        response = client.get(url)
        expected = PUBLIC.get(entry.key, LOGIN)
        if expected == LOGIN:
            if response.status_code != 302 or not _is_login(response["Location"]):
                failures.append(f"{entry.key} GET {url}: expected 302 to log in, got {response.status_code}")
        elif response.status_code != expected:
            failures.append(f"{entry.key} GET {url}: expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)


def test_url_matrix_public_pages_open_to_anonymous_visitors(client, world, db):
    target = world.evaluation_target_a
    for url in (reverse("inspections:public_certified"), reverse("evaluation:public_awards"),
                reverse("evaluation_public:questionnaire", args=[target.token]), reverse("login"),
                reverse("password_reset")):
        response = client.get(url)
        assert response.status_code == 200, url
    # The report verification page is for signed-in users (tests/reports/test_views.py).
    assert _is_login(client.get(reverse("reports:verify"), {"code": "x"})["Location"])


@pytest.mark.parametrize("step", ["verify", "setup"])
def test_url_matrix_second_factor_sweep_every_url(world, require_2fa, db, step):
    """An inspector with a device who has not entered the code, or an administrator without a device,
    reaches nothing but the code and set-up pages (and log-out, language)."""
    client = Client()
    if step == "verify":
        client.force_login(world.users["inspector"], backend=MODEL_BACKEND)
    else:
        from tests.factories import UserFactory
        from units.models import Role

        client.force_login(UserFactory(username="admin_no_device", role=Role.ADMIN, is_staff=True),
                           backend=MODEL_BACKEND)
    failures = []
    for entry in _named_entries():
        if entry.key in SECOND_FACTOR_EXEMPT:
            continue
        url = dummy_url(entry)
        response = client.get(url)
        location = response.get("Location", "")
        if response.status_code != 302 or not location.startswith(reverse(f"two_factor:{step}")):
            failures.append(f"{entry.key} GET {url}: expected 302 to two_factor:{step}, got "
                            f"{response.status_code} {location}")
    assert not failures, "\n".join(failures)
    assert client.get(reverse(f"two_factor:{step}")).status_code == 200


def test_url_matrix_second_factor_exempt_pages_match_the_gate():
    from units.two_factor.middleware import EXEMPT_VIEW_NAMES

    assert set(EXEMPT_VIEW_NAMES) == SECOND_FACTOR_EXEMPT


# -- Django's admin, log-out, language, password change ------------------------------------------------------

def test_url_matrix_django_admin_refuses_non_staff(world, require_2fa, db):
    admin_login = reverse("admin:login")
    pages = (reverse("admin:index"), reverse("admin:units_unit_changelist"))
    for role in (None, "director", "inspector", "leader"):
        client = _sign_in(world, role)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 302, (role, url)
            assert response["Location"].startswith(admin_login), (role, url, response["Location"])
    staff = _sign_in(world, "admin")
    assert staff.get(reverse("admin:index")).status_code == 200
    # Staff who have not entered their code are stopped by the two-factor gate first.
    unverified = Client()
    unverified.force_login(world.users["admin"], backend=MODEL_BACKEND)
    assert unverified.get(reverse("admin:index"))["Location"].startswith(reverse("two_factor:verify"))


def test_url_matrix_logout_is_post_only(world, db):
    client = _sign_in(world, "director")
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200  # still signed in
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and _is_login(response["Location"])
    assert _is_login(client.get(reverse("home"))["Location"])


def test_url_matrix_set_language_sets_the_cookie_on_post(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get(reverse("set_language"), {"language": "en", "next": "/"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_url_matrix_password_change_needs_the_old_password(world, db):
    from tests.conftest import PASSWORD
    from units.models import User

    client = _sign_in(world, "leader")
    url = reverse("password_change")
    wrong = client.post(url, {"old_password": "not-it", "new_password1": "Green-office-2027!",
                              "new_password2": "Green-office-2027!"})
    assert wrong.status_code == 200
    user = User.objects.get(pk=world.users["leader"].pk)  # not the world's copy: it must keep its hash
    assert user.check_password(PASSWORD)
    right = client.post(url, {"old_password": PASSWORD, "new_password1": "Green-office-2027!",
                              "new_password2": "Green-office-2027!"})
    assert right.status_code == 302 and right["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password("Green-office-2027!")
    assert client.get(reverse("home")).status_code == 200  # the session survives its own password change


def test_url_matrix_dummy_urls_resolve_to_their_pattern():
    from django.urls import resolve

    for entry in _named_entries():
        assert resolve(dummy_url(entry)).view_name == entry.key

