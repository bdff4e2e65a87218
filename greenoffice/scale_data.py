"""Province-scale data for benchmarks: `manage.py generate_scale_data --units N --years Y`.

Writes what Y campaign years of N units leave behind: districts, units, their people and log-ins, the
published default rubric, one campaign a year with every unit enrolled, self-assessments (every
self-scored item answered, evidence records, submission rounds with their snapshot, returns), monthly
spot-check rounds of ~10% of the units with two inspectors a visit, checklist entries, findings (~2 a
visit), rectification orders (most closed on time, some late, some still open and overdue), year-end
reviews with all 27 item verifications scored by `assessment.scoring`, publicity batches and
certificates (a few revoked), and every enrolment's stage with the transitions that led there.

Why this bypasses the services (here only): taking 10,000 units through `response_save`,
`assessment_submit`, `checklist_record`, `review_finalise` ... one object at a time costs hours; the
rows are computed in Python and written in bulk (PostgreSQL COPY, `bulk_create` elsewhere). The shapes
follow what the services write: the same status/stage pairs, the snapshot layout of
`assessment.services.self_assessment._snapshot`, `scoring.score_unit` for the stored year-end result and
its provenance, order and certificate numbers from the services' own formatters. Left out on purpose:
the audit trail (AuditEvent), django-simple-history rows, notifications and the energy ledger; evidence
rows all point at one small shared file instead of 600,000 stored files (their sha256 values are fake).

Events happen on a calendar (the campaign's dates) and only those on or before `as_of` (today) are
written, so the latest campaign is caught mid-year with the stage mix that date implies; about one unit
in six runs late, which keeps review queues and open orders realistic at any time of the year."""
import csv
import datetime
import io
import json
import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from assessment import figures, scoring
from assessment.models import (
    AssessmentStatus,
    BonusItem,
    Campaign,
    Enrolment,
    Evidence,
    ItemResponse,
    ItemReviewComment,
    Method,
    ReviewDecision,
    RubricItem,
    RubricStatus,
    RubricVersion,
    SelfAssessment,
    Stage,
    StageTransition,
    SubmissionRound,
)
from assessment.rubric_schema import DEFAULT_RUBRIC_PATH, load_default_rubric
from assessment.selectors.rubric import rubric_scoring_rules
from assessment.selectors.self_assessment import deduction_counts, deduction_max_count
from inspections.models import (
    Certificate,
    CertificateStatus,
    ChecklistEntry,
    ChecklistResult,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionKind,
    InspectionStatus,
    ItemVerification,
    OrderStatus,
    ProofDecision,
    PublicityBatch,
    PublicityEntry,
    RectificationOrder,
    RectificationProof,
    ReviewOutcome,
    ReviewStatus,
    RoundStatus,
    SpotCheckRound,
    VerificationDecision,
    YearEndReview,
)
from inspections.selectors.year_end import review_outcome
from inspections.services.certification import add_years, certificate_number
from inspections.services.rectification import order_number
from units.credit_code import credit_code_complete
from units.models import District, DistrictKind, Membership, Person, Role, Unit, UnitCategory, User

USERNAME_PREFIX = "scale-"
UNIT_CODE_PREFIX = "S"
# Shared by every generated log-in (printed by the command); scale data is for benchmarks only.
SCALE_PASSWORD = "Scale-Data-2026"
SHARED_EVIDENCE_NAME = "evidence/scale/shared-evidence.pdf"
SPOT_CHECK_SHARE = Decimal("0.1")
ENTRIES_PER_VISIT = 8

# The tables the generator fills, parents first. --force empties exactly these (users: only ours).
GENERATED_MODELS = [
    District, Unit, Person, Membership,
    Campaign, Enrolment, StageTransition, SelfAssessment, ItemResponse, SubmissionRound, ItemReviewComment,
    Evidence,
    SpotCheckRound, Inspection, InspectionAssignment, ChecklistEntry, Finding, RectificationOrder,
    RectificationProof,
    YearEndReview, ItemVerification, PublicityBatch, PublicityEntry, Certificate,
]

DEPARTMENTS = (
    "委办公室", "政府办公室", "人大常委会办公室", "政协办公室", "纪律检查委员会", "委组织部", "委宣传部",
    "委统战部", "委政法委", "发展和改革局", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局",
    "司法局", "财政局", "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局",
    "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康局", "退役军人事务局", "应急管理局", "审计局",
    "市场监督管理局", "统计局", "医疗保障局", "机关事务管理局", "信访局", "总工会", "团委", "妇女联合会",
    "人民法院", "人民检察院", "图书馆", "疾病预防控制中心", "档案馆", "融媒体中心", "城市管理局", "林业局",
)
CATEGORY_OF = {
    "委": UnitCategory.PARTY, "人大": UnitCategory.CONGRESS, "政协": UnitCategory.CPPCC,
    "总工会": UnitCategory.MASS_ORG, "团委": UnitCategory.MASS_ORG, "妇女": UnitCategory.MASS_ORG,
    "人民法院": UnitCategory.JUDICIAL, "人民检察院": UnitCategory.JUDICIAL, "图书馆": UnitCategory.INSTITUTION,
    "疾病": UnitCategory.INSTITUTION, "档案馆": UnitCategory.INSTITUTION, "融媒体": UnitCategory.INSTITUTION,
}
PLACE_FIRST = "东西南北中清安平永兴长新德宁和丰华明光泰云青江河山湖"
PLACE_SECOND = "城阳山江源川林州海宁安平丰溪水桥口台"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文玉兰红梅海燕志宏斌鹏辉峰晨阳"
EXPLANATIONS = (
    "已按要求落实,相关文件和记录已归档。",
    "本年度已完成相关工作,台账资料齐全。",
    "部分资料仍在整理中,已明确责任人限期补齐。",
    "已制定制度并组织实施,附会议纪要和照片。",
)
FINDING_NOTES = (
    "会议室无人时空调仍在运行,未做到人走机关。",
    "卫生间水龙头存在长流水现象。",
    "垃圾分类投放点标识不清,其他垃圾桶内混有可回收物。",
    "办公区走廊灯具白天全部开启。",
    "公务用车未按规定登记使用台账。",
    "食堂存在明显浪费现象,未开展光盘行动宣传。",
)
RETURN_COMMENTS = ("佐证材料不完整,请补充后重新提交。", "部分项目自评得分依据不足,请核实。")
OVERRIDE_REASONS = ("现场核查发现台账不全,按细则扣分", "佐证材料与现场情况不符,按细则扣分")


# --- bulk writing ----------------------------------------------------------------------------------

def _to_text(field):
    """A function turning a Python value of `field` into COPY's CSV text (None → \\N)."""
    if isinstance(field, models.JSONField):
        return lambda v: "\\N" if v is None else json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    if isinstance(field, models.BooleanField):
        return lambda v: "\\N" if v is None else ("t" if v else "f")
    if isinstance(field, (models.DateTimeField, models.DateField)):
        return lambda v: "\\N" if v is None else v.isoformat()
    return lambda v: "\\N" if v is None else str(v)


class BulkWriter:
    """Buffers rows (dicts keyed by attname, primary keys chosen by the caller) and writes them in
    batches: COPY on PostgreSQL, bulk_create elsewhere. Ids come from `next_id`, so rows can point at
    each other before anything is written; the sequences are moved past them at the end."""

    def __init__(self, *, batch_size: int = 20000):
        self.batch_size = batch_size
        self.buffers: dict[type, list[dict]] = defaultdict(list)
        self.counts: dict[type, int] = defaultdict(int)
        self._next: dict[type, int] = {}
        self._meta: dict[type, tuple] = {}
        self.postgres = connection.vendor == "postgresql"
        self.now = timezone.now()

    def next_id(self, model) -> int:
        if model not in self._next:
            self._next[model] = (model._base_manager.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        value = self._next[model]
        self._next[model] = value + 1
        return value

    def add(self, model, row: dict) -> dict:
        self.buffers[model].append(row)
        if len(self.buffers[model]) >= self.batch_size:
            self.flush(model)
        return row

    def _fields(self, model):
        if model not in self._meta:
            fields = list(model._meta.local_concrete_fields)
            defaults = []
            for f in fields:
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                    defaults.append(self.now)
                elif f.has_default():
                    defaults.append(f.get_default())
                elif f.null:
                    defaults.append(None)
                elif f.empty_strings_allowed:
                    defaults.append("")
                else:
                    defaults.append(None)
            self._meta[model] = (fields, defaults, [_to_text(f) for f in fields])
        return self._meta[model]

    def flush(self, model=None):
        targets = [model] if model is not None else list(self.buffers)
        for target in targets:
            rows = self.buffers.pop(target, [])
            if not rows:
                continue
            fields, defaults, converters = self._fields(target)
            if self.postgres:
                buffer = io.StringIO()
                writer = csv.writer(buffer, lineterminator="\n")
                names = [f.attname for f in fields]
                spec = list(zip(names, defaults, converters, strict=True))
                writer.writerows([conv(row.get(name, default)) for name, default, conv in spec] for row in rows)
                buffer.seek(0)
                columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
                with connection.cursor() as cursor:
                    cursor.copy_expert(
                        f"COPY {connection.ops.quote_name(target._meta.db_table)} ({columns}) "
                        f"FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                        buffer,
                    )
            else:
                objs = []
                for row in rows:
                    values = {f.attname: row.get(f.attname, d) for f, d in zip(fields, defaults, strict=True)}
                    objs.append(target(**values))
                target._base_manager.bulk_create(objs, batch_size=500)
            self.counts[target] += len(rows)

    def finish(self):
        self.flush()
        sql = connection.ops.sequence_reset_sql(no_style(), list(self._next))
        if sql:
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)


# --- wiping ----------------------------------------------------------------------------------------

def database_has_domain_data() -> bool:
    return Unit.objects.exists() or Campaign.objects.exists()


def wipe_generated() -> None:
    """Empty the tables the generator fills (on a dedicated benchmark database) and delete our users."""
    tables = [m._meta.db_table for m in GENERATED_MODELS]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
            with connection.cursor() as cursor:
                # Deferred foreign-key checks of rows written earlier in this transaction (a test) must
                # run first: PostgreSQL refuses to truncate a table with pending trigger events.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                # CASCADE also empties what hangs off these rows elsewhere (reports, ledger records).
                cursor.execute(f"TRUNCATE {quoted} CASCADE")
                # Back to deferred checks (Django's foreign keys are INITIALLY DEFERRED): the generator
                # writes children before parents within its transaction.
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            from django.apps import apps

            dependants = [m for m in apps.get_models() if m not in GENERATED_MODELS and any(
                f.many_to_one and f.related_model in GENERATED_MODELS for f in m._meta.concrete_fields)]
            with connection.constraint_checks_disabled():
                for model in [*dependants, *reversed(GENERATED_MODELS)]:
                    model._base_manager.all()._raw_delete(connection.alias)
                User.districts.through.objects.all()._raw_delete(connection.alias)
        User.objects.filter(username__startswith=USERNAME_PREFIX).delete()


# --- the generator ---------------------------------------------------------------------------------

@dataclass
class ItemSpec:
    id: int
    code: str
    block: str
    title: str
    points: Decimal
    method: str
    must_pass: bool
    requires_evidence: bool
    deductions: list  # [(id, points, text, max_count)]

    @property
    def self_scored(self) -> bool:
        return self.method != Method.ONSITE


@dataclass
class UnitRow:
    id: int
    code: str
    name: str
    district_id: int
    quality: float
    director_id: int
    people_ids: list


@dataclass
class Plan:
    """One enrolment's year: the dates of its events (None = does not happen / not yet)."""

    enrolment_id: int
    unit: UnitRow
    assessment_id: int | None = None
    rounds: list = field(default_factory=list)  # [(submitted_at, decided_at|None, decider|None, decision)]
    loss: float = 0.0
    true_losses: dict = field(default_factory=dict)  # item id → deduction ids the inspector finds
    started_at: datetime.datetime | None = None
    status: str = AssessmentStatus.DRAFT
    round_number: int = 0
    accepted_at: datetime.datetime | None = None
    verified_total: Decimal | None = None
    responses: dict = field(default_factory=dict)  # item id → (deduction ids, self score)
    stage: str = Stage.NOT_STARTED
    transitions: list = field(default_factory=list)


def _aware(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))


class ScaleDataGenerator:
    def __init__(self, *, units: int, years: int, seed: int = 2026, as_of: datetime.date | None = None,
                 log=print):
        self.n_units = units
        self.n_years = years
        self.rng = random.Random(seed)
        self.as_of = as_of or timezone.localdate()
        self.as_of_dt = _aware(self.as_of, 18)
        self.log = log
        self.w = BulkWriter()
        self.password = make_password(SCALE_PASSWORD)
        self.summary: dict[str, int] = {}

    # -- helpers ---------------------------------------------------------------------------------------

    def _dt(self, day: datetime.date) -> datetime.datetime:
        return _aware(day, self.rng.randint(8, 17), self.rng.randint(0, 59))

    def _day_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        span = max(0, (end - start).days)
        return start + datetime.timedelta(days=self.rng.randint(0, span))

    def _name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    def _user(self, username: str, role: str, full_name: str, **extra) -> int:
        pk = self.w.next_id(User)
        self.w.add(User, {"id": pk, "username": username, "password": self.password, "role": role,
                          "full_name": full_name, "is_active": True, "date_joined": self.w.now, **extra})
        return pk

    # -- steps -----------------------------------------------------------------------------------------

    def run(self) -> dict:
        started = time.perf_counter()
        with transaction.atomic():
            self._rubric()
            self._org()
            self._campaigns()
            for campaign in self.campaigns:
                t0 = time.perf_counter()
                plans = self._self_assessments(campaign)
                self._spot_checks(campaign, plans)
                self._year_end(campaign, plans)
                self._write_enrolments(campaign, plans)
                self.w.flush()
                self.log(f"  {campaign['year']}: {time.perf_counter() - t0:.1f} s")
            self.w.finish()
            self._shared_file()
        if connection.vendor == "postgresql":
            # Fresh planner statistics: without them every plan is made for empty tables (autovacuum
            # gets there minutes later), which is not what a production database looks like.
            with connection.cursor() as cursor:
                for model in self.w.counts:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        # Written behind the services' backs: no audit event told the dashboard cache.
        from greenoffice.dashboard.cache import dashboard_cache_bump

        dashboard_cache_bump()
        self.summary = {m._meta.label: n for m, n in self.w.counts.items()}
        self.summary["seconds"] = round(time.perf_counter() - started, 1)
        return self.summary

    def _shared_file(self):
        if not default_storage.exists(SHARED_EVIDENCE_NAME):
            default_storage.save(SHARED_EVIDENCE_NAME, ContentFile(
                b"%PDF-1.4\n% scale-data placeholder evidence\n%%EOF\n"))

    def _rubric(self):
        spec = load_default_rubric()
        rubric = RubricVersion.objects.filter(code=spec.code, version=spec.version).first()
        if rubric is None:
            from assessment.services.rubric import rubric_import

            rubric = rubric_import(actor=None, text=DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8"))
        if rubric.status != RubricStatus.PUBLISHED:
            from assessment.services.rubric import rubric_publish

            rubric = rubric_publish(actor=None, rubric=rubric)
        self.rubric = rubric
        self.rules = rubric_scoring_rules(rubric)
        self.items: list[ItemSpec] = []
        for item in RubricItem.objects.filter(rubric=rubric).select_related("block").prefetch_related(
                "deductions").order_by("order"):
            deductions = [(d.pk, d.points, d.text, deduction_max_count(item, d)) for d in item.deductions.all()]
            self.items.append(ItemSpec(
                id=item.pk, code=item.code, block=item.block.code, title=item.title, points=item.points,
                method=item.method, must_pass=item.must_pass, requires_evidence=item.requires_evidence,
                deductions=deductions,
            ))
        self.bonus_items = list(BonusItem.objects.filter(rubric=rubric).order_by("order"))
        self.items_by_id = {i.id: i for i in self.items}

    def _org(self):
        rng = self.rng
        n_districts = max(2, round(self.n_units / 100))
        names = set()
        self.districts = []
        for n in range(n_districts):
            if n == 0:
                name, kind = "市直", DistrictKind.CITY
            else:
                kind = DistrictKind.PARK if n % 10 == 9 else DistrictKind.COUNTY
                suffix = {DistrictKind.PARK: "新区", DistrictKind.COUNTY: rng.choice(("区", "县", "市"))}[kind]
                name = rng.choice(PLACE_FIRST) + rng.choice(PLACE_SECOND) + suffix
                while name in names:
                    name = rng.choice(PLACE_FIRST) + rng.choice(PLACE_SECOND) + suffix
            names.add(name)
            pk = self.w.next_id(District)
            self.w.add(District, {"id": pk, "code": f"SD{n + 1:03d}", "name": name, "kind": kind,
                                  "sort_order": (n + 1) * 10})
            self.districts.append((pk, name, 330100 + n))

        # Units: spread over the districts (the city-level one a little bigger).
        self.units: list[UnitRow] = []
        per_district = defaultdict(int)
        for n in range(self.n_units):
            district_pk, district_name, division = self.districts[n % n_districts]
            k = per_district[district_pk]
            per_district[district_pk] += 1
            dept = DEPARTMENTS[k % len(DEPARTMENTS)]
            name = f"{district_name}{dept}" + (f"(第{k // len(DEPARTMENTS) + 1}分支)" if k >= len(DEPARTMENTS) else "")
            category = next((c for key, c in CATEGORY_OF.items() if key in dept), UnitCategory.GOVERNMENT)
            pk = self.w.next_id(Unit)
            code = f"{UNIT_CODE_PREFIX}{n + 1:06d}"
            body = f"11{division:06d}{n + 1:09d}"  # 17 characters from the code alphabet
            headcount = rng.randint(20, 300)
            self.w.add(Unit, {
                "id": pk, "code": code, "name": name, "short_name": dept[:30],
                "credit_code": credit_code_complete(body), "district_id": district_pk, "category": category,
                "address": f"{district_name}人民路{rng.randint(1, 999)}号",
                "headcount": headcount, "floor_area": Decimal(headcount * rng.randint(20, 45)),
                "contact_name": "", "contact_phone": f"0571-8{rng.randint(1000000, 9999999)}", "is_active": True,
            })
            people = []
            for position in ("创建工作领导小组组长", "创建工作领导小组副组长", "办公室主任(创建联络员)"):
                person_pk = self.w.next_id(Person)
                self.w.add(Person, {"id": person_pk, "unit_id": pk, "name": self._name(), "position": position,
                                    "is_leadership_group": True, "is_active": True})
                people.append(person_pk)
            director = self._user(f"{USERNAME_PREFIX}director-{code}", Role.DIRECTOR, self._name())
            self.w.add(Membership, {"id": self.w.next_id(Membership), "user_id": director, "unit_id": pk,
                                    "position": "办公室主任(创建联络员)"})
            self.units.append(UnitRow(id=pk, code=code, name=name, district_id=district_pk,
                                      quality=rng.gauss(0, 1), director_id=director, people_ids=people))

        # Inspectors (two per district plus a city-wide pool) and leaders (city-wide and per district).
        through = User.districts.through
        self.inspectors_by_district = defaultdict(list)
        self.city_inspectors = []
        for n in range(max(4, n_districts // 5)):
            self.city_inspectors.append(self._user(f"{USERNAME_PREFIX}inspector-city-{n + 1}", Role.INSPECTOR,
                                                   self._name()))
        for district_pk, _name, _div in self.districts:
            for n in range(2):
                pk = self._user(f"{USERNAME_PREFIX}inspector-d{district_pk}-{n + 1}", Role.INSPECTOR, self._name())
                self.w.add(through, {"id": self.w.next_id(through), "user_id": pk, "district_id": district_pk})
                self.inspectors_by_district[district_pk].append(pk)
            leader = self._user(f"{USERNAME_PREFIX}leader-d{district_pk}", Role.LEADER, self._name())
            self.w.add(through, {"id": self.w.next_id(through), "user_id": leader, "district_id": district_pk})
        for n in range(3):
            self._user(f"{USERNAME_PREFIX}leader-city-{n + 1}", Role.LEADER, self._name())
        self.admin_id = self._user(f"{USERNAME_PREFIX}admin", Role.ADMIN, "系统管理员", is_staff=True,
                                   is_superuser=True)
        self.w.flush()

    def _campaigns(self):
        self.campaigns = []
        last = self.as_of.year
        for year in range(last - self.n_years + 1, last + 1):
            pk = self.w.next_id(Campaign)
            row = {
                "id": pk, "year": year, "name": f"{year}年度绿色机关创建", "rubric_id": self.rubric.pk,
                "target_certified_count": round(self.n_units * 0.3), "target_share": Decimal("80"),
                "target_year": last + 2,
                "self_assessment_start": datetime.date(year, 3, 1), "self_assessment_end": datetime.date(year, 8, 31),
                "application_deadline": datetime.date(year, 9, 15),
                "review_start": datetime.date(year, 9, 16), "review_end": datetime.date(year, 9, 30),
                "public_evaluation_start": datetime.date(year, 10, 10),
                "public_evaluation_end": datetime.date(year, 12, 10),
                "publicity_start": datetime.date(year, 12, 15), "publicity_end": datetime.date(year, 12, 21),
                "objection_window_days": 7, "is_current": year == last,
                "created_at": _aware(datetime.date(year, 2, 1)), "updated_at": _aware(datetime.date(year, 2, 1)),
            }
            self.w.add(Campaign, row)
            self.campaigns.append(row)
        self.w.flush()

    # -- self-assessment -------------------------------------------------------------------------------

    def _move(self, plan: Plan, to_stage: str, at, actor, reason: str = ""):
        plan.transitions.append((plan.stage, to_stage, at, actor, reason))
        plan.stage = to_stage

    def _loss_pool(self, unit_quality: float, year_noise: float):
        """How many points this unit really loses this year: mean ~15.5, sd ~7 (verified total ~84.5)."""
        loss = 15.5 - 6.0 * unit_quality - 3.5 * year_noise
        return max(0.0, min(60.0, loss))

    def _choose_losses(self, loss: float) -> dict[int, list]:
        """Pick deductions (item id → [deduction ids]) adding up to about `loss` points; the tiered
        item without deductions loses whole points directly (key "tier")."""
        rng = self.rng
        pool = []
        for item in self.items:
            if item.deductions:
                for pk, points, _text, max_count in item.deductions:
                    pool.extend([(item, pk, points)] * max_count)
            else:
                # Tiered items (2.1) have no deductions: each lost point is a pseudo-deduction 0.
                pool.extend([(item, 0, Decimal(1))] * int(item.points))
        rng.shuffle(pool)
        chosen: dict[int, list] = defaultdict(list)
        lost_by_item: dict[int, Decimal] = defaultdict(Decimal)
        total = Decimal(0)
        for item, pk, points in pool:
            if total >= Decimal(str(loss)):
                break
            if item.must_pass and rng.random() > 0.02:
                # The energy target (must-pass 2.1) is rarely missed completely.
                if lost_by_item[item.id] + points >= item.points:
                    continue
            if lost_by_item[item.id] + points > item.points:
                continue
            chosen[item.id].append(pk)
            lost_by_item[item.id] += points
            total += points
        return chosen

    @staticmethod
    def _score(item: ItemSpec, deduction_ids: list) -> Decimal:
        if not item.deductions:
            return max(Decimal(0), item.points - len(deduction_ids))
        by_id = {pk: points for pk, points, _t, _m in item.deductions}
        return max(Decimal(0), item.points - sum((by_id[pk] for pk in deduction_ids), Decimal(0)))

    def _self_assessments(self, campaign: dict) -> list[Plan]:
        rng, w = self.rng, self.w
        year = campaign["year"]
        plans = []
        deadline = campaign["application_deadline"]
        for unit in self.units:
            plan = Plan(enrolment_id=w.next_id(Enrolment), unit=unit)
            plans.append(plan)
            year_noise = rng.gauss(0, 1)
            plan.loss = self._loss_pool(unit.quality, year_noise)
            plan.true_losses = self._choose_losses(plan.loss)
            late = rng.random() < 0.16
            start_day = self._day_between(datetime.date(year, 3, 1), datetime.date(year, 5, 31))
            if rng.random() < 0.01 or _aware(start_day) > self.as_of_dt:
                continue  # never started (yet)
            plan.assessment_id = w.next_id(SelfAssessment)
            start = self._dt(start_day)
            self._move(plan, Stage.SELF_ASSESSING, start, unit.director_id, "开始自评")
            first_submit = self._day_between(datetime.date(year, 5, 15), deadline) if not late else \
                self._day_between(deadline, datetime.date(year, 12, 10))
            # Answering 23 items takes a while: never submitted before about a week after starting.
            first_submit = max(first_submit, start_day + datetime.timedelta(days=rng.randint(7, 20)))
            # Self deductions: the unit admits most, not all, of what it really loses (inflation).
            admitted = {
                item_id: [pk for pk in ids if rng.random() < 0.62]
                for item_id, ids in plan.true_losses.items()
            }
            answered_share = 1.0
            submitted_at = self._dt(first_submit)
            if submitted_at > self.as_of_dt:
                answered_share = rng.uniform(0.2, 0.95)
            responses = {}
            for item in self.items:
                if not item.self_scored:
                    continue
                if answered_share < 1.0 and rng.random() > answered_share:
                    continue
                ids = sorted(admitted.get(item.id, []))
                responses[item.id] = (ids if item.deductions else [], self._score(item, ids))
            plan.responses = responses
            plan.started_at = start
            status = AssessmentStatus.DRAFT
            number = 0
            at = submitted_at
            while at <= self.as_of_dt:
                number += 1
                self._move(plan, Stage.SUBMITTED if number == 1 else Stage.RESUBMITTED, at, unit.director_id,
                           f"第{number}轮提交自评")
                decided = at + datetime.timedelta(days=rng.randint(1, 21), hours=rng.randint(0, 6))
                if decided > self.as_of_dt:
                    plan.rounds.append((at, None, None, ""))
                    status = AssessmentStatus.SUBMITTED
                    break
                reviewer = self._inspector_for(unit)
                returned = rng.random() < (0.25 if number == 1 else 0.08)
                if returned:
                    plan.rounds.append((at, decided, reviewer, ReviewDecision.RETURNED))
                    self._move(plan, Stage.RETURNED, decided, reviewer, rng.choice(RETURN_COMMENTS))
                    status = AssessmentStatus.RETURNED
                    at = decided + datetime.timedelta(days=rng.randint(3, 20))
                    continue
                plan.rounds.append((at, decided, reviewer, ReviewDecision.ACCEPTED))
                self._move(plan, Stage.ACCEPTED, decided, reviewer, "材料齐全,同意")
                status = AssessmentStatus.ACCEPTED
                plan.accepted_at = decided
                break
            plan.status = status
            plan.round_number = number
        self._write_assessments(campaign, plans)
        return plans

    def _inspector_for(self, unit: UnitRow) -> int:
        pool = self.inspectors_by_district.get(unit.district_id) or self.city_inspectors
        return self.rng.choice(pool)

    def _write_assessments(self, campaign: dict, plans: list[Plan]):
        rng, w = self.rng, self.w
        items = [i for i in self.items if i.self_scored]
        for plan in plans:
            if plan.assessment_id is None:
                continue
            unit = plan.unit
            last_submit = plan.rounds[-1][0] if plan.rounds else None
            self_total = sum((score for _ids, score in plan.responses.values()), Decimal(0))
            w.add(SelfAssessment, {
                "id": plan.assessment_id, "enrolment_id": plan.enrolment_id, "status": plan.status,
                "round": plan.round_number, "submitted_at": last_submit, "self_total": self_total,
                "revision": len(plan.responses) + plan.round_number * 2, "created_at": plan.started_at,
                "updated_at": plan.transitions[-1][2],
            })
            files_round = 1 if plan.round_number else None
            evidence_rows = {}
            for item in items:
                if item.id not in plan.responses:
                    continue
                ids, score = plan.responses[item.id]
                response_id = w.next_id(ItemResponse)
                answered_at = plan.started_at + datetime.timedelta(days=rng.randint(0, 40))
                w.add(ItemResponse, {
                    "id": response_id, "assessment_id": plan.assessment_id, "item_id": item.id, "answered": True,
                    "deduction_ids": ids, "self_score": score, "explanation": rng.choice(EXPLANATIONS),
                    "responsible_id": rng.choice(unit.people_ids), "updated_by_id": unit.director_id,
                    "created_at": answered_at, "updated_at": answered_at,
                })
                files = []
                if item.requires_evidence:
                    for k in range(1 if rng.random() < 0.8 else 2):
                        evidence_id = w.next_id(Evidence)
                        name = f"{item.code}佐证材料{k + 1}.pdf"
                        w.add(Evidence, {
                            "id": evidence_id, "response_id": response_id, "file": SHARED_EVIDENCE_NAME,
                            "original_name": name, "extension": ".pdf", "content_type": "application/pdf",
                            "size": rng.randint(40_000, 2_000_000), "sha256": f"{rng.getrandbits(256):064x}",
                            "uploaded_by_id": unit.director_id, "submitted_in_round": files_round,
                            "is_withdrawn": False, "created_at": answered_at, "updated_at": answered_at,
                        })
                        files.append((evidence_id, name))
                evidence_rows[item.id] = files
            # Submission rounds with the snapshot layout of assessment_submit.
            for number, (submitted_at, decided_at, decider, decision) in enumerate(plan.rounds, start=1):
                round_id = w.next_id(SubmissionRound)
                w.add(SubmissionRound, {
                    "id": round_id, "assessment_id": plan.assessment_id, "number": number,
                    "submitted_at": submitted_at, "submitted_by_id": unit.director_id,
                    "snapshot": self._snapshot(plan, number, self_total, evidence_rows),
                    "decision": decision, "decided_at": decided_at, "decided_by_id": decider,
                    "comment": rng.choice(RETURN_COMMENTS) if decision == ReviewDecision.RETURNED else (
                        "材料齐全,同意" if decision else ""),
                })
                if decision == ReviewDecision.RETURNED:
                    for item in rng.sample(items, k=rng.randint(1, 3)):
                        w.add(ItemReviewComment, {"id": w.next_id(ItemReviewComment), "round_id": round_id,
                                                  "item_id": item.id, "comment": "请补充该项佐证材料"})

    def _snapshot(self, plan: Plan, number: int, self_total: Decimal, evidence_rows: dict) -> dict:
        entries = {}
        for item in self.items:
            response = plan.responses.get(item.id)
            ids, score = response if response is not None else ([], None)
            texts = {pk: (text, points) for pk, points, text, _m in item.deductions}
            entries[item.code] = {
                "title": item.title, "block": item.block, "max_points": str(item.points), "method": item.method,
                "answered": response is not None,
                "deduction_ids": list(ids),
                "deductions": [{"id": pk, "text": texts[pk][0], "points": str(texts[pk][1]), "count": count}
                               for pk, count in deduction_counts(ids).items() if pk in texts],
                "self_score": None if score is None else str(score),
                "explanation": "", "responsible": "",
                "evidence": [{"id": pk, "name": name, "sha256": "", "size": 0, "content_type": "application/pdf",
                              "round": 1} for pk, name in evidence_rows.get(item.id, [])],
            }
        return {"round": number, "self_total": str(self_total), "items": entries}

    # -- spot checks -----------------------------------------------------------------------------------

    def _spot_checks(self, campaign: dict, plans: list[Plan]):
        rng, w = self.rng, self.w
        year = campaign["year"]
        last_visit: dict[int, datetime.date] = {}
        self.findings_by_enrolment: dict[int, list] = defaultdict(list)
        order_sequence = 0
        past_year = year < self.as_of.year
        for month in range(1, 13):
            month_start = datetime.date(year, month, 1)
            if month_start > self.as_of:
                break
            candidates = [p for p in plans if p.stage != Stage.REVOKED]
            eligible = [p for p in candidates
                        if p.unit.id not in last_visit or (month_start - last_visit[p.unit.id]).days > 85]
            size = max(1, int(len(candidates) * SPOT_CHECK_SHARE))
            drawn = rng.sample(eligible, k=min(size, len(eligible)))
            drawn.sort(key=lambda p: p.unit.id)
            round_id = w.next_id(SpotCheckRound)
            drawn_at = _aware(month_start, 9)
            w.add(SpotCheckRound, {
                "id": round_id, "campaign_id": campaign["id"], "month": month_start, "sample_share": SPOT_CHECK_SHARE,
                "sample_size": None, "risk_weighting": True, "no_repeat_months": 3, "seed": rng.getrandbits(31),
                # The stored draw inputs in sampling.Candidate.as_dict() layout, every candidate as
                # round_draw stores them (their risk inputs simplified: the draw here is uniform).
                "candidates": [{"unit_id": p.unit.id, "open_orders": 0, "overdue_orders": 0,
                                "last_verified_score": None, "gap": 0.0,
                                "months_since_visit": None if p.unit.id not in last_visit else
                                (month - last_visit[p.unit.id].month) % 12,
                                "visited_this_year": p.unit.id in last_visit} for p in candidates],
                "weights": {str(p.unit.id): 1.0 for p in candidates},
                "drawn_unit_ids": [p.unit.id for p in drawn],
                "draw_log": {"candidates": len(candidates), "size": size, "months_left": 13 - month},
                "status": RoundStatus.DRAWN, "created_by_id": self.admin_id, "drawn_by_id": self.admin_id,
                "drawn_at": drawn_at, "created_at": drawn_at, "updated_at": drawn_at,
            })
            for plan in drawn:
                unit = plan.unit
                last_visit[unit.id] = month_start
                visit_id = w.next_id(Inspection)
                team = self._team(unit)
                month_end = (month_start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
                done_day = self._day_between(month_start + datetime.timedelta(days=2),
                                             month_end - datetime.timedelta(days=3))
                completed_at = self._dt(done_day)
                completed = completed_at <= self.as_of_dt
                w.add(Inspection, {
                    "id": visit_id, "kind": InspectionKind.SPOT_CHECK, "campaign_id": campaign["id"],
                    "enrolment_id": plan.enrolment_id, "unit_id": unit.id, "round_id": round_id,
                    "scheduled_date": month_start,
                    "status": InspectionStatus.COMPLETED if completed else InspectionStatus.PLANNED,
                    "summary": "月度抽查" if completed else "", "started_at": completed_at - datetime.timedelta(hours=2)
                    if completed else None,
                    "completed_at": completed_at if completed else None,
                    "completed_by_id": team[0] if completed else None, "created_by_id": self.admin_id,
                    "created_at": drawn_at, "updated_at": completed_at if completed else drawn_at,
                })
                for inspector in team:
                    w.add(InspectionAssignment, {"id": w.next_id(InspectionAssignment), "inspection_id": visit_id,
                                                 "inspector_id": inspector, "assigned_at": drawn_at})
                if not completed:
                    continue
                n_findings = min(ENTRIES_PER_VISIT, max(0, round(rng.gauss(2, 1.2))))
                checked = rng.sample(self.items, k=ENTRIES_PER_VISIT)
                for k, item in enumerate(checked):
                    result = ChecklistResult.COMPLIANT
                    if k < n_findings:
                        result = ChecklistResult.SERIOUS if rng.random() < 0.2 else ChecklistResult.MINOR
                    on_site = result == ChecklistResult.MINOR and rng.random() < 0.25
                    note = rng.choice(FINDING_NOTES) if result != ChecklistResult.COMPLIANT else ""
                    entry_id = w.next_id(ChecklistEntry)
                    recorded = completed_at - datetime.timedelta(minutes=90 - k * 5)
                    w.add(ChecklistEntry, {
                        "id": entry_id, "inspection_id": visit_id, "item_id": item.id, "result": result,
                        "note": note, "rectified_on_site": on_site, "recorded_by_id": team[0],
                        "created_at": recorded, "updated_at": recorded,
                    })
                    if result == ChecklistResult.COMPLIANT:
                        continue
                    finding_id = w.next_id(Finding)
                    finding = {
                        "id": finding_id, "inspection_id": visit_id, "entry_id": entry_id,
                        "campaign_id": campaign["id"], "enrolment_id": plan.enrolment_id, "unit_id": unit.id,
                        "item_id": item.id, "severity": result, "description": note, "rectified_on_site": on_site,
                        "rectified_at": completed_at if on_site else None, "created_by_id": team[0],
                        "created_at": completed_at, "updated_at": completed_at,
                    }
                    if not on_site and rng.random() < 0.9:
                        order_sequence += 1
                        self._order(campaign, finding, unit, team, order_sequence, past_year)
                    w.add(Finding, finding)
                    self.findings_by_enrolment[plan.enrolment_id].append(finding)

    def _team(self, unit: UnitRow) -> list[int]:
        pool = list(self.inspectors_by_district.get(unit.district_id, ()))
        if len(pool) < 2:
            pool += self.rng.sample(self.city_inspectors, k=2)
        return self.rng.sample(pool, k=2)

    def _order(self, campaign, finding: dict, unit: UnitRow, team: list[int], sequence: int, past_year: bool):
        """An order raised from the finding, its acknowledgement, proofs and verification, as far as
        the calendar has got. Sets the finding's rectified_at when the order is closed."""
        rng, w = self.rng, self.w
        year = campaign["year"]
        issued_at = finding["created_at"] + datetime.timedelta(days=rng.randint(0, 2), hours=1)
        if issued_at > self.as_of_dt:
            return
        deadline = (issued_at + datetime.timedelta(days=rng.choice((15, 20, 30)))).date()
        order_id = w.next_id(RectificationOrder)
        row = {
            "id": order_id, "finding_id": finding["id"], "campaign_id": campaign["id"], "unit_id": unit.id,
            "year": year, "sequence": sequence, "number": order_number(year, sequence),
            "required_action": "立即整改并上传整改前后对比照片", "deadline": deadline, "status": OrderStatus.ISSUED,
            "issued_by_id": team[0], "issued_at": issued_at, "created_at": issued_at, "updated_at": issued_at,
        }
        ack = issued_at + datetime.timedelta(days=rng.randint(0, 3), hours=2)
        fate = rng.random()
        open_share = 0.03 if past_year else 0.10
        if ack <= self.as_of_dt:
            row.update(status=OrderStatus.ACKNOWLEDGED, acknowledged_by_id=unit.director_id, acknowledged_at=ack,
                       updated_at=ack)
        deadline_dt = _aware(deadline, 17)
        if row["status"] == OrderStatus.ACKNOWLEDGED and fate >= open_share:
            late = fate < open_share + 0.18
            proof_at = ack + datetime.timedelta(days=rng.randint(2, max(2, (deadline - ack.date()).days)))
            if late:
                proof_at = deadline_dt + datetime.timedelta(days=rng.randint(1, 25))
            reopen = rng.random() < 0.1
            verifier = team[1]
            while proof_at <= self.as_of_dt:
                decided_at = proof_at + datetime.timedelta(days=rng.randint(1, 6))
                decided = decided_at <= self.as_of_dt
                decision = ""
                if decided:
                    decision = ProofDecision.REOPENED if reopen else ProofDecision.CLOSED
                w.add(RectificationProof, {
                    "id": w.next_id(RectificationProof), "order_id": order_id, "note": "已按要求整改,附整改照片。",
                    "submitted_by_id": unit.director_id, "submitted_at": proof_at, "decision": decision,
                    "decided_by_id": verifier if decided else None, "decided_at": decided_at if decided else None,
                    "decision_reason": "整改不彻底,请继续整改" if decision == ProofDecision.REOPENED else "",
                })
                if not decided:
                    row.update(status=OrderStatus.PROOF_SUBMITTED, updated_at=proof_at)
                    break
                if decision == ProofDecision.REOPENED:
                    row.update(status=OrderStatus.ACKNOWLEDGED, reopen_count=1, updated_at=decided_at)
                    reopen = False
                    proof_at = decided_at + datetime.timedelta(days=rng.randint(2, 10))
                    continue
                row.update(status=OrderStatus.CLOSED, closed_by_id=verifier, closed_at=decided_at,
                           updated_at=decided_at)
                finding["rectified_at"] = decided_at
                break
        if row["status"] != OrderStatus.CLOSED:
            reminder = _aware(deadline - datetime.timedelta(days=3), 8)
            if reminder <= self.as_of_dt:
                row["reminder_sent_at"] = reminder
            escalate = _aware(deadline + datetime.timedelta(days=1), 8)
            if escalate <= self.as_of_dt:
                row["escalated_at"] = escalate
        w.add(RectificationOrder, row)

    # -- year-end review and certification ------------------------------------------------------------

    def _year_end(self, campaign: dict, plans: list[Plan]):
        rng, w = self.rng, self.w
        year = campaign["year"]
        review_start = campaign["review_start"]
        batch_open = _aware(campaign["publicity_start"], 9)
        named_at = _aware(campaign["publicity_end"] + datetime.timedelta(days=1), 10)
        batch_id = None
        certificate_sequence = 0
        valid_years = settings.GREENOFFICE_CERTIFICATE_VALID_YEARS
        for plan in plans:
            if plan.accepted_at is None:
                continue
            unit = plan.unit
            begin = max(plan.accepted_at.date(), review_start)
            finalised_at = max(self._dt(begin + datetime.timedelta(days=rng.randint(0, 20))),
                               plan.accepted_at + datetime.timedelta(hours=2))
            if finalised_at > self.as_of_dt:
                continue
            reviewer = self._inspector_for(unit)
            review_id = w.next_id(YearEndReview)
            inputs, verifications = [], []
            for item in self.items:
                response = plan.responses.get(item.id)
                true_ids = sorted(plan.true_losses.get(item.id, []))
                values = {"code": item.code, "block_code": item.block, "max_points": item.points,
                          "title": item.title, "must_pass": item.must_pass}
                if response is not None:
                    values["self_score"] = response[1]
                    values["self_deductions"] = self._deductions(item, response[0])
                true_score = self._score(item, true_ids)
                if response is not None and response[1] == true_score and (
                        not item.deductions or sorted(response[0]) == true_ids):
                    values["accepted"] = True
                    decision, ids, score, reason = VerificationDecision.ACCEPT, [], response[1], ""
                else:
                    score = true_score
                    ids = true_ids if item.deductions else []
                    values["verified_score"] = score
                    values["verified_deductions"] = self._deductions(item, ids)
                    reason = rng.choice(OVERRIDE_REASONS) if response is not None and score != response[1] else ""
                    values["override_reason"] = reason
                    decision = VerificationDecision.OVERRIDE
                inputs.append(scoring.ItemInput(**values))
                verifications.append((item, decision, ids, score, reason))
            open_findings = [
                scoring.FindingInput(id=f["id"], item_code=self.items_by_id[f["item_id"]].code, severity=f["severity"],
                                     rectified=f["rectified_at"] is not None and f["rectified_at"] <= finalised_at,
                                     title=f["description"][:40])
                for f in self.findings_by_enrolment.get(plan.enrolment_id, ()) if f["created_at"] <= finalised_at
            ]
            claims = {}
            if rng.random() < 0.3:
                for bonus in rng.sample(self.bonus_items, k=min(len(self.bonus_items), rng.randint(1, 2))):
                    claims[bonus.code] = "获评市级节约型机关示范案例"
            bonus_inputs = [scoring.BonusInput(code=b.code, points=b.points, title=b.title)
                            for b in self.bonus_items if b.code in claims]
            vetoes = [self.rubric.vetoes[0]] if self.rubric.vetoes and rng.random() < 0.004 else []
            score = scoring.score_unit(self.rules, inputs, open_findings, bonus_inputs, vetoes)
            outcome = review_outcome(score)
            row = {
                "id": review_id, "enrolment_id": plan.enrolment_id, "status": ReviewStatus.FINALISED,
                "started_by_id": reviewer, "bonus_claims": claims, "vetoes": vetoes,
                **figures.stored_values(score),
                "grade": score.grade.grade, "certified": score.certified, "outcome": outcome,
                "not_certified_reasons": list(score.not_certified_reasons),
                "provenance": {code: list(lines) for code, lines in score.provenance.items()},
                "finalised_by_id": reviewer, "finalised_at": finalised_at,
                "created_at": finalised_at - datetime.timedelta(days=2), "updated_at": finalised_at,
            }
            for item, decision, ids, item_score, reason in verifications:
                w.add(ItemVerification, {
                    "id": w.next_id(ItemVerification), "review_id": review_id, "item_id": item.id,
                    "decision": decision, "deduction_ids": ids, "verified_score": item_score, "reason": reason,
                    "verified_by_id": reviewer, "created_at": finalised_at - datetime.timedelta(hours=3),
                    "updated_at": finalised_at - datetime.timedelta(hours=3),
                })
            reason = f"年终考核:{score.grade.grade},合格判定得分{scoring.format_points(score.pass_score)}"
            self._move(plan, Stage.REVIEWED, finalised_at, reviewer, reason)
            self._move(plan, outcome, finalised_at, reviewer, reason)
            if outcome == ReviewOutcome.RECTIFYING:
                recheck_at = finalised_at + datetime.timedelta(days=rng.randint(30, 60))
                if recheck_at <= self.as_of_dt:
                    result = ReviewOutcome.PASSED if rng.random() < 0.7 else ReviewOutcome.FAILED
                    checker = self._inspector_for(unit)
                    row.update(recheck_outcome=result, recheck_note="复查:整改到位" if result == ReviewOutcome.PASSED
                               else "复查:整改不到位", recheck_by_id=checker, recheck_at=recheck_at)
                    self._move(plan, result, recheck_at, checker, row["recheck_note"])
            w.add(YearEndReview, row)
            # Publicity and naming: those passed before the batch opens are in it.
            passed_at = plan.transitions[-1][2]
            if plan.stage == Stage.PASSED and passed_at < batch_open and batch_open <= self.as_of_dt:
                if batch_id is None:
                    batch_id = w.next_id(PublicityBatch)
                    closed = named_at <= self.as_of_dt
                    w.add(PublicityBatch, {
                        "id": batch_id, "campaign_id": campaign["id"], "title": f"{year}年度绿色机关创建达标单位公示",
                        "start_date": campaign["publicity_start"], "end_date": campaign["publicity_end"],
                        "is_closed": closed, "created_by_id": self.admin_id,
                        "closed_by_id": self.admin_id if closed else None, "closed_at": named_at if closed else None,
                        "created_at": batch_open, "updated_at": named_at if closed else batch_open,
                    })
                w.add(PublicityEntry, {"id": w.next_id(PublicityEntry), "batch_id": batch_id,
                                       "enrolment_id": plan.enrolment_id})
                self._move(plan, Stage.PUBLICITY, batch_open, self.admin_id, f"列入公示:{year}年度公示")
                if named_at <= self.as_of_dt:
                    certificate_sequence += 1
                    number = certificate_number(year, certificate_sequence)
                    cert = {
                        "id": w.next_id(Certificate), "enrolment_id": plan.enrolment_id, "unit_id": unit.id,
                        "batch_id": batch_id, "year": year, "sequence": certificate_sequence, "number": number,
                        "issued_on": named_at.date(), "valid_until": add_years(named_at.date(), valid_years),
                        "status": CertificateStatus.VALID, "issued_by_id": self.admin_id,
                        "created_at": named_at, "updated_at": named_at,
                    }
                    self._move(plan, Stage.CERTIFIED, named_at, self.admin_id, f"命名,证书编号{number}")
                    revoke_at = named_at + datetime.timedelta(days=rng.randint(60, 700))
                    if rng.random() < 0.01 and revoke_at <= self.as_of_dt:
                        cert.update(status=CertificateStatus.REVOKED, revoked_at=revoke_at, revoked_by_id=self.admin_id,
                                    revoke_reason="回头看发现问题整改不到位", updated_at=revoke_at)
                        self._move(plan, Stage.REVOKED, revoke_at, self.admin_id, "撤销称号:回头看发现问题整改不到位")
                    w.add(Certificate, cert)

    def _deductions(self, item: ItemSpec, ids: list) -> tuple:
        by_id = {pk: (points, text) for pk, points, text, _m in item.deductions}
        return tuple(scoring.Deduction(points=by_id[pk][0], text=by_id[pk][1], count=count)
                     for pk, count in deduction_counts(ids).items() if pk in by_id)

    def _write_enrolments(self, campaign: dict, plans: list[Plan]):
        w = self.w
        enrolled_at = _aware(datetime.date(campaign["year"], 2, 20))
        for plan in plans:
            changed = plan.transitions[-1][2] if plan.transitions else None
            w.add(Enrolment, {
                "id": plan.enrolment_id, "campaign_id": campaign["id"], "unit_id": plan.unit.id, "stage": plan.stage,
                "stage_changed_at": changed, "leadership_group": "组长、副组长、办公室主任",
                "created_at": enrolled_at, "updated_at": changed or enrolled_at,
            })
            for from_stage, to_stage, at, actor, reason in plan.transitions:
                w.add(StageTransition, {"id": w.next_id(StageTransition), "enrolment_id": plan.enrolment_id,
                                        "from_stage": from_stage, "to_stage": to_stage, "actor_id": actor, "at": at,
                                        "reason": reason})
        # Enrolments are written after their children were buffered; flush them first so the children's
        # foreign keys resolve even on databases that check constraints immediately.
        w.flush(Enrolment)


def score_stats(campaign_year: int | None = None) -> dict:
    """Mean and standard deviation of the final scores (for the command's summary)."""
    qs = YearEndReview.objects.filter(status=ReviewStatus.FINALISED)
    if campaign_year:
        qs = qs.filter(enrolment__campaign__year=campaign_year)
    values = [float(v) for v in qs.values_list("final_score", flat=True)]
    if not values:
        return {"n": 0}
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return {"n": len(values), "mean": round(mean, 1), "sd": round(sd, 1)}
