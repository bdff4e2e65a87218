"""The unit page offers every role that can see the unit its scored report (issue 5, "the page that asked")."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["director", "inspector", "leader", "admin"])
def test_unit_detail_offers_the_unit_report(client, role_users, unit_a, role):
    client.force_login(role_users[role])
    html = client.get(reverse("units:detail", args=[unit_a.pk])).content.decode()
    assert f'action="{reverse("reports:request")}"' in html
    assert f'name="unit" value="{unit_a.pk}"' in html
