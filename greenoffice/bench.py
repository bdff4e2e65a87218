"""The page benchmark behind `manage.py bench`: every key page requested many times through the whole
Django stack (middleware, sessions, two-factor gate, templates) in this process, as the role that uses
it, on whatever data the database holds (generate_scale_data for a province).

Per page: p50 / p95 / max wall time of `Client.get` (the server's work: there is no network) over
`requests` requests spread over a few different users and subjects, and the number of queries of one
request (taken on a separate, untimed request, since capturing queries costs time). Plus the median
time of rendering one unit's PDF report the way the report worker does.

It also mints logged-in sessions for the HTTP load test (scripts/load_test.sh): log-ins are not part of
what the load test measures, and a password check costs ~0.4 s of CPU by design.

Writes: sessions and, for roles that must use two-factor log-in, a confirmed TOTP device for the few
sample users (made through the two-factor services). Nothing else is changed."""
import json
import os
import statistics
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp

from assessment.models import Campaign, Enrolment, SelfAssessment
from greenoffice.dashboard.cache import dashboard_cache_bump, dashboard_cache_enabled
from inspections.models import Inspection, InspectionAssignment, InspectionStatus, ReviewStatus
from units.models import Role, Unit, User
from units.two_factor.selectors import SESSION_HAS_DEVICE, totp_device_for, two_factor_required_for
from units.two_factor.services import totp_setup_confirm, totp_setup_start

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
SUBJECTS_PER_PAGE = 10

# (key in the JSON, URL name, who uses it, htmx fragment?) — the key pages.
PAGES = (
    ("dashboard", "dashboard:index", "leader", False),
    ("dashboard_battle_map", "dashboard:battle_map", "leader", True),
    ("dashboard_targets", "dashboard:targets", "leader", True),
    ("dashboard_scores", "dashboard:scores", "leader", True),
    ("dashboard_supervision", "dashboard:supervision", "leader", True),
    ("dashboard_carbon", "dashboard:carbon", "leader", True),
    ("unit_list", "units:list", "inspector", False),
    ("self_assessment", "assessment:self_assessment", "director", False),
    ("review_queue", "assessment:review_queue", "inspector", False),
    ("visit_checklist", "inspections:visit_detail", "inspector", False),
    ("order_list", "inspections:order_list", "inspector", False),
)
# Budgets of the issue (ms, p95): dashboard pages 150, every other key page 100.
BUDGET_MS = {key: (150 if key.startswith("dashboard") else 100) for key, *_rest in PAGES}
BUDGET_MS["dashboard_carbon"] = 50  # issue 24: the carbon panel, cached like the others, p95 under 50 ms


class BenchError(RuntimeError):
    pass


def _verified_device(user):
    """A confirmed TOTP device for `user`, made through the set-up services as a user would."""
    device = totp_device_for(user)
    if device is not None:
        return device
    device = totp_setup_start(user=user)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=-1)
    return totp_setup_confirm(actor=user, device=device, token=f"{code:0{device.digits}d}")


def logged_in_client(user) -> Client:
    """A client whose session is logged in as `user` and, where two-factor log-in applies, has entered
    its code (what django_otp.login() stores in the session)."""
    client = Client(SERVER_NAME="localhost")
    client.force_login(user, backend=MODEL_BACKEND)
    session = client.session
    if two_factor_required_for(user) or totp_device_for(user) is not None:
        session[DEVICE_ID_SESSION_KEY] = _verified_device(user).persistent_id
        session[SESSION_HAS_DEVICE] = True
    else:
        session[SESSION_HAS_DEVICE] = False
    session.save()
    return client


@dataclass
class Subject:
    user: User
    url: str
    client: Client | None = None


@dataclass
class PageResult:
    key: str
    url_name: str
    role: str
    times_ms: list = field(default_factory=list)
    cpu_ms: list = field(default_factory=list)  # this process's CPU time: what the load on the machine can't inflate
    queries: int = 0
    cold_ms: float | None = None  # cached panels: the first request after the data changed
    status: int = 200

    def as_dict(self) -> dict:
        ordered = sorted(self.times_ms)
        p95_index = max(0, min(len(ordered) - 1, round(0.95 * len(ordered)) - 1))
        extra = {} if self.cold_ms is None else {"cold_ms": round(self.cold_ms, 1)}
        return {
            "p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[p95_index], 1),
            "max_ms": round(ordered[-1], 1),
            "cpu_p50_ms": round(statistics.median(self.cpu_ms), 1) if self.cpu_ms else None,
            "queries": self.queries,
            "requests": len(ordered),
            "role": self.role,
            "budget_p95_ms": BUDGET_MS[self.key],
            **extra,
        }


# --- who and what each page is requested for ----------------------------------------------------------

def current_campaign() -> Campaign:
    campaign = Campaign.objects.filter(is_current=True).first() or Campaign.objects.order_by("-year").first()
    if campaign is None:
        raise BenchError("no campaign: run generate_scale_data (or seed_demo) first")
    return campaign


def _city_wide(role: str):
    """A city-wide (unscoped) active user of `role`: the heaviest view of the data."""
    user = (User.objects.filter(role=role, is_active=True, districts__isnull=True)
            .order_by("username").first())
    if user is None:
        raise BenchError(f"no city-wide {role} user")
    return user


def subjects_for(page_key: str, url_name: str, campaign: Campaign, n: int = SUBJECTS_PER_PAGE) -> list[Subject]:
    if page_key.startswith("dashboard"):
        return [Subject(_city_wide(Role.LEADER), reverse(url_name))]
    if page_key in ("unit_list", "review_queue", "order_list"):
        return [Subject(_city_wide(Role.INSPECTOR), reverse(url_name))]
    if page_key == "self_assessment":
        rows = (Enrolment.objects.filter(campaign=campaign)
                .filter(Exists(SelfAssessment.objects.filter(enrolment=OuterRef("pk"))))
                .order_by("pk").values_list("pk", "unit_id")[:n])
        subjects = []
        for enrolment_pk, unit_id in rows:
            director = User.objects.filter(role=Role.DIRECTOR, is_active=True, memberships__unit_id=unit_id).first()
            if director is not None:
                subjects.append(Subject(director, reverse(url_name, args=[enrolment_pk])))
        return subjects
    if page_key == "visit_checklist":
        visits = list(Inspection.objects.filter(campaign=campaign, status=InspectionStatus.COMPLETED)
                      .order_by("pk").values_list("pk", flat=True)[:n])
        subjects = []
        for visit_pk in visits:
            assignment = InspectionAssignment.objects.filter(inspection_id=visit_pk).select_related("inspector").first()
            if assignment is not None:
                subjects.append(Subject(assignment.inspector, reverse(url_name, args=[visit_pk])))
        return subjects
    raise BenchError(f"unknown page {page_key}")


# --- running -----------------------------------------------------------------------------------------

def _get(subject: Subject, htmx: bool):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return subject.client.get(subject.url, secure=True, **headers)


def bench_page(key: str, url_name: str, role: str, htmx: bool, *, requests: int, campaign: Campaign,
               clients: dict) -> PageResult:
    subjects = subjects_for(key, url_name, campaign)
    if not subjects:
        raise BenchError(f"{key}: nothing to request (no data for this page)")
    for subject in subjects:
        if subject.user.pk not in clients:
            clients[subject.user.pk] = logged_in_client(subject.user)
        subject.client = clients[subject.user.pk]
    result = PageResult(key=key, url_name=url_name, role=role)
    if htmx and dashboard_cache_enabled():
        # The cost a leader pays right after a change invalidated the panel (a cache miss).
        dashboard_cache_bump()
        started = time.perf_counter()
        _get(subjects[0], htmx)
        result.cold_ms = (time.perf_counter() - started) * 1000
    # Warm-up: templates, the URL resolver, each subject's first query plans.
    for subject in subjects[:3]:
        response = _get(subject, htmx)
        if response.status_code != 200:
            raise BenchError(f"{key}: {subject.url} as {subject.user.username} answered {response.status_code}"
                             f" {response.get('Location', '')}")
    with CaptureQueriesContext(connection) as captured:
        _get(subjects[0], htmx)
    result.queries = len(captured.captured_queries)
    for n in range(requests):
        subject = subjects[n % len(subjects)]
        cpu, started = time.process_time(), time.perf_counter()
        response = _get(subject, htmx)
        result.times_ms.append((time.perf_counter() - started) * 1000)
        result.cpu_ms.append((time.process_time() - cpu) * 1000)
        if response.status_code != 200:
            raise BenchError(f"{key}: {subject.url} answered {response.status_code}")
    return result


def bench_report(*, campaign: Campaign, repeat: int) -> float | None:
    """Median seconds of one unit's whole PDF report (gather + template + WeasyPrint), warm."""
    if repeat <= 0:
        return None
    from inspections.reports import rendering

    enrolment = (Enrolment.objects.filter(year_end_review__status=ReviewStatus.FINALISED)
                 .select_related("unit", "campaign").order_by("-campaign__year", "pk").first())
    if enrolment is None:
        return None
    kwargs = {"unit": enrolment.unit, "campaign": enrolment.campaign, "verification_code": "BENC-HMAR-KXXX-XXXX"}
    rendering.render_unit_report(**kwargs)  # warm-up: fonts, templates, stylesheet
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        rendering.render_unit_report(**kwargs)
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 3)


def run_bench(*, requests: int = 200, report_repeat: int = 5, only=None, log=print) -> dict:
    campaign = current_campaign()
    clients: dict = {}
    pages = {}
    log(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs")
    log(f"{Unit.objects.count()} units, campaign {campaign.year}, {requests} requests a page, "
        f"DEBUG={settings.DEBUG}, database {connection.vendor}, dashboard cache "
        f"{'on' if dashboard_cache_enabled() else 'off'}")
    log(f"{'page':24s} {'role':10s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s} {'cpu p50':>8s} {'queries':>8s}"
        f"  budget p95  (cpu: this process only; cold: first request after a change)")
    for key, url_name, role, htmx in PAGES:
        if only and key not in only:
            continue
        result = bench_page(key, url_name, role, htmx, requests=requests, campaign=campaign, clients=clients)
        figures = result.as_dict()
        pages[key] = figures
        verdict = "ok" if figures["p95_ms"] <= figures["budget_p95_ms"] else "OVER"
        cold = f"  cold {figures['cold_ms']:.0f} ms" if "cold_ms" in figures else ""
        log(f"{key:24s} {role:10s} {figures['p50_ms']:8.1f} {figures['p95_ms']:8.1f} {figures['max_ms']:8.1f} "
            f"{figures['cpu_p50_ms']:8.1f} {figures['queries']:8d}  {figures['budget_p95_ms']} ms {verdict}{cold}")
    median = bench_report(campaign=campaign, repeat=report_repeat)
    if median is not None:
        log(f"unit report (PDF) median of {report_repeat}: {median:.3f} s")
    return {
        "n_units": Unit.objects.count(),
        "campaign": campaign.year,
        "database": connection.vendor,
        "dashboard_cache": dashboard_cache_enabled(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
        "pages": pages,
        "reports": {"unit_report_median_s": median},
    }


# --- sessions for the HTTP load test -------------------------------------------------------------------

def mint_sessions(*, per_role: int = 10) -> dict:
    """Logged-in sessions (cookies) and the URLs each role's simulated users open, for locust.

    Roles: leaders (city-wide and district), inspectors (city-wide and district), directors."""
    campaign = current_campaign()
    out = {"cookie_name": settings.SESSION_COOKIE_NAME, "roles": {}}

    def session_of(user) -> str:
        return logged_in_client(user).cookies[settings.SESSION_COOKIE_NAME].value

    dashboard = [reverse("dashboard:index")]
    panels = [reverse(name) for name in ("dashboard:battle_map", "dashboard:targets", "dashboard:scores",
                                         "dashboard:supervision", "dashboard:carbon")]
    leaders = list(User.objects.filter(role=Role.LEADER, is_active=True).order_by("username")[:per_role])
    out["roles"]["leader"] = [{"session": session_of(u), "pages": dashboard, "panels": panels} for u in leaders]

    inspectors = []
    for user in User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by("username")[:per_role]:
        visits = list(InspectionAssignment.objects.filter(inspector=user, inspection__campaign=campaign)
                      .order_by("-inspection_id").values_list("inspection_id", flat=True)[:5])
        pages = [reverse("units:list"), reverse("assessment:review_queue"), reverse("inspections:order_list")]
        pages += [reverse("inspections:visit_detail", args=[pk]) for pk in visits]
        inspectors.append({"session": session_of(user), "pages": pages})
    out["roles"]["inspector"] = inspectors

    directors = []
    rows = (Enrolment.objects.filter(campaign=campaign)
            .filter(Exists(SelfAssessment.objects.filter(enrolment=OuterRef("pk"))))
            .order_by("pk").values_list("pk", "unit_id")[:per_role])
    for enrolment_pk, unit_id in rows:
        user = User.objects.filter(role=Role.DIRECTOR, is_active=True, memberships__unit_id=unit_id).first()
        if user is None:
            continue
        pages = [reverse("assessment:self_assessment", args=[enrolment_pk]), reverse("assessment:my_assessments"),
                 reverse("inspections:order_list")]
        directors.append({"session": session_of(user), "pages": pages})
    out["roles"]["director"] = directors
    return out


def write_json(data: dict, path: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
