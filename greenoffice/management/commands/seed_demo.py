"""`manage.py seed_demo`: the demo city 示范市 — districts, 100 units, people, log-ins, the default rubric
and a campaign in progress, dated around the day it runs (greenoffice.demo.calendar): self-assessments
and their review rounds (greenoffice.demo.self_assessment),
spot-check rounds, visits and rectification orders (greenoffice.demo.supervision), year-end reviews, an objection,
publicity and certificates (greenoffice.demo.year_end). Who ends up where is planned in
greenoffice.demo.story; what to click
as whom is printed after the log-ins (greenoffice.demo.route).

Everything goes through the services, as the users would, with the story's dates (greenoffice.demo.context.History).
The command composes every app like greenoffice/urls.py does, so it lives in the composition layer.
Idempotent: every step looks its rows up by a natural key first (a unit whose records exist is skipped),
so a second run adds nothing.
Deterministic: each unit's random details come from a generator seeded with the unit's code.
Extending: write `def seed_<what>(ctx: SeedContext) -> None` and append it to `STEPS`; earlier steps
leave what later ones need on `ctx` (districts, units, users, rubric, campaign, liaisons, stories)."""
import argparse
import datetime
import random
import time
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessment.ledger.demo import seed_ledger
from assessment.ledger.models import MonthlyRecord
from assessment.models import Campaign, RubricStatus, RubricVersion
from assessment.rubric_schema import DEFAULT_RUBRIC_PATH, load_default_rubric
from assessment.services.campaign import campaign_create, campaign_enrol_units
from assessment.services.rubric import rubric_import, rubric_publish
from greenoffice.demo.calendar import DemoCalendar
from greenoffice.demo.context import SeedContext, add_days
from greenoffice.demo.data import (
    DEMO_USERS,
    DISTRICTS,
    GIVEN_CHARS,
    STREETS,
    SURNAMES,
    UNITS,
    head_title,
)
from greenoffice.demo.evaluation import seed_evaluation
from greenoffice.demo.route import demo_route, two_factor_note
from greenoffice.demo.self_assessment import (
    liaison_username,
    seed_liaisons,
    seed_plan,
    seed_self_assessments,
)
from greenoffice.demo.supervision import seed_supervision_early, seed_supervision_late
from greenoffice.demo.year_end import seed_certification, seed_year_end_reviews
from units.credit_code import credit_code_complete
from units.models import District, Person, Role, Unit, UnitCategory, User
from units.services import district_create, membership_add, person_create, unit_create, unit_update

# Demo only: printed on every run and shared by every demo account. Never use outside a demo.
DEMO_PASSWORD = "Green-Office-2026"
DEMO_CAMPAIGN_SUFFIX = "年度绿色机关创建"


# --- credit codes: GB 32100-2015 around an organisation code per GB 11714-1997 ---------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# Registration authority 1 (机构编制) + type: 1 机关, 2 事业单位, 3 群团
_CREDIT_PREFIX = {UnitCategory.INSTITUTION: "12", UnitCategory.MASS_ORG: "13"}


def organisation_code(body: str) -> str:
    total = sum(int(ch, 36) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(category: str, division: str, serial: int) -> str:
    # Multiplying by a prime coprime to 10 spreads the serials without collisions inside a division.
    body = f"{(int(division) * 7919 + serial * 104729) % 10**8:08d}"
    return credit_code_complete(_CREDIT_PREFIX.get(category, "11") + division + organisation_code(body))


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN_CHARS) + (rng.choice(GIVEN_CHARS) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


# --- steps -----------------------------------------------------------------------------------------

def seed_districts(ctx: SeedContext) -> None:
    existing = {d.code: d for d in District.objects.filter(code__in=[row[0] for row in DISTRICTS])}
    for code, name, kind, order, _division in DISTRICTS:
        if code not in existing:
            existing[code] = district_create(actor=None, code=code, name=name, kind=kind, sort_order=order)
            ctx.count("districts")
        ctx.districts[code] = existing[code]


def _headcount(rng: random.Random, district_kind: str, category: str) -> int:
    if district_kind == "park":
        return rng.randint(20, 80)
    low, high = {
        UnitCategory.JUDICIAL: (150, 400), UnitCategory.MASS_ORG: (20, 60), UnitCategory.INSTITUTION: (40, 200),
        UnitCategory.GOVERNMENT: (60, 400),
    }.get(category, (40, 200))
    if district_kind == "county":
        low, high = max(20, low // 2), max(60, high // 2)
    return rng.randint(low, high)


def seed_units(ctx: SeedContext) -> None:
    existing = {u.code: u for u in Unit.objects.filter(code__in=[
        f"{code}{n:03d}" for code, rows in UNITS.items() for n in range(1, len(rows) + 1)
    ])}
    divisions = {row[0]: row[4] for row in DISTRICTS}
    for district_code, rows in UNITS.items():
        district = ctx.districts[district_code]
        for n, (name, short_name, category) in enumerate(rows, start=1):
            code = f"{district_code}{n:03d}"
            unit = existing.get(code)
            if unit is None:
                rng = ctx.rng(code)
                headcount = _headcount(rng, district.kind, category)
                area = min(30000, max(800, headcount * rng.uniform(22, 48)))
                unit = unit_create(
                    actor=None, code=code, name=name, short_name=short_name, district=district, category=category,
                    credit_code=credit_code(category, divisions[district_code], n),
                    address=f"示范市{'' if district.kind == 'city' else district.name}"
                            f"{rng.choice(STREETS)}{rng.randint(1, 399)}号",
                    headcount=headcount, floor_area=Decimal(str(round(area, 1))),
                    contact_name="", contact_phone=f"0599-8{rng.randint(1000000, 9999999)}",
                )
                ctx.count("units")
            ctx.units[code] = unit
            ctx.units_by_name[name] = unit


def seed_people(ctx: SeedContext) -> None:
    """3–6 staff a unit; the head, a deputy and the office director form the leadership group."""
    with_people = set(Person.objects.filter(unit__in=ctx.units.values()).values_list("unit_id", flat=True))
    for code, unit in ctx.units.items():
        if unit.pk in with_people:
            continue
        rng = ctx.rng(f"people:{code}")
        title = head_title(unit.name)
        staff = [
            (f"{title}(创建工作领导小组组长)", True),
            (f"副{title}(创建工作领导小组副组长)" if not title.startswith("副") else title, True),
            ("办公室主任(创建联络员)", True),
        ]
        extras = ["办公室科员(节能管理员)", "财务科科长", "后勤服务中心主任"]
        staff += [(position, position == "后勤服务中心主任") for position in extras[: rng.randint(0, 3)]]
        names = set()
        for position, leadership in staff:
            name = person_name(rng)
            while name in names:
                name = person_name(rng)
            names.add(name)
            person_create(actor=None, unit=unit, name=name, position=position,
                          phone=f"139{rng.randint(0, 99999999):08d}", is_leadership_group=leadership)
            ctx.count("people")
            if position.startswith("办公室主任") and not unit.contact_name:
                # The liaison is the unit's contact; set through the unit service for the audit trail.
                ctx.units[code] = unit = _set_contact(unit, name)


def _set_contact(unit: Unit, name: str) -> Unit:
    return unit_update(actor=None, unit=unit, contact_name=name)


def seed_users(ctx: SeedContext) -> None:
    existing = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in DEMO_USERS])}
    password_hash = None
    for username, full_name, role, district_codes, unit_names in DEMO_USERS:
        user = existing.get(username)
        if user is None or ctx.reset_passwords:
            # One hash for all: PBKDF2 costs ~0.4 s per call and the demo password is shared anyway.
            password_hash = password_hash or make_password(DEMO_PASSWORD)
        if user is None:
            user = User.objects.create(
                username=username, full_name=full_name, role=role, password=password_hash,
                is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN,
            )
            if district_codes:
                user.districts.set([ctx.districts[c] for c in district_codes])
            ctx.count("users")
        elif ctx.reset_passwords:
            User.objects.filter(pk=user.pk).update(password=password_hash)
        for unit_name in unit_names:
            position = "办公室主任(创建联络员)" if role == Role.DIRECTOR else "督查员"
            membership_add(actor=None, user=user, unit=ctx.units_by_name[unit_name], position=position)
        ctx.users[username] = user


def seed_rubric(ctx: SeedContext) -> None:
    spec = load_default_rubric()
    rubric = RubricVersion.objects.filter(code=spec.code, version=spec.version).first()
    if rubric is None:
        rubric = rubric_import(actor=None, text=DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8"))
        ctx.count("rubric versions")
    if rubric.status != RubricStatus.PUBLISHED:
        rubric = rubric_publish(actor=None, rubric=rubric)
    ctx.rubric = rubric


def seed_campaign(ctx: SeedContext) -> None:
    """The demo campaign, dated around today (greenoffice.demo.calendar); a campaign built by an earlier
    run keeps its dates, and the rest of the story follows them."""
    campaign = Campaign.objects.filter(is_current=True, name__endswith=DEMO_CAMPAIGN_SUFFIX).first()
    if campaign is not None:
        ctx.calendar = DemoCalendar.from_start(campaign.self_assessment_start)
    else:
        ctx.calendar = cal = DemoCalendar.for_today(ctx.today)
        year = cal.campaign_year
        campaign = campaign_create(
            actor=None, year=year, name=f"{year}{DEMO_CAMPAIGN_SUFFIX}", rubric=ctx.rubric,
            target_certified_count=50, target_share=Decimal("80"), target_year=year + 2,
            self_assessment_start=cal.day(3, 1), self_assessment_end=cal.day(8, 31),
            application_deadline=cal.day(9, 15),
            review_start=cal.day(9, 16), review_end=cal.day(9, 30),
            public_evaluation_start=cal.day(10, 10), public_evaluation_end=cal.day(12, 10),
            publicity_start=cal.day(12, 15), publicity_end=cal.day(12, 21),
            objection_window_days=7, is_current=True,
        )
        ctx.count("campaigns")
    ctx.campaign = campaign
    enrolled = campaign_enrol_units(actor=None, campaign=campaign,
                                    units=[u for u in ctx.units.values() if u.is_active])
    ctx.count("enrolments", enrolled)


def _iso_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD,例如 2027-01-02(收到:{text})") from exc


def _pad(text: str, width: int) -> str:
    # Chinese characters take two columns in a terminal.
    used = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(1, width - used)


def seed_ledger_records(ctx: SeedContext) -> None:
    """Monthly consumption for every demo unit: the year before last and the last year, the months already
    over (on 1 January, the two years just ended)."""
    # seed_ledger returns the months written *or confirmed*: count the rows it added instead.
    before = MonthlyRecord.objects.count()
    last_year = add_days(ctx.today.replace(day=1), -1).year  # the year of the last finished month
    seed_ledger(list(ctx.units.values()), years=(last_year - 1, last_year), today=ctx.today)
    ctx.count("ledger months", MonthlyRecord.objects.count() - before)


STEP_TITLES = {
    "seed_districts": "区域", "seed_units": "单位", "seed_people": "人员", "seed_users": "演示账号",
    "seed_rubric": "考评细则", "seed_campaign": "年度创建活动", "seed_ledger_records": "能耗台账",
    "seed_liaisons": "联络员账号", "seed_plan": "各单位进度安排", "seed_self_assessments": "自评与审核",
    "seed_supervision_early": "抽查、暗访与整改(上半程)", "seed_year_end_reviews": "年终考核",
    "seed_supervision_late": "抽查、暗访与整改(近两个月)", "seed_certification": "公示与命名",
    "seed_evaluation": "公开评议",
}
STEPS = [
    seed_districts, seed_units, seed_people, seed_users, seed_rubric, seed_campaign, seed_ledger_records,
    seed_liaisons, seed_plan, seed_self_assessments, seed_supervision_early, seed_year_end_reviews,
    seed_supervision_late, seed_certification, seed_evaluation,
]


class Command(BaseCommand):
    help = ("生成演示数据(示范市:8个区域、100个单位、演示账号、默认考评细则、进行中的年度创建活动,"
            "日期以运行当天为准);可重复运行")

    def add_arguments(self, parser):
        parser.add_argument("--reset-passwords", action="store_true",
                            help=f"把演示账号的密码重置为演示密码 {DEMO_PASSWORD}")
        parser.add_argument("--today", type=_iso_date, metavar="YYYY-MM-DD",
                            help="按这一天铺开演示数据(默认今天;用于查看演示在一年中其他日子的样子)")

    def handle(self, *args, reset_passwords=False, today=None, **options):
        if today is None:
            return self.seed(reset_passwords=reset_passwords)
        try:
            import time_machine  # a development requirement: the demo's clock only
        except ImportError as exc:
            raise CommandError("--today 需要 time-machine(pip install -r requirements-dev.txt)") from exc
        local_ten = timezone.make_aware(datetime.datetime.combine(today, datetime.time(10)))
        with time_machine.travel(local_ten, tick=True):
            return self.seed(reset_passwords=reset_passwords)

    def seed(self, *, reset_passwords: bool):
        ctx = SeedContext(write=self.stdout.write, reset_passwords=reset_passwords)
        started = time.monotonic()
        with transaction.atomic():
            for n, step in enumerate(STEPS, start=1):
                # Progress on stderr: a minute of work should not look like a hang; stdout stays the report.
                self.stderr.write(f"演示数据 [{n}/{len(STEPS)}] {STEP_TITLES[step.__name__]}"
                                  f"({time.monotonic() - started:.0f}秒)", style_func=lambda text: text)
                step(ctx)
        if ctx.created:
            added = ",".join(f"{what} {n}" for what, n in ctx.created.items())
            self.stdout.write(self.style.SUCCESS(f"演示数据已生成:{added}"))
        else:
            self.stdout.write(self.style.SUCCESS("演示数据已存在,没有新增任何记录"))
        self.print_logins(ctx)
        self.print_route(ctx)

    def print_logins(self, ctx: SeedContext):
        self.stdout.write("")
        self.stdout.write(self.style.WARNING(f"演示账号(仅限演示环境!所有账号的密码都是:{DEMO_PASSWORD})"))
        self.stdout.write(f"{_pad('用户名', 14)}{_pad('姓名', 12)}{_pad('角色', 16)}范围")
        for username, full_name, role, district_codes, unit_names in DEMO_USERS:
            if role == Role.DIRECTOR:
                scope = "、".join(unit_names)
            elif role == Role.ADMIN:
                scope = "全部"
            else:
                scope = "、".join(ctx.districts[c].name for c in district_codes) or "全市"
            self.stdout.write(f"{_pad(username, 14)}{_pad(full_name, 12)}{_pad(str(Role(role).label), 16)}{scope}")
        liaisons = sum(1 for user in ctx.liaisons.values() if user.username not in ctx.users)
        if liaisons:
            self.stdout.write(f"另有{liaisons}个单位的联络员账号(如 {liaison_username('SZ001')})"
                              "只用于生成演示数据,不能登录。")

    def print_route(self, ctx: SeedContext):
        self.stdout.write("")
        self.stdout.write(self.style.WARNING("演示路线(用哪个账号、点什么)"))
        for n, line in enumerate(demo_route(ctx), start=1):
            self.stdout.write(f"{n:>2}. {line}")
        self.stdout.write("")
        for line in two_factor_note(ctx):
            self.stdout.write(self.style.NOTICE(line))
