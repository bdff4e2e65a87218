import pytest
from django.http import Http404

from units.selectors import unit_get_for_user, unit_list_for_user


@pytest.mark.django_db
def test_unit_list_for_user_scopes_each_role(role_users, unit_a, unit_b, inspector_city, leader_city):
    assert set(unit_list_for_user(user=role_users["director"])) == {unit_a}
    assert set(unit_list_for_user(user=role_users["inspector"])) == {unit_a}
    assert set(unit_list_for_user(user=role_users["leader"])) == {unit_a}
    assert set(unit_list_for_user(user=role_users["admin"])) == {unit_a, unit_b}
    assert set(unit_list_for_user(user=inspector_city)) == {unit_a, unit_b}
    assert set(unit_list_for_user(user=leader_city)) == {unit_a, unit_b}


@pytest.mark.django_db
def test_unit_get_for_user_out_of_scope_is_404(director_a, unit_b):
    with pytest.raises(Http404):
        unit_get_for_user(user=director_a, pk=unit_b.pk)


@pytest.mark.django_db
def test_unit_get_for_user_bad_id_is_404(director_a):
    with pytest.raises(Http404):
        unit_get_for_user(user=director_a, pk="abc")


@pytest.mark.django_db
def test_inactive_user_sees_nothing(director_a):
    director_a.is_active = False
    assert list(unit_list_for_user(user=director_a)) == []
