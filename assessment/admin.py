"""Django admin for the assessment app: a back-office view for administrators.

The app's own pages (and their services) are where state changes: campaigns, enrolments, stages and
self-assessments are read-only here so nothing bypasses validation, audit and the stage machine. The one
exception is a *draft* rubric's rows, which may be corrected here before publishing (publishing re-checks
the whole version); a published rubric is read-only."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from assessment.models import (
    BonusItem,
    Campaign,
    Enrolment,
    Evidence,
    ItemResponse,
    ItemReviewComment,
    RubricBlock,
    RubricDeduction,
    RubricItem,
    RubricStatus,
    RubricVersion,
    SelfAssessment,
    StageTransition,
    SubmissionRound,
)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _rubric_of(obj):
    if obj is None:
        return None
    if isinstance(obj, RubricVersion):
        return obj
    if isinstance(obj, RubricDeduction):
        return obj.item.rubric
    return getattr(obj, "rubric", None)


class DraftOnlyMixin:
    """Editable while the rubric version is a draft; view-only once published."""

    def _is_published(self, obj):
        rubric = _rubric_of(obj)
        return rubric is not None and rubric.status == RubricStatus.PUBLISHED

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._is_published(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._is_published(obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._is_published(obj)


class RubricBlockInline(DraftOnlyMixin, admin.TabularInline):
    model = RubricBlock
    extra = 0
    fields = ("order", "code", "title", "title_en", "points")


class BonusItemInline(DraftOnlyMixin, admin.TabularInline):
    model = BonusItem
    extra = 0
    fields = ("order", "code", "title", "title_en", "points")


class RubricDeductionInline(DraftOnlyMixin, admin.TabularInline):
    model = RubricDeduction
    extra = 0
    fields = ("order", "text", "points")


@admin.register(RubricVersion)
class RubricVersionAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "code", "version", "status", "published_at", "created_by")
    list_filter = ("status", "code")
    search_fields = ("title", "code")
    readonly_fields = ("status", "published_at", "created_by", "source_yaml", "created_at", "updated_at")
    inlines = [RubricBlockInline, BonusItemInline]

    def has_add_permission(self, request):
        # New versions come from a YAML import or "new version", which validate the whole rubric.
        return False


@admin.register(RubricItem)
class RubricItemAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ("code", "short_title", "points", "method", "must_pass", "rubric")
    list_filter = ("rubric", "method", "must_pass")
    search_fields = ("code", "title")
    list_select_related = ("rubric",)
    raw_id_fields = ("rubric", "block")
    inlines = [RubricDeductionInline]

    @admin.display(description=_("考评内容"))
    def short_title(self, obj):
        return obj.title[:40]

    def has_add_permission(self, request):
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("year", "name", "rubric", "is_current", "target_certified_count")
    list_select_related = ("rubric",)


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("unit", "campaign", "stage", "stage_changed_at")
    list_filter = ("campaign", "stage", "unit__district")
    search_fields = ("unit__name", "unit__code")
    list_select_related = ("unit", "campaign")


@admin.register(StageTransition)
class StageTransitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("enrolment", "from_stage", "to_stage", "actor", "at")
    list_filter = ("to_stage",)
    list_select_related = ("enrolment__unit", "enrolment__campaign", "actor")


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("enrolment", "status", "round", "submitted_at", "self_total")
    list_filter = ("status",)
    list_select_related = ("enrolment__unit", "enrolment__campaign")


@admin.register(ItemResponse)
class ItemResponseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("assessment", "item", "answered", "self_score")
    list_select_related = ("assessment__enrolment__unit", "assessment__enrolment__campaign", "item")


@admin.register(SubmissionRound)
class SubmissionRoundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("assessment", "number", "submitted_at", "decision", "decided_at")
    list_select_related = ("assessment__enrolment__unit", "assessment__enrolment__campaign")


@admin.register(ItemReviewComment)
class ItemReviewCommentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("round", "item")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("original_name", "response", "size", "uploaded_by", "created_at")
    exclude = ("file",)  # files go out only through the gated download view
