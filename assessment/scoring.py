"""Scoring a unit against a rubric version: pure functions, Decimal arithmetic, provenance for every point.

No Django and no ORM here: services load rows, build the inputs below, call `score_unit` and store or
render the result. Thresholds (pass mark, grade bands, supervision deductions, bonus cap) come in as
`ScoringRules`, built from the campaign's rubric version, never from constants in this file.
Provenance lines are Chinese because they are printed verbatim on the unit's scored report.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from assessment.rubric_schema import RubricSpec, format_points

ZERO = Decimal(0)
MINOR, SERIOUS = "minor", "serious"
SEVERITY_LABELS = {MINOR: "一般", SERIOUS: "严重"}


def _dec(value) -> Decimal:
    # Via str so a float such as 0.1 does not carry binary noise into the totals.
    if isinstance(value, bool):
        raise TypeError("分值不能是布尔值")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float | str):
        return Decimal(str(value))
    raise TypeError(f"分值必须是数字,收到{value!r}")


def _minus(points: Decimal) -> str:
    return f"−{format_points(points)}"


@dataclass(frozen=True)
class GradeBand:
    min: Decimal
    grade: str
    grade_en: str
    certified: bool


@dataclass(frozen=True)
class ScoringRules:
    pass_mark: Decimal
    grade_bands: tuple[GradeBand, ...]  # highest first
    minor_deduction: Decimal
    serious_deduction: Decimal
    deduction_cap: Decimal
    bonus_max: Decimal

    def __post_init__(self):
        mins = [band.min for band in self.grade_bands]
        if not mins or any(low >= high for high, low in pairwise(mins)):
            raise ValueError("等级区间必须非空且按下限从高到低排列")
        if mins[-1] != 0:
            raise ValueError("最低等级区间的下限必须为0分")
        certified = [band for band in self.grade_bands if band.certified]
        # The pass mark and the certified bands must tell the same story, or "certified" would depend
        # on which of the two a reader looked at.
        if not certified or certified[-1].min != self.pass_mark:
            raise ValueError("合格线必须等于最低可认定等级的下限")

    @classmethod
    def from_spec(cls, spec: RubricSpec) -> "ScoringRules":
        bands = sorted(spec.grade_bands, key=lambda band: band.min, reverse=True)
        return cls(
            pass_mark=spec.pass_mark,
            grade_bands=tuple(GradeBand(b.min, b.grade, b.grade_en, b.certified) for b in bands),
            minor_deduction=spec.supervision.minor,
            serious_deduction=spec.supervision.serious,
            deduction_cap=spec.supervision.cap,
            bonus_max=spec.bonus.max_points,
        )

    def finding_deduction(self, severity: str) -> Decimal:
        if severity == MINOR:
            return self.minor_deduction
        if severity == SERIOUS:
            return self.serious_deduction
        raise ValueError(f'督查问题的严重程度"{severity}"无效,应为minor或serious')


@dataclass(frozen=True)
class Deduction:
    """One standard deduction picked by an assessor; `count` for "每缺一项" style deductions."""

    points: Decimal
    text: str = ""
    count: int = 1
    finding_id: object = None  # the finding that caused an inspector's deduction, if any

    def __post_init__(self):
        object.__setattr__(self, "points", _dec(self.points))
        if self.points < 0 or self.count < 1:
            raise ValueError("扣分必须为非负数,次数至少为1")

    @property
    def total(self) -> Decimal:
        return self.points * self.count

    def describe(self) -> str:
        text = self.text or "扣分"
        if self.count > 1:
            text = f"{text}×{self.count}"
        if self.finding_id is not None:
            text = f"{text}(督查问题#{self.finding_id})"
        return f"{text} {_minus(self.total)}"


def _deductions(values) -> tuple[Deduction, ...]:
    return tuple(value if isinstance(value, Deduction) else Deduction(points=value) for value in values)


def item_score(max_points, deductions: Iterable = ()) -> Decimal:
    """Max points minus the chosen deductions, never below 0 (deductions may add up past the item)."""
    taken = sum((d.total for d in _deductions(deductions)), ZERO)
    return max(ZERO, _dec(max_points) - taken)


def grade_for(rules: ScoringRules, score) -> GradeBand:
    score = _dec(score)
    for band in rules.grade_bands:
        if score >= band.min:
            return band
    return rules.grade_bands[-1]


@dataclass(frozen=True)
class ItemInput:
    """What is known about one item of one unit.

    Self side: `self_score=None` and no `self_deductions` means the unit gave no self-score (onsite
    items). Otherwise the self-score is `self_score` if given (tiered items such as 2.1 have no
    deductions), else max − Σ self deductions; a full-marks self-assessment passes `self_score=max`.

    Inspector side: `accepted=True` takes the self-score as verified; otherwise `verified_score` (or,
    if None, max − Σ `verified_deductions` when there are any) is the inspector's own score. A verified
    score that differs from the self-score is an override and needs `override_reason`. Nothing of the
    above means the item is not verified yet.
    """

    code: str
    block_code: str
    max_points: Decimal
    title: str = ""
    must_pass: bool = False
    self_deductions: tuple = ()
    self_score: Decimal | None = None
    accepted: bool = False
    verified_score: Decimal | None = None
    verified_deductions: tuple = ()
    override_reason: str = ""

    def __post_init__(self):
        object.__setattr__(self, "max_points", _dec(self.max_points))
        object.__setattr__(self, "self_deductions", _deductions(self.self_deductions))
        object.__setattr__(self, "verified_deductions", _deductions(self.verified_deductions))
        for name in ("self_score", "verified_score"):
            value = getattr(self, name)
            if value is not None:
                value = _dec(value)
                if not ZERO <= value <= self.max_points:
                    raise ValueError(
                        f'项目"{self.code}"的得分{format_points(value)}超出0–{format_points(self.max_points)}分'
                    )
                object.__setattr__(self, name, value)


@dataclass(frozen=True)
class FindingInput:
    id: object
    item_code: str | None
    severity: str  # "minor" | "serious"
    rectified: bool
    title: str = ""


@dataclass(frozen=True)
class BonusInput:
    code: str
    points: Decimal
    title: str = ""

    def __post_init__(self):
        object.__setattr__(self, "points", _dec(self.points))


@dataclass(frozen=True)
class ItemResult:
    code: str
    block_code: str
    title: str
    max_points: Decimal
    must_pass: bool
    self_score: Decimal | None
    verified_score: Decimal | None
    score: Decimal  # what counts: verified, else self (flagged unverified), else 0
    verified: bool
    overridden: bool
    override_reason: str
    self_deductions: tuple[Deduction, ...]
    verified_deductions: tuple[Deduction, ...]
    gap: Decimal | None  # self − verified, only when both exist
    provenance: tuple[str, ...]


@dataclass(frozen=True)
class BlockResult:
    code: str
    max_points: Decimal
    self_total: Decimal
    verified_total: Decimal
    gap: Decimal


@dataclass(frozen=True)
class UnitScore:
    items: tuple[ItemResult, ...]
    blocks: tuple[BlockResult, ...]
    self_total: Decimal
    verified_total: Decimal
    unverified_codes: tuple[str, ...]
    supervision_raw: Decimal
    supervision_deduction: Decimal
    pass_score: Decimal
    bonus_raw: Decimal
    bonus: Decimal
    final_score: Decimal
    grade: GradeBand
    passed: bool  # pass_score reaches the pass mark, whatever the vetoes
    certified: bool
    not_certified_reasons: tuple[str, ...]
    must_pass_failures: tuple[str, ...]
    vetoes: tuple[str, ...]
    gap: Decimal
    supervision_provenance: tuple[str, ...]
    bonus_provenance: tuple[str, ...]
    summary: tuple[str, ...] = field(default=())

    @property
    def fully_verified(self) -> bool:
        return not self.unverified_codes

    @property
    def provenance(self) -> dict[str, tuple[str, ...]]:
        """Item code → lines, then "supervision", "bonus" and "summary" for the unit-level lines."""
        lines = {item.code: item.provenance for item in self.items}
        lines["supervision"] = self.supervision_provenance
        lines["bonus"] = self.bonus_provenance
        lines["summary"] = self.summary
        return lines

    def item(self, code: str) -> ItemResult:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)


def score_item(item: ItemInput) -> ItemResult:
    lines = [f"满分{format_points(item.max_points)}分"]

    self_score = item.self_score
    if self_score is None and item.self_deductions:
        self_score = item_score(item.max_points, item.self_deductions)
    for deduction in item.self_deductions:
        lines.append(f"自评扣分:{deduction.describe()}")
    if self_score is None:
        lines.append("无自评得分")
    else:
        lines.append(f"自评得分{format_points(self_score)}分")

    verified_score, overridden = None, False
    if item.accepted:
        if self_score is None:
            raise ValueError(f'项目"{item.code}"没有自评得分,无法认可自评')
        if item.verified_score is not None or item.verified_deductions:
            raise ValueError(f'项目"{item.code}"既认可自评又另行核定,二者只能选一')
        verified_score = self_score
        lines.append(f"督查员核定:认可自评得分{format_points(verified_score)}分")
        if item.override_reason.strip():
            lines.append(f"督查员说明:{item.override_reason.strip()}")
    elif item.verified_score is not None or item.verified_deductions:
        verified_score = item.verified_score
        if verified_score is None:
            verified_score = item_score(item.max_points, item.verified_deductions)
        for deduction in item.verified_deductions:
            lines.append(f"核定扣分:{deduction.describe()}")
        overridden = self_score is not None and verified_score != self_score
        if overridden:
            reason = item.override_reason.strip()
            if not reason:
                raise ValueError(f'项目"{item.code}"的核定得分与自评不同,必须说明理由')
            lines.append(f"督查员核定:改为{format_points(verified_score)}分,理由:{reason}")
        elif self_score is not None:
            lines.append(f"督查员核定:{format_points(verified_score)}分,与自评一致")
        else:
            lines.append(f"督查员核定:{format_points(verified_score)}分")

    if verified_score is not None:
        score = verified_score
    elif self_score is not None:
        score = self_score
        lines.append(f"未核定:暂按自评得分{format_points(score)}分计")
    else:
        score = ZERO
        lines.append("未自评且未核定:暂计0分")

    if item.must_pass and score == 0:
        lines.append("必达项得分为0:不予认定")

    return ItemResult(
        code=item.code,
        block_code=item.block_code,
        title=item.title,
        max_points=item.max_points,
        must_pass=item.must_pass,
        self_score=self_score,
        verified_score=verified_score,
        score=score,
        verified=verified_score is not None,
        overridden=overridden,
        override_reason=item.override_reason.strip() if overridden else "",
        self_deductions=item.self_deductions,
        verified_deductions=item.verified_deductions,
        gap=self_score - verified_score if self_score is not None and verified_score is not None else None,
        provenance=tuple(lines),
    )


def _supervision(rules: ScoringRules, findings: Iterable[FindingInput]) -> tuple[Decimal, Decimal, list]:
    raw, lines = ZERO, []
    for finding in findings:
        amount = rules.finding_deduction(finding.severity)
        label = f"督查问题#{finding.id}({SEVERITY_LABELS[finding.severity]}"
        if finding.item_code:
            label += f',项目"{finding.item_code}"'
        label += ")"
        if finding.title:
            label += finding.title
        if finding.rectified:
            lines.append(f"{label}已整改,不扣分")
        else:
            raw += amount
            lines.append(f"{label}未整改 {_minus(amount)}")
    deduction = min(raw, rules.deduction_cap)
    if raw > deduction:
        lines.append(f"督查扣分合计{format_points(raw)}分,封顶{format_points(rules.deduction_cap)}分")
    elif lines:
        lines.append(f"督查扣分合计{format_points(deduction)}分")
    return raw, deduction, lines


def _bonus(rules: ScoringRules, bonus) -> tuple[Decimal, Decimal, list]:
    lines = []
    if isinstance(bonus, Decimal | int | float | str):
        raw = _dec(bonus)
        if raw < 0:
            raise ValueError("创新加分不能为负数")
        if raw:
            lines.append(f"创新加分 +{format_points(raw)}")
    else:
        raw = ZERO
        for entry in bonus:
            if entry.points < 0:
                raise ValueError(f'加分项"{entry.code}"不能为负数')
            raw += entry.points
            title = f" {entry.title}" if entry.title else ""
            lines.append(f"创新加分{entry.code}{title} +{format_points(entry.points)}")
    awarded = min(raw, rules.bonus_max)
    if raw > awarded:
        lines.append(f"加分合计{format_points(raw)}分,封顶{format_points(rules.bonus_max)}分")
    elif lines:
        lines.append(f"加分合计{format_points(awarded)}分")
    if awarded:
        lines.append("加分在合格判定之后计入,不影响等级和认定")
    return raw, awarded, lines


def score_unit(
    rules: ScoringRules,
    items: Iterable[ItemInput],
    findings: Iterable[FindingInput] = (),
    bonus=ZERO,
    vetoes: Iterable[str] = (),
) -> UnitScore:
    """Score one unit. `bonus` is a number or an iterable of BonusInput; `vetoes` are the reasons found."""
    results = tuple(score_item(item) for item in items)
    codes = [item.code for item in results]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ValueError(f"考评项目编号重复:{'、'.join(duplicates)}")

    blocks = []
    for block_code in dict.fromkeys(item.block_code for item in results):
        members = [item for item in results if item.block_code == block_code]
        block_self = sum((item.self_score or ZERO for item in members), ZERO)
        block_verified = sum((item.score for item in members), ZERO)
        blocks.append(BlockResult(
            code=block_code,
            max_points=sum((item.max_points for item in members), ZERO),
            self_total=block_self,
            verified_total=block_verified,
            gap=sum((item.gap for item in members if item.gap is not None), ZERO),
        ))

    self_total = sum((item.self_score or ZERO for item in results), ZERO)
    verified_total = sum((item.score for item in results), ZERO)
    # Inflation is measured only where both sides scored: an onsite item has no self-score to inflate,
    # and an unverified item has nothing to compare with yet.
    gap = sum((item.gap for item in results if item.gap is not None), ZERO)
    unverified = tuple(item.code for item in results if not item.verified)

    supervision_raw, supervision, supervision_lines = _supervision(rules, findings)
    pass_score = max(ZERO, verified_total - supervision)
    bonus_raw, bonus_awarded, bonus_lines = _bonus(rules, bonus)
    final_score = pass_score + bonus_awarded

    grade = grade_for(rules, pass_score)
    vetoes = tuple(v.strip() for v in vetoes if v and v.strip())
    must_pass_failures = tuple(item.code for item in results if item.must_pass and item.score == 0)
    passed = pass_score >= rules.pass_mark

    reasons = []
    if not grade.certified:
        reasons.append(
            f"得分{format_points(pass_score)}低于合格线{format_points(rules.pass_mark)}"
            f"(等级:{grade.grade})"
        )
    for item in results:
        if item.code in must_pass_failures:
            how = "核定得分" if item.verified else "得分(未核定,按自评)"
            reasons.append(f'必达项"{item.code}"{how}为0')
    for veto in vetoes:
        reasons.append(f"一票否决:{veto}")
    certified = grade.certified and not must_pass_failures and not vetoes

    summary = [f"核定总分{format_points(verified_total)}分"]
    if unverified:
        summary.append(f"其中{len(unverified)}个项目未核定,暂按自评计:{'、'.join(unverified)}")
    if supervision:
        summary.append(f"减督查扣分{format_points(supervision)}分,合格判定得分{format_points(pass_score)}分")
    summary.append(f"等级:{grade.grade}")
    if bonus_awarded:
        summary.append(f"加创新加分{format_points(bonus_awarded)}分,最终得分{format_points(final_score)}分")
    summary.append("予以认定" if certified else "不予认定:" + ";".join(reasons))

    return UnitScore(
        items=results,
        blocks=tuple(blocks),
        self_total=self_total,
        verified_total=verified_total,
        unverified_codes=unverified,
        supervision_raw=supervision_raw,
        supervision_deduction=supervision,
        pass_score=pass_score,
        bonus_raw=bonus_raw,
        bonus=bonus_awarded,
        final_score=final_score,
        grade=grade,
        passed=passed,
        certified=certified,
        not_certified_reasons=tuple(reasons),
        must_pass_failures=must_pass_failures,
        vetoes=vetoes,
        gap=gap,
        supervision_provenance=tuple(supervision_lines),
        bonus_provenance=tuple(bonus_lines),
        summary=tuple(summary),
    )
