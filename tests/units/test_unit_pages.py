"""Creating, editing, deactivating units (administrators) and the detail page."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from greenoffice.models import AuditEvent
from tests.units.sheets import valid_credit_code
from units import services
from units.models import Unit

pytestmark = pytest.mark.django_db


def _form_data(district, **overrides):
    data = {
        "code": "N100", "name": "甲区生态环境局", "short_name": "甲区环境局", "credit_code": valid_credit_code(),
        "district": district.pk, "category": "government", "address": "环城路8号", "headcount": "65",
        "floor_area": "4200.5", "contact_name": "李四", "contact_phone": "13800000000",
    }
    data.update(overrides)
    return data


def test_unit_create_by_admin_writes_unit_and_audit(client, admin_user, district_a):
    client.force_login(admin_user)
    code = valid_credit_code()
    # Pasted with spaces and in lower case: stored normalised.
    pasted = f" {code[:9].lower()} {code[9:]}"
    response = client.post(reverse("units:create"), _form_data(district_a, credit_code=pasted))
    unit = Unit.objects.get(code="N100")
    assert response.status_code == 302 and response["Location"] == reverse("units:detail", args=[unit.pk])
    assert unit.credit_code == code
    event = AuditEvent.objects.get(action="unit_create")
    assert (event.actor, event.unit_id, event.changes["name"]) == (admin_user, unit.pk, "甲区生态环境局")


@pytest.mark.parametrize("role", ["director", "inspector", "leader"])
def test_unit_create_refused_for_other_roles(client, role_users, district_a, role):
    client.force_login(role_users[role])
    response = client.post(reverse("units:create"), _form_data(district_a))
    assert response.status_code == 403
    assert not Unit.objects.filter(code="N100").exists()


@pytest.mark.parametrize("role", ["director", "inspector", "leader"])
def test_unit_create_service_refuses_other_roles(role_users, district_a, role):
    with pytest.raises(PermissionDenied):
        services.unit_create(actor=role_users[role], code="N1", name="某局", credit_code=valid_credit_code(),
                             district=district_a, category="government")


def test_unit_create_duplicate_credit_code_names_the_holder(client, admin_user, district_a, unit_a):
    client.force_login(admin_user)
    response = client.post(reverse("units:create"), _form_data(district_a, credit_code=unit_a.credit_code))
    assert response.status_code == 200
    assert f"该统一社会信用代码已被单位“甲区发展和改革局”(单位编号 {unit_a.code})使用" in response.content.decode()
    # What was typed is still there.
    assert "甲区生态环境局" in response.content.decode()
    assert Unit.objects.count() == 1


def test_unit_create_duplicate_code_message(client, admin_user, district_a, unit_a):
    client.force_login(admin_user)
    response = client.post(reverse("units:create"), _form_data(district_a, code=unit_a.code))
    assert f"单位编号“{unit_a.code}”已被单位“甲区发展和改革局”使用" in response.content.decode()


@pytest.mark.parametrize(("credit_code", "message"), [
    ("91330100716105852G", "统一社会信用代码校验位不正确"),
    ("9133010071610585", "统一社会信用代码应为18位数字或大写字母"),
    ("91330100716105852I", "统一社会信用代码应为18位数字或大写字母"),
])
def test_unit_create_bad_credit_code_rejected(client, admin_user, district_a, credit_code, message):
    client.force_login(admin_user)
    response = client.post(reverse("units:create"), _form_data(district_a, credit_code=credit_code))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Unit.objects.exists()


def test_unit_create_required_fields_in_chinese(client, admin_user, district_a):
    client.force_login(admin_user)
    response = client.post(reverse("units:create"), _form_data(district_a, name="", headcount="-3"))
    html = response.content.decode()
    assert "这个字段是必填项。" in html
    assert "请修改下面标出的内容后再保存。" in html


def test_unit_edit_by_admin_audits_changes(client, admin_user, unit_a):
    client.force_login(admin_user)
    data = _form_data(unit_a.district, code=unit_a.code, credit_code=unit_a.credit_code, name="甲区发改局")
    response = client.post(reverse("units:edit", args=[unit_a.pk]), data)
    assert response.status_code == 302
    unit_a.refresh_from_db()
    assert unit_a.name == "甲区发改局"
    event = AuditEvent.objects.get(action="unit_update")
    assert event.changes["name"] == ["甲区发展和改革局", "甲区发改局"]
    assert event.unit_id == unit_a.pk
    # The stored credit code predates the check-character rule and stays accepted while unchanged.
    assert "credit_code" not in event.changes


def test_unit_edit_changed_credit_code_must_have_valid_check_character(admin_user, unit_a):
    with pytest.raises(ValidationError) as excinfo:
        services.unit_update(actor=admin_user, unit=unit_a, credit_code="91330100716105852G")
    assert "credit_code" in excinfo.value.message_dict


def test_unit_set_active_deactivates_once_and_audits(client, admin_user, unit_a):
    client.force_login(admin_user)
    url = reverse("units:set_active", args=[unit_a.pk])
    client.post(url, {"is_active": "0"})
    client.post(url, {"is_active": "0"})  # a double submit changes nothing more
    unit_a.refresh_from_db()
    assert unit_a.is_active is False
    assert AuditEvent.objects.filter(action="unit_deactivate", unit_id=unit_a.pk).count() == 1
    response = client.post(url, {"is_active": "1"}, follow=True)
    unit_a.refresh_from_db()
    assert unit_a.is_active is True
    assert "已启用单位“甲区发展和改革局”" in response.content.decode()


def test_unit_set_active_get_not_allowed(client, admin_user, unit_a):
    client.force_login(admin_user)
    assert client.get(reverse("units:set_active", args=[unit_a.pk])).status_code == 405


def test_unit_detail_shows_facts_people_and_members(client, director_a, unit_a, person_a):
    client.force_login(director_a)
    html = client.get(reverse("units:detail", args=[unit_a.pk])).content.decode()
    assert unit_a.credit_code in html and "甲区" in html
    assert "王五" in html  # a person of the unit
    assert director_a.display_name in html  # a member account
    assert reverse("units:person_create", args=[unit_a.pk]) in html
    assert reverse("units:edit", args=[unit_a.pk]) not in html


def test_unit_detail_read_only_for_inspector(client, inspector_a, unit_a, person_a):
    client.force_login(inspector_a)
    html = client.get(reverse("units:detail", args=[unit_a.pk])).content.decode()
    assert "王五" in html
    assert reverse("units:person_create", args=[unit_a.pk]) not in html
    assert reverse("units:person_edit", args=[person_a.pk]) not in html
