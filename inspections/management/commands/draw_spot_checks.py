"""python manage.py draw_spot_checks --month 2026-05 --size 10 --seed 20260501

Creates the month's spot-check round (or uses the draft already there) and draws it, exactly as the
"抽取" button does. Drawing is recorded with actor "system"."""
import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessment.models import Campaign
from inspections.models import RoundStatus, SpotCheckRound
from inspections.services.rounds import round_create, round_draw, round_update
from units.models import District, Unit


def _month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"--month 应为 YYYY-MM 格式,收到 {value!r}") from None


class Command(BaseCommand):
    help = "抽取月度抽查单位(可复现:同样的种子和输入得到同样的单位)"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="抽查月份,YYYY-MM")
        size = parser.add_mutually_exclusive_group(required=True)
        size.add_argument("--size", type=int, help="抽查单位数量")
        size.add_argument("--share", help="抽查比例,0–1,例如 0.1")
        parser.add_argument("--seed", type=int, help="随机种子(不填则随机生成并记录)")
        parser.add_argument("--campaign", type=int, help="创建年度(默认为抽查月份所在年度)")
        parser.add_argument("--district", help="只在该区域代码内抽取")
        parser.add_argument("--no-weighting", action="store_true", help="不按风险加权(等概率抽取)")
        parser.add_argument("--no-repeat-months", type=int, default=3, help="不重复抽查间隔(月),默认3")

    def handle(self, *args, **options):
        month = _month(options["month"])
        year = options["campaign"] or month.year
        campaign = Campaign.objects.filter(year=year).first()
        if campaign is None:
            raise CommandError(f"没有{year}年度的创建活动")
        district = None
        if options["district"]:
            district = District.objects.filter(code=options["district"]).first()
            if district is None:
                raise CommandError(f"区域代码 {options['district']} 不存在")
        share = None
        if options["share"] is not None:
            try:
                share = Decimal(options["share"])
            except InvalidOperation:
                raise CommandError("--share 必须是0到1之间的小数") from None
        settings = {
            "month": month, "sample_size": options["size"], "sample_share": share, "district": district,
            "risk_weighting": not options["no_weighting"], "no_repeat_months": options["no_repeat_months"],
            "seed": options["seed"],
        }
        try:
            existing = SpotCheckRound.objects.filter(campaign=campaign, month=month, district=district).first()
            if existing is not None and existing.status == RoundStatus.DRAWN:
                raise CommandError(f"{month:%Y-%m} 的抽查批次已于 {existing.drawn_at:%Y-%m-%d %H:%M} 抽取(种子 "
                                   f"{existing.seed}),记录不可更改")
            if existing is None:
                spot_round = round_create(actor=None, campaign=campaign, **settings)
            else:
                spot_round = round_update(actor=None, spot_round=existing, **settings)
            spot_round = round_draw(actor=None, spot_round=spot_round)
        except ValidationError as exc:
            raise CommandError(";".join(exc.messages)) from None
        names = dict(Unit.objects.filter(pk__in=spot_round.drawn_unit_ids).values_list("pk", "name"))
        self.stdout.write(f"抽查批次 #{spot_round.pk} {month:%Y-%m},种子 {spot_round.seed},"
                          f"候选 {len(spot_round.candidates)} 个,抽中 {len(spot_round.drawn_unit_ids)} 个:")
        for unit_id in spot_round.drawn_unit_ids:
            self.stdout.write(f"  {unit_id}\t{names.get(unit_id, '')}")
