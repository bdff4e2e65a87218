"""Read-only admin of the evaluation records: operators look things up here; every change goes
through the pages and services (validation, audit trail, the satisfaction gate)."""
from django.contrib import admin

from inspections.evaluation.models import (
    Activity,
    EvaluationResponse,
    EvaluationRound,
    EvaluationTarget,
    MediaFeedback,
    Nomination,
    Participation,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(ReadOnlyAdmin):
    list_display = ("title", "campaign", "start_date", "end_date", "threshold", "min_answers", "status")
    list_filter = ("status",)


@admin.register(EvaluationTarget)
class EvaluationTargetAdmin(ReadOnlyAdmin):
    list_display = ("unit", "round", "token", "created_at")
    search_fields = ("unit__name", "unit__code", "token")
    raw_id_fields = ("unit", "enrolment")


@admin.register(EvaluationResponse)
class EvaluationResponseAdmin(ReadOnlyAdmin):
    list_display = ("target", "submitted_at", "rating_overall", "comment_status")
    list_filter = ("comment_status", "rating_overall", "day")
    search_fields = ("target__unit__name", "comment")
    # The keys are hashes; shown so floods from one network can be spotted.
    readonly_fields = ("device_key", "network_key")


@admin.register(MediaFeedback)
class MediaFeedbackAdmin(ReadOnlyAdmin):
    list_display = ("source", "published_on", "tone", "target", "recorded_by")
    list_filter = ("tone",)


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "date", "is_cancelled")
    list_filter = ("kind", "is_cancelled")


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ("activity", "unit", "participants", "registered_by", "created_at")
    search_fields = ("unit__name", "activity__title")


@admin.register(Nomination)
class NominationAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "kind", "unit", "person", "status", "decided_by")
    list_filter = ("kind", "status", "campaign")
