"""The campaign's calendar: its phases, worked out from the campaign's own dates (one set of dates, no
second copy). Pure: takes a campaign (or anything with its nine date fields) and a day, reads no clock
and no database.

Phases, in the order the city runs them (the speeches' timetable):
- 动员部署 (mobilisation): until the day before 自评开始;
- 自评自查 (self-assessment): 自评开始 … 自评截止;
- 申报 (application): the day after 自评截止 … 申报截止 (from 自评开始 when there is no 自评截止);
- 局年终检查 (the bureau's year-end check, 现场考核): 现场考核开始 … 现场考核结束;
- 市级评审与公开评议 (city review and public evaluation): 公开评议开始 … 公开评议结束;
- 公示 (publicity): 公示开始 … 公示结束;
- 命名 (naming): from the day after 公示结束.
Every date is inclusive. Phases may overlap (a bureau's check that starts before 申报截止); a phase whose
dates are not set is left out. On a day in a gap between phases none is current."""
import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

ONE_DAY = datetime.timedelta(days=1)

MOBILISATION = "mobilisation"
SELF_ASSESSMENT = "self_assessment"
APPLICATION = "application"
YEAR_END_REVIEW = "year_end_review"
CITY_REVIEW = "city_review"
PUBLICITY = "publicity"
NAMING = "naming"

PHASE_LABELS = {
    MOBILISATION: _("动员部署"),
    SELF_ASSESSMENT: _("自评自查"),
    APPLICATION: _("申报"),
    YEAR_END_REVIEW: _("局年终检查(现场考核)"),
    CITY_REVIEW: _("市级评审与公开评议"),
    PUBLICITY: _("公示"),
    NAMING: _("命名"),
}
PHASE_ORDER = tuple(PHASE_LABELS)


@dataclass(frozen=True)
class PhaseSpan:
    key: str
    start: datetime.date | None  # None: open at the start (mobilisation)
    end: datetime.date | None  # None: open at the end (naming)

    @property
    def label(self) -> str:
        return str(PHASE_LABELS[self.key])

    def contains(self, day: datetime.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def state(self, day: datetime.date) -> str:
        """"past", "current" or "future" relative to `day`."""
        if self.end is not None and day > self.end:
            return "past"
        if self.start is not None and day < self.start:
            return "future"
        return "current"


def campaign_phases(campaign) -> list[PhaseSpan]:
    """The campaign's phases in the city's order, from its dates; phases without dates are left out."""
    c = campaign
    spans = []
    if c.self_assessment_start:
        spans.append(PhaseSpan(MOBILISATION, None, c.self_assessment_start - ONE_DAY))
    if c.self_assessment_start or c.self_assessment_end:
        spans.append(PhaseSpan(SELF_ASSESSMENT, c.self_assessment_start, c.self_assessment_end))
    if c.application_deadline:
        start = c.self_assessment_end + ONE_DAY if c.self_assessment_end else c.self_assessment_start
        spans.append(PhaseSpan(APPLICATION, start, c.application_deadline))
    if c.review_start or c.review_end:
        spans.append(PhaseSpan(YEAR_END_REVIEW, c.review_start, c.review_end))
    if c.public_evaluation_start or c.public_evaluation_end:
        spans.append(PhaseSpan(CITY_REVIEW, c.public_evaluation_start, c.public_evaluation_end))
    if c.publicity_start or c.publicity_end:
        spans.append(PhaseSpan(PUBLICITY, c.publicity_start, c.publicity_end))
    if c.publicity_end:
        spans.append(PhaseSpan(NAMING, c.publicity_end + ONE_DAY, None))
    return spans


def current_phases(campaign, day: datetime.date) -> list[PhaseSpan]:
    """The phases `day` falls in (none, one, or two where phases overlap)."""
    return [span for span in campaign_phases(campaign) if span.contains(day)]


def current_phase_keys(campaign, day: datetime.date) -> list[str]:
    return [span.key for span in current_phases(campaign, day)]
