import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse
from openpyxl import Workbook
from PIL import Image

from assessment.ledger import services, spreadsheets
from assessment.ledger.models import MonthlyRecord
from assessment.ledger.selectors import ledger_suggestions
from tests.ledger.conftest import month_data, save_year

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "director", "inspector", "leader", "admin")


@pytest.fixture
def data(unit_a, unit_b, role_users):
    save_year(unit_a, 2025, months=range(1, 4))
    save_year(unit_b, 2025, months=range(1, 4))
    record_a = MonthlyRecord.objects.get(unit=unit_a, month=1)
    record_b = MonthlyRecord.objects.get(unit=unit_b, month=1)
    png = io.BytesIO()
    Image.new("RGB", (10, 10)).save(png, format="PNG")
    ev_a = services.evidence_add(actor=None, record=record_a, file=SimpleUploadedFile("a.png", png.getvalue()))
    ev_b = services.evidence_add(actor=None, record=record_b, file=SimpleUploadedFile("b.png", png.getvalue()))
    return {"a": unit_a, "b": unit_b, "ev_a": ev_a, "ev_b": ev_b}


def _client(client, role_users, role):
    if role != "anonymous":
        client.force_login(role_users[role])
    return client


def _url(name, data, which):
    unit = data[which]
    return {
        "unit_year": reverse("ledger:unit_year", args=[unit.pk, 2025]),
        "record_edit": reverse("ledger:record_edit", args=[unit.pk, 2025, 2]),
        "year_template": reverse("ledger:year_template", args=[unit.pk, 2025]),
        "evidence_download": reverse("ledger:evidence_download", args=[data[f"ev_{which}"].pk]),
    }[name]


# Expected status for the unit in scope (a) and out of scope (b).
UNIT_PAGES = {
    #                 anonymous     director      inspector     leader        admin
    "unit_year":      [(302, 302), (200, 404), (200, 404), (200, 404), (200, 200)],
    "year_template":  [(302, 302), (200, 404), (200, 404), (200, 404), (200, 200)],
    "evidence_download": [(302, 302), (200, 404), (200, 404), (200, 404), (200, 200)],
    "record_edit":    [(302, 302), (200, 404), (403, 403), (403, 403), (200, 200)],
}


@pytest.mark.parametrize("page", list(UNIT_PAGES))
@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_role_matrix_unit_pages(client, role_users, data, page, role_index):
    role = ROLES[role_index]
    c = _client(client, role_users, role)
    expected_a, expected_b = UNIT_PAGES[page][role_index]
    assert c.get(_url(page, data, "a")).status_code == expected_a
    assert c.get(_url(page, data, "b")).status_code == expected_b


PLAIN_PAGES = {
    #              anonymous director inspector leader admin
    "ledger:panel": [302, 403, 200, 200, 200],
    "ledger:panel_export": [302, 403, 200, 200, 200],
    "ledger:targets": [302, 403, 403, 403, 200],
}


@pytest.mark.parametrize("page", list(PLAIN_PAGES))
@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_role_matrix_panel_pages(client, role_users, data, page, role_index):
    c = _client(client, role_users, ROLES[role_index])
    assert c.get(reverse(page)).status_code == PLAIN_PAGES[page][role_index]


@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("director", 400), ("inspector", 403),
                                              ("leader", 403), ("admin", 400)])
def test_role_matrix_import(client, role_users, data, role, status):
    c = _client(client, role_users, role)
    url = reverse("ledger:import_year", args=[data["a"].pk, 2025])
    # An empty upload: those allowed in get the form back with its error (400), the others never get that far.
    assert c.post(url, {}).status_code == status


def test_director_import_out_of_scope_is_404(client, role_users, data):
    client.force_login(role_users["director"])
    assert client.post(reverse("ledger:import_year", args=[data["b"].pk, 2025]), {}).status_code == 404
    assert client.post(reverse("ledger:evidence_upload", args=[MonthlyRecord.objects.get(
        unit=data["b"], month=1).pk]), {}).status_code == 404


def test_index_redirects_by_role(client, role_users, data):
    assert client.get(reverse("ledger:index")).status_code == 302
    client.force_login(role_users["director"])
    response = client.get(reverse("ledger:index"))
    assert response.url.startswith(reverse("ledger:unit", args=[data["a"].pk]))
    client.force_login(role_users["inspector"])
    assert client.get(reverse("ledger:index")).url == reverse("ledger:panel")


def test_record_edit_post_saves_and_redirects(client, director_a, unit_a):
    client.force_login(director_a)
    url = reverse("ledger:record_edit", args=[unit_a.pk, 2025, 5])
    form = {k: str(v) for k, v in month_data().items()}
    response = client.post(url, form)
    assert response.status_code == 302
    assert MonthlyRecord.objects.get(unit=unit_a, year=2025, month=5).electricity_kwh == 40000


def test_record_edit_negative_value_rerenders_with_input_kept(client, director_a, unit_a):
    client.force_login(director_a)
    url = reverse("ledger:record_edit", args=[unit_a.pk, 2025, 5])
    form = {k: str(v) for k, v in month_data(water_m3=Decimal(-3), electricity_kwh=Decimal("41234.5")).items()}
    response = client.post(url, form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "不能为负数" in html
    assert 'value="41234.5"' in html
    assert not MonthlyRecord.objects.exists()


def test_record_edit_warns_of_spike(client, director_a, unit_a):
    save_year(unit_a, 2025, months=range(1, 5))
    client.force_login(director_a)
    form = {k: str(v) for k, v in month_data(electricity_kwh=Decimal(400000)).items()}
    response = client.post(reverse("ledger:record_edit", args=[unit_a.pk, 2025, 5]), form, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("5月用电量" in m and "请核实" in m for m in messages)


def test_record_edit_future_month_is_404(client, director_a, unit_a):
    client.force_login(director_a)
    assert client.get(reverse("ledger:record_edit", args=[unit_a.pk, 2099, 1])).status_code == 404


def test_import_view_bad_sheet_names_cell_and_saves_nothing(client, director_a, unit_a):
    wb = Workbook()
    ws = wb.active
    ws.append([h for _k, h in spreadsheets.COLUMNS])
    for m in range(1, 13):
        ws.append([m, 40000, 300, 1000 if m != 6 else -1, 0, 0, 0, 100, 750, 0, 120, 6000])
    out = io.BytesIO()
    wb.save(out)
    client.force_login(director_a)
    response = client.post(reverse("ledger:import_year", args=[unit_a.pk, 2025]),
                           {"file": SimpleUploadedFile("y.xlsx", out.getvalue())})
    assert response.status_code == 400
    assert "第7行 D列(天然气(m³)):不能为负数" in response.content.decode()
    assert not MonthlyRecord.objects.exists()


def test_import_view_good_sheet(client, director_a, unit_a):
    content = spreadsheets.year_template(unit=unit_a, year=2025, records=[])
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content))
    ws = wb[spreadsheets.SHEET_TITLE]
    for m in range(1, 13):
        for col, value in enumerate([40000, 300, 1000, 0, 0, 0, 100, 750, 0], start=2):
            ws.cell(row=m + 1, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    client.force_login(director_a)
    response = client.post(reverse("ledger:import_year", args=[unit_a.pk, 2025]),
                           {"file": SimpleUploadedFile("y.xlsx", out.getvalue())})
    assert response.status_code == 302
    assert MonthlyRecord.objects.filter(unit=unit_a, year=2025).count() == 12


def test_unit_page_shows_indicators_and_suggestions(client, director_a, unit_a):
    save_year(unit_a, 2024)
    save_year(unit_a, 2025, electricity_kwh=Decimal(36000))
    client.force_login(director_a)
    html = client.get(reverse("ledger:unit_year", args=[unit_a.pk, 2025])).content.decode()
    assert "643.9" in html
    assert "2.2 节约用电" in html
    assert "6 / 6" in html
    assert 'id="ledger-unit-trend"' in html
    _assert_no_inline_script_or_style(html)


def test_unit_page_zero_headcount_shows_cannot_compute(client, director_a, unit_a):
    save_year(unit_a, 2025, headcount=0)
    client.force_login(director_a)
    html = client.get(reverse("ledger:unit_year", args=[unit_a.pk, 2025])).content.decode()
    assert "无法计算" in html
    assert "用能人数为0" in html


def test_panel_page_and_export(client, inspector_a, unit_a, unit_b):
    save_year(unit_a, 2025)
    save_year(unit_b, 2025)
    client.force_login(inspector_a)
    response = client.get(reverse("ledger:panel"), {"year": 2025})
    html = response.content.decode()
    assert unit_a.name in html
    assert unit_b.name not in html
    assert 'id="ledger-panel-trend"' in html
    _assert_no_inline_script_or_style(html)
    export = client.get(reverse("ledger:panel_export"), {"year": 2025})
    assert export["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(export.content))["单位指标"]
    assert [ws.cell(row=r, column=2).value for r in range(2, ws.max_row + 1)] == [unit_a.name]


def test_evidence_download_is_attachment_nosniff(client, role_users, data):
    client.force_login(role_users["director"])
    response = client.get(reverse("ledger:evidence_download", args=[data["ev_a"].pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_targets_page_admin_sets_target(client, admin_user):
    from assessment.models import Campaign, RubricVersion

    rubric = RubricVersion.objects.create(code="GO", version=1, title="细则", total_points=100, pass_mark=80,
                                          minor_deduction=Decimal("0.5"), serious_deduction=1, deduction_cap=10)
    campaign = Campaign.objects.create(year=2026, name="2026", rubric=rubric)
    client.force_login(admin_user)
    response = client.post(reverse("ledger:targets"), {
        "campaign": campaign.pk, "category": "government", "per_capita_kgce": "650", "baseline_year": "2025",
        "electricity_reduction_pct": "5", "water_reduction_pct": "10", "paper_reduction_pct": "5"})
    assert response.status_code == 302
    assert campaign.ledger_targets.get().per_capita_kgce == 650


def test_suggestion_partial_include(unit_a):
    save_year(unit_a, 2024)
    save_year(unit_a, 2025, electricity_kwh=Decimal(30000))
    template = Template('{% load ledger_tags %}{% for code in codes %}'
                        '{% include "ledger/_suggestion.html" with suggestion=ledger_suggestions|suggestion_for:code %}'
                        '{% endfor %}')
    html = template.render(Context({"codes": ["2.2", "3.1"],
                                    "ledger_suggestions": ledger_suggestions(unit=unit_a, year=2025)}))
    assert html.count("ledger-suggestion") == 1
    assert "6 / 6" in html
    assert "−25.00%" in html


def _assert_no_inline_script_or_style(html):
    assert ' style="' not in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


@pytest.mark.parametrize(("role", "which", "status"), [
    ("anonymous", "a", 302), ("director", "a", 302), ("director", "b", 404), ("inspector", "a", 403),
    ("leader", "a", 403), ("admin", "b", 302),
])
def test_role_matrix_evidence_upload(client, role_users, data, role, which, status):
    from assessment.ledger.models import RecordEvidence

    c = _client(client, role_users, role)
    record = MonthlyRecord.objects.get(unit=data[which], month=2)
    png = io.BytesIO()
    Image.new("RGB", (12, 12), "red").save(png, format="PNG")
    before = RecordEvidence.objects.count()
    response = c.post(reverse("ledger:evidence_upload", args=[record.pk]),
                      {"file": SimpleUploadedFile("meter.png", png.getvalue())})
    assert response.status_code == status
    stored = RecordEvidence.objects.count() - before
    assert stored == (1 if role in ("director", "admin") and status == 302 else 0)
