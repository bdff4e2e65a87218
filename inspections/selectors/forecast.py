"""The counts the certification forecast is made from (the method itself is assessment.figures.forecast).

One place counts them so that the leaders' dashboard (targets panel) and the campaign summary PDF give
the same forecast: `forecast_annotations` are Count expressions over Enrolment rows, to be used in a
grouped or a plain aggregate."""
from django.db.models import Count, Q

from assessment import figures
from assessment.models import Stage
from inspections.models import ReviewStatus

# Passed the year-end review: named after the publicity period unless an objection succeeds.
SECURED_STAGES = (Stage.PASSED, Stage.PUBLICITY)
# Still on the way: submitted, under review, or told to rectify (a re-check may still pass them).
PIPELINE_STAGES = (Stage.SUBMITTED, Stage.RESUBMITTED, Stage.ACCEPTED, Stage.RECTIFYING)
FORECAST_COUNTERS = ("certified", "secured", "likely", "pipeline", "finalised", "finalised_certified")


def forecast_annotations(*, pass_mark) -> dict:
    """Count expressions over Enrolment rows, one per field of `figures.ForecastCounts`."""
    finalised = Q(year_end_review__status=ReviewStatus.FINALISED)
    return {
        "certified": Count("id", filter=Q(stage=Stage.CERTIFIED)),
        "secured": Count("id", filter=Q(stage__in=SECURED_STAGES)),
        "likely": Count("id", filter=Q(stage=Stage.REVIEWED) & finalised
                        & Q(year_end_review__pass_score__gte=pass_mark)),
        "pipeline": Count("id", filter=Q(stage__in=PIPELINE_STAGES)),
        "finalised": Count("id", filter=finalised),
        "finalised_certified": Count("id", filter=finalised & Q(year_end_review__certified=True)),
    }


def forecast_counts(row: dict) -> figures.ForecastCounts:
    return figures.ForecastCounts(**{name: row.get(name) or 0 for name in FORECAST_COUNTERS})
