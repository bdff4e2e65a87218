"""The rubric file format: the shipped rubric parses and round-trips; broken files say what is wrong."""

import copy
from decimal import Decimal as D

import pytest
import yaml

from assessment.rubric_schema import (
    DEFAULT_RUBRIC_PATH,
    RubricValidationError,
    dump_rubric_yaml,
    load_default_rubric,
    parse_rubric,
    rubric_to_dict,
)

DEFAULT_TEXT = DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8")


def _default_dict() -> dict:
    return copy.deepcopy(yaml.safe_load(DEFAULT_TEXT))


def _item(data: dict, code: str) -> dict:
    for block in data["rubric"]["blocks"]:
        for item in block["items"]:
            if item["code"] == code:
                return item
    raise KeyError(code)


def _errors(source) -> list[str]:
    with pytest.raises(RubricValidationError) as excinfo:
        parse_rubric(source)
    return excinfo.value.errors


def test_parse_rubric_default_file_has_the_published_shape():
    spec = load_default_rubric()

    assert (spec.code, spec.version, spec.total_points, spec.pass_mark) == ("GREEN-OFFICE", 1, D(100), D(80))
    assert len(spec.items) == 27
    assert [len(block.items) for block in spec.blocks] == [7, 7, 8, 5]
    assert [block.points for block in spec.blocks] == [D(25), D(35), D(25), D(15)]
    assert [block.title for block in spec.blocks] == ["组织管理", "节约资源", "污染预防", "工作环境"]
    assert [item.code for item in spec.items if item.must_pass] == ["2.1"]
    assert spec.item("2.1").deductions == () and spec.item("2.1").scoring.startswith("与同类型机关平均值之比")
    assert spec.bonus.max_points == D(5)
    assert [b.code for b in spec.bonus.items] == ["B.1", "B.2", "B.3", "B.4"]
    assert [band.grade for band in spec.grade_bands] == ["优秀", "合格", "限期整改", "不合格"]
    assert (spec.supervision.minor, spec.supervision.serious, spec.supervision.cap) == (D("0.5"), D(1), D(10))
    assert len(spec.vetoes) == 4


def test_parse_rubric_keeps_half_points_exact_and_titles_whole():
    spec = load_default_rubric()

    assert spec.item("1.6").deductions[0].points == D("1.5")
    # Unquoted commas inside a YAML flow mapping would cut these titles into stray keys.
    assert spec.bonus.items[1].title_en == (
        "Renewables or new technology (PV, heat pumps, energy-performance contracting)"
    )
    assert spec.bonus.items[3].title == "特色品牌活动(绿色机关之星、环保卫士评选,志愿者队伍等)"


def test_parse_rubric_round_trip_dump_then_parse_is_equal():
    spec = parse_rubric(DEFAULT_TEXT)

    assert parse_rubric(dump_rubric_yaml(spec)) == spec
    assert parse_rubric(rubric_to_dict(spec)) == spec
    assert dump_rubric_yaml(parse_rubric(dump_rubric_yaml(spec))) == dump_rubric_yaml(spec)


def test_dump_rubric_yaml_writes_readable_chinese_and_plain_numbers():
    text = dump_rubric_yaml(load_default_rubric())

    assert "title: 创建绿色机关考评细则" in text
    assert "total_points: 100\n" in text
    assert "minor: 0.5\n" in text
    assert "must_pass: true" in text


def test_parse_rubric_rejects_a_block_whose_items_do_not_add_up():
    data = _default_dict()
    _item(data, "2.3")["points"] = 5  # block 2: 8 + 6 + 5 + 4 + 5 + 3 + 3 = 34, declared 35

    assert _errors(data) == ['第2个类别"节约资源"的分值合计为34分,与声明的35分不符']


def test_parse_rubric_rejects_blocks_not_adding_up_to_the_total():
    data = _default_dict()
    data["rubric"]["blocks"][3]["points"] = 16  # block 4 consistent again: 3 + 3 + 4 + 3 + 3 = 16
    _item(data, "4.5")["points"] = 3

    assert _errors(data) == ["各类别分值合计为101分,与总分100分不符"]


def test_parse_rubric_rejects_a_duplicate_item_code():
    data = _default_dict()
    _item(data, "2.3")["code"] = "2.2"

    assert _errors(data) == ['考评项目编号"2.2"重复']


def test_parse_rubric_rejects_a_deduction_larger_than_its_item():
    data = _default_dict()
    _item(data, "1.2")["deductions"][0]["points"] = 5

    assert _errors(data) == ['项目"1.2"的扣分项"无实施方案或年度计划"为5分,超过项目分值4分']


def test_parse_rubric_accepts_deductions_that_only_together_exceed_the_item():
    data = _default_dict()
    # 1.1 is worth 3: 2 + 2 = 4 together is fine, the item score stops at 0.
    _item(data, "1.1")["deductions"][1]["points"] = 2

    assert parse_rubric(data).item("1.1").deductions[1].points == D(2)


def test_parse_rubric_rejects_grade_bands_out_of_order():
    data = _default_dict()
    bands = data["rubric"]["grade_bands"]
    bands[0], bands[1] = bands[1], bands[0]

    assert _errors(data) == ["等级区间未按分数从高到低排列"]


def test_parse_rubric_rejects_a_lowest_band_above_zero_and_a_pass_mark_off_the_bands():
    data = _default_dict()
    data["rubric"]["grade_bands"][3]["min"] = 60
    data["rubric"]["pass_mark"] = 85

    assert _errors(data) == [
        '最低等级区间"不合格"的下限必须为0分,当前为60分',
        '合格线85分与最低可认定等级"合格"的下限80分不符',
    ]


def test_parse_rubric_rejects_an_unknown_method():
    data = _default_dict()
    _item(data, "1.1")["method"] = "phone"

    assert _errors(data) == ['项目"1.1"的评分方式"phone"无效,应为self、onsite或both之一']


def test_parse_rubric_rejects_a_missing_field():
    data = _default_dict()
    del _item(data, "1.1")["points"]

    assert _errors(data) == ['项目"1.1"缺少字段"points"']


def test_parse_rubric_rejects_non_numeric_points():
    data = _default_dict()
    _item(data, "1.1")["points"] = "三"

    assert _errors(data) == ['项目"1.1"的"points"必须是数字']


def test_parse_rubric_rejects_an_unquoted_numeric_code_with_a_hint():
    data = _default_dict()
    _item(data, "1.1")["code"] = 1.1

    assert _errors(data) == ['第1个类别"组织管理"的第1个项目的"code"必须是文本(请加引号,如"1.1")']


def test_parse_rubric_reports_yaml_syntax_errors_with_the_line():
    text = "rubric:\n  code: X\n    version: 1\n"

    errors = _errors(text)

    assert len(errors) == 1
    assert errors[0].startswith("YAML格式错误:第3行第12列,请检查缩进")


def test_parse_rubric_rejects_a_comma_split_flow_mapping_as_unknown_fields():
    # The shipped file once had `title_en: A (B, C)` unquoted inside `{...}`: YAML silently cut it in three.
    text = DEFAULT_TEXT.replace(
        'title_en: "Renewables or new technology (PV, heat pumps, energy-performance contracting)"',
        "title_en: Renewables or new technology (PV, heat pumps, energy-performance contracting)",
    )

    assert _errors(text) == [
        '加分项"B.2"含有未知字段"heat pumps"',
        '加分项"B.2"含有未知字段"energy-performance contracting)"',
    ]


def test_parse_rubric_rejects_a_bonus_item_above_the_bonus_cap():
    data = _default_dict()
    data["rubric"]["bonus"]["items"][0]["points"] = 6

    assert _errors(data) == ['加分项"B.1"的分值6分超过创新加分上限5分']


def test_parse_rubric_reports_several_errors_together():
    data = _default_dict()
    _item(data, "2.3")["code"] = "2.2"
    _item(data, "1.1")["method"] = "phone"
    _item(data, "1.2")["deductions"][0]["points"] = 5
    data["rubric"]["grade_bands"].reverse()

    errors = _errors(data)

    assert set(errors) == {
        '考评项目编号"2.2"重复',
        '项目"1.1"的评分方式"phone"无效,应为self、onsite或both之一',
        '项目"1.2"的扣分项"无实施方案或年度计划"为5分,超过项目分值4分',
        "等级区间未按分数从高到低排列",
    }
    assert len(errors) == 4


def test_rubric_validation_error_message_lists_every_error():
    error = RubricValidationError(["甲", "乙"])

    assert str(error) == "甲\n乙"
    assert error.errors == ["甲", "乙"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("   \n", "考评细则内容为空"),
        ("- a\n- b\n", "考评细则的顶层必须是映射(键: 值)"),
    ],
)
def test_parse_rubric_rejects_empty_or_non_mapping_documents(source, message):
    assert _errors(source) == [message]


def test_parse_rubric_requires_at_least_one_block():
    data = _default_dict()
    data["rubric"]["blocks"] = []

    assert "考评细则至少需要一个考评类别" in _errors(data)
