import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assessment.ledger import services
from assessment.ledger.models import ConversionFactor, LedgerTarget, MonthlyRecord, RecordEvidence
from assessment.ledger.selectors import resolve_target
from greenoffice.models import AuditEvent
from tests.ledger.conftest import TODAY, month_data

pytestmark = pytest.mark.django_db


def test_default_factors_seeded_by_migration():
    factors = {f.kind: f for f in ConversionFactor.objects.all()}
    assert factors["electricity"].kgce_per_unit == Decimal("0.1229")
    assert factors["natural_gas"].kgce_per_unit == Decimal("1.2143")
    assert (factors["gasoline"].kgce_per_unit, factors["gasoline"].density) == (Decimal("1.4714"), Decimal("0.725"))
    assert (factors["diesel"].kgce_per_unit, factors["diesel"].density) == (Decimal("1.4571"), Decimal("0.83"))
    assert factors["heat"].kgce_per_unit == Decimal("0.03412")


def test_record_save_creates_with_audit_and_is_idempotent(director_a, unit_a):
    record = services.record_save(actor=director_a, unit=unit_a, year=2025, month=3, data=month_data(), today=TODAY)
    assert record.electricity_kwh == 40000
    assert record.entered_by == director_a
    assert AuditEvent.objects.filter(action="ledger_record_create", unit_id=unit_a.pk).count() == 1
    again = services.record_save(actor=director_a, unit=unit_a, year=2025, month=3, data=month_data(), today=TODAY)
    assert again.pk == record.pk
    assert MonthlyRecord.objects.count() == 1
    assert AuditEvent.objects.filter(action__startswith="ledger_record").count() == 1


def test_record_save_update_audits_the_change(director_a, unit_a):
    services.record_save(actor=director_a, unit=unit_a, year=2025, month=3, data=month_data(), today=TODAY)
    services.record_save(actor=director_a, unit=unit_a, year=2025, month=3,
                         data=month_data(electricity_kwh=Decimal(41000)), today=TODAY)
    event = AuditEvent.objects.get(action="ledger_record_update")
    assert event.changes == {"electricity_kwh": ["40000.00", "41000"]}


def test_record_save_refuses_negative_values_and_saves_nothing(director_a, unit_a):
    with pytest.raises(ValidationError) as exc:
        services.record_save(actor=director_a, unit=unit_a, year=2025, month=3,
                             data=month_data(water_m3=Decimal(-1)), today=TODAY)
    assert "用水量(m³)不能为负数" in exc.value.messages
    assert not MonthlyRecord.objects.exists()


def test_record_save_refuses_months_still_to_come(director_a, unit_a):
    with pytest.raises(ValidationError) as exc:
        services.record_save(actor=director_a, unit=unit_a, year=2026, month=12, data=month_data(), today=TODAY)
    assert "2026年12月尚未到来,不能填报" in exc.value.messages
    # The current month may be entered (readings taken early).
    services.record_save(actor=director_a, unit=unit_a, year=2026, month=11, data=month_data(), today=TODAY)


def test_record_save_defaults_headcount_and_area_from_unit(director_a, unit_a):
    data = month_data(headcount=None, floor_area="")
    record = services.record_save(actor=director_a, unit=unit_a, year=2025, month=1, data=data, today=TODAY)
    assert record.headcount == unit_a.headcount
    assert record.floor_area == unit_a.floor_area


def test_record_save_accepts_zero_headcount_to_be_flagged_later(director_a, unit_a):
    record = services.record_save(actor=director_a, unit=unit_a, year=2025, month=1,
                                  data=month_data(headcount=0), today=TODAY)
    assert record.headcount == 0


@pytest.mark.parametrize("who", ["inspector_a", "leader_a", "director_b"])
def test_record_save_only_unit_director_or_admin(request, who, unit_a):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.record_save(actor=actor, unit=unit_a, year=2025, month=1, data=month_data(), today=TODAY)
    assert not MonthlyRecord.objects.exists()


def test_record_save_admin_may_correct(admin_user, unit_a):
    services.record_save(actor=admin_user, unit=unit_a, year=2025, month=1, data=month_data(), today=TODAY)
    assert MonthlyRecord.objects.filter(unit=unit_a).count() == 1


def test_records_save_year_all_or_nothing(director_a, unit_a):
    rows = {m: month_data() for m in range(1, 13)}
    rows[7] = month_data(paper_reams=Decimal("-3"))
    with pytest.raises(ValidationError) as exc:
        services.records_save_year(actor=director_a, unit=unit_a, year=2025, rows=rows, today=TODAY)
    assert exc.value.messages == ["7月:用纸量(令)不能为负数"]
    assert not MonthlyRecord.objects.exists()


def _png_upload(name="bill.png"):
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def test_evidence_add_stores_image_once(director_a, unit_a):
    record = services.record_save(actor=director_a, unit=unit_a, year=2025, month=1, data=month_data(), today=TODAY)
    first = services.evidence_add(actor=director_a, record=record, file=_png_upload())
    second = services.evidence_add(actor=director_a, record=record, file=_png_upload("again.png"))
    assert first.pk == second.pk
    assert RecordEvidence.objects.count() == 1
    assert first.file.name.startswith(f"ledger/{unit_a.pk}/")
    assert first.original_name == "bill.png"


def test_evidence_add_refuses_non_image_content(director_a, unit_a):
    record = services.record_save(actor=director_a, unit=unit_a, year=2025, month=1, data=month_data(), today=TODAY)
    fake = SimpleUploadedFile("bill.jpg", b"MZ\x90\x00" + b"\x00" * 100, content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.evidence_add(actor=director_a, record=record, file=fake)
    assert not RecordEvidence.objects.exists()


def test_evidence_add_refuses_documents(director_a, unit_a):
    record = services.record_save(actor=director_a, unit=unit_a, year=2025, month=1, data=month_data(), today=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(actor=director_a, record=record,
                              file=SimpleUploadedFile("bill.docx", b"PK\x03\x04" + b"\x00" * 50))
    assert "类型不支持" in exc.value.messages[0]


@pytest.fixture
def campaign(db):
    from assessment.models import Campaign, RubricVersion

    rubric = RubricVersion.objects.create(code="GO", version=1, title="细则", total_points=100, pass_mark=80,
                                          minor_deduction=Decimal("0.5"), serious_deduction=1, deduction_cap=10)
    return Campaign.objects.create(year=2025, name="2025年度", rubric=rubric)


def test_target_set_admin_only(campaign, inspector_a):
    with pytest.raises(PermissionDenied):
        services.target_set(actor=inspector_a, campaign=campaign, per_capita_kgce=Decimal(700))


def test_target_set_is_idempotent_and_audited(campaign, admin_user):
    t1 = services.target_set(actor=admin_user, campaign=campaign, per_capita_kgce=Decimal(700), baseline_year=2024)
    t2 = services.target_set(actor=admin_user, campaign=campaign, per_capita_kgce=Decimal(700), baseline_year=2024)
    assert t1.pk == t2.pk
    assert AuditEvent.objects.filter(action__startswith="ledger_target").count() == 1
    assert (t1.electricity_reduction_pct, t1.water_reduction_pct, t1.paper_reduction_pct) == (5, 10, 5)


def test_target_set_refuses_unit_and_category_together(campaign, admin_user, unit_a):
    with pytest.raises(ValidationError):
        services.target_set(actor=admin_user, campaign=campaign, unit=unit_a, category="government")
    with pytest.raises(ValidationError):
        services.target_set(actor=admin_user, campaign=campaign, baseline_year=2025)
    assert not LedgerTarget.objects.exists()


def test_resolve_target_most_specific_wins(campaign, admin_user, unit_a, unit_b):
    services.target_set(actor=admin_user, campaign=campaign, per_capita_kgce=Decimal(900), baseline_year=2023)
    services.target_set(actor=admin_user, campaign=campaign, category=unit_a.category,
                        per_capita_kgce=Decimal(800), baseline_year=2023)
    services.target_set(actor=admin_user, campaign=campaign, unit=unit_a, per_capita_kgce=Decimal(700),
                        baseline_year=2022, water_reduction_pct=Decimal(8))
    resolved = resolve_target(unit=unit_a, year=2025)
    assert (resolved.per_capita_kgce, resolved.baseline_year, resolved.reductions.water_pct) == (700, 2022, 8)
    unit_b.category = "party"
    assert resolve_target(unit=unit_b, year=2025).per_capita_kgce == 900
    unit_b.category = unit_a.category
    assert resolve_target(unit=unit_b, year=2025).per_capita_kgce == 800


def test_resolve_target_default_without_campaign(unit_a):
    resolved = resolve_target(unit=unit_a, year=2026)
    assert resolved.target is None
    assert resolved.baseline_year == 2025
    assert (resolved.reductions.electricity_pct, resolved.reductions.water_pct,
            resolved.reductions.paper_pct) == (5, 10, 5)


def test_factor_set_requires_density_for_fuel(admin_user):
    from datetime import date

    with pytest.raises(ValidationError):
        services.factor_set(actor=admin_user, kind="diesel", kgce_per_unit="1.5", valid_from=date(2026, 1, 1))
    factor = services.factor_set(actor=admin_user, kind="electricity", kgce_per_unit="0.3",
                                 valid_from=date(2026, 1, 1), note="新系数")
    assert factor.kgce_per_unit == Decimal("0.3")
    assert AuditEvent.objects.filter(action="ledger_factor_set").count() == 1


def test_record_save_concurrent_insert_becomes_update(director_a, unit_a, monkeypatch):
    services.record_save(actor=director_a, unit=unit_a, year=2025, month=4, data=month_data(), today=TODAY)
    real = services._locked_record
    calls = []

    def miss_first(*args):
        # The first look misses the row, as when another request inserts it in between.
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(services, "_locked_record", miss_first)
    record = services.record_save(actor=director_a, unit=unit_a, year=2025, month=4,
                                  data=month_data(electricity_kwh=Decimal(39000)), today=TODAY)
    assert record.electricity_kwh == 39000
    assert MonthlyRecord.objects.filter(unit=unit_a, month=4).count() == 1
    assert AuditEvent.objects.filter(action="ledger_record_update").count() == 1
