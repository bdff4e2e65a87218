"""Fixtures of the performance smoke tests: a small generated province (greenoffice.scale_data)."""
import pytest
from django.core.management import call_command

AS_OF = "2026-11-27"


@pytest.fixture
def scale_data(db, settings, tmp_path):
    """30 units, one campaign year, stopped at a fixed day so the stage mix is the same on every run."""
    call_command("generate_scale_data", units=30, years=1, seed=7, as_of=AS_OF, stdout=open(tmp_path / "gen.log", "w"))
    return tmp_path
