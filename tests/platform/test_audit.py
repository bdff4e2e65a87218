import logging

import pytest
from django.urls import reverse

from greenoffice.models import AuditEvent
from units.services import unit_update


@pytest.mark.django_db
def test_audit_record_written_by_service_with_old_and_new_values(admin_user, unit_a):
    unit_update(actor=admin_user, unit=unit_a, headcount=150)
    event = AuditEvent.objects.get(action="unit_update")
    assert event.actor == admin_user
    assert event.unit_id == unit_a.pk
    assert event.changes == {"headcount": [120, 150]}


@pytest.mark.django_db
def test_audit_list_searches_by_unit_user_and_date(client, admin_user, unit_a, unit_b):
    unit_update(actor=admin_user, unit=unit_a, headcount=150)
    unit_update(actor=admin_user, unit=unit_b, headcount=99)
    client.force_login(admin_user)
    response = client.get(reverse("audit_list"), {"unit": unit_a.code})
    assert response.status_code == 200
    events = list(response.context["page"])
    assert [e.unit_id for e in events] == [unit_a.pk]
    response = client.get(reverse("audit_list"), {"user": admin_user.username})
    assert len(response.context["page"]) == 2
    response = client.get(reverse("audit_list"), {"date_from": "2000-01-01", "date_to": "2000-01-02"})
    assert len(response.context["page"]) == 0
    response = client.get(reverse("audit_list"), {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "开始日期不能晚于结束日期" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["director", "inspector", "leader"])
def test_audit_list_is_admin_only(client, role_users, role):
    client.force_login(role_users[role])
    assert client.get(reverse("audit_list")).status_code == 403


@pytest.mark.django_db
def test_failed_login_is_logged_with_user_time_and_address(client, director_a, caplog):
    with caplog.at_level(logging.WARNING, logger="greenoffice.security"):
        client.post(reverse("login"), {"username": director_a.username, "password": "wrong"},
                    REMOTE_ADDR="10.1.2.3")
    record = next(r for r in caplog.records if "login_failed" in r.getMessage())
    assert "username=director_a" in record.getMessage()
    assert "ip=10.1.2.3" in record.getMessage()
    assert "+00:00" in record.getMessage()


@pytest.mark.django_db
def test_refused_access_is_logged(client, director_a, unit_b, caplog):
    client.force_login(director_a)
    with caplog.at_level(logging.WARNING, logger="greenoffice.security"):
        assert client.get(reverse("units:detail", args=[unit_b.pk])).status_code == 404
        assert client.get(reverse("audit_list")).status_code == 403
    messages = [r.getMessage() for r in caplog.records if "access_refused" in r.getMessage()]
    assert any("not_found_or_out_of_scope" in m and "user=director_a" in m for m in messages)
    assert any("kind=forbidden" in m for m in messages)


