"""People of a unit (单位人员): the unit's directors and administrators edit, others read."""
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from greenoffice.models import AuditEvent
from units import services
from units.models import Person

pytestmark = pytest.mark.django_db


def test_person_create_by_director_of_unit(client, director_a, unit_a):
    client.force_login(director_a)
    response = client.post(reverse("units:person_create", args=[unit_a.pk]),
                           {"name": " 孙七 ", "position": "后勤科", "phone": "13900000000",
                            "is_leadership_group": "on"})
    assert response.status_code == 302
    person = Person.objects.get(unit=unit_a)
    assert (person.name, person.is_leadership_group, person.is_active) == ("孙七", True, True)
    event = AuditEvent.objects.get(action="person_create")
    assert (event.actor, event.unit_id) == (director_a, unit_a.pk)


def test_person_create_blank_name_keeps_input(client, director_a, unit_a):
    client.force_login(director_a)
    response = client.post(reverse("units:person_create", args=[unit_a.pk]), {"name": "", "position": "后勤科"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "这个字段是必填项。" in html and "后勤科" in html
    assert not Person.objects.exists()


def test_person_edit_by_director_marks_left_and_audits(client, director_a, person_a):
    client.force_login(director_a)
    response = client.post(reverse("units:person_edit", args=[person_a.pk]),
                           {"name": "王五", "position": "办公室主任", "phone": ""})
    assert response.status_code == 302
    person_a.refresh_from_db()
    assert (person_a.position, person_a.is_active) == ("办公室主任", False)
    event = AuditEvent.objects.get(action="person_update")
    assert event.changes == {"position": ["办公室", "办公室主任"], "is_active": [True, False]}


@pytest.mark.parametrize("role", ["inspector", "leader"])
def test_person_create_refused_for_read_only_roles(client, role_users, unit_a, role):
    client.force_login(role_users[role])
    response = client.post(reverse("units:person_create", args=[unit_a.pk]), {"name": "某人"})
    assert response.status_code == 403
    assert not Person.objects.exists()


def test_person_edit_of_other_unit_is_404_for_director(client, director_a, person_b):
    client.force_login(director_a)
    response = client.post(reverse("units:person_edit", args=[person_b.pk]), {"name": "改名"})
    assert response.status_code == 404
    person_b.refresh_from_db()
    assert person_b.name == "赵六"


def test_person_services_refuse_inspector_and_other_units_director(inspector_a, director_a, unit_a, unit_b,
                                                                   person_b):
    with pytest.raises(PermissionDenied):
        services.person_create(actor=inspector_a, unit=unit_a, name="某人")
    with pytest.raises(PermissionDenied):
        services.person_update(actor=director_a, person=person_b, name="改名")
