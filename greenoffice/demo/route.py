"""What seed_demo prints after the log-ins: the demo route (what to click as whom, read from the data as
it stands, so it stays true after people have clicked around) and how two-factor log-in affects it."""
import os

from django.conf import settings
from django.urls import reverse

from assessment.models import DeadlineExtension, Enrolment, ItemResponse, Method, Stage
from greenoffice.demo import story
from greenoffice.demo.context import SeedContext
from inspections.models import (
    Certificate,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Objection,
    ObjectionStatus,
    OrderStatus,
    PublicityBatch,
    RectificationOrder,
    YearEndReview,
)
from units.models import Role


def _who(ctx: SeedContext, username: str) -> str:
    user = ctx.users.get(username)
    return f"{username}({user.full_name})" if user else username


def demo_route(ctx: SeedContext) -> list[str]:
    lines = []
    campaign = ctx.campaign
    by_name = ctx.units_by_name
    stage = dict(Enrolment.objects.filter(campaign=campaign).values_list("unit__name", "stage"))

    name = "南湖县人民法院"
    if stage.get(name) == Stage.SELF_ASSESSING:
        answered = ItemResponse.objects.filter(assessment__enrolment__campaign=campaign, answered=True,
                                               assessment__enrolment__unit__name=name).count()
        total = sum(1 for item in campaign.rubric.items.all() if item.method != Method.ONSITE)
        extension = DeadlineExtension.objects.filter(enrolment__campaign=campaign,
                                                     enrolment__unit__name=name).order_by("-granted_at").first()
        extended = f"(自评截止已过,督查员批准延期至{extension.new_date:%m月%d日})" if extension else ""
        lines.append(f"{_who(ctx, 'director4')} · 自评:{name}填报中(已填{answered}/{total}项){extended},继续逐项填报、"
                     "上传佐证材料,填完后提交;首页和创建日程列出截止日期")
    name = "西城区财政局"
    if stage.get(name) == Stage.RETURNED:
        lines.append(f"{_who(ctx, 'director3')} · 自评:{name}的自评被退回,看退回原因和逐项意见,修改后重新提交")
    waiting = Enrolment.objects.filter(campaign=campaign, stage__in=(Stage.SUBMITTED, Stage.RESUBMITTED))
    if waiting.exists():
        again = waiting.filter(stage=Stage.RESUBMITTED).count()
        lines.append(f"{_who(ctx, 'inspector1')} · 审核:{waiting.count()}个单位待审核(含示范市统计局、"
                     f"重新提交的{again}个),逐项查看后通过或退回修改")
    order = (RectificationOrder.objects.filter(campaign=campaign, unit__name=story.OPEN_ORDER_UNIT,
                                               status=OrderStatus.ISSUED).order_by("deadline").first())
    if order:
        lines.append(f"{_who(ctx, 'director2')} · 整改通知:{order.unit.name}收到{order.number}"
                     f"(整改时限{order.deadline:%Y-%m-%d}),签收后上传整改材料;再由督查员验收销号")
    visit = (Inspection.objects.filter(campaign=campaign, kind=InspectionKind.SPOT_CHECK,
                                       status=InspectionStatus.IN_PROGRESS).select_related("unit").first())
    if visit:
        to_verify = RectificationOrder.objects.filter(campaign=campaign, status=OrderStatus.PROOF_SUBMITTED).count()
        lines.append(f"{_who(ctx, 'inspector2')} · 用手机打开督查检查:{visit.scheduled_date:%Y年%m月}抽查,"
                     f"{visit.unit.name}检查中,逐项记录、拍照、完成检查;整改通知里{to_verify}份整改材料待验收")
    objection = (Objection.objects.filter(status=ObjectionStatus.PENDING, review__enrolment__campaign=campaign)
                 .select_related("review__enrolment__unit", "review__finalised_by").first())
    if objection:
        reviewer = objection.review.finalised_by
        lines.append(f"{_who(ctx, 'inspector1')} · 年终考核:{objection.review.enrolment.unit.name}对考核结果提出异议,"
                     f"由原考核人({reviewer})以外的督查员裁定")
    review = (YearEndReview.objects.filter(enrolment__campaign=campaign, enrolment__unit__name=story.RECENT_REVIEW_UNIT,
                                           finalised_at__isnull=False).first())
    if review and not Objection.objects.filter(review=review).exists():
        lines.append(f"{_who(ctx, 'director5')} · 年终考核结果:{story.RECENT_REVIEW_UNIT} {review.grade}"
                     f"({review.final_score}分),异议期内可提出一次异议")
    certificate = Certificate.objects.filter(enrolment__campaign=campaign,
                                             unit=by_name.get("示范市发展和改革委员会")).first()
    if certificate:
        lines.append(f"{_who(ctx, 'director1')} · 整改通知 → 年终考核:示范市发展和改革委员会已命名"
                     f"({certificate.number}),看考核结果和每一分的来源")
    certified = Enrolment.objects.filter(campaign=campaign, stage=Stage.CERTIFIED).count()
    lines.append(f"{_who(ctx, 'leader')} / {_who(ctx, 'leader_dc')} · 数据看板:挂图作战、目标进度(已命名{certified}/"
                 f"{campaign.target_certified_count})、逾期未整改、排名;东城区领导只看东城区")
    pending = (Enrolment.objects.filter(campaign=campaign, stage=Stage.PASSED, publicity_entry__isnull=True)
               .exclude(city_decisions__isnull=False).count())
    if pending:
        lines.append(f"{_who(ctx, 'reviewer')} · 市级评审:{pending}个考核通过的单位待评审,"
                     "看年终考核结果、公开评议进展和未整改问题;公开评议结束后逐一作出同意命名、暂缓或不予命名的结论,"
                     "同意命名后方可公示")
    batch = PublicityBatch.objects.filter(campaign=campaign, is_closed=False).order_by("end_date").first()
    if batch:
        lines.append(f"{_who(ctx, 'admin')} · 年终考核 → 创建认定:{batch.title}至{batch.end_date:%Y-%m-%d}结束,"
                     "结束后命名、发证")
    port = os.environ.get("PORT", "8000")
    lines.append(f"公开名单(无需登录):http://127.0.0.1:{port}{reverse('inspections:public_certified')}")
    return lines


def two_factor_note(ctx: SeedContext) -> list[str]:
    roles = set(getattr(settings, "GREENOFFICE_REQUIRE_2FA_ROLES", ()) or ())
    if not roles:
        return ["两步验证:本次未强制(GREENOFFICE_REQUIRE_2FA_ROLES 为空),仅限演示;生产环境始终强制管理员和督查员使用。"]
    names = [username for username, user in ctx.users.items()
             if user.role in roles or (user.is_superuser and Role.ADMIN in roles)]
    return [
        f"两步验证:{'、'.join(names)} 首次登录后须设置两步验证——用手机身份验证器(Microsoft Authenticator、"
        "Google 身份验证器、FreeOTP 等)扫描页面上的二维码并输入6位验证码,此后每次登录都要输入验证码。",
        "只想快速看界面:GREENOFFICE_REQUIRE_2FA_ROLES= make run(本次运行不强制两步验证;仅限演示,生产环境始终强制)。",
    ]
