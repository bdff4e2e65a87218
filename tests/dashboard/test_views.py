"""The dashboard's pages: who may open them, scoping of every panel and export, htmx fragments, xlsx."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

PANELS = ("dashboard:battle_map", "dashboard:targets", "dashboard:scores", "dashboard:supervision",
          "dashboard:carbon")
ALL_URLS = ("dashboard:index", *PANELS)


def xlsx_text(response) -> str:
    """Every cell of every sheet, as one string."""
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return "\n".join(
        str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row
        if value is not None
    )


@pytest.mark.parametrize("url_name", ALL_URLS)
def test_dashboard_anonymous_is_sent_to_log_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url_name", ALL_URLS)
def test_dashboard_director_is_forbidden(client, director_a, campaign, url_name):
    client.force_login(director_a)
    assert client.get(reverse(url_name)).status_code == 403
    if url_name != "dashboard:index":
        assert client.get(reverse(url_name), {"format": "xlsx"}).status_code == 403


@pytest.mark.parametrize("user_fixture", ["leader_a", "leader_city", "inspector_a", "inspector_city", "admin_user"])
def test_dashboard_index_opens_for_leaders_inspectors_and_admins(client, request, city, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    html = response.content.decode()
    for url_name in PANELS:
        assert f'hx-get="{reverse(url_name)}?campaign=' in html
    assert 'hx-trigger="load"' in html
    assert "<script>" not in html  # CSP: no inline script


def test_dashboard_index_offers_only_the_leaders_districts(client, city, leader_a):
    client.force_login(leader_a)
    html = client.get(reverse("dashboard:index")).content.decode()
    assert "甲区" in html and "乙区" not in html


@pytest.mark.parametrize("url_name", PANELS)
def test_dashboard_panel_is_a_fragment_for_htmx_and_a_page_otherwise(client, city, leader_city, url_name):
    client.force_login(leader_city)
    fragment = client.get(reverse(url_name), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    page = client.get(reverse(url_name))
    assert page.status_code == 200
    assert "<html" in page.content.decode() and "dashboard.js" in page.content.decode()


@pytest.mark.parametrize("url_name", PANELS)
def test_dashboard_district_leader_never_sees_another_district(client, city, leader_a, url_name):
    client.force_login(leader_a)
    html = client.get(reverse(url_name), headers={"HX-Request": "true"}).content.decode()
    assert "甲区" in html  # the panel did show district A's data
    assert "乙区" not in html
    assert city["units"]["unit_b"].name not in html
    # Asking for district B by hand changes nothing: the filter is not one of theirs.
    sneaky = client.get(reverse(url_name), {"district": city["units"]["unit_b"].district_id},
                        headers={"HX-Request": "true"}).content.decode()
    assert "乙区" not in sneaky
    export = client.get(reverse(url_name), {"format": "xlsx"})
    assert export.status_code == 200
    text = xlsx_text(export)
    assert "乙区" not in text
    assert city["units"]["unit_b"].name not in text


@pytest.mark.parametrize("url_name", PANELS)
def test_dashboard_city_leader_export_has_both_districts(client, city, leader_city, url_name):
    client.force_login(leader_city)
    response = client.get(reverse(url_name), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    text = xlsx_text(response)
    assert "乙区" in text and "甲区" in text


def test_dashboard_battle_map_export_lists_every_enrolled_unit(client, city, leader_city):
    client.force_login(leader_city)
    book = load_workbook(io.BytesIO(client.get(reverse("dashboard:battle_map"), {"format": "xlsx"}).content),
                         read_only=True)
    rows = list(book["挂图作战"].iter_rows(values_only=True))
    assert rows[0][:3] == ("区域", "单位编号", "单位名称")
    assert sorted(r[2] for r in rows[1:]) == sorted([
        "甲区发展和改革局", "甲区财政局", "甲区教育局", "甲区卫健委", "甲区司法局", "甲区人社局",
        "乙区财政局", "乙区教育局", "乙区卫健委"])
    stage_of = {r[2]: r[4] for r in rows[1:]}
    assert stage_of["甲区发展和改革局"] == "已命名" and stage_of["乙区卫健委"] == "退回修改"


def test_dashboard_battle_map_tiles_click_through_to_the_unit(client, city, leader_city):
    client.force_login(leader_city)
    html = client.get(reverse("dashboard:battle_map"), headers={"HX-Request": "true"}).content.decode()
    unit = city["units"]["a3"]
    assert f'href="{reverse("units:detail", args=[unit.pk])}"' in html
    assert "go-stage-rectifying" in html


def test_dashboard_battle_map_more_link_when_a_district_is_capped(client, city, leader_city, monkeypatch):
    from greenoffice.dashboard import views

    monkeypatch.setattr(views, "TILE_CAP", 2)
    client.force_login(leader_city)
    html = client.get(reverse("dashboard:battle_map"), headers={"HX-Request": "true"}).content.decode()
    district_a = city["units"]["unit_a"].district_id
    assert f"district={district_a}&amp;all=1" in html
    full = client.get(reverse("dashboard:battle_map"), {"district": district_a, "all": "1"}).content.decode()
    assert full.count('class="go-tile ') == 6


def test_dashboard_filters_narrow_the_panels(client, city, leader_city):
    client.force_login(leader_city)
    district_b = city["units"]["unit_b"].district_id
    html = client.get(reverse("dashboard:scores"), {"district": district_b},
                      headers={"HX-Request": "true"}).content.decode()
    assert "乙区财政局" in html and "甲区" not in html


def test_dashboard_past_campaign_can_be_chosen(client, city, leader_city, last_campaign):
    client.force_login(leader_city)
    html = client.get(reverse("dashboard:battle_map"), {"campaign": last_campaign.pk},
                      headers={"HX-Request": "true"}).content.decode()
    # Last year a6, b2 and a5 were enrolled (stored at "not started").
    assert html.count('class="go-tile ') == 3
    assert "甲区民政局" in html


def test_dashboard_invalid_filters_fall_back_to_the_defaults(client, city, leader_city):
    client.force_login(leader_city)
    response = client.get(reverse("dashboard:battle_map"), {"campaign": "x", "district": "999999", "category": "?"},
                          headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content.decode().count('class="go-tile ') == 9


def test_dashboard_without_any_campaign_says_so(client, leader_city):
    client.force_login(leader_city)
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    assert "尚未设置创建年度" in response.content.decode()


def test_dashboard_battle_map_escapes_unit_names(client, city, leader_city):
    from assessment.models import Enrolment
    from tests.factories import UnitFactory

    unit = UnitFactory(district=city["units"]["unit_a"].district, name='<script>alert("x")</script>局')
    Enrolment.objects.create(campaign=city["enrolments"]["unit_a"].campaign, unit=unit)
    client.force_login(leader_city)
    html = client.get(reverse("dashboard:battle_map"), headers={"HX-Request": "true"}).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_dashboard_overdue_list_links_to_the_orders_in_scope(client, city, leader_a):
    client.force_login(leader_a)
    html = client.get(reverse("dashboard:supervision"), headers={"HX-Request": "true"}).content.decode()
    orders = city["orders"]
    # On the real today every open order of 2026 with a past deadline is overdue: O2 (district A) is listed,
    # O5 (district B) is not.
    assert f'href="{reverse("inspections:order_detail", args=[orders["O2"].pk])}"' in html
    assert orders["O5"].number not in html
