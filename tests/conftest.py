"""Shared fixtures: one user per role, two districts and units in and out of scope.

Scope layout used by the role matrices:
  district A: unit_a (director_a is its director; inspector_a and leader_a are scoped to A)
  district B: unit_b (out of scope for every scoped user above)
"""
import importlib

import pytest

from tests.factories import DistrictFactory, UnitFactory, UserFactory
from units.models import Role

PASSWORD = "Test-pass-2026"

pytest_plugins = ["tests.ci_services"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _migration_seeded_rows(request):
    """Transactional tests (browser, worker, drills) flush every table when they end, the rows that data
    migrations seed included. Put those back for whichever test runs next in the same process."""
    names = set(request.fixturenames)
    if request.node.get_closest_marker("django_db") is None:
        if not {"db", "transactional_db"} & names:
            return
        request.getfixturevalue("transactional_db" if "transactional_db" in names else "db")
    restore_migration_seeded_rows()


def restore_migration_seeded_rows():
    """The kgce conversion factors and the emission factors that data migrations seed, if flushed."""
    from django.apps import apps

    from assessment.ledger.models import ConversionFactor, EmissionFactor

    if not ConversionFactor.objects.exists():
        importlib.import_module("assessment.ledger.migrations.0002_default_factors").seed(apps, None)
    if not EmissionFactor.objects.exists():
        importlib.import_module("assessment.ledger.migrations.0004_default_emission_factors").seed(apps, None)


@pytest.fixture
def district_a(db):
    return DistrictFactory(code="DA", name="甲区")


@pytest.fixture
def district_b(db):
    return DistrictFactory(code="DB", name="乙区")


@pytest.fixture
def unit_a(district_a):
    return UnitFactory(district=district_a, name="甲区发展和改革局")


@pytest.fixture
def unit_b(district_b):
    return UnitFactory(district=district_b, name="乙区财政局")


@pytest.fixture
def director_a(unit_a):
    return UserFactory(username="director_a", role=Role.DIRECTOR, units=[unit_a])


@pytest.fixture
def director_b(unit_b):
    return UserFactory(username="director_b", role=Role.DIRECTOR, units=[unit_b])


@pytest.fixture
def inspector_a(district_a):
    return UserFactory(username="inspector_a", role=Role.INSPECTOR, districts=[district_a])


@pytest.fixture
def inspector_city(db):
    return UserFactory(username="inspector_city", role=Role.INSPECTOR)


@pytest.fixture
def leader_a(district_a):
    return UserFactory(username="leader_a", role=Role.LEADER, districts=[district_a])


@pytest.fixture
def leader_city(db):
    return UserFactory(username="leader_city", role=Role.LEADER)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin1", role=Role.ADMIN, is_staff=True)


@pytest.fixture
def role_users(director_a, inspector_a, leader_a, admin_user):
    """The four roles, each scoped so that unit_a is in scope and unit_b is not (admin sees both)."""
    return {"director": director_a, "inspector": inspector_a, "leader": leader_a, "admin": admin_user}
