"""Districts, participating units, people, memberships and the user with its role and scope."""
from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from greenoffice.models import TimeStampedModel


class Role(models.TextChoices):
    DIRECTOR = "director", _("单位办公室主任")
    INSPECTOR = "inspector", _("督查员")
    LEADER = "leader", _("领导")
    # The city's guidance committee office (市创绿系列活动指导委员会办公室) or its review panel: decides
    # per applicant after the bureau's review and the public evaluation (inspections.services.city_review).
    REVIEWER = "reviewer", _("市级评审")
    ADMIN = "admin", _("系统管理员")


class DistrictKind(models.TextChoices):
    CITY = "city", _("市直")
    COUNTY = "county", _("县市区")
    PARK = "park", _("园区")


class District(TimeStampedModel):
    code = models.CharField(_("区域代码"), max_length=20, unique=True)
    name = models.CharField(_("区域名称"), max_length=50, unique=True)
    kind = models.CharField(_("区域类型"), max_length=10, choices=DistrictKind.choices, default=DistrictKind.COUNTY)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class UnitCategory(models.TextChoices):
    PARTY = "party", _("党委")
    GOVERNMENT = "government", _("政府")
    CONGRESS = "congress", _("人大")
    CPPCC = "cppcc", _("政协")
    MASS_ORG = "mass_org", _("群团")
    JUDICIAL = "judicial", _("法检")
    INSTITUTION = "institution", _("事业单位")


credit_code_validator = RegexValidator(
    r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    _("统一社会信用代码应为18位数字或大写字母"),
)


class Unit(TimeStampedModel):
    code = models.CharField(_("单位编号"), max_length=20, unique=True)
    name = models.CharField(_("单位名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[credit_code_validator]
    )
    district = models.ForeignKey(District, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="units")
    category = models.CharField(_("单位类别"), max_length=20, choices=UnitCategory.choices)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    headcount = models.PositiveIntegerField(_("编制人数"), default=0)
    floor_area = models.DecimalField(
        _("建筑面积(平方米)"), max_digits=10, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    contact_name = models.CharField(_("联系人"), max_length=30, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("创建单位")
        verbose_name_plural = _("创建单位")
        ordering = ["district__sort_order", "code"]
        indexes = [models.Index(fields=["district", "category"])]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person who logs in. `role` decides what they may do; `districts` narrows an inspector's or a
    leader's scope (none = city-wide); a director's units come from memberships."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.DIRECTOR)
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号码"), max_length=30, blank=True)
    districts = models.ManyToManyField(District, verbose_name=_("负责区域"), blank=True, related_name="scoped_users")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def is_director(self) -> bool:
        return self.role == Role.DIRECTOR

    @property
    def is_inspector(self) -> bool:
        return self.role == Role.INSPECTOR

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


class Membership(TimeStampedModel):
    """A user who works in a unit. Directors act for their units; an inspector's own units are the
    ones they are never sent to inspect."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="memberships")
    position = models.CharField(_("职务"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="membership_unique_user_unit")]

    def __str__(self):
        return f"{self.user} @ {self.unit}"


class Person(TimeStampedModel):
    """A staff member of a unit who can be made responsible for rubric items (责任分解到人); most of
    them never log in."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="people")
    name = models.CharField(_("姓名"), max_length=50)
    position = models.CharField(_("职务/科室"), max_length=80, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_leadership_group = models.BooleanField(_("创建工作领导小组成员"), default=False)
    is_active = models.BooleanField(_("在职"), default=True)

    class Meta:
        verbose_name = _("单位人员")
        verbose_name_plural = _("单位人员")
        ordering = ["unit", "name"]

    def __str__(self):
        return f"{self.name}({self.position})" if self.position else self.name
