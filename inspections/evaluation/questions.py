"""The public questionnaire (公开评议问卷): its questions, the answer scale and the satisfaction formula.

Pure module (no ORM): the models, the form, the results page and the gate all read the questions from
here, so adding a question is one line plus a migration for its column.

Satisfaction rate (满意率) = answers whose 总体满意度 is 满意 or 基本满意 ÷ all answers × 100 %.
Only the overall question decides: each respondent counts once, and the other questions are shown as
a per-question breakdown (the "themes"). The gate compares exactly (satisfied × 100 ≥ threshold ×
answers, integers and two-decimal thresholds, no rounding); the displayed rate is rounded DOWN to two
decimals so a rate that fails is never shown as the threshold itself (79.996 % shows 79.99 %).
"""
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


#: The ratings that count as satisfied in the satisfaction rate.
SATISFIED_RATINGS = (Rating.SATISFIED, Rating.BASIC)


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    help_text: str = ""

    @property
    def field(self) -> str:
        return f"rating_{self.key}"


QUESTIONS = (
    Question("energy", _("节能降耗成效"), _("单位节约用电、用水、用油等方面的成效")),
    Question("waste", _("垃圾分类"), _("垃圾分类投放、塑料制品减量等情况")),
    Question("environment", _("办公环境"), _("办公区域整洁、绿化和文明程度")),
    Question("overall", _("总体满意度"), _("您对该单位绿色机关创建工作的总体评价")),
)
#: The question whose answers make the satisfaction rate.
OVERALL = "overall"
COMMENT_MAX_LENGTH = 500

TWO_PLACES = Decimal("0.01")


def satisfaction_rate(satisfied: int, answers: int) -> Decimal | None:
    """The rate in percent, rounded down to two decimals (for display); None without answers."""
    if not answers:
        return None
    return (Decimal(satisfied) * 100 / Decimal(answers)).quantize(TWO_PLACES, rounding=ROUND_DOWN)


def meets_threshold(satisfied: int, answers: int, threshold: Decimal) -> bool:
    """Exactly at the threshold passes; compared without rounding."""
    return answers > 0 and Decimal(satisfied) * 100 >= Decimal(threshold) * answers
