"""Plain helpers (not fixtures) for the rubric and campaign tests: state is made through the services.

Kept out of conftest.py so other areas' fixtures in tests/assessment/ can't collide with these."""
from datetime import date

import yaml

from assessment.rubric_schema import DEFAULT_RUBRIC_PATH
from assessment.services.campaign import campaign_create
from assessment.services.rubric import rubric_import, rubric_publish


def default_rubric_text() -> str:
    return DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8")


def rubric_text(**changes) -> str:
    """The default rubric file with top-level fields of `rubric:` replaced."""
    data = yaml.safe_load(default_rubric_text())
    data["rubric"].update(changes)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def import_rubric(*, actor=None, publish=True, **changes):
    rubric = rubric_import(actor=actor, text=rubric_text(**changes) if changes else default_rubric_text())
    if publish:
        rubric = rubric_publish(actor=actor, rubric=rubric)
    return rubric


CAMPAIGN_DATES = {
    "self_assessment_start": date(2026, 3, 1),
    "self_assessment_end": date(2026, 8, 31),
    "application_deadline": date(2026, 9, 15),
    "review_start": date(2026, 9, 16),
    "review_end": date(2026, 9, 30),
    "public_evaluation_start": date(2026, 10, 10),
    "public_evaluation_end": date(2026, 12, 10),
    "publicity_start": date(2026, 12, 15),
    "publicity_end": date(2026, 12, 21),
}


def make_campaign(*, rubric, actor=None, year=2026, is_current=True, **values):
    fields = {
        "year": year, "name": f"{year}年度绿色机关创建", "rubric": rubric, "target_certified_count": 50,
        "target_share": 80, "target_year": year + 2, "is_current": is_current,
        **{k: v.replace(year=year) for k, v in CAMPAIGN_DATES.items()},
    }
    fields.update(values)
    return campaign_create(actor=actor, **fields)
