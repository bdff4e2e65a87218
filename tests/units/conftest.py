"""Fixtures of the units tests; people are made through the services."""
import pytest

from units import services


@pytest.fixture
def person_a(unit_a):
    return services.person_create(actor=None, unit=unit_a, name="王五", position="办公室")


@pytest.fixture
def person_b(unit_b):
    return services.person_create(actor=None, unit=unit_b, name="赵六", position="财务科")
