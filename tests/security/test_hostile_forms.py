"""Hostile form values: out-of-range and non-numeric numbers, 1 MB of text, RTL and zero-width
characters, ids of other units, stale and replayed forms. Each gets a clear Chinese message (or is
stored exactly as typed and shown escaped), never a 500, and what was saved before stays saved."""
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from assessment.ledger import indicators
from assessment.ledger.models import MonthlyRecord
from assessment.models import AssessmentStatus, Evidence, ItemResponse, SubmissionRound
from assessment.services.self_assessment import response_save
from tests.assessment.conftest import answer_all
from tests.factories import PersonFactory
from tests.ledger.conftest import save_year
from tests.security.hostile_files import XLSX_CONTENT_TYPE
from tests.units.sheets import unit_row, upload, valid_credit_code, xlsx_bytes
from units.models import Person, Unit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
NOT_NUMBERS = ["abc", "NaN", "Infinity", "-Infinity", "1e400", "0x10", "--1", "1,000", "9" * 30, "١٢"]


def html_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def director_client(client, director_a):
    client.force_login(director_a)
    return client


# --- the ledger month form --------------------------------------------------------------------------

def month_post(**overrides):
    data = {name: "10" for name in indicators.FIELD_NAMES}
    data.update(headcount="120", floor_area="6000", note="")
    data.update(overrides)
    return data


@pytest.mark.parametrize("value", [v for v in NOT_NUMBERS if v != "١٢"] + ["-5", "-0.01", "1.234"])
def test_hostile_ledger_month_values_are_refused_and_the_month_kept(director_client, unit_a, value):
    save_year(unit_a, 2025, months=[3])
    before = MonthlyRecord.objects.filter(unit=unit_a, year=2025, month=3).values().get()
    url = reverse("ledger:record_edit", args=[unit_a.pk, 2025, 3])
    response = director_client.post(url, month_post(electricity_kwh=value, note="本月备注"))
    assert response.status_code == 200
    html = html_of(response)
    error = re.search(r'id="error_1_id_electricity_kwh"><strong>([^<]+)<', html)
    assert error and re.search(r"不能为负数|输入一个数字|确认总共不超过|确认小数不超过", error.group(1))
    assert "本月备注" in html  # what was typed stays in the form
    assert MonthlyRecord.objects.filter(unit=unit_a, year=2025, month=3).values().get() == before


@pytest.mark.parametrize("value", ["-1", "1e6"])
def test_hostile_ledger_headcount_is_refused(director_client, unit_a, value):
    response = director_client.post(reverse("ledger:record_edit", args=[unit_a.pk, 2025, 4]),
                                    month_post(headcount=value))
    assert response.status_code == 200
    assert not MonthlyRecord.objects.filter(unit=unit_a, year=2025, month=4).exists()


@pytest.mark.parametrize("year, month", [(2025, 13), (2025, 0), (1900, 1), (99999, 1)])
def test_hostile_ledger_periods_are_404(director_client, unit_a, year, month):
    assert director_client.get(reverse("ledger:record_edit", args=[unit_a.pk, year, month])).status_code == 404


# --- the self-assessment item form (2.1 takes a typed score) ----------------------------------------

def item_url(enrolment, item):
    return reverse("assessment:self_assessment_item", args=[enrolment.pk, item.pk])


@pytest.fixture
def scored_21(assessment_a, director_a, items, unit_a):
    """Item 2.1 saved with a typed score of 7, an explanation and a responsible person."""
    person = PersonFactory(unit=unit_a, name="王五")
    response_save(actor=director_a, assessment=assessment_a, item=items["2.1"], self_score=Decimal("7"),
                  explanation="人均能耗低于目标", responsible_id=person.pk)
    return items["2.1"], person


@pytest.mark.parametrize("value", NOT_NUMBERS + ["-1", "8.5", "9", "8.001", "1e9"])
def test_hostile_self_score_is_refused_and_the_saved_score_kept(director_client, enrolment_a, scored_21, value):
    item, person = scored_21
    data = {f"i{item.pk}-self_score": value, f"i{item.pk}-explanation": "新的说明",
            f"i{item.pk}-responsible": str(person.pk)}
    response = director_client.post(item_url(enrolment_a, item), data)
    assert response.status_code == 200
    html = html_of(response)
    assert "第2.1项未保存,请查看该项的提示" in html
    assert "新的说明" in html
    saved = ItemResponse.objects.get(item=item)
    assert saved.self_score == Decimal("7") and saved.explanation == "人均能耗低于目标"


def test_hostile_one_megabyte_explanation_is_refused_and_the_rest_kept(director_client, enrolment_a, scored_21):
    item, person = scored_21
    data = {f"i{item.pk}-self_score": "6", f"i{item.pk}-explanation": "节" * 1_000_000,
            f"i{item.pk}-responsible": str(person.pk)}
    response = director_client.post(item_url(enrolment_a, item), data)
    assert response.status_code == 200
    html = html_of(response)
    assert "情况说明不能超过5000字(当前1000000字)" in html
    # The other fields come back as typed.
    assert re.search(rf'name="i{item.pk}-self_score"[^>]*value="6"|value="6"[^>]*name="i{item.pk}-self_score"', html)
    assert re.search(rf'<option value="{person.pk}" selected', html)
    saved = ItemResponse.objects.get(item=item)
    assert saved.self_score == Decimal("7") and saved.explanation == "人均能耗低于目标"


def test_hostile_request_over_the_body_limit_gets_a_400_page(director_client, enrolment_a, scored_21):
    item, _person = scored_21
    response = director_client.post(item_url(enrolment_a, item),
                                    {f"i{item.pk}-explanation": "节" * 2_000_000})  # 6 MB > 5 MB
    assert response.status_code == 400
    assert "lang=\"zh-hans\"" in html_of(response)
    assert ItemResponse.objects.get(item=item).explanation == "人均能耗低于目标"


def test_hostile_deduction_count_out_of_range_is_refused(director_client, enrolment_a, assessment_a, items):
    item = next(i for i in items.values() if any("每" in d.text for d in i.deductions.all()))
    deduction = next(d for d in item.deductions.all() if "每" in d.text)
    for value in ("-1", "999999", "abc"):
        response = director_client.post(item_url(enrolment_a, item), {f"i{item.pk}-d{deduction.pk}": value})
        assert response.status_code == 200 and "未保存" in html_of(response)
    assert not ItemResponse.objects.filter(item=item, answered=True).exists()


def test_hostile_deduction_and_person_ids_of_another_unit_are_refused(director_client, enrolment_a, items,
                                                                       assessment_a, unit_b):
    item = items["1.2"]
    stranger = PersonFactory(unit=unit_b, name="外单位人员")
    response = director_client.post(item_url(enrolment_a, item), {
        f"i{item.pk}-full_marks": "on", f"i{item.pk}-responsible": str(stranger.pk)})
    assert response.status_code == 200 and "未保存" in html_of(response)
    other_item = items["1.3"]
    foreign = other_item.deductions.all()[0]
    response = director_client.post(item_url(enrolment_a, item), {f"i{item.pk}-d{foreign.pk}": "on"})
    assert response.status_code in (200, 302)
    assert all(foreign.pk not in r.deduction_ids for r in ItemResponse.objects.filter(item=item))


# --- names with RTL, zero-width and markup ----------------------------------------------------------

HOSTILE_NAME = "甲区\u202e局务管理\u202c\u200b<script>alert(1)</script>"


def test_hostile_unit_name_is_stored_as_typed_and_shown_escaped(client, admin_user, district_a):
    client.force_login(admin_user)
    response = client.post(reverse("units:create"), {
        "code": "RTL01", "name": HOSTILE_NAME, "short_name": "\u200b", "credit_code": valid_credit_code(),
        "district": district_a.pk, "category": "government", "headcount": "10", "floor_area": "100",
    })
    assert response.status_code == 302, html_of(response)[:3000]
    unit = Unit.objects.get(code="RTL01")
    assert unit.name == HOSTILE_NAME
    html = html_of(client.get(reverse("units:detail", args=[unit.pk])))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    listing = html_of(client.get(reverse("units:list")))
    assert "<script>alert(1)" not in listing


def test_hostile_unit_name_with_formula_exports_as_text(client, admin_user, district_a):
    client.force_login(admin_user)
    name = '=HYPERLINK("http://evil.example","点击查看")'
    client.post(reverse("units:create"), {
        "code": "F01", "name": name, "credit_code": valid_credit_code(), "district": district_a.pk,
        "category": "government", "headcount": "1", "floor_area": "1",
    })
    sheet = load_workbook(io.BytesIO(client.get(reverse("units:export")).content))["创建单位"]
    cells = [row[1] for row in sheet.iter_rows(min_row=2) if row[0].value == "F01"]
    assert cells and cells[0].value == name and cells[0].data_type == "s"


def test_hostile_person_name_with_zero_width_and_rtl_is_kept_and_escaped(client, admin_user, unit_a):
    client.force_login(admin_user)
    name = "张\u200d三\u202e<b>"
    response = client.post(reverse("units:person_create", args=[unit_a.pk]), {"name": name, "position": "办公室"})
    assert response.status_code == 302
    assert Person.objects.get(unit=unit_a).name == name
    html = html_of(client.get(reverse("units:detail", args=[unit_a.pk])))
    assert "张\u200d三\u202e&lt;b&gt;" in html


def test_hostile_nul_character_in_a_name_is_refused(client, admin_user, district_a):
    client.force_login(admin_user)
    response = client.post(reverse("units:create"), {
        "code": "N01", "name": "空\x00字符", "credit_code": valid_credit_code(), "district": district_a.pk,
        "category": "government", "headcount": "1", "floor_area": "1",
    })
    assert response.status_code == 200 and "空字符" in html_of(response)
    assert not Unit.objects.filter(code="N01").exists()


# --- ids of other units -----------------------------------------------------------------------------

@pytest.fixture
def evidence_b(enrolment_b, director_b, items):
    from assessment.services.self_assessment import self_assessment_start

    assessment_b = self_assessment_start(actor=director_b, enrolment=enrolment_b)
    response_save(actor=director_b, assessment=assessment_b, item=items["1.1"], full_marks=True,
                  uploaded_files=[SimpleUploadedFile("乙区文件.pdf", PDF)])
    return Evidence.objects.get(response__assessment=assessment_b)


def test_hostile_ids_of_another_unit_are_404_and_change_nothing(director_client, enrolment_b, unit_b, items,
                                                               evidence_b):
    item = items["1.2"]
    checks = [
        ("post", reverse("assessment:self_assessment_item", args=[enrolment_b.pk, item.pk]),
         {f"i{item.pk}-full_marks": "on"}),
        ("post", reverse("assessment:self_assessment_submit", args=[enrolment_b.pk]), {"version": "1"}),
        ("get", reverse("assessment:self_assessment", args=[enrolment_b.pk]), None),
        ("get", reverse("assessment:evidence_download", args=[evidence_b.pk]), None),
        ("post", reverse("assessment:evidence_delete", args=[evidence_b.pk]), {}),
        ("get", reverse("units:detail", args=[unit_b.pk]), None),
        ("get", reverse("ledger:record_edit", args=[unit_b.pk, 2025, 1]), None),
        ("post", reverse("ledger:record_edit", args=[unit_b.pk, 2025, 1]), month_post()),
        ("post", reverse("ledger:import_year", args=[unit_b.pk, 2025]), {}),
    ]
    for method, url, data in checks:
        response = getattr(director_client, method)(url, data) if data is not None else director_client.get(url)
        assert response.status_code == 404, (method, url, response.status_code)
    assert not ItemResponse.objects.filter(item=item).exists()
    assert Evidence.objects.filter(pk=evidence_b.pk).exists()
    assert not MonthlyRecord.objects.filter(unit=unit_b).exists()


@pytest.mark.parametrize("url", [
    "/units/99999999999999999999999/", "/units/9223372036854775808/edit/",
    "/assessment/self-assessments/99999999999999999999999/", "/assessment/evidence/9223372036854775808/download/",
    "/ledger/unit/99999999999999999999/2025/1/", "/assessment/rubrics/99999999999999999999/",
    "/units/0/", "/units/-1/",
])
def test_hostile_ids_out_of_range_are_404_not_500(client, admin_user, url):
    client.force_login(admin_user)
    assert client.get(url).status_code == 404


# --- stale and replayed forms -----------------------------------------------------------------------

def submit_version(client, enrolment) -> str:
    html = html_of(client.get(reverse("assessment:self_assessment", args=[enrolment.pk])))
    return re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)


def test_hostile_stale_submit_is_refused_until_the_page_is_reloaded(director_client, director_a, enrolment_a,
                                                                    assessment_a, items):
    answer_all(assessment_a, director_a, items)
    stale = submit_version(director_client, enrolment_a)
    # Meanwhile the answers change in another tab.
    response_save(actor=director_a, assessment=assessment_a, item=items["1.1"], full_marks=True,
                  explanation="另一个页面改过")
    response = director_client.post(reverse("assessment:self_assessment_submit", args=[enrolment_a.pk]),
                                    {"version": stale}, follow=True)
    assert "自评内容已在其他页面更新,请刷新后再提交" in html_of(response)
    assessment_a.refresh_from_db()
    assert assessment_a.status == AssessmentStatus.DRAFT and not SubmissionRound.objects.exists()
    fresh = submit_version(director_client, enrolment_a)
    director_client.post(reverse("assessment:self_assessment_submit", args=[enrolment_a.pk]), {"version": fresh})
    assert SubmissionRound.objects.count() == 1


def test_hostile_replayed_submit_makes_one_round(director_client, director_a, enrolment_a, assessment_a, items):
    answer_all(assessment_a, director_a, items)
    version = submit_version(director_client, enrolment_a)
    url = reverse("assessment:self_assessment_submit", args=[enrolment_a.pk])
    director_client.post(url, {"version": version})
    replay = director_client.post(url, {"version": version}, follow=True)
    assert replay.status_code == 200 and "无需重复提交" in html_of(replay)
    assert SubmissionRound.objects.count() == 1


def test_hostile_replayed_upload_stores_the_file_once(director_client, enrolment_a, assessment_a, items):
    item = items["1.1"]
    url = reverse("assessment:self_assessment_item", args=[enrolment_a.pk, item.pk])
    for _ in range(2):
        response = director_client.post(url, {f"i{item.pk}-full_marks": "on",
                                              f"i{item.pk}-files": [SimpleUploadedFile("方案.pdf", PDF)]})
    assert "内容相同,无需重复上传" in html_of(response)
    assert Evidence.objects.filter(response__item=item).count() == 1


def test_hostile_replayed_units_import_confirmation_imports_once(client, admin_user, district_a):
    client.force_login(admin_user)
    data = xlsx_bytes([unit_row("IMP01", district=district_a.name), unit_row("IMP02", district=district_a.name)])
    preview = html_of(client.post(reverse("units:import"), {"file": upload(data)}))
    token = re.search(r'name="token" value="([0-9a-f]{32})"', preview).group(1)
    first = client.post(reverse("units:import_confirm"), {"token": token})
    assert first.status_code == 302
    replay = client.post(reverse("units:import_confirm"), {"token": token}, follow=True)
    assert "导入文件已失效或已经导入过" in html_of(replay)
    assert Unit.objects.filter(code__startswith="IMP").count() == 2


def test_hostile_forged_units_import_token_is_refused(client, admin_user):
    client.force_login(admin_user)
    for token in ("../../../../etc/passwd", "0" * 32, ""):
        response = client.post(reverse("units:import_confirm"), {"token": token}, follow=True)
        assert response.status_code == 200 and "导入文件已失效或已经导入过" in html_of(response)


def test_hostile_replayed_ledger_import_and_month_form_are_harmless(director_client, unit_a):
    save_year(unit_a, 2025, months=[1, 2])
    before = list(MonthlyRecord.objects.filter(unit=unit_a).order_by("month").values_list(
        "month", "electricity_kwh", "water_m3"))
    sheet = director_client.get(reverse("ledger:year_template", args=[unit_a.pk, 2025])).content
    url = reverse("ledger:import_year", args=[unit_a.pk, 2025])
    for _ in range(2):
        response = director_client.post(url, {"file": SimpleUploadedFile("台账.xlsx", sheet, XLSX_CONTENT_TYPE)})
        assert response.status_code == 302
    month_url = reverse("ledger:record_edit", args=[unit_a.pk, 2025, 3])
    for _ in range(2):
        assert director_client.post(month_url, month_post()).status_code == 302
    after = list(MonthlyRecord.objects.filter(unit=unit_a).order_by("month").values_list(
        "month", "electricity_kwh", "water_m3"))
    assert after[:2] == before and [m for m, *_ in after] == [1, 2, 3]
