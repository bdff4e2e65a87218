"""Who may open every units URL: each role against an in-scope object (unit_a), an out-of-scope one
(unit_b) and anonymous visitors. One table; a new URL gets a row here.

Rule: a role that may never use a page gets 403 whatever the object; an object outside a permitted
role's scope is 404 (as if missing); anonymous visitors are sent to log in (302)."""
import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROLES = ("director", "inspector", "leader", "admin")

# (url name, method, object fixture or None, expected status per role in ROLES order)
MATRIX = [
    ("units:list", "get", None, (200, 200, 200, 200)),
    ("units:export", "get", None, (200, 200, 200, 200)),
    ("units:detail", "get", "unit_a", (200, 200, 200, 200)),
    ("units:detail", "get", "unit_b", (404, 404, 404, 200)),
    ("units:create", "get", None, (403, 403, 403, 200)),
    ("units:edit", "get", "unit_a", (403, 403, 403, 200)),
    ("units:edit", "get", "unit_b", (403, 403, 403, 200)),
    ("units:set_active", "post", "unit_a", (403, 403, 403, 302)),
    ("units:set_active", "post", "unit_b", (403, 403, 403, 302)),
    ("units:import", "get", None, (403, 403, 403, 200)),
    ("units:import_confirm", "post", None, (403, 403, 403, 302)),
    ("units:import_template", "get", None, (403, 403, 403, 200)),
    ("units:person_create", "get", "unit_a", (200, 403, 403, 200)),
    ("units:person_create", "get", "unit_b", (404, 403, 403, 200)),
    ("units:person_edit", "get", "person_a", (200, 403, 403, 200)),
    ("units:person_edit", "get", "person_b", (404, 403, 403, 200)),
]

CASES = [
    pytest.param(name, method, obj, role, status, id=f"{name}-{obj or 'none'}-{role}")
    for name, method, obj, statuses in MATRIX
    for role, status in zip(ROLES, statuses, strict=True)
] + [
    pytest.param(name, method, obj, None, 302, id=f"{name}-{obj or 'none'}-anonymous")
    for name, method, obj, _statuses in MATRIX
]


@pytest.mark.parametrize(("url_name", "method", "obj", "role", "expected"), CASES)
def test_units_url_role_matrix(request, client, role_users, unit_a, unit_b, url_name, method, obj, role, expected):
    args = [request.getfixturevalue(obj).pk] if obj else []
    url = reverse(url_name, args=args)
    if role is not None:
        client.force_login(role_users[role])
    data = {"is_active": "1"} if url_name == "units:set_active" else {}
    response = getattr(client, method)(url, data)
    assert response.status_code == expected
    if role is None:
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))
