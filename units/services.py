"""Writes of districts, units, people and memberships. Each service owns its transaction and audit."""
import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from greenoffice.audit import audit_record, diff_fields
from greenoffice.models import AuditEvent
from units.credit_code import credit_code_checksum_ok, credit_code_normalize
from units.models import District, Membership, Person, Unit, UnitCategory, User, credit_code_validator
from units.selectors import person_manage_allowed
from units.spreadsheets import COLUMN_BY_FIELD, UNIT_COLUMNS, RowProblem, SpreadsheetError, read_units_sheet

UNIT_FIELDS = (
    "code", "name", "short_name", "credit_code", "district", "category", "address", "headcount",
    "floor_area", "contact_name", "contact_phone", "is_active",
)
PERSON_FIELDS = ("name", "position", "phone", "is_leadership_group", "is_active")


def _require_admin(actor):
    if actor is not None and not actor.is_admin_role:
        raise PermissionDenied


def _require_person_manager(actor, unit: Unit):
    # actor=None is the system (seed data, data migrations); people belong to the unit, so besides
    # administrators only the unit's own director may change them.
    if actor is not None and not person_manage_allowed(user=actor, unit=unit):
        raise PermissionDenied


def credit_code_owner(credit_code: str, *, exclude_pk=None) -> Unit | None:
    qs = Unit.objects.filter(credit_code=credit_code)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.only("pk", "code", "name").first()


def unit_code_owner(code: str, *, exclude_pk=None) -> Unit | None:
    qs = Unit.objects.filter(code=code)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.only("pk", "code", "name").first()


def credit_code_duplicate_message(owner: Unit) -> str:
    return _("该统一社会信用代码已被单位“%(name)s”(单位编号 %(code)s)使用") % {"name": owner.name, "code": owner.code}


def credit_code_checksum_message() -> str:
    return _("统一社会信用代码校验位不正确,请核对第18位或前17位是否录入有误")


def _unit_clean(unit: Unit, *, old_credit_code: str | None) -> None:
    """Validate `unit` before saving, naming the unit that already holds a code if there is one.

    The check character is only enforced for a new or changed credit code: codes already stored
    (older data entered before the check existed) must not block edits of other fields."""
    errors: dict = {}
    try:
        unit.full_clean(validate_unique=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if "credit_code" not in errors:
        owner = credit_code_owner(unit.credit_code, exclude_pk=unit.pk)
        if owner is not None:
            errors["credit_code"] = [credit_code_duplicate_message(owner)]
        elif unit.credit_code != old_credit_code and not credit_code_checksum_ok(unit.credit_code):
            errors["credit_code"] = [credit_code_checksum_message()]
    if "code" not in errors:
        owner = unit_code_owner(unit.code, exclude_pk=unit.pk)
        if owner is not None:
            errors["code"] = [_("单位编号“%(code)s”已被单位“%(name)s”使用") % {"code": unit.code, "name": owner.name}]
    if errors:
        raise ValidationError(errors)


def _normalized_unit_values(values: dict) -> dict:
    values = {k: v for k, v in values.items() if k in UNIT_FIELDS}
    if "credit_code" in values:
        values["credit_code"] = credit_code_normalize(values["credit_code"])
    for field in ("code", "name", "short_name", "address", "contact_name", "contact_phone"):
        if isinstance(values.get(field), str):
            values[field] = values[field].strip()
    return values


@transaction.atomic
def unit_create(*, actor, **values) -> Unit:
    _require_admin(actor)
    unit = Unit(**_normalized_unit_values(values))
    _unit_clean(unit, old_credit_code=None)
    unit.save()
    audit_record(actor=actor, action="unit_create", obj=unit, unit_id=unit.pk,
                 changes={f: getattr(unit, f) for f in UNIT_FIELDS})
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, **values) -> Unit:
    _require_admin(actor)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    values = _normalized_unit_values(values)
    changes = diff_fields(unit, values)
    if not changes:
        return unit
    old_credit_code = unit.credit_code
    for field, value in values.items():
        setattr(unit, field, value)
    _unit_clean(unit, old_credit_code=old_credit_code)
    unit.save()
    audit_record(actor=actor, action="unit_update", obj=unit, unit_id=unit.pk, changes=changes)
    return unit


@transaction.atomic
def unit_set_active(*, actor, unit: Unit, is_active: bool) -> Unit:
    """Deactivate (停用) or reactivate a unit. Idempotent: setting the current state writes nothing."""
    _require_admin(actor)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.is_active == is_active:
        return unit
    unit.is_active = is_active
    unit.save(update_fields=["is_active", "updated_at"])
    audit_record(actor=actor, action="unit_activate" if is_active else "unit_deactivate", obj=unit,
                 unit_id=unit.pk, changes={"is_active": (not is_active, is_active)})
    return unit


@transaction.atomic
def district_create(*, actor, code: str, name: str, kind: str, sort_order: int = 0) -> District:
    _require_admin(actor)
    district = District(code=code, name=name, kind=kind, sort_order=sort_order)
    district.full_clean()
    district.save()
    audit_record(actor=actor, action="district_create", obj=district, changes={"code": code, "name": name})
    return district


@transaction.atomic
def membership_add(*, actor, user: User, unit: Unit, position: str = "") -> Membership:
    _require_admin(actor)
    membership, created = Membership.objects.get_or_create(user=user, unit=unit, defaults={"position": position})
    if created:
        audit_record(actor=actor, action="membership_add", obj=membership, unit_id=unit.pk,
                     changes={"user": user.pk, "unit": unit.pk, "position": position})
    return membership


@transaction.atomic
def person_create(*, actor, unit: Unit, name: str, position: str = "", phone: str = "",
                  is_leadership_group: bool = False) -> Person:
    """Directors add people to their own unit; admins to any."""
    _require_person_manager(actor, unit)
    person = Person(unit=unit, name=name.strip(), position=position.strip(), phone=phone.strip(),
                    is_leadership_group=is_leadership_group)
    person.full_clean()
    person.save()
    audit_record(actor=actor, action="person_create", obj=person, unit_id=unit.pk,
                 changes={"name": person.name, "position": person.position,
                          "is_leadership_group": is_leadership_group})
    return person


@transaction.atomic
def person_update(*, actor, person: Person, **values) -> Person:
    """Edit a person of a unit (name, position, phone, leadership group, still employed)."""
    person = Person.objects.select_for_update().select_related("unit").get(pk=person.pk)
    _require_person_manager(actor, person.unit)
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items() if k in PERSON_FIELDS}
    changes = diff_fields(person, values)
    if not changes:
        return person
    for field, value in values.items():
        setattr(person, field, value)
    person.full_clean()
    person.save()
    audit_record(actor=actor, action="person_update", obj=person, unit_id=person.unit_id, changes=changes)
    return person


# --- spreadsheet import ---------------------------------------------------------------------------

IMPORT_FIELDS = tuple(column.field for column in UNIT_COLUMNS)
IMPORT_BATCH_SIZE = 500
IMPORT_CHANGE_REASON = "表格导入"


@dataclass(frozen=True)
class ImportedUnit:
    """A unit an import creates or updates, for the preview and result pages."""

    row: int
    code: str
    name: str
    changed: tuple[str, ...] = ()  # headers of the columns whose value changes (updates only)


@dataclass
class ImportResult:
    dry_run: bool = False
    total_rows: int = 0
    created: list[ImportedUnit] = dataclasses.field(default_factory=list)
    updated: list[ImportedUnit] = dataclasses.field(default_factory=list)
    unchanged: int = 0
    errors: list[RowProblem] = dataclasses.field(default_factory=list)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error

    @property
    def imported(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def created_count(self) -> int:
        return len(self.created)

    @property
    def updated_count(self) -> int:
        return len(self.updated)


def _chunks(items: list, size: int = IMPORT_BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _plain_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, District):
        return value.pk
    return value


@dataclass
class _ImportPlan:
    to_create: list[tuple[int, Unit]] = dataclasses.field(default_factory=list)
    to_update: list[tuple[int, Unit, dict]] = dataclasses.field(default_factory=list)
    unchanged: int = 0


def _plan_import(rows, problems: list[RowProblem]) -> _ImportPlan:
    """Check every row against the others and the database; build the units to write.

    A row whose unit code exists updates that unit (every imported column, blanks included: the sheet
    is the record); any other row creates a unit. Problems are appended for every row, so the user
    sees all of them at once."""
    def problem(row_number, field_name, message):
        problems.append(RowProblem(row_number, COLUMN_BY_FIELD[field_name].header, message))

    bad_rows = {p.row for p in problems}
    for row in rows:
        if "credit_code" in row.values:
            row.values["credit_code"] = credit_code_normalize(row.values["credit_code"])
    codes = [row.values["code"] for row in rows if row.values.get("code")]
    credit_codes = [row.values["credit_code"] for row in rows if row.values.get("credit_code")]
    existing_by_code: dict[str, Unit] = {}
    for chunk in _chunks(sorted(set(codes))):
        existing_by_code.update({unit.code: unit for unit in Unit.objects.filter(code__in=chunk)})
    owner_by_credit: dict[str, Unit] = {}
    for chunk in _chunks(sorted(set(credit_codes))):
        owner_by_credit.update({
            unit.credit_code: unit
            for unit in Unit.objects.filter(credit_code__in=chunk).only("pk", "code", "name", "credit_code")
        })
    districts = {district.name: district for district in District.objects.all()}
    categories = {str(label): value for value, label in UnitCategory.choices}
    categories.update({value: value for value in UnitCategory.values})
    category_names = "、".join(str(label) for label in UnitCategory.labels)

    first_row_of_code: dict[str, int] = {}
    first_row_of_credit: dict[str, int] = {}
    plan = _ImportPlan()
    for row in rows:
        problems_before = len(problems)
        values = row.values
        code = values.get("code")
        existing = existing_by_code.get(code) if code else None
        if code:
            if code in first_row_of_code:
                problem(row.number, "code", _("单位编号“%(code)s”与第%(row)d行重复")
                        % {"code": code, "row": first_row_of_code[code]})
            else:
                first_row_of_code[code] = row.number
        credit = values.get("credit_code")
        if credit:
            if not credit_code_validator.regex.search(credit):
                problem(row.number, "credit_code",
                        _("“%(value)s”格式不正确:应为18位数字或大写字母(不含 I、O、Z、S、V)") % {"value": credit})
            elif credit in first_row_of_credit:
                problem(row.number, "credit_code", _("统一社会信用代码“%(value)s”与第%(row)d行重复")
                        % {"value": credit, "row": first_row_of_credit[credit]})
            else:
                first_row_of_credit[credit] = row.number
                owner = owner_by_credit.get(credit)
                if owner is not None and (existing is None or owner.pk != existing.pk):
                    problem(row.number, "credit_code", credit_code_duplicate_message(owner))
                elif (existing is None or existing.credit_code != credit) and not credit_code_checksum_ok(credit):
                    problem(row.number, "credit_code", credit_code_checksum_message())
        district_name = values.get("district")
        if district_name:
            district = districts.get(district_name)
            if district is None:
                problem(row.number, "district", _("区域“%(name)s”不存在,可选区域见模板“填写说明”表")
                        % {"name": district_name})
            else:
                values["district"] = district
        category = values.get("category")
        if category:
            if category in categories:
                values["category"] = categories[category]
            else:
                problem(row.number, "category", _("单位类别“%(value)s”无效,应为%(choices)s之一")
                        % {"value": category, "choices": category_names})

        if len(problems) > problems_before or row.number in bad_rows:
            continue
        if existing is None:
            plan.to_create.append((row.number, Unit(**values)))
            continue
        changes = {}
        for name in IMPORT_FIELDS:
            old = existing.district_id if name == "district" else getattr(existing, name)
            new = values[name].pk if name == "district" else values[name]
            if old != new:
                changes[name] = (_plain_value(old), _plain_value(new))
                setattr(existing, name, values[name])
        if changes:
            plan.to_update.append((row.number, existing, changes))
        else:
            plan.unchanged += 1
    return plan


def _audit_event(actor, action: str, unit: Unit, changes: dict) -> AuditEvent:
    # audit_record() writes one row per call; an import of 10,000 units writes its per-unit entries
    # with one bulk insert instead, in the same shape.
    return AuditEvent(actor=actor, action=action, object_type=Unit._meta.label, object_id=str(unit.pk),
                      unit_id=unit.pk, changes=changes, reason=IMPORT_CHANGE_REASON)


def _write_import(*, actor, plan: _ImportPlan, result: ImportResult, file_name: str) -> None:
    user = actor if actor is not None and actor.is_authenticated else None
    now = timezone.now()
    created = bulk_create_with_history(
        [unit for _row, unit in plan.to_create], Unit, batch_size=IMPORT_BATCH_SIZE,
        default_user=user, default_change_reason=IMPORT_CHANGE_REASON,
    )
    to_update = [unit for _row, unit, _changes in plan.to_update]
    for unit in to_update:
        unit.updated_at = now
    if to_update:
        bulk_update_with_history(
            to_update, Unit, fields=[*IMPORT_FIELDS, "updated_at"], batch_size=IMPORT_BATCH_SIZE,
            default_user=user, default_change_reason=IMPORT_CHANGE_REASON,
        )
    events = [
        _audit_event(user, "unit_import_create", unit,
                     {name: _plain_value(getattr(unit, name)) for name in IMPORT_FIELDS})
        for unit in created
    ]
    events += [_audit_event(user, "unit_import_update", unit, changes) for _row, unit, changes in plan.to_update]
    events.append(AuditEvent(
        actor=user, action="units_import", object_type=Unit._meta.label, object_id="import",
        changes={"file_name": file_name, "rows": result.total_rows, "created": result.created_count,
                 "updated": result.updated_count, "unchanged": result.unchanged},
    ))
    AuditEvent.objects.bulk_create(events, batch_size=IMPORT_BATCH_SIZE)


def units_import_xlsx(*, actor, file, dry_run: bool = False) -> ImportResult:
    """Import units from an .xlsx upload (the columns of units.spreadsheets.UNIT_COLUMNS).

    All or nothing: every row is checked first and every problem is returned (`result.errors`, or
    `result.file_error` when the file itself is unusable); only a clean file is written, in one
    transaction. Rows whose 单位编号 exists update that unit; the others create units.
    `dry_run=True` checks and counts without writing (the preview)."""
    _require_admin(actor)
    result = ImportResult(dry_run=dry_run)
    try:
        sheet = read_units_sheet(file)
    except SpreadsheetError as exc:
        result.file_error = exc.message
        return result
    result.total_rows = len(sheet.rows)
    problems = list(sheet.problems)
    plan = _plan_import(sheet.rows, problems)
    column_order = {column.header: position for position, column in enumerate(UNIT_COLUMNS)}
    result.errors = sorted(problems, key=lambda p: (p.row, column_order.get(p.column, 99)))
    if result.errors:
        return result
    result.created = [ImportedUnit(row, unit.code, unit.name) for row, unit in plan.to_create]
    result.updated = [
        ImportedUnit(row, unit.code, unit.name, tuple(COLUMN_BY_FIELD[name].header for name in changes))
        for row, unit, changes in plan.to_update
    ]
    result.unchanged = plan.unchanged
    if dry_run:
        return result
    try:
        with transaction.atomic():
            _write_import(actor=actor, plan=plan, result=result, file_name=getattr(file, "name", "") or "")
    except IntegrityError:
        # Another admin saved a clashing code between our checks and the write.
        result.created, result.updated, result.unchanged = [], [], 0
        result.file_error = _("导入时数据已被他人修改(单位编号或统一社会信用代码冲突),未导入任何数据,请重新上传")
    return result
