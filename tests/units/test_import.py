"""Importing units from .xlsx: all rows or none, every problem listed in Chinese."""
import pytest
from django.urls import reverse

from greenoffice.models import AuditEvent
from tests.units.sheets import HEADERS, unit_row, upload, valid_credit_code, xlsx_bytes
from units import services
from units.models import Unit

pytestmark = pytest.mark.django_db


def _import(admin_user, rows, **kwargs):
    return services.units_import_xlsx(actor=admin_user, file=upload(xlsx_bytes(rows, **kwargs)))


def _messages(result):
    return [(p.row, p.column, p.message) for p in result.errors]


def test_units_import_xlsx_good_sheet_creates_and_updates_by_code(admin_user, unit_a, unit_b):
    rows = [
        unit_row("N001", name="新区环保局", category="事业单位"),
        unit_row("N002", district="乙区", category="党委", 编制人数="80"),
        # An existing code updates that unit; its stored credit code (no check character) is kept.
        unit_row(unit_a.code, name="甲区发改局(更名)", credit_code=unit_a.credit_code),
    ]
    result = _import(admin_user, rows)

    assert result.ok, _messages(result) or result.file_error
    assert (result.created_count, result.updated_count, result.unchanged) == (2, 1, 0)
    assert Unit.objects.count() == 4
    new = Unit.objects.get(code="N001")
    assert (new.district.name, new.category, new.headcount) == ("甲区", "institution", 50)
    assert str(new.floor_area) == "3200.5"
    assert Unit.objects.get(code="N002").headcount == 80
    unit_a.refresh_from_db()
    assert unit_a.name == "甲区发改局(更名)"
    assert result.updated[0].changed == ("单位名称", "地址", "编制人数", "建筑面积(平方米)", "联系人", "联系电话")
    summary = AuditEvent.objects.get(action="units_import")
    assert summary.actor == admin_user
    assert summary.changes == {"file_name": "units.xlsx", "rows": 3, "created": 2, "updated": 1, "unchanged": 0}
    assert AuditEvent.objects.filter(action="unit_import_create").count() == 2
    update_event = AuditEvent.objects.get(action="unit_import_update")
    assert update_event.unit_id == unit_a.pk
    assert update_event.changes["name"] == ["甲区发展和改革局", "甲区发改局(更名)"]
    # The field history keeps who imported.
    assert new.history.get().history_user == admin_user


def test_units_import_xlsx_dry_run_writes_nothing(admin_user, district_a):
    result = services.units_import_xlsx(actor=admin_user, file=upload(xlsx_bytes([unit_row("N001")])), dry_run=True)
    assert result.ok and result.created_count == 1
    assert not Unit.objects.exists()
    assert not AuditEvent.objects.exists()


def test_units_import_xlsx_reimport_is_unchanged(admin_user, district_a):
    rows = [unit_row("N001"), unit_row("N002")]
    data = xlsx_bytes(rows)
    services.units_import_xlsx(actor=admin_user, file=upload(data))
    again = services.units_import_xlsx(actor=admin_user, file=upload(data))
    assert (again.created_count, again.updated_count, again.unchanged) == (0, 0, 2)
    assert Unit.objects.count() == 2


def test_units_import_xlsx_missing_column_rejected(admin_user, district_a, unit_a):
    headers = [h for h in HEADERS if h != "统一社会信用代码"]
    result = _import(admin_user, [unit_row("N001")], headers=headers)
    assert result.file_error == "表格第一行缺少以下列:统一社会信用代码。请使用导入模板,不要修改第一行的列名"
    assert Unit.objects.count() == 1


def test_units_import_xlsx_duplicate_credit_code_in_file_rejected(admin_user, district_a, unit_a):
    code = valid_credit_code()
    rows = [unit_row("N001"), unit_row("N002", credit_code=code), unit_row("N003", credit_code=code)]
    result = _import(admin_user, rows)
    assert _messages(result) == [(4, "统一社会信用代码", f"统一社会信用代码“{code}”与第3行重复")]
    assert Unit.objects.count() == 1


def test_units_import_xlsx_credit_code_of_another_unit_in_db_rejected(admin_user, district_a, unit_a, unit_b):
    result = _import(admin_user, [unit_row("N001"), unit_row("N002", credit_code=unit_b.credit_code)])
    assert _messages(result) == [
        (3, "统一社会信用代码", f"该统一社会信用代码已被单位“乙区财政局”(单位编号 {unit_b.code})使用"),
    ]
    assert Unit.objects.count() == 2


def test_units_import_xlsx_unknown_district_rejected(admin_user, district_a, unit_a):
    result = _import(admin_user, [unit_row("N001", district="丙区")])
    assert _messages(result) == [(2, "所属区域", "区域“丙区”不存在,可选区域见模板“填写说明”表")]
    assert Unit.objects.count() == 1


def test_units_import_xlsx_lists_every_problem_and_imports_nothing(admin_user, district_a, unit_a):
    rows = [
        unit_row("N001"),  # good, but must not be imported while others fail
        unit_row("N002", 单位名称=None, 单位类别="部门", 编制人数="五十"),
        unit_row("N003", credit_code="91330100716105852G", 建筑面积="大"),
        unit_row("N001"),
        unit_row("N005", credit_code="abc"),
    ]
    result = _import(admin_user, rows)
    assert _messages(result) == [
        (3, "单位名称", "必填项,不能为空"),
        (3, "单位类别", "单位类别“部门”无效,应为党委、政府、人大、政协、群团、法检、事业单位之一"),
        (3, "编制人数", "应为不小于 0 的整数,实际为“五十”"),
        (4, "统一社会信用代码", "统一社会信用代码校验位不正确,请核对第18位或前17位是否录入有误"),
        (5, "单位编号", "单位编号“N001”与第2行重复"),
        (6, "统一社会信用代码", "“ABC”格式不正确:应为18位数字或大写字母(不含 I、O、Z、S、V)"),
    ]
    assert Unit.objects.count() == 1
    assert not AuditEvent.objects.filter(action="units_import").exists()


def test_units_import_xlsx_text_file_renamed_rejected(admin_user, unit_a):
    result = services.units_import_xlsx(actor=admin_user, file=upload("单位编号,单位名称\nU1,某局\n".encode()))
    assert result.file_error.startswith("无法读取该文件:请上传 Excel 2007 及以上版本保存的 .xlsx 文件")
    assert Unit.objects.count() == 1


def test_units_import_xlsx_empty_file_rejected(admin_user, unit_a):
    result = services.units_import_xlsx(actor=admin_user, file=upload(b""))
    assert result.file_error == "上传的文件是空的(0 字节),请检查后重新上传"
    assert Unit.objects.count() == 1


def test_units_import_xlsx_header_only_rejected(admin_user, unit_a):
    result = _import(admin_user, [])
    assert result.file_error == "表格中没有单位数据:请从第2行开始填写,每行一个单位"


def test_units_import_xlsx_ten_thousand_rows(admin_user, district_a, district_b):
    rows = [unit_row(f"B{i:05d}", credit_code=valid_credit_code(100_000 + i), district="甲区" if i % 2 else "乙区")
            for i in range(10_000)]
    result = _import(admin_user, rows)
    assert result.ok, _messages(result)[:5]
    assert result.created_count == 10_000
    assert Unit.objects.count() == 10_000
    assert Unit.objects.filter(district=district_b).count() == 5_000


def test_units_import_xlsx_refused_for_non_admin(leader_a, district_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.units_import_xlsx(actor=leader_a, file=upload(xlsx_bytes([unit_row("N001")])))


# --- the pages ------------------------------------------------------------------------------------

def test_unit_import_page_preview_then_confirm_imports(client, admin_user, unit_a):
    client.force_login(admin_user)
    rows = [unit_row("N001"), unit_row(unit_a.code, name="甲区发改局", credit_code=unit_a.credit_code)]
    response = client.post(reverse("units:import"), {"file": upload(xlsx_bytes(rows))})
    assert response.status_code == 200
    assert "确认导入" in response.content.decode()
    assert response.context["result"].created_count == 1
    assert response.context["result"].updated_count == 1
    assert "以下单位编号已存在,将按表格内容更新" in response.content.decode()
    assert Unit.objects.count() == 1  # nothing yet

    token = response.context["confirm_form"].initial["token"]
    response = client.post(reverse("units:import_confirm"), {"token": token}, follow=True)
    assert "导入完成:新增 1 个单位,按单位编号更新 1 个,0 个无变化" in response.content.decode()
    assert Unit.objects.count() == 2

    # The same confirmation cannot import twice.
    response = client.post(reverse("units:import_confirm"), {"token": token}, follow=True)
    assert "导入文件已失效或已经导入过,请重新上传" in response.content.decode()
    assert Unit.objects.count() == 2


def test_unit_import_page_lists_errors_as_table(client, admin_user, unit_a):
    client.force_login(admin_user)
    response = client.post(reverse("units:import"), {"file": upload(xlsx_bytes([unit_row("N001", district="丙区")]))})
    html = response.content.decode()
    assert response.status_code == 200
    assert "发现 1 个问题,未导入任何数据" in html
    assert "第2行" in html and "所属区域" in html and "区域“丙区”不存在" in html
    assert Unit.objects.count() == 1


@pytest.mark.parametrize(("name", "data", "message"), [
    ("renamed.xlsx", b"just some text, not a spreadsheet", "无法读取该文件"),
    ("empty.xlsx", b"", "上传的文件是空的(0 字节),请检查后重新上传"),
    ("units.csv", b"a,b\n1,2\n", "只支持 .xlsx 格式"),
])
def test_unit_import_page_bad_file_clear_message(client, admin_user, unit_a, name, data, message):
    client.force_login(admin_user)
    response = client.post(reverse("units:import"), {"file": upload(data, name=name)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Unit.objects.count() == 1


def test_unit_import_page_missing_column_message(client, admin_user, unit_a):
    client.force_login(admin_user)
    data = xlsx_bytes([unit_row("N001")], headers=[h for h in HEADERS if h != "所属区域"])
    response = client.post(reverse("units:import"), {"file": upload(data)})
    assert "表格第一行缺少以下列:所属区域" in response.content.decode()


def test_unit_import_template_lists_districts_and_categories(client, admin_user, district_a, district_b):
    import io

    from openpyxl import load_workbook

    client.force_login(admin_user)
    response = client.get(reverse("units:import_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook["创建单位"][1]] == HEADERS
    help_sheet = workbook["填写说明"]
    assert [help_sheet["C2"].value, help_sheet["C3"].value] == ["甲区", "乙区"]
    assert help_sheet["E2"].value == "党委"
    assert len(workbook["创建单位"].data_validations.dataValidation) == 2


def test_units_import_xlsx_other_zip_renamed_rejected(admin_user, unit_a):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    result = services.units_import_xlsx(actor=admin_user, file=upload(buffer.getvalue(), name="report.xlsx"))
    assert result.file_error.startswith("无法读取该文件")
    assert Unit.objects.count() == 1


def test_units_import_xlsx_over_size_cap_rejected(admin_user, district_a, monkeypatch):
    monkeypatch.setattr("units.spreadsheets.MAX_UPLOAD_BYTES", 1024)
    result = _import(admin_user, [unit_row(f"N{i:03d}") for i in range(50)])
    assert result.file_error.startswith("文件过大")
    assert not Unit.objects.exists()


def test_unit_import_page_over_size_cap_rejected(client, admin_user, monkeypatch):
    monkeypatch.setattr("units.forms.MAX_UPLOAD_BYTES", 1024)
    client.force_login(admin_user)
    response = client.post(reverse("units:import"), {"file": upload(b"x" * 2048)})
    assert "文件过大" in response.content.decode()


def test_units_import_xlsx_ignores_blank_rows_and_extra_columns(admin_user, district_a):
    rows = [unit_row("N001", 备注="旧数据"), {}, unit_row("N002")]
    result = _import(admin_user, rows, headers=[*HEADERS, "备注"])
    assert result.ok and result.created_count == 2
    assert [item.row for item in result.created] == [2, 4]
