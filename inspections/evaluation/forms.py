"""Forms of the evaluation pages. They parse input; the services decide and raise the Chinese messages."""
from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.evaluation.models import ActivityKind, Tone
from inspections.evaluation.questions import COMMENT_MAX_LENGTH, QUESTIONS, Rating
from inspections.forms.visits import MultipleFileInput, MultipleImageField

HONEYPOT_FIELD = "website"


class QuestionnaireForm(forms.Form):
    """The public questionnaire. The comment has no maxlength attribute on purpose: a browser would cut
    a pasted text silently; the page counts characters (static/js/evaluation.js) and the service
    answers an over-long comment with a message while the chosen ratings stay selected."""

    comment = forms.CharField(
        label=_("意见建议(选填)"), required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control", "data-count-max": COMMENT_MAX_LENGTH,
                                     "aria-describedby": "comment-help"}),
    )
    # Honeypot: hidden from people (visually and from assistive technology), filled in by form bots.
    website = forms.CharField(label=_("网址(请勿填写)"), required=False,
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            self.fields[question.field] = forms.ChoiceField(
                label=question.label, help_text=question.help_text, choices=Rating.choices,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                error_messages={"required": _("请选择“%(q)s”的评价") % {"q": question.label}})
        # Questions first, then the comment and the trap.
        self.order_fields([q.field for q in QUESTIONS] + ["comment", HONEYPOT_FIELD])

    @property
    def question_fields(self):
        return [self[q.field] for q in QUESTIONS]

    @property
    def is_bot(self) -> bool:
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())

    def ratings(self) -> dict:
        return {q.key: self.cleaned_data.get(q.field) for q in QUESTIONS}


class RoundForm(forms.Form):
    title = forms.CharField(label=_("评议名称"), max_length=200, required=False,
                            help_text=_("不填则为“XXXX年度绿色机关创建公开评议”"))
    start_date = forms.DateField(label=_("评议开始"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("评议结束"), widget=forms.DateInput(attrs={"type": "date"}))
    threshold = forms.DecimalField(label=_("满意率门槛(%)"), max_digits=5, decimal_places=2, initial=80,
                                   help_text=_("满意率(总体满意度为“满意”或“基本满意”的答卷占比)达到此值方可命名;恰好等于门槛视为达到"))
    min_answers = forms.IntegerField(label=_("最少有效评议份数"), min_value=1,
                                     help_text=_("评议结束时答卷少于此数的单位视为未达到门槛"))
    intro = forms.CharField(label=_("评议说明(显示在问卷顶部)"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    open_answers_count = forms.BooleanField(
        label=_("公开链接答卷计入满意率"), required=False,
        help_text=_("默认只计入凭个人邀请码提交的答卷(一人一码);勾选后,不凭邀请码的答卷在下列限额内也计入,"
                    "超出限额的答卷单独列出、不计入"))
    open_per_address = forms.IntegerField(label=_("每个网络地址每天计入份数(每单位)"), min_value=1, initial=3)
    open_per_unit = forms.IntegerField(label=_("每个单位计入的公开链接答卷上限"), min_value=1, initial=50)


class InvitationForm(forms.Form):
    count = forms.IntegerField(label=_("生成数量"), min_value=1, max_value=500, initial=20)
    note = forms.CharField(label=_("备注(如发放地点)"), required=False, max_length=100)


class MediaFeedbackForm(forms.Form):
    target = forms.TypedChoiceField(label=_("涉及单位"), coerce=int, required=False, empty_value=None)
    source = forms.CharField(label=_("媒体来源"), max_length=100)
    published_on = forms.DateField(label=_("报道日期"), widget=forms.DateInput(attrs={"type": "date"}))
    tone = forms.ChoiceField(label=_("倾向"), choices=Tone.choices, widget=forms.RadioSelect)
    summary = forms.CharField(label=_("内容摘要"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    url = forms.URLField(label=_("原文链接"), required=False, max_length=500, assume_scheme="https")

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", _("全市创建工作(不针对具体单位)"))] + [
            (t.pk, t.unit.name) for t in targets]


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("通过")), ("reject", _("不采用"))])


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=200)
    kind = forms.ChoiceField(label=_("活动类型"), choices=ActivityKind.choices)
    date = forms.DateField(label=_("活动日期"), widget=forms.DateInput(attrs={"type": "date"}))
    location = forms.CharField(label=_("活动地点"), max_length=200, required=False)
    description = forms.CharField(label=_("活动内容"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))


class ParticipationForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("参加单位"), coerce=int)
    participants = forms.IntegerField(label=_("参加人数"), min_value=1, initial=1)
    summary = forms.CharField(label=_("参与情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleImageField(
        label=_("活动照片(可多选)"),
        widget=MultipleFileInput(attrs={"accept": "image/*", "multiple": True, "class": "form-control"}),
        help_text=_("JPG、PNG、WEBP或GIF,每张不超过20MB,最多9张"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class StarNominationForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("推荐单位"), coerce=int)
    citation = forms.CharField(label=_("推荐事迹"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class GuardianNominationForm(forms.Form):
    person = forms.TypedChoiceField(label=_("推荐人员"), coerce=int)
    citation = forms.CharField(label=_("推荐事迹"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, f"{p.name}({p.unit.name}{' · ' + p.position if p.position else ''})")
                                         for p in people]


class DecisionForm(forms.Form):
    selected = forms.TypedChoiceField(label=_("评选结果"), coerce=lambda v: v == "1",
                                      choices=[("1", _("当选")), ("0", _("未当选"))], widget=forms.RadioSelect)
    note = forms.CharField(label=_("评选意见"), required=False, max_length=1000)
