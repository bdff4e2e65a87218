"""Issue 18, one truth for every number: over the whole demo city, every unit with a finalised review
shows the same figures on its review page, in its unit PDF, in the dashboard's rows and in the xlsx
export; the expected values are assessment.figures' (from the review's stored numbers), and for three
units each figure is also computed by hand from the verifications and the self-assessment rows.

The seed runs once for the module inside a transaction that is rolled back (as test_seed_demo.py)."""
import io
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from assessment import figures
from assessment.models import Campaign, ItemResponse, Method, RubricItem
from greenoffice.dashboard.exports import scores_workbook
from greenoffice.dashboard.scope import DashboardScope
from greenoffice.dashboard.selectors.scores import scores
from greenoffice.dashboard.selectors.targets import targets
from inspections.models import ItemVerification, ReviewStatus, YearEndReview
from inspections.reports import gathering, rendering
from tests.demo_city import demo_city_built
from units.models import User

NUMBER = r"\d+(?:\.\d+)?"


@pytest.fixture(scope="module")
def seed_media(tmp_path_factory):
    return tmp_path_factory.mktemp("figures-media")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, seed_media):
    with demo_city_built(django_db_blocker, seed_media):
        yield


@pytest.fixture
def campaign(seeded, db):
    return Campaign.objects.get(is_current=True)


def _finalised(campaign):
    return list(YearEndReview.objects.filter(enrolment__campaign=campaign, status=ReviewStatus.FINALISED)
                .select_related("enrolment__unit", "enrolment__campaign").order_by("enrolment__unit__code"))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- what each source shows ------------------------------------------------------------------------

def page_figures(client, review) -> dict[str, str]:
    html = client.get(reverse("inspections:review_detail", args=[review.pk])).content.decode()
    return {name: _squash(value) for name, value in re.findall(r'data-figure="(\w+)">([^<]*)<', html)}


def pdf_text(unit, campaign) -> str:
    document = rendering.render_unit_report(unit=unit, campaign=campaign, verification_code="TEST0000")
    if os.environ.get("FIGURES_PDF_DUMP"):  # to look at the reports by eye (pdftoppm)
        Path(os.environ["FIGURES_PDF_DUMP"], f"{unit.code}.pdf").write_bytes(document.content)
    reader = PdfReader(io.BytesIO(document.content))
    return _squash("".join(page.extract_text() for page in reader.pages))


def pdf_figures(text: str) -> dict[str, str]:
    found = {}
    patterns = {
        "verified": rf"核定总分({NUMBER}/{NUMBER})",
        "supervision_deduction": rf"督查扣分({NUMBER})",
        "bonus": rf"创新加分({NUMBER})",
        "final_score": rf"最终得分({NUMBER})",
    }
    for name, pattern in patterns.items():
        match = re.search(pattern, text)
        if match:
            found[name] = match.group(1)
    match = re.search(rf"自评项目口径\((\d+)个有自评得分的项目\):自评({NUMBER}/{NUMBER});核定({NUMBER}/{NUMBER});"
                      rf"自评减核定([+−]?{NUMBER})", text)
    if match:
        found.update(self_basis_items=match.group(1), self=match.group(2), verified_on_self_basis=match.group(3),
                     gap=match.group(4))
    return found


def dashboard_rows(scope) -> dict[str, dict[str, str]]:
    """unit code → figure texts, from the scores panel's rows (rankings and the inflation table)."""
    panel = scores(scope)
    rows: dict[str, dict[str, str]] = {}
    for row in panel.top_units + panel.bottom_units:
        rows.setdefault(row["code"], {}).update(
            final_score=figures.format_points(row["final_score"]),
            supervision_deduction=figures.format_points(row["supervision_deduction"]),
            bonus=figures.format_points(row["bonus"]))
    for row in panel.inflators:
        f = row["figures"]
        rows.setdefault(row["code"], {}).update(self=f.self_text, verified_on_self_basis=f.verified_on_self_basis_text,
                                                gap=f.gap_text, verified=f.verified_text)
    return {code: {k: _squash(v) for k, v in values.items()} for code, values in rows.items()}


def xlsx_rows(scope) -> dict[str, dict[str, str]]:
    """unit code → figure texts, from the scores workbook's ranking and inflation sheets."""
    book = load_workbook(io.BytesIO(scores_workbook(scope, scores(scope)).content), read_only=True)

    def pts(value):
        return figures.format_points(Decimal(str(value)))

    rows: dict[str, dict[str, str]] = {}
    for sheet_name in ("单位排名前20", "单位排名后10"):
        for values in list(book[sheet_name].iter_rows(values_only=True))[1:]:
            rows.setdefault(values[1], {}).update(final_score=pts(values[4]), supervision_deduction=pts(values[6]),
                                                  bonus=pts(values[7]))
    for values in list(book["自评虚高单位"].iter_rows(values_only=True))[1:]:
        code, items, self_total, self_max, self_verified, gap, verified, verified_max = (
            values[1], values[4], values[5], values[6], values[7], values[8], values[9], values[10])
        rows.setdefault(code, {}).update(
            self_basis_items=str(items), self=f"{pts(self_total)}/{pts(self_max)}",
            verified_on_self_basis=f"{pts(self_verified)}/{pts(self_max)}",
            gap=figures.signed_points(Decimal(str(gap))), verified=f"{pts(verified)}/{pts(verified_max)}")
    return rows


def check(expected: dict[str, dict[str, str]], sources: dict[str, dict[str, dict[str, str]]]) -> list[str]:
    """Every figure a source shows for a unit against the one definition; a line per disagreement."""
    problems = []
    for code, want in expected.items():
        for source, by_unit in sources.items():
            for name, shown in by_unit.get(code, {}).items():
                if name in want and shown != want[name]:
                    problems.append(f"{code} {name}: {source} shows {shown}, figures say {want[name]}")
    return problems


def _expected(review) -> dict[str, str]:
    return {name: _squash(text) for name, text in figures.from_stored(review).texts().items()}


def _sources(client, campaign, reviews, admin):
    client.force_login(admin)
    scope = DashboardScope(user=admin, campaign=campaign)
    return {
        "review page": {r.enrolment.unit.code: page_figures(client, r) for r in reviews},
        "unit PDF": {r.enrolment.unit.code: pdf_figures(pdf_text(r.enrolment.unit, campaign)) for r in reviews},
        "dashboard": dashboard_rows(scope),
        "xlsx": xlsx_rows(scope),
    }


# --- the tests ---------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_figures_consistency_over_the_demo_city(client, campaign):
    reviews = _finalised(campaign)
    assert len(reviews) >= 20
    admin = User.objects.get(username="admin")
    expected = {r.enrolment.unit.code: _expected(r) for r in reviews}
    sources = _sources(client, campaign, reviews, admin)
    # Each source really shows the figures (a checker that finds nothing proves nothing).
    for code in expected:
        assert set(sources["review page"][code]) >= {"verified", "final_score", "pass_score", "self", "gap",
                                                      "verified_on_self_basis"}, code
        assert set(sources["unit PDF"][code]) >= {"verified", "final_score", "self", "gap", "verified_on_self_basis",
                                                  "self_basis_items"}, code
    assert sum(1 for code in expected if code in sources["dashboard"]) >= min(len(expected), 25)
    assert any("gap" in row for row in sources["xlsx"].values())
    assert check(expected, sources) == []


@pytest.mark.django_db
def test_figures_checker_reports_a_patched_pdf_total(client, campaign, monkeypatch):
    reviews = _finalised(campaign)[:3]
    admin = User.objects.get(username="admin")
    original = gathering.unit_report_data

    def inflated(**kwargs):
        data = original(**kwargs)
        data["review"].final_score += 1  # the PDF's total drifts from the stored figure
        return data

    monkeypatch.setattr(gathering, "unit_report_data", inflated)
    expected = {r.enrolment.unit.code: _expected(r) for r in reviews}
    problems = check(expected, _sources(client, campaign, reviews, admin))
    assert len(problems) == 3
    assert all("final_score: unit PDF shows" in line for line in problems)


def _by_hand(review) -> dict[str, str]:
    """The figures from the rows, without assessment.figures: the self basis is every item with a
    self-score (all are verified once finalised); on-site items have none."""
    rubric = review.enrolment.campaign.rubric
    items = {i.pk: i for i in RubricItem.objects.filter(rubric=rubric)}
    verified = dict(ItemVerification.objects.filter(review=review).values_list("item_id", "verified_score"))
    selfs = dict(ItemResponse.objects.filter(assessment__enrolment=review.enrolment, answered=True,
                                             self_score__isnull=False).values_list("item_id", "self_score"))
    assert set(verified) == set(items)
    assert not any(items[pk].method == Method.ONSITE for pk in selfs)
    self_total = sum(selfs.values(), Decimal(0))
    basis_verified = sum((verified[pk] for pk in selfs), Decimal(0))
    basis_max = sum((items[pk].points for pk in selfs), Decimal(0))
    verified_total = sum(verified.values(), Decimal(0))
    gap = self_total - basis_verified
    final = max(Decimal(0), verified_total - review.supervision_deduction) + review.bonus

    def p(value):
        return str(int(value)) if value == value.to_integral_value() else f"{value.normalize():f}"

    return {
        "self": f"{p(self_total)}/{p(basis_max)}",
        "verified_on_self_basis": f"{p(basis_verified)}/{p(basis_max)}",
        "verified": f"{p(verified_total)}/{p(sum((i.points for i in items.values()), Decimal(0)))}",
        "gap": ("+" if gap > 0 else "−" if gap < 0 else "") + p(abs(gap)) if gap else "0",
        "self_basis_items": str(len(selfs)),
        "final_score": p(final),
    }


@pytest.mark.django_db
def test_figures_three_units_by_hand(client, campaign):
    reviews = _finalised(campaign)
    chosen = [max(reviews, key=lambda r: r.gap), min(reviews, key=lambda r: r.final_score),
              next(r for r in reviews if r.certified and r.bonus)]
    admin = User.objects.get(username="admin")
    client.force_login(admin)
    for review in chosen:
        hand = _by_hand(review)
        stored = _expected(review)
        assert {name: stored[name] for name in hand} == hand, review.enrolment.unit.code
        shown = page_figures(client, review)
        assert {name: shown[name] for name in hand if name in shown} == \
            {name: hand[name] for name in hand if name in shown}


@pytest.mark.django_db
def test_forecast_is_the_same_on_the_dashboard_and_in_the_summary(campaign):
    admin = User.objects.get(username="admin")
    panel = targets(DashboardScope(user=admin, campaign=campaign))
    summary = gathering.summary_report_data(campaign=campaign)
    assert summary["forecast"] == panel.forecast
    assert panel.forecast.low <= panel.forecast.point <= panel.forecast.high
