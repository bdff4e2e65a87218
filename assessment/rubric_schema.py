"""The rubric file format: parse, validate and dump a 考评细则 (rubric) version.

Pure Python on purpose: the admin import, the management command that seeds the default rubric and
the scoring tests all read rubrics without touching the database. Messages are written in Chinese
directly (not gettext) because this module must import without Django settings; administrators are
the audience and the project's default language is zh-hans.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import pairwise
from pathlib import Path

import yaml

DEFAULT_RUBRIC_PATH = Path(__file__).resolve().parent / "data" / "green-office-rubric.yaml"

METHODS = ("self", "onsite", "both")


@dataclass(frozen=True)
class DeductionSpec:
    points: Decimal
    text: str


@dataclass(frozen=True)
class ItemSpec:
    code: str
    points: Decimal
    method: str
    title: str
    title_en: str
    evidence: tuple[str, ...] = ()
    deductions: tuple[DeductionSpec, ...] = ()
    must_pass: bool = False
    scoring: str = ""


@dataclass(frozen=True)
class BlockSpec:
    code: str
    title: str
    title_en: str
    points: Decimal
    items: tuple[ItemSpec, ...]


@dataclass(frozen=True)
class GradeBandSpec:
    min: Decimal
    grade: str
    grade_en: str
    certified: bool


@dataclass(frozen=True)
class SupervisionSpec:
    minor: Decimal
    serious: Decimal
    cap: Decimal


@dataclass(frozen=True)
class BonusItemSpec:
    code: str
    points: Decimal
    title: str
    title_en: str


@dataclass(frozen=True)
class BonusSpec:
    title: str
    max_points: Decimal
    items: tuple[BonusItemSpec, ...] = ()


@dataclass(frozen=True)
class RubricSpec:
    code: str
    version: int
    title: str
    title_en: str
    total_points: Decimal
    pass_mark: Decimal
    grade_bands: tuple[GradeBandSpec, ...]
    supervision: SupervisionSpec
    vetoes: tuple[str, ...]
    bonus: BonusSpec
    blocks: tuple[BlockSpec, ...]

    @property
    def items(self) -> tuple[ItemSpec, ...]:
        return tuple(item for block in self.blocks for item in block.items)

    def item(self, code: str) -> ItemSpec:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    def block_of(self, item_code: str) -> BlockSpec:
        for block in self.blocks:
            if any(item.code == item_code for item in block.items):
                return block
        raise KeyError(item_code)


class RubricValidationError(ValueError):
    """Every problem found in a rubric, so an administrator can fix a file in one pass."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


def format_points(value) -> str:
    """`35`, `1.5`: points as people write them (no `35.0`, no exponent)."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value.normalize():f}"


# A sentinel distinct from None: None is a legal YAML value that we must report as a wrong type.
_BAD = object()

_TYPE_NAMES = {
    "text": "文本",
    "number": "数字",
    "int": "整数",
    "bool": "true或false",
    "list": "列表",
    "mapping": "映射(键: 值)",
}

_RUBRIC_KEYS = {
    "code", "version", "title", "title_en", "total_points", "pass_mark", "grade_bands",
    "supervision_deductions", "vetoes", "bonus", "blocks",
}
_BAND_KEYS = {"min", "grade", "grade_en", "certified"}
_SUPERVISION_KEYS = {"per_unrectified_finding", "cap"}
_SEVERITY_KEYS = {"minor", "serious"}
_BONUS_KEYS = {"title", "max_points", "items"}
_BONUS_ITEM_KEYS = {"code", "points", "title", "title_en"}
_BLOCK_KEYS = {"code", "title", "title_en", "points", "items"}
_ITEM_KEYS = {
    "code", "points", "method", "title", "title_en", "evidence", "deductions", "must_pass", "scoring",
}
_DEDUCTION_KEYS = {"points", "text"}


class _Parser:
    def __init__(self):
        self.errors: list[str] = []

    def error(self, message: str):
        self.errors.append(message)

    def unknown_keys(self, data: dict, allowed: set, where: str):
        # A typo such as `mustpass` would otherwise silently drop a veto item's flag.
        for key in data:
            if key not in allowed:
                self.error(f'{where}含有未知字段"{key}"')

    def field(self, data: dict, key: str, where: str, kind: str, *, required=True, default=None):
        if key not in data:
            if required:
                self.error(f'{where}缺少字段"{key}"')
                return _BAD
            return default
        value = data[key]
        converted = self._convert(value, kind)
        if converted is _BAD:
            hint = '(请加引号,如"1.1")' if key == "code" and isinstance(value, int | float) else ""
            self.error(f'{where}的"{key}"必须是{_TYPE_NAMES[kind]}{hint}')
        return converted

    @staticmethod
    def _convert(value, kind):
        # bool is a subclass of int: `points: yes` must not become 1 point.
        if kind == "text":
            return value.strip() if isinstance(value, str) and value.strip() else _BAD
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                return _BAD
            if isinstance(value, float) and not math.isfinite(value):
                return _BAD
            # Via str so 1.5 stays 1.5 and 0.1 does not become 0.1000000000000000055...
            number = Decimal(str(value))
            return number if number.is_finite() else _BAD
        if kind == "int":
            return value if isinstance(value, int) and not isinstance(value, bool) else _BAD
        if kind == "bool":
            return value if isinstance(value, bool) else _BAD
        if kind == "list":
            return value if isinstance(value, list | tuple) else _BAD
        if kind == "mapping":
            return value if isinstance(value, dict) else _BAD
        raise AssertionError(kind)

    def points(self, data, key, where, *, positive=False, required=True, default=None):
        value = self.field(data, key, where, "number", required=required, default=default)
        if value is _BAD or value is None:
            return value
        if value < 0:
            self.error(f'{where}的"{key}"不能为负数')
            return _BAD
        if positive and value == 0:
            self.error(f'{where}的"{key}"必须大于0')
            return _BAD
        return value

    def texts(self, data, key, where) -> tuple[str, ...]:
        values = self.field(data, key, where, "list", required=False, default=[])
        if values is _BAD:
            return ()
        result = []
        for index, value in enumerate(values, start=1):
            if isinstance(value, str) and value.strip():
                result.append(value.strip())
            else:
                self.error(f'{where}的"{key}"第{index}条必须是文本')
        return tuple(result)

    # -- the document --------------------------------------------------------------------------

    def rubric(self, data) -> RubricSpec:
        where = "考评细则"
        if not isinstance(data, dict):
            self.error("考评细则的顶层必须是映射(键: 值)")
            raise RubricValidationError(self.errors)
        # Files wrap everything in `rubric:` (room for metadata later); a bare mapping is accepted too.
        if "rubric" in data:
            for key in data:
                if key != "rubric":
                    self.error(f'考评细则文件含有未知的顶层字段"{key}"')
            data = data["rubric"]
            if not isinstance(data, dict):
                self.error('"rubric"必须是映射(键: 值)')
                raise RubricValidationError(self.errors)
        self.unknown_keys(data, _RUBRIC_KEYS, where)

        code = self.field(data, "code", where, "text")
        version = self.field(data, "version", where, "int")
        if version is not _BAD and version < 1:
            self.error('考评细则的"version"必须是正整数')
        title = self.field(data, "title", where, "text")
        title_en = self.field(data, "title_en", where, "text")
        total_points = self.points(data, "total_points", where, positive=True)
        pass_mark = self.points(data, "pass_mark", where)

        blocks = self.blocks(data)
        item_codes = {item.code for block in blocks for item in block.items}
        bands = self.grade_bands(data, total_points, pass_mark)
        supervision = self.supervision(data)
        vetoes = self.texts(data, "vetoes", where)
        bonus = self.bonus(data, item_codes)

        if total_points is not _BAD and blocks and all(b.points is not _BAD for b in blocks):
            block_sum = sum((block.points for block in blocks), Decimal(0))
            if block_sum != total_points:
                self.error(
                    f"各类别分值合计为{format_points(block_sum)}分,"
                    f"与总分{format_points(total_points)}分不符"
                )
        if pass_mark is not _BAD and total_points is not _BAD and pass_mark > total_points:
            self.error(f"合格线{format_points(pass_mark)}分超过总分{format_points(total_points)}分")

        if self.errors:
            raise RubricValidationError(self.errors)
        return RubricSpec(
            code=code, version=version, title=title, title_en=title_en,
            total_points=total_points, pass_mark=pass_mark, grade_bands=bands,
            supervision=supervision, vetoes=vetoes, bonus=bonus, blocks=blocks,
        )

    def grade_bands(self, data, total_points, pass_mark) -> tuple[GradeBandSpec, ...]:
        raw = self.field(data, "grade_bands", "考评细则", "list")
        if raw is _BAD:
            return ()
        if not raw:
            self.error("考评细则至少需要一个等级区间")
            return ()
        bands = []
        for index, entry in enumerate(raw, start=1):
            where = f"第{index}个等级区间"
            if not isinstance(entry, dict):
                self.error(f"{where}必须是映射(键: 值)")
                continue
            self.unknown_keys(entry, _BAND_KEYS, where)
            bands.append(GradeBandSpec(
                min=self.points(entry, "min", where),
                grade=self.field(entry, "grade", where, "text"),
                grade_en=self.field(entry, "grade_en", where, "text"),
                certified=self.field(entry, "certified", where, "bool"),
            ))
        if len(bands) != len(raw) or any(_BAD in (b.min, b.grade, b.certified) for b in bands):
            return tuple(bands)

        mins = [band.min for band in bands]
        for value in sorted({m for m in mins if mins.count(m) > 1}, reverse=True):
            self.error(f"等级区间下限{format_points(value)}分重复")
        if any(low > high for high, low in pairwise(mins)):
            self.error("等级区间未按分数从高到低排列")
        lowest = min(bands, key=lambda band: band.min)
        if lowest.min != 0:
            self.error(f'最低等级区间"{lowest.grade}"的下限必须为0分,当前为{format_points(lowest.min)}分')
        if total_points is not _BAD:
            for band in bands:
                if band.min > total_points:
                    self.error(
                        f'等级区间"{band.grade}"的下限{format_points(band.min)}分'
                        f"超过总分{format_points(total_points)}分"
                    )
        grades = [band.grade for band in bands]
        for grade in dict.fromkeys(g for g in grades if grades.count(g) > 1):
            self.error(f'等级名称"{grade}"重复')

        ordered = sorted(bands, key=lambda band: band.min, reverse=True)
        certified = [band for band in ordered if band.certified]
        if not certified:
            self.error("至少需要一个可认定(certified: true)的等级区间")
            return tuple(bands)
        # Certification is "score ≥ pass mark": a certified band below an uncertified one has no meaning.
        for higher, lower in pairwise(ordered):
            if lower.certified and not higher.certified:
                self.error(f'可认定的等级"{lower.grade}"低于不予认定的等级"{higher.grade}",可认定的等级必须在最高处')
        lowest_certified = certified[-1]
        if pass_mark is not _BAD and pass_mark != lowest_certified.min:
            self.error(
                f"合格线{format_points(pass_mark)}分与最低可认定等级"
                f'"{lowest_certified.grade}"的下限{format_points(lowest_certified.min)}分不符'
            )
        return tuple(bands)

    def supervision(self, data) -> SupervisionSpec | None:
        where = "督查扣分规则(supervision_deductions)"
        raw = self.field(data, "supervision_deductions", "考评细则", "mapping")
        if raw is _BAD:
            return None
        self.unknown_keys(raw, _SUPERVISION_KEYS, where)
        per_finding = self.field(raw, "per_unrectified_finding", where, "mapping")
        minor = serious = _BAD
        if per_finding is not _BAD:
            inner = f"{where}的per_unrectified_finding"
            self.unknown_keys(per_finding, _SEVERITY_KEYS, inner)
            minor = self.points(per_finding, "minor", inner)
            serious = self.points(per_finding, "serious", inner)
        cap = self.points(raw, "cap", where)
        return SupervisionSpec(minor=minor, serious=serious, cap=cap)

    def bonus(self, data, item_codes: set) -> BonusSpec:
        # A rubric without an innovation bonus is legitimate: it simply awards none.
        raw = self.field(data, "bonus", "考评细则", "mapping", required=False, default=None)
        if raw is None:
            return BonusSpec(title="创新工作加分", max_points=Decimal(0), items=())
        if raw is _BAD:
            return None
        where = "创新加分(bonus)"
        self.unknown_keys(raw, _BONUS_KEYS, where)
        title = self.field(raw, "title", where, "text")
        max_points = self.points(raw, "max_points", where)
        raw_items = self.field(raw, "items", where, "list", required=False, default=[])
        items, seen = [], set()
        for index, entry in enumerate(raw_items if raw_items is not _BAD else [], start=1):
            if not isinstance(entry, dict):
                self.error(f"第{index}个加分项必须是映射(键: 值)")
                continue
            code = entry.get("code")
            where_item = f'加分项"{code}"' if isinstance(code, str) and code.strip() else f"第{index}个加分项"
            self.unknown_keys(entry, _BONUS_ITEM_KEYS, where_item)
            item = BonusItemSpec(
                code=self.field(entry, "code", where_item, "text"),
                points=self.points(entry, "points", where_item, positive=True),
                title=self.field(entry, "title", where_item, "text"),
                title_en=self.field(entry, "title_en", where_item, "text"),
            )
            if item.code is not _BAD:
                if item.code in seen:
                    self.error(f'加分项编号"{item.code}"重复')
                if item.code in item_codes:
                    self.error(f'加分项编号"{item.code}"与考评项目编号重复')
                seen.add(item.code)
            if item.points is not _BAD and max_points is not _BAD and item.points > max_points:
                self.error(
                    f"{where_item}的分值{format_points(item.points)}分"
                    f"超过创新加分上限{format_points(max_points)}分"
                )
            items.append(item)
        return BonusSpec(title=title, max_points=max_points, items=tuple(items))

    def blocks(self, data) -> tuple[BlockSpec, ...]:
        raw = self.field(data, "blocks", "考评细则", "list")
        if raw is _BAD:
            return ()
        if not raw:
            self.error("考评细则至少需要一个考评类别")
            return ()
        blocks, block_codes, item_codes = [], set(), set()
        for index, entry in enumerate(raw, start=1):
            if not isinstance(entry, dict):
                self.error(f"第{index}个类别必须是映射(键: 值)")
                continue
            title = entry.get("title")
            where = f'第{index}个类别"{title.strip()}"' if isinstance(title, str) and title.strip() \
                else f"第{index}个类别"
            self.unknown_keys(entry, _BLOCK_KEYS, where)
            code = self.field(entry, "code", where, "text")
            if code is not _BAD:
                if code in block_codes:
                    self.error(f'类别编号"{code}"重复')
                block_codes.add(code)
            points = self.points(entry, "points", where, positive=True)
            items = self.items(entry, where, item_codes)
            if points is not _BAD and items and all(item.points is not _BAD for item in items):
                item_sum = sum((item.points for item in items), Decimal(0))
                if item_sum != points:
                    self.error(
                        f"{where}的分值合计为{format_points(item_sum)}分,与声明的{format_points(points)}分不符"
                    )
            blocks.append(BlockSpec(
                code=code,
                title=self.field(entry, "title", where, "text"),
                title_en=self.field(entry, "title_en", where, "text"),
                points=points,
                items=items,
            ))
        return tuple(blocks)

    def items(self, block: dict, block_where: str, seen_codes: set) -> tuple[ItemSpec, ...]:
        raw = self.field(block, "items", block_where, "list")
        if raw is _BAD:
            return ()
        if not raw:
            self.error(f"{block_where}没有考评项目")
            return ()
        items = []
        for index, entry in enumerate(raw, start=1):
            if not isinstance(entry, dict):
                self.error(f"{block_where}的第{index}个项目必须是映射(键: 值)")
                continue
            code = entry.get("code")
            where = f'项目"{code.strip()}"' if isinstance(code, str) and code.strip() \
                else f"{block_where}的第{index}个项目"
            self.unknown_keys(entry, _ITEM_KEYS, where)
            code = self.field(entry, "code", where, "text")
            if code is not _BAD:
                if code in seen_codes:
                    self.error(f'考评项目编号"{code}"重复')
                seen_codes.add(code)
            points = self.points(entry, "points", where, positive=True)
            method = self.field(entry, "method", where, "text")
            if method is not _BAD and method not in METHODS:
                self.error(f'{where}的评分方式"{method}"无效,应为self、onsite或both之一')
            items.append(ItemSpec(
                code=code,
                points=points,
                method=method,
                title=self.field(entry, "title", where, "text"),
                title_en=self.field(entry, "title_en", where, "text"),
                evidence=self.texts(entry, "evidence", where),
                deductions=self.deductions(entry, where, points),
                must_pass=self.field(entry, "must_pass", where, "bool", required=False, default=False),
                scoring=self.field(entry, "scoring", where, "text", required=False, default=""),
            ))
        return tuple(items)

    def deductions(self, item: dict, item_where: str, item_points) -> tuple[DeductionSpec, ...]:
        raw = self.field(item, "deductions", item_where, "list", required=False, default=[])
        if raw is _BAD:
            return ()
        deductions = []
        for index, entry in enumerate(raw, start=1):
            where = f"{item_where}的第{index}个扣分项"
            if not isinstance(entry, dict):
                self.error(f"{where}必须是映射(键: 值)")
                continue
            self.unknown_keys(entry, _DEDUCTION_KEYS, where)
            points = self.points(entry, "points", where, positive=True)
            text = self.field(entry, "text", where, "text")
            # One deduction larger than the item is a typo; several adding up past it is normal,
            # because the item score stops at 0.
            if points is not _BAD and item_points is not _BAD and points > item_points:
                label = text if text is not _BAD else f"第{index}个"
                self.error(
                    f'{item_where}的扣分项"{label}"为{format_points(points)}分,'
                    f"超过项目分值{format_points(item_points)}分"
                )
            deductions.append(DeductionSpec(points=points, text=text))
        return tuple(deductions)


def parse_rubric(source) -> RubricSpec:
    """Parse rubric YAML text (str/bytes) or an already-loaded dict; raise RubricValidationError."""
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError:
            raise RubricValidationError(["考评细则文件必须是UTF-8编码"]) from None
    if isinstance(source, str):
        if not source.strip():
            raise RubricValidationError(["考评细则内容为空"])
        try:
            source = yaml.safe_load(source)
        except yaml.YAMLError as exc:
            raise RubricValidationError([_yaml_error_message(exc)]) from None
    return _Parser().rubric(source)


def _yaml_error_message(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    # PyYAML's own wording is English; keep it (it is precise) behind a Chinese hint for administrators.
    hint = f"请检查缩进、冒号、引号和括号是否配对({problem})"
    if mark is None:
        return f"YAML格式错误:{hint}"
    return f"YAML格式错误:第{mark.line + 1}行第{mark.column + 1}列,{hint}"


def _number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def rubric_to_dict(spec: RubricSpec) -> dict:
    """The file shape (wrapped in `rubric:`), in the same key order as the shipped file."""
    blocks = []
    for block in spec.blocks:
        items = []
        for item in block.items:
            entry = {"code": item.code, "points": _number(item.points), "method": item.method}
            if item.must_pass:
                entry["must_pass"] = True
            entry["title"] = item.title
            entry["title_en"] = item.title_en
            entry["evidence"] = list(item.evidence)
            if item.scoring:
                entry["scoring"] = item.scoring
            entry["deductions"] = [{"points": _number(d.points), "text": d.text} for d in item.deductions]
            items.append(entry)
        blocks.append({
            "code": block.code, "title": block.title, "title_en": block.title_en,
            "points": _number(block.points), "items": items,
        })
    return {"rubric": {
        "code": spec.code,
        "version": spec.version,
        "title": spec.title,
        "title_en": spec.title_en,
        "total_points": _number(spec.total_points),
        "pass_mark": _number(spec.pass_mark),
        "grade_bands": [
            {"min": _number(b.min), "grade": b.grade, "grade_en": b.grade_en, "certified": b.certified}
            for b in spec.grade_bands
        ],
        "supervision_deductions": {
            "per_unrectified_finding": {
                "minor": _number(spec.supervision.minor), "serious": _number(spec.supervision.serious),
            },
            "cap": _number(spec.supervision.cap),
        },
        "vetoes": list(spec.vetoes),
        "bonus": {
            "title": spec.bonus.title,
            "max_points": _number(spec.bonus.max_points),
            "items": [
                {"code": b.code, "points": _number(b.points), "title": b.title, "title_en": b.title_en}
                for b in spec.bonus.items
            ],
        },
        "blocks": blocks,
    }}


def dump_rubric_yaml(spec: RubricSpec) -> str:
    return yaml.safe_dump(rubric_to_dict(spec), allow_unicode=True, sort_keys=False, width=120)


@cache
def load_default_rubric() -> RubricSpec:
    # Cached: the spec is frozen, and the file only changes with a deploy.
    return parse_rubric(DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8"))
