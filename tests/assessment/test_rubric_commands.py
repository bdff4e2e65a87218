from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from assessment.models import RubricStatus, RubricVersion
from assessment.rubric_schema import DEFAULT_RUBRIC_PATH, load_default_rubric, parse_rubric
from tests.assessment.rubric_campaign_helpers import default_rubric_text


@pytest.mark.django_db
def test_import_rubric_command_imports_and_publishes():
    out = StringIO()
    call_command("import_rubric", str(DEFAULT_RUBRIC_PATH), "--publish", stdout=out)

    rubric = RubricVersion.objects.get()
    assert rubric.status == RubricStatus.PUBLISHED and rubric.items.count() == 27
    assert "校验通过" in out.getvalue() and "27个项目" in out.getvalue()


@pytest.mark.django_db
def test_import_rubric_command_bad_file_prints_report_and_fails(tmp_path):
    data = yaml.safe_load(default_rubric_text())
    data["rubric"]["grade_bands"][0]["certified"] = "yes"
    del data["rubric"]["blocks"][0]["items"][0]["title"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError, match="考评细则未导入"):
        call_command("import_rubric", str(bad), stdout=StringIO(), stderr=err)
    report = err.getvalue()
    assert "校验未通过" in report and '缺少字段"title"' in report and '"certified"' in report
    assert not RubricVersion.objects.exists()


@pytest.mark.django_db
def test_import_rubric_command_missing_file_fails(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_rubric", str(tmp_path / "none.yaml"))


@pytest.mark.django_db
def test_export_rubric_command_round_trips(tmp_path):
    call_command("import_rubric", str(DEFAULT_RUBRIC_PATH), stdout=StringIO())
    target = tmp_path / "out.yaml"
    call_command("export_rubric", "GREEN-OFFICE", "1", "--out", str(target), stderr=StringIO())
    assert parse_rubric(target.read_text(encoding="utf-8")) == load_default_rubric()

    out = StringIO()
    call_command("export_rubric", "GREEN-OFFICE", "1", stdout=out)
    assert out.getvalue() == target.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_export_rubric_command_unknown_version_fails():
    with pytest.raises(CommandError, match="没有考评细则GREEN-OFFICE第9版"):
        call_command("export_rubric", "GREEN-OFFICE", "9")
