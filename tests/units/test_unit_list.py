"""The unit list: scoping, search, filters, counts, pagination, phone layout and its query count."""
import pytest
from django.urls import reverse

from tests.factories import DistrictFactory, UnitFactory
from units.models import UnitCategory

pytestmark = pytest.mark.django_db


def _codes(response):
    return [unit.code for unit in response.context["page"].object_list]


def test_unit_list_scoped_for_leader(client, leader_a, unit_a, unit_b):
    client.force_login(leader_a)
    response = client.get(reverse("units:list"))
    assert _codes(response) == [unit_a.code]
    assert response.context["counts"] == {"total": 1, "active": 1, "inactive": 0}


def test_unit_list_director_sees_own_unit_only(client, director_a, unit_a, unit_b):
    client.force_login(director_a)
    response = client.get(reverse("units:list"))
    assert _codes(response) == [unit_a.code]
    assert unit_b.name not in response.content.decode()


@pytest.mark.parametrize("query", ["发展和改革", "甲发改", "U9999", "11330100ZZ"])
def test_unit_list_search_matches_name_short_name_code_credit_code(client, admin_user, unit_a, unit_b, query):
    target = UnitFactory(district=unit_a.district, name="甲区发展和改革委员会", short_name="甲发改", code="U9999",
                         credit_code="11330100ZZ00000001")
    client.force_login(admin_user)
    response = client.get(reverse("units:list"), {"q": query})
    assert target.code in _codes(response)
    assert unit_b.code not in _codes(response)


def test_unit_list_search_credit_code_case_insensitive(client, admin_user, unit_a):
    client.force_login(admin_user)
    response = client.get(reverse("units:list"), {"q": unit_a.credit_code[-6:].lower()})
    assert _codes(response) == [unit_a.code]


def test_unit_list_filters_by_district_category_and_status(client, admin_user, unit_a, unit_b):
    party = UnitFactory(district=unit_a.district, category=UnitCategory.PARTY)
    closed = UnitFactory(district=unit_a.district, is_active=False)
    client.force_login(admin_user)
    url = reverse("units:list")
    assert set(_codes(client.get(url, {"district": unit_b.district.pk}))) == {unit_b.code}
    assert _codes(client.get(url, {"category": "party"})) == [party.code]
    assert _codes(client.get(url, {"status": "inactive"})) == [closed.code]
    response = client.get(url, {"district": unit_a.district.pk, "status": "active"})
    assert set(_codes(response)) == {unit_a.code, party.code}
    assert response.context["counts"] == {"total": 2, "active": 2, "inactive": 0}


def test_unit_list_district_filter_offers_only_scoped_districts(client, inspector_a, unit_a, unit_b):
    client.force_login(inspector_a)
    response = client.get(reverse("units:list"))
    choices = [label for _value, label in response.context["filter_form"].fields["district"].choices]
    assert "甲区" in choices and "乙区" not in choices
    # Asking for an out-of-scope district is ignored, not a way around the scope.
    response = client.get(reverse("units:list"), {"district": unit_b.district.pk})
    assert unit_b.code not in _codes(response)


def test_unit_list_paginates_by_25(client, admin_user, district_a):
    UnitFactory.create_batch(30, district=district_a)
    client.force_login(admin_user)
    first = client.get(reverse("units:list"))
    second = client.get(reverse("units:list"), {"page": 2})
    assert len(_codes(first)) == 25 and len(_codes(second)) == 5
    assert first.context["counts"]["total"] == 30
    assert "第 1 / 2 页" in first.content.decode()


def test_unit_list_has_phone_card_layout(client, admin_user, unit_a):
    client.force_login(admin_user)
    html = client.get(reverse("units:list")).content.decode()
    assert 'class="list-group d-md-none' in html
    assert 'class="table-responsive d-none d-md-block"' in html
    assert "style=" not in html and "<script>" not in html


def test_unit_list_export_link_keeps_filters(client, admin_user, unit_a):
    client.force_login(admin_user)
    html = client.get(reverse("units:list"), {"q": "甲区", "page": "1"}).content.decode()
    assert f'href="{reverse("units:export")}?q=%E7%94%B2%E5%8C%BA"' in html


# session, user, the counts aggregate, the district choices, the page's rows
ADMIN_LIST_QUERIES = 5
# ... plus the leader's district ids for the scope and the check that the leader has districts
LEADER_LIST_QUERIES = 7


@pytest.mark.parametrize("unit_count", [10, 100])
def test_unit_list_query_count_does_not_grow(client, admin_user, unit_count, django_assert_num_queries):
    districts = [DistrictFactory(), DistrictFactory()]
    for i in range(unit_count):
        UnitFactory(district=districts[i % 2])
    client.force_login(admin_user)
    with django_assert_num_queries(ADMIN_LIST_QUERIES):
        response = client.get(reverse("units:list"), {"category": "government"})
    assert response.context["counts"]["total"] == unit_count


@pytest.mark.parametrize("unit_count", [10, 100])
def test_unit_list_query_count_does_not_grow_for_scoped_leader(client, leader_a, unit_count,
                                                              django_assert_num_queries):
    UnitFactory.create_batch(unit_count, district=leader_a.districts.get())
    client.force_login(leader_a)
    with django_assert_num_queries(LEADER_LIST_QUERIES):
        response = client.get(reverse("units:list"))
    assert response.context["counts"]["total"] == unit_count
