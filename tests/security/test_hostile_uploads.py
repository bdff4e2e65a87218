"""The hostile upload corpus against the real endpoints: evidence on a self-assessment item
(assessment:self_assessment_item), ledger bills (ledger:evidence_upload), the units import
(units:import), the ledger import (ledger:import_year) and the rubric import (assessment:rubric_import).

Each file gets a clear Chinese message or is stored safely (hash name, cleaned display name,
re-encoded image, served as an attachment with nosniff); never a 500; and what was saved before is
still there afterwards. Bombs are refused from the archive's directory, without being inflated."""
import hashlib
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment.ledger.models import MonthlyRecord, RecordEvidence
from assessment.models import Evidence, ItemResponse, RubricVersion
from assessment.services.self_assessment import response_save
from tests.ledger.conftest import save_year
from tests.security.hostile_files import (
    XLSX_CONTENT_TYPE,
    exe_bytes,
    pdf_html_polyglot,
    png_bomb,
    png_bytes,
    png_html_polyglot,
    real_xlsx,
    svg_with_script,
    xlsx_zip_bomb,
)
from units.models import Unit

pytestmark = pytest.mark.django_db

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture
def inflated_bytes(monkeypatch):
    """Counts the bytes anything inflates out of any zip archive during the test."""
    counter = {"bytes": 0}
    original_read, original_read1 = zipfile.ZipExtFile.read, zipfile.ZipExtFile.read1

    def read(self, n=-1):
        data = original_read(self, n)
        counter["bytes"] += len(data)
        return data

    def read1(self, n):
        data = original_read1(self, n)
        counter["bytes"] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", read)
    monkeypatch.setattr(zipfile.ZipExtFile, "read1", read1)
    return counter


def upload(name: str, content: bytes, content_type="application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def page_text(response) -> str:
    return response.content.decode()


# --- evidence on a self-assessment item -------------------------------------------------------------

@pytest.fixture
def director_client(client, director_a):
    client.force_login(director_a)
    return client


@pytest.fixture
def saved_item(assessment_a, director_a, items):
    """Item 1.1 answered with an explanation and one evidence file, before the hostile upload."""
    item = items["1.1"]
    response_save(actor=director_a, assessment=assessment_a, item=item, full_marks=True,
                  explanation="已成立创建工作领导小组", uploaded_files=[upload("领导小组文件.pdf", PDF)])
    return item


def post_evidence(client, enrolment, item, *files, **values):
    data = {f"i{item.pk}-{name}": value for name, value in values.items()}
    data[f"i{item.pk}-full_marks"] = "on"
    data[f"i{item.pk}-explanation"] = values.get("explanation", "已成立创建工作领导小组")
    data[f"i{item.pk}-files"] = list(files)
    return client.post(reverse("assessment:self_assessment_item", args=[enrolment.pk, item.pk]), data)


def assert_nothing_lost(item):
    response = ItemResponse.objects.get(item=item)
    assert response.answered and response.explanation == "已成立创建工作领导小组"
    first = Evidence.objects.get(response=response, original_name="领导小组文件.pdf")
    with first.file.open("rb") as handle:
        assert handle.read() == PDF


REFUSED_EVIDENCE = [
    pytest.param("电费单.jpg", exe_bytes(), "的内容是可执行程序,与扩展名.jpg不符", id="exe-renamed-jpg"),
    pytest.param("实施方案.pdf", exe_bytes(), "的内容是可执行程序,与扩展名.pdf不符", id="exe-renamed-pdf"),
    pytest.param("标识.svg", svg_with_script(), "的类型不支持", id="svg-with-script"),
    pytest.param("标识.png", svg_with_script(), "不是有效的.png文件", id="svg-renamed-png"),
    pytest.param("宣传照片.png", png_bomb(), "的像素过多", id="decompression-bomb-png"),
    pytest.param("\u202egpj.exe", exe_bytes(), "的类型不支持", id="rtl-override-exe"),
    pytest.param("passwd", b"root:x:0:0:root:/root:/bin/bash\n", "的类型不支持", id="no-extension"),
    pytest.param("能耗统计.xlsx", xlsx_zip_bomb(), "解压后", id="zip-bomb-xlsx"),
    pytest.param("空文件.pdf", b"", "是空文件", id="empty"),
]


@pytest.mark.parametrize("name, content, message", REFUSED_EVIDENCE)
def test_hostile_evidence_is_refused_with_a_message_and_nothing_is_lost(
        director_client, enrolment_a, saved_item, inflated_bytes, name, content, message):
    response = post_evidence(director_client, enrolment_a, saved_item, upload(name, content))
    assert response.status_code == 200
    html = page_text(response)
    assert message in html, html[:2000]
    assert "本项未保存,请重新选择要上传的文件" in html
    assert Evidence.objects.filter(response__item=saved_item).count() == 1
    assert_nothing_lost(saved_item)
    assert inflated_bytes["bytes"] < 1024 * 1024


def test_hostile_evidence_too_large_is_refused(director_client, enrolment_a, saved_item, settings):
    settings.GREENOFFICE_MAX_UPLOAD_BYTES = 256 * 1024
    big = PDF + b"%" + b"0" * (300 * 1024)
    response = post_evidence(director_client, enrolment_a, saved_item, upload("全年台账扫描件.pdf", big))
    assert response.status_code == 200
    assert "超过了256.0\xa0KB的上限" in page_text(response)
    assert_nothing_lost(saved_item)


def test_hostile_evidence_claiming_a_huge_size_is_refused_unread(assessment_a, director_a, items):
    from assessment.services.evidence import evidence_validate

    class ClaimsHuge(SimpleUploadedFile):
        def read(self, *args, **kwargs):
            raise AssertionError("a file over the limit must not be read")

    huge = ClaimsHuge("航拍.jpg", b"\xff\xd8\xff")
    huge.size = 5 * 1024 ** 3
    with pytest.raises(Exception) as refused:
        evidence_validate(huge)
    assert "超过了" in " ".join(refused.value.messages)


def test_hostile_evidence_one_bad_file_in_a_batch_saves_none(director_client, enrolment_a, saved_item):
    response = post_evidence(director_client, enrolment_a, saved_item, upload("照片.png", png_bytes()),
                             upload("病毒.jpg", exe_bytes()))
    assert "可执行程序" in page_text(response)
    assert Evidence.objects.filter(response__item=saved_item).count() == 1


@pytest.mark.parametrize("name, shown", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
    ("照片\u202egnp.pdf", "照片gnp.pdf"),
    ("方\u200b案\ufeff.pdf", "方案.pdf"),
    ("报告\x07\x1b[31m.pdf", "报告[31m.pdf"),
    ("名" * 400 + ".pdf", "名" * 196 + ".pdf"),
])
def test_hostile_evidence_names_are_cleaned_and_stored_under_a_hash(
        director_client, enrolment_a, saved_item, settings, name, shown):
    content = PDF + name.encode("utf-8", "replace")[:40]
    response = post_evidence(director_client, enrolment_a, saved_item, upload(name, content))
    assert response.status_code == 302, page_text(response)[:2000]
    evidence = Evidence.objects.get(response__item=saved_item, sha256=hashlib.sha256(content).hexdigest())
    assert evidence.original_name == shown
    stored = evidence.file.name
    assert ".." not in stored and "\\" not in stored and hashlib.sha256(content).hexdigest() in stored
    assert (settings.MEDIA_ROOT / stored).resolve().is_relative_to(settings.MEDIA_ROOT.resolve())
    assert_nothing_lost(saved_item)


def test_hostile_evidence_name_with_a_nul_byte_never_500s(director_client, enrolment_a, saved_item):
    response = post_evidence(director_client, enrolment_a, saved_item, upload("a\x00b.pdf", PDF + b"nul"))
    assert response.status_code == 302
    assert Evidence.objects.filter(response__item=saved_item, original_name="ab.pdf").exists()
    assert_nothing_lost(saved_item)


def test_hostile_png_html_polyglot_is_stored_re_encoded(director_client, enrolment_a, saved_item):
    response = post_evidence(director_client, enrolment_a, saved_item, upload("现场照片.png", png_html_polyglot()))
    assert response.status_code == 302
    evidence = Evidence.objects.get(response__item=saved_item, original_name="现场照片.png")
    with evidence.file.open("rb") as handle:
        stored = handle.read()
    assert stored.startswith(b"\x89PNG") and b"<script" not in stored and b"<html" not in stored


def test_hostile_pdf_html_polyglot_is_only_ever_served_as_an_attachment(director_client, enrolment_a, saved_item):
    post_evidence(director_client, enrolment_a, saved_item, upload("情况说明.pdf", pdf_html_polyglot()))
    evidence = Evidence.objects.get(response__item=saved_item, original_name="情况说明.pdf")
    response = director_client.get(reverse("assessment:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    # MEDIA_ROOT has no URL of its own: the file is reachable only through the gated view.
    assert director_client.get("/media/" + evidence.file.name).status_code == 404


# --- ledger bills -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, content, message", [
    ("电费单.jpg", exe_bytes(), "可执行程序"),
    ("水费单.svg", svg_with_script(), "类型不支持"),
    ("抄表照片.png", png_bomb(), "像素过多"),
    ("台账.xlsx", real_xlsx(), "类型不支持"),
])
def test_hostile_ledger_bill_is_refused_with_a_message(client, director_a, unit_a, name, content, message):
    save_year(unit_a, 2025, months=[1])
    record = MonthlyRecord.objects.get(unit=unit_a, year=2025, month=1)
    client.force_login(director_a)
    response = client.post(reverse("ledger:evidence_upload", args=[record.pk]), {"file": upload(name, content)},
                           follow=True)
    assert response.status_code == 200
    assert message in page_text(response)
    assert not RecordEvidence.objects.exists()
    assert MonthlyRecord.objects.get(pk=record.pk).electricity_kwh == record.electricity_kwh


# --- units import -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, content, message", [
    ("units.xlsx", exe_bytes(), "无法读取该文件"),
    ("units.xlsx", svg_with_script(), "无法读取该文件"),
    ("units.xlsx", png_html_polyglot(), "无法读取该文件"),
    ("units.xlsx", xlsx_zip_bomb(), "文件内容过大"),
    ("units.xlsx", b"", "上传的文件是空的"),
    ("units.exe", exe_bytes(), "只支持 .xlsx 格式"),
    ("../../units.xlsx", exe_bytes(), "无法读取该文件"),
])
def test_hostile_units_import_is_refused_with_a_message(client, admin_user, unit_a, inflated_bytes,
                                                        name, content, message):
    before = list(Unit.objects.values_list("pk", "code", "name", "credit_code"))
    client.force_login(admin_user)
    response = client.post(reverse("units:import"), {"file": upload(name, content, XLSX_CONTENT_TYPE)})
    assert response.status_code == 200
    assert message in page_text(response)
    assert list(Unit.objects.values_list("pk", "code", "name", "credit_code")) == before
    assert inflated_bytes["bytes"] < 1024 * 1024


# --- ledger import ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, content, message", [
    ("台账.xlsx", exe_bytes(), "不是有效的Excel(.xlsx)表格"),
    ("台账.xlsx", svg_with_script(), "不是有效的Excel(.xlsx)表格"),
    ("台账.xlsx", xlsx_zip_bomb(), "解压后"),
    ("台账.exe", real_xlsx(), "只能上传Excel(.xlsx)文件"),
])
def test_hostile_ledger_import_is_refused_with_a_message(client, director_a, unit_a, inflated_bytes,
                                                         name, content, message):
    save_year(unit_a, 2025, months=[1, 2])
    before = list(MonthlyRecord.objects.order_by("pk").values())
    client.force_login(director_a)
    response = client.post(reverse("ledger:import_year", args=[unit_a.pk, 2025]),
                           {"file": upload(name, content, XLSX_CONTENT_TYPE)})
    assert response.status_code == 400
    assert message in page_text(response)
    assert list(MonthlyRecord.objects.order_by("pk").values()) == before
    assert inflated_bytes["bytes"] < 1024 * 1024


# --- rubric import ----------------------------------------------------------------------------------

BILLION_LAUGHS = "\n".join(
    ['a: &a ["哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈"]']
    + [f"{chr(ord('a') + n)}: &{chr(ord('a') + n)} [" + ", ".join([f"*{chr(ord('a') + n - 1)}"] * 9) + "]"
       for n in range(1, 9)]
    + ["rubric: {code: *i, version: *i, title: *i, blocks: *i, grades: *i}"]
)


@pytest.mark.parametrize("name, content, message", [
    ("rubric.yaml", BILLION_LAUGHS.encode(), "的&quot;code&quot;必须是文本"),
    ("rubric.yaml", b"rubric: !!python/object/apply:os.system ['touch /tmp/pwned']\n", "YAML格式错误"),
    ("rubric.yaml", "考评细则: 绿色机关".encode("gbk"), "必须是UTF-8编码"),
    ("rubric.yaml", exe_bytes(), "必须是UTF-8编码"),
    ("rubric.yaml", b"a: 1\n" * 110_000, "文件过大"),
    ("rubric.svg", svg_with_script(), "请上传 .yaml 或 .yml 文件"),
    ("rubric.yaml", b"rubric: [unclosed\n", "YAML格式错误"),
])
def test_hostile_rubric_import_is_refused_with_a_message(client, admin_user, rubric, name, content, message):
    before = RubricVersion.objects.count()
    client.force_login(admin_user)
    response = client.post(reverse("assessment:rubric_import"), {"file": upload(name, content, "text/yaml")})
    assert response.status_code == 200
    assert message in page_text(response)
    assert RubricVersion.objects.count() == before
