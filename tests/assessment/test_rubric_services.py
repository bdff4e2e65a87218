import dataclasses
from decimal import Decimal

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError

from assessment.models import BonusItem, RubricBlock, RubricDeduction, RubricItem, RubricStatus, RubricVersion
from assessment.rubric_schema import RubricValidationError, load_default_rubric, parse_rubric
from assessment.scoring import grade_for
from assessment.selectors.rubric import rubric_export_yaml, rubric_scoring_rules, rubric_spec_from_db
from assessment.services.rubric import rubric_delete_draft, rubric_import, rubric_new_version, rubric_publish
from greenoffice.models import AuditEvent
from tests.assessment.rubric_campaign_helpers import default_rubric_text, import_rubric, make_campaign, rubric_text

PUBLISHED_MESSAGE = "已发布的考评细则不能修改,请创建新版本"


@pytest.mark.django_db
def test_rubric_import_default_creates_4_blocks_27_items(admin_user):
    rubric = rubric_import(actor=admin_user, text=default_rubric_text())

    assert rubric.status == RubricStatus.DRAFT
    assert (rubric.code, rubric.version) == ("GREEN-OFFICE", 1)
    assert RubricBlock.objects.filter(rubric=rubric).count() == 4
    assert RubricItem.objects.filter(rubric=rubric).count() == 27
    assert list(rubric.blocks.order_by("order").values_list("points", flat=True)) == [25, 35, 25, 15]
    assert RubricItem.objects.get(rubric=rubric, code="2.1").must_pass is True
    assert RubricItem.objects.filter(rubric=rubric, must_pass=True).count() == 1
    spec = load_default_rubric()
    assert RubricDeduction.objects.filter(item__rubric=rubric).count() == sum(len(i.deductions) for i in spec.items)
    assert BonusItem.objects.filter(rubric=rubric).count() == len(spec.bonus.items)
    assert rubric.source_yaml == default_rubric_text()
    assert rubric.created_by == admin_user
    event = AuditEvent.objects.get(action="rubric_import", object_id=str(rubric.pk))
    assert event.actor == admin_user and event.changes["items"] == 27


@pytest.mark.django_db
def test_rubric_import_uses_few_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        rubric_import(actor=None, text=default_rubric_text())


@pytest.mark.django_db
def test_rubric_import_bad_file_raises_every_message():
    data = yaml.safe_load(default_rubric_text())
    data["rubric"]["blocks"][0]["items"][0]["method"] = "guess"
    data["rubric"]["pass_mark"] = 85
    with pytest.raises(RubricValidationError) as caught:
        rubric_import(actor=None, text=yaml.safe_dump(data, allow_unicode=True))
    assert len(caught.value.errors) >= 2
    assert any("guess" in message for message in caught.value.errors)
    assert any("合格线" in message for message in caught.value.errors)
    assert not RubricVersion.objects.exists()


@pytest.mark.django_db
def test_rubric_import_existing_version_is_refused():
    import_rubric(publish=False)
    with pytest.raises(ValidationError, match="已存在"):
        rubric_import(actor=None, text=default_rubric_text())
    rubric_publish(actor=None, rubric=RubricVersion.objects.get())
    with pytest.raises(ValidationError, match="已发布,不能覆盖"):
        rubric_import(actor=None, text=default_rubric_text(), replace_draft=True)
    assert RubricVersion.objects.count() == 1


@pytest.mark.django_db
def test_rubric_import_replace_draft_replaces_the_rows():
    first = import_rubric(publish=False)
    second = rubric_import(actor=None, text=rubric_text(title="修订后的考评细则"), replace_draft=True)

    assert not RubricVersion.objects.filter(pk=first.pk).exists()
    assert RubricVersion.objects.get().title == "修订后的考评细则"
    assert RubricItem.objects.filter(rubric=second).count() == 27


@pytest.mark.django_db
def test_rubric_import_requires_admin(director_a, inspector_a):
    for user in (director_a, inspector_a):
        with pytest.raises(PermissionDenied):
            rubric_import(actor=user, text=default_rubric_text())


@pytest.mark.django_db
def test_rubric_publish_freezes_and_repeats_harmlessly(admin_user):
    rubric = import_rubric(publish=False)
    published = rubric_publish(actor=admin_user, rubric=rubric)
    again = rubric_publish(actor=admin_user, rubric=rubric)

    assert published.status == RubricStatus.PUBLISHED and published.published_at is not None
    assert again.published_at == published.published_at
    assert AuditEvent.objects.filter(action="rubric_publish", object_id=str(rubric.pk)).count() == 1


@pytest.mark.django_db
def test_rubric_published_cannot_be_changed(admin_user):
    rubric = import_rubric()
    with pytest.raises(ValidationError) as caught:
        rubric_delete_draft(actor=admin_user, rubric=rubric)
    assert caught.value.messages == [PUBLISHED_MESSAGE]
    with pytest.raises(ValidationError):
        rubric_import(actor=admin_user, text=default_rubric_text(), replace_draft=True)
    assert RubricItem.objects.filter(rubric=rubric).count() == 27


@pytest.mark.django_db
def test_rubric_new_version_copies_everything_as_draft(admin_user):
    rubric = import_rubric()
    copy = rubric_new_version(actor=admin_user, rubric=rubric)

    assert copy.pk != rubric.pk
    assert (copy.code, copy.version, copy.status) == (rubric.code, 2, RubricStatus.DRAFT)
    assert rubric_spec_from_db(copy) == dataclasses.replace(rubric_spec_from_db(rubric), version=2)
    assert set(RubricItem.objects.filter(rubric=copy).values_list("code", flat=True)) == set(
        RubricItem.objects.filter(rubric=rubric).values_list("code", flat=True)
    )
    assert not RubricItem.objects.filter(rubric=copy, pk__in=rubric.items.values("pk")).exists()
    assert parse_rubric(copy.source_yaml).version == 2
    event = AuditEvent.objects.get(action="rubric_new_version")
    assert event.changes["copied_from"] == rubric.pk


@pytest.mark.django_db
def test_rubric_new_version_returns_the_open_draft_instead_of_another(admin_user):
    rubric = import_rubric()
    first = rubric_new_version(actor=admin_user, rubric=rubric)
    second = rubric_new_version(actor=admin_user, rubric=rubric)

    assert second.pk == first.pk
    assert RubricVersion.objects.count() == 2
    rubric_publish(actor=admin_user, rubric=first)
    third = rubric_new_version(actor=admin_user, rubric=rubric)
    assert third.version == 3


@pytest.mark.django_db
def test_rubric_export_import_round_trip_is_equal():
    rubric = import_rubric()
    exported = rubric_export_yaml(rubric)

    assert parse_rubric(exported) == load_default_rubric()
    assert rubric_spec_from_db(rubric) == load_default_rubric()
    # Import the export as version 2: its export is the same text but for the version number.
    copy = rubric_import(actor=None, text=exported.replace("version: 1\n", "version: 2\n", 1))
    assert rubric_export_yaml(copy) == exported.replace("version: 1\n", "version: 2\n", 1)
    assert rubric_spec_from_db(copy) == dataclasses.replace(load_default_rubric(), version=2)


@pytest.mark.django_db
def test_rubric_spec_from_db_reads_in_four_queries(django_assert_num_queries):
    rubric = import_rubric()
    with django_assert_num_queries(4):
        rubric_spec_from_db(rubric)


@pytest.mark.django_db
def test_rubric_scoring_rules_come_from_the_version():
    bands = [
        {"min": 85, "grade": "优秀", "grade_en": "Excellent", "certified": True},
        {"min": 75, "grade": "合格", "grade_en": "Pass", "certified": True},
        {"min": 0, "grade": "不合格", "grade_en": "Fail", "certified": False},
    ]
    rubric = import_rubric(
        version=7, pass_mark=75, grade_bands=bands,
        supervision_deductions={"per_unrectified_finding": {"minor": 0.25, "serious": 2}, "cap": 6},
    )
    rules = rubric_scoring_rules(rubric)

    assert rules.pass_mark == Decimal("75")
    assert (rules.minor_deduction, rules.serious_deduction, rules.deduction_cap) == (
        Decimal("0.25"), Decimal("2"), Decimal("6"))
    assert rules.bonus_max == Decimal("5")
    assert grade_for(rules, Decimal("76")).grade == "合格" and grade_for(rules, Decimal("76")).certified
    assert not grade_for(rules, Decimal("74.9")).certified


@pytest.mark.django_db
def test_rubric_delete_draft_removes_it_with_audit(admin_user):
    rubric = import_rubric(publish=False)
    rubric_delete_draft(actor=admin_user, rubric=rubric)

    assert not RubricVersion.objects.exists()
    assert not RubricItem.objects.exists()
    assert AuditEvent.objects.filter(action="rubric_delete_draft", object_id=str(rubric.pk)).exists()


@pytest.mark.django_db
def test_rubric_in_use_by_a_campaign_stays_published(admin_user):
    rubric = import_rubric()
    make_campaign(rubric=rubric, actor=admin_user)
    with pytest.raises(ValidationError, match=PUBLISHED_MESSAGE):
        rubric_delete_draft(actor=admin_user, rubric=rubric)
