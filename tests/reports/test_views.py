"""Report pages: list and request buttons per role, status polling, download gate, verification."""
import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from inspections.reports.models import Report, ReportKind, ReportStatus
from inspections.reports.services import report_request


@pytest.fixture
def done_report_a(director_a, unit_a, campaign, enrolled, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    return report


def test_list_offers_each_role_its_kinds(client, role_users, campaign):
    expected = {
        "director": ["unit"],
        "inspector": ["unit", "round", "summary", "bulk"],
        "leader": ["unit", "round", "summary", "bulk"],
        "admin": ["unit", "round", "summary", "bulk"],
    }
    for role, user in role_users.items():
        client.force_login(user)
        response = client.get("/reports/")
        assert response.status_code == 200
        html = response.content.decode()
        offered = [kind for kind in ("unit", "round", "summary", "bulk")
                   if f'name="kind" value="{kind}"' in html]
        assert offered == expected[role], role


def test_list_requires_login(client):
    response = client.get("/reports/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_request_view_creates_report_and_redirects_to_its_status(client, director_a, unit_a, campaign, enrolled,
                                                                 no_send):
    client.force_login(director_a)
    response = client.post("/reports/request/", {"kind": "unit", "unit": unit_a.pk, "campaign": campaign.pk})
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page and f'hx-get="/reports/{report.pk}/status/"' in page
    assert "排队中" in page


def test_request_from_unit_page_button_defaults_to_current_campaign(client, director_a, unit_a, campaign, enrolled,
                                                                    no_send):
    request = RequestFactory().get("/")
    request.user = director_a
    html = render_to_string("reports/_request_unit_button.html", {"unit": unit_a}, request=request)
    assert f'name="unit" value="{unit_a.pk}"' in html and "data-once" in html and "生成单位考评报告" in html
    client.force_login(director_a)
    response = client.post("/reports/request/", {"kind": "unit", "unit": unit_a.pk})
    assert response.status_code == 302
    assert Report.objects.get().campaign == campaign


def test_request_view_bad_input_says_why_in_chinese(client, director_a, director_b, unit_a, campaign, enrolled,
                                                    no_send):
    client.force_login(director_a)
    response = client.post("/reports/request/", {"kind": "unit", "campaign": campaign.pk})
    assert response.status_code == 400 and "请选择单位" in response.content.decode()
    client.force_login(director_b)
    # unit_a is not in director_b's scope: not a valid choice for them.
    response = client.post("/reports/request/", {"kind": "unit", "unit": unit_a.pk, "campaign": campaign.pk})
    assert response.status_code == 400
    assert Report.objects.count() == 0


def test_request_view_kind_not_allowed_is_403(client, director_a, campaign, no_send):
    client.force_login(director_a)
    response = client.post("/reports/request/", {"kind": "summary", "campaign": campaign.pk})
    assert response.status_code == 403


def test_download_goes_through_the_access_gate(client, done_report_a, director_a, director_b, leader_a):
    url = f"/reports/{done_report_a.pk}/download/"
    client.force_login(director_b)
    assert client.get(url).status_code == 404
    assert client.get(f"/reports/{done_report_a.pk}/").status_code == 404
    assert client.get(f"/reports/{done_report_a.pk}/status/").status_code == 404
    client.force_login(leader_a)  # in scope, but not the requester's report
    assert client.get(url).status_code == 404
    client.force_login(director_a)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_download_of_unfinished_report_is_404(client, director_a, unit_a, campaign, enrolled, no_send):
    report = report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    client.force_login(director_a)
    assert client.get(f"/reports/{report.pk}/download/").status_code == 404


def test_director_who_left_the_unit_loses_the_report(client, done_report_a, director_a):
    director_a.memberships.all().delete()
    client.force_login(director_a)
    assert client.get(f"/reports/{done_report_a.pk}/download/").status_code == 404


def test_status_partial_stops_polling_when_done(client, done_report_a, director_a):
    client.force_login(director_a)
    response = client.get(f"/reports/{done_report_a.pk}/status/", headers={"HX-Request": "true"})
    assert response.status_code == 286
    html = response.content.decode()
    assert "hx-trigger" not in html and f"/reports/{done_report_a.pk}/download/" in html


def test_list_shows_only_my_reports(client, done_report_a, admin_user, director_a):
    client.force_login(admin_user)
    assert f"/reports/{done_report_a.pk}/" not in client.get("/reports/").content.decode()
    client.force_login(director_a)
    assert f"/reports/{done_report_a.pk}/" in client.get("/reports/").content.decode()


def test_verify_page_confirms_a_printed_code(client, done_report_a, director_b):
    client.force_login(director_b)
    code = done_report_a.verification_code.replace("-", "").lower()
    html = client.get("/reports/verify/", {"code": code}).content.decode()
    assert "验证通过" in html and done_report_a.sha256 in html
    html = client.get("/reports/verify/", {"code": "AAAA-BBBB-CCCC-DDDD"}).content.decode()
    assert "未找到" in html


def test_verify_requires_login(client):
    assert client.get("/reports/verify/", {"code": "x"}).status_code == 302


def test_list_query_count_does_not_grow_with_reports(client, director_a, unit_a, campaign, enrolled, no_send):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/reports/").status_code == 200
        return len(captured)

    client.force_login(director_a)
    report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    count()  # the first request of a session does one-off work (session, log-in bookkeeping)
    one = count()
    for _ in range(5):
        # Finished reports (rows as a worker leaves them) so each request makes a new one.
        Report.objects.filter(requested_by=director_a).update(status=ReportStatus.FAILED, error="测试")
        report_request(actor=director_a, kind=ReportKind.UNIT, unit=unit_a, campaign=campaign)
    assert Report.objects.count() == 6
    assert count() == one
