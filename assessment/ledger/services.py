"""Writes of the ledger: monthly records (one month, or a year from a spreadsheet), their bills as
evidence, the bureau's targets, the conversion factors and the CO₂ emission factors. Each function owns its transaction,
validation (Chinese messages) and audit record. Saving is idempotent: a month is keyed by unit+year+month.
"""
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import power_grids
from assessment.ledger import indicators
from assessment.ledger.models import ConversionFactor, EmissionFactor, LedgerTarget, MonthlyRecord, RecordEvidence
from assessment.ledger.spreadsheets import parse_year_sheet
from assessment.models import Campaign
from assessment.uploads import IMAGE, PDF, validate_upload
from greenoffice.audit import audit_record
from units.models import Unit, UnitCategory

EVIDENCE_KINDS = frozenset({IMAGE, PDF})
MAX_QUANTITY = Decimal("999999999999.99")
MAX_AREA = Decimal("999999999.9")
MAX_HEADCOUNT = 1_000_000
RECORD_FIELDS = (*indicators.FIELD_NAMES, "headcount", "floor_area", "note")


def can_edit_ledger(actor, unit: Unit) -> bool:
    """The unit's own directors and admins enter data; the bureau's inspectors and leaders read it.
    actor None is the system (demo data, migrations)."""
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_admin_role:
        return True
    return actor.is_director and actor.memberships.filter(unit_id=unit.pk).exists()


def _require_editor(actor, unit: Unit):
    if not can_edit_ledger(actor, unit):
        raise PermissionDenied


def _require_admin(actor):
    if actor is not None and not actor.is_admin_role:
        raise PermissionDenied


def _field_label(name: str) -> str:
    return str(MonthlyRecord._meta.get_field(name).verbose_name)


def _decimal(value, label: str, *, places: int, maximum: Decimal) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(field)s应为数字") % {"field": label}) from None
    if not number.is_finite():
        raise ValidationError(_("%(field)s应为数字") % {"field": label})
    if number < 0:
        raise ValidationError(_("%(field)s不能为负数") % {"field": label})
    if number > maximum:
        raise ValidationError(_("%(field)s数值过大") % {"field": label})
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError(_("%(field)s最多保留%(places)s位小数") % {"field": label, "places": places})
    return number


def validate_period(year: int, month: int, *, today=None):
    today = today or timezone.localdate()
    if not 2000 <= int(year) <= today.year or not 1 <= int(month) <= 12:
        raise ValidationError(_("年度或月份无效"))
    if (int(year), int(month)) > (today.year, today.month):
        raise ValidationError(_("%(year)s年%(month)s月尚未到来,不能填报") % {"year": year, "month": month})


def clean_record_values(unit: Unit, data: Mapping) -> dict:
    """The values to store from a form's or a sheet's mapping; refuses negatives and non-numbers,
    takes headcount and floor area from the unit when they are left empty."""
    values: dict = {}
    errors = []
    for name in indicators.FIELD_NAMES:
        try:
            values[name] = _decimal(data.get(name), _field_label(name), places=2, maximum=MAX_QUANTITY)
        except ValidationError as exc:
            errors.extend(exc.messages)
    headcount = data.get("headcount")
    if headcount is None or headcount == "":
        values["headcount"] = unit.headcount
    else:
        try:
            number = _decimal(headcount, _field_label("headcount"), places=0, maximum=Decimal(MAX_HEADCOUNT))
            values["headcount"] = int(number)
        except ValidationError as exc:
            errors.extend(exc.messages)
    area = data.get("floor_area")
    if area is None or area == "":
        values["floor_area"] = unit.floor_area
    else:
        try:
            values["floor_area"] = _decimal(area, _field_label("floor_area"), places=1, maximum=MAX_AREA)
        except ValidationError as exc:
            errors.extend(exc.messages)
    values["note"] = str(data.get("note") or "").strip()[:500]
    if errors:
        raise ValidationError(errors)
    return values


def _locked_record(unit: Unit, year: int, month: int) -> MonthlyRecord | None:
    # of=self and order by pk: the default ordering joins the unit, and its row must not be locked too.
    return (MonthlyRecord.objects.select_for_update(of=("self",))
            .filter(unit=unit, year=year, month=month).order_by("pk").first())


def _upsert(*, actor, unit: Unit, year: int, month: int, values: dict) -> tuple[MonthlyRecord, dict, bool]:
    record = _locked_record(unit, year, month)
    entered_by = actor if getattr(actor, "is_authenticated", False) else None
    if record is None:
        record = MonthlyRecord(unit=unit, year=year, month=month, entered_by=entered_by, **values)
        record.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                record.save()
            return record, dict(values), True
        except IntegrityError:
            # A concurrent save of the same month (a double submit) won the insert: update that row.
            record = _locked_record(unit, year, month)
    changes = {f: (getattr(record, f), v) for f, v in values.items() if getattr(record, f) != v}
    if not changes:
        return record, {}, False
    for field, value in values.items():
        setattr(record, field, value)
    record.entered_by = entered_by
    record.full_clean(validate_unique=False, validate_constraints=False)
    record.save()
    return record, changes, False


@transaction.atomic
def record_save(*, actor, unit: Unit, year: int, month: int, data: Mapping, today=None) -> MonthlyRecord:
    """Save one month (the month form). Saving the same values twice changes nothing."""
    _require_editor(actor, unit)
    validate_period(year, month, today=today)
    values = clean_record_values(unit, data)
    record, changes, created = _upsert(actor=actor, unit=unit, year=int(year), month=int(month), values=values)
    if changes:
        audit_record(actor=actor, action="ledger_record_create" if created else "ledger_record_update",
                     obj=record, unit_id=unit.pk, changes=changes)
    return record


@transaction.atomic
def records_save_year(*, actor, unit: Unit, year: int, rows: Mapping[int, Mapping], today=None,
                      action: str = "ledger_records_save_year") -> list[MonthlyRecord]:
    """Save several months of one year at once, all or nothing. `rows` maps month → values; months
    not in `rows` are left as they are (a sheet never deletes a month)."""
    _require_editor(actor, unit)
    errors = []
    cleaned = {}
    for month in sorted(rows):
        try:
            validate_period(year, month, today=today)
            cleaned[month] = clean_record_values(unit, rows[month])
        except ValidationError as exc:
            errors.extend(_("%(month)s月:%(message)s") % {"month": month, "message": m} for m in exc.messages)
    if errors:
        raise ValidationError(errors)
    records, audit_changes = [], {}
    for month, values in cleaned.items():
        record, changes, created = _upsert(actor=actor, unit=unit, year=int(year), month=month, values=values)
        records.append(record)
        if changes:
            audit_changes[str(month)] = {"created": created, **changes}
    if audit_changes:
        audit_record(actor=actor, action=action, obj=unit, unit_id=unit.pk,
                     changes={"year": int(year), "months": audit_changes})
    return records


@transaction.atomic
def records_import_xlsx(*, actor, unit: Unit, year: int, file, today=None) -> list[MonthlyRecord]:
    """A year's sheet (the template): every cell is checked first; one bad cell rejects the whole
    sheet, naming its row and column, and nothing is saved."""
    _require_editor(actor, unit)
    rows = parse_year_sheet(file, year=int(year), today=today or timezone.localdate())
    if not rows:
        raise ValidationError(_("表格中没有填写任何月份的数据"))
    return records_save_year(actor=actor, unit=unit, year=year, rows=rows, today=today,
                             action="ledger_records_import_xlsx")


@transaction.atomic
def evidence_add(*, actor, record: MonthlyRecord, file) -> RecordEvidence:
    """Attach a bill or meter photo (image or PDF) to a month; the same file twice is stored once."""
    _require_editor(actor, record.unit)
    upload = validate_upload(file, allowed_kinds=EVIDENCE_KINDS)
    existing = RecordEvidence.objects.filter(record=record, sha256=upload.sha256).first()
    if existing is not None:
        return existing
    evidence = RecordEvidence(
        record=record, original_name=upload.original_name, extension=upload.extension,
        content_type=upload.content_type, size=upload.size, sha256=upload.sha256,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    evidence.file.save(f"{upload.sha256}{upload.extension}", upload.content, save=False)
    evidence.save()
    audit_record(actor=actor, action="ledger_evidence_add", obj=evidence, unit_id=record.unit_id,
                 changes={"record": record.pk, "name": upload.original_name, "sha256": upload.sha256})
    return evidence


@transaction.atomic
def evidence_delete(*, actor, evidence: RecordEvidence) -> None:
    _require_editor(actor, evidence.record.unit)
    name, unit_id, file_name = evidence.original_name, evidence.record.unit_id, evidence.file.name
    audit_record(actor=actor, action="ledger_evidence_delete", obj=evidence, unit_id=unit_id,
                 changes={"name": name, "sha256": evidence.sha256})
    evidence.delete()
    storage = RecordEvidence._meta.get_field("file").storage
    # The file goes only once the row is gone for good; another row may share its content hash.
    transaction.on_commit(
        lambda: None if RecordEvidence.objects.filter(file=file_name).exists() else storage.delete(file_name)
    )


TARGET_FIELDS = ("per_capita_kgce", "per_area_kgce", "baseline_year", "electricity_reduction_pct",
                 "water_reduction_pct", "paper_reduction_pct", "per_capita_tco2", "per_area_kgco2")


@transaction.atomic
def target_set(*, actor, campaign: Campaign, unit: Unit | None = None, category: str = "",
               **values) -> LedgerTarget:
    """Create or change the target of a unit, a category or (neither) every unit in the campaign."""
    _require_admin(actor)
    if unit is not None and category:
        raise ValidationError(_("目标只能针对一个单位或一个单位类别,不能同时指定"))
    if category and category not in UnitCategory.values:
        raise ValidationError(_("单位类别无效"))
    values = {k: v for k, v in values.items() if k in TARGET_FIELDS}
    values.setdefault("baseline_year", campaign.year - 1)
    if int(values["baseline_year"]) >= campaign.year:
        raise ValidationError(_("基准年应早于创建年度"))
    target = (LedgerTarget.objects.select_for_update(of=("self",))
              .filter(campaign=campaign, unit=unit, category="" if unit else category).order_by("pk").first())
    created = target is None
    if created:
        target = LedgerTarget(campaign=campaign, unit=unit, category="" if unit else category)
        changes = dict(values)
    else:
        changes = {f: (getattr(target, f), v) for f, v in values.items() if getattr(target, f) != v}
        if not changes:
            return target
    for field, value in values.items():
        setattr(target, field, value)
    target.set_by = actor if getattr(actor, "is_authenticated", False) else None
    target.full_clean(validate_unique=False, validate_constraints=False)
    target.save()
    audit_record(actor=actor, action="ledger_target_create" if created else "ledger_target_update", obj=target,
                 unit_id=unit.pk if unit else None, changes=changes)
    return target


@transaction.atomic
def factor_set(*, actor, kind: str, kgce_per_unit, valid_from, density=None, note: str = "") -> ConversionFactor:
    """Add or correct the factor of an energy kind from a date on. Liquid fuels need their density."""
    _require_admin(actor)
    if kind in indicators.KINDS_WITH_DENSITY and not density:
        raise ValidationError(_("汽油、柴油按升记录,必须填写密度(kg/L)"))
    factor = (ConversionFactor.objects.select_for_update(of=("self",))
              .filter(kind=kind, valid_from=valid_from).order_by("pk").first())
    created = factor is None
    values = {"kgce_per_unit": Decimal(str(kgce_per_unit)), "density": Decimal(str(density)) if density else None,
              "note": note}
    if created:
        factor = ConversionFactor(kind=kind, valid_from=valid_from)
        changes = {"kind": kind, "valid_from": valid_from, **values}
    else:
        changes = {f: (getattr(factor, f), v) for f, v in values.items() if getattr(factor, f) != v}
        if not changes:
            return factor
    for field, value in values.items():
        setattr(factor, field, value)
    factor.full_clean(validate_unique=False)
    factor.save()
    audit_record(actor=actor, action="ledger_factor_set", obj=factor, changes=changes)
    return factor


@transaction.atomic
def emission_factor_set(*, actor, kind: str, year: int, kgco2_per_unit, source: str, grid: str = "",
                        verified: str = "") -> EmissionFactor:
    """Add or correct the CO₂ factor of an energy kind for a data year (and, for electricity, a grid):
    a newly published year is a new row; the latest year serves later years until then."""
    _require_admin(actor)
    if kind == indicators.ELECTRICITY and not grid:
        raise ValidationError(_("电力排放因子必须指定适用电网(全国、区域或省份)"))
    if kind != indicators.ELECTRICITY:
        grid = ""
    if grid and grid not in power_grids.GRID_LABELS:
        raise ValidationError(_("电网无效"))
    if not source:
        raise ValidationError(_("请填写排放因子的来源"))
    factor = (EmissionFactor.objects.select_for_update(of=("self",))
              .filter(kind=kind, grid=grid, year=year).order_by("pk").first())
    created = factor is None
    values = {"kgco2_per_unit": Decimal(str(kgco2_per_unit)), "source": source, "verified": verified}
    if created:
        factor = EmissionFactor(kind=kind, grid=grid, year=year)
        changes = {"kind": kind, "grid": grid, "year": year, **values}
    else:
        changes = {f: (getattr(factor, f), v) for f, v in values.items() if getattr(factor, f) != v}
        if not changes:
            return factor
    for field, value in values.items():
        setattr(factor, field, value)
    factor.full_clean(validate_unique=False)
    factor.save()
    audit_record(actor=actor, action="ledger_emission_factor_set", obj=factor, changes=changes)
    return factor
