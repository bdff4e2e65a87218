"""The campaign's phases as a pure function of its dates, checked at every boundary day."""
import datetime
from types import SimpleNamespace

import pytest

from assessment import calendar

D = datetime.date


def _campaign(**changes):
    dates = {
        "self_assessment_start": D(2026, 3, 1), "self_assessment_end": D(2026, 8, 31),
        "application_deadline": D(2026, 9, 15), "review_start": D(2026, 9, 1), "review_end": D(2026, 9, 30),
        "public_evaluation_start": D(2026, 10, 1), "public_evaluation_end": D(2026, 12, 10),
        "publicity_start": D(2026, 12, 15), "publicity_end": D(2026, 12, 21),
    }
    dates.update(changes)
    return SimpleNamespace(**dates)


@pytest.mark.parametrize("day, expected", [
    (D(2026, 1, 5), ["mobilisation"]),
    (D(2026, 2, 28), ["mobilisation"]),  # the day before 自评开始
    (D(2026, 3, 1), ["self_assessment"]),  # 自评开始
    (D(2026, 8, 31), ["self_assessment"]),  # 自评截止: still self-assessment, not yet the application
    (D(2026, 9, 1), ["application", "year_end_review"]),  # September: the bureau's check and the application
    (D(2026, 9, 15), ["application", "year_end_review"]),  # 申报截止
    (D(2026, 9, 16), ["year_end_review"]),
    (D(2026, 9, 30), ["year_end_review"]),  # 现场考核结束
    (D(2026, 10, 1), ["city_review"]),
    (D(2026, 12, 10), ["city_review"]),  # 公开评议结束
    (D(2026, 12, 11), []),  # a gap between phases: none is current
    (D(2026, 12, 15), ["publicity"]),
    (D(2026, 12, 21), ["publicity"]),  # 公示结束
    (D(2026, 12, 22), ["naming"]),
    (D(2027, 6, 1), ["naming"]),
])
def test_phases_current_at_each_boundary(day, expected):
    assert calendar.current_phase_keys(_campaign(), day) == expected


def test_phases_in_the_city_order_with_labels():
    spans = calendar.campaign_phases(_campaign())
    assert [s.key for s in spans] == list(calendar.PHASE_ORDER)
    assert [s.label for s in spans][0] == "动员部署"
    assert spans[0].start is None and spans[-1].end is None
    application = spans[2]
    assert (application.start, application.end) == (D(2026, 9, 1), D(2026, 9, 15))


def test_phases_without_dates_are_left_out():
    empty = _campaign(**{f: None for f in vars(_campaign())})
    assert calendar.campaign_phases(empty) == []
    assert calendar.current_phases(empty, D(2026, 5, 1)) == []
    only_publicity = calendar.campaign_phases(_campaign(**{
        f: None for f in ("self_assessment_start", "self_assessment_end", "application_deadline", "review_start",
                          "review_end", "public_evaluation_start", "public_evaluation_end")}))
    assert [s.key for s in only_publicity] == ["publicity", "naming"]


def test_phase_state_past_current_future():
    span = calendar.PhaseSpan(calendar.PUBLICITY, D(2026, 12, 15), D(2026, 12, 21))
    assert span.state(D(2026, 12, 14)) == "future"
    assert span.state(D(2026, 12, 15)) == "current"
    assert span.state(D(2026, 12, 21)) == "current"
    assert span.state(D(2026, 12, 22)) == "past"
