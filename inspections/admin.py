"""Read-only admin of the inspections records: operators look things up here; every change goes
through the pages and services (which own validation, the audit trail and the stage machine)."""
from django.contrib import admin

from inspections.models import (
    Certificate,
    ChecklistEntry,
    Finding,
    Inspection,
    ItemVerification,
    Notification,
    Objection,
    PublicityBatch,
    RectificationOrder,
    SpotCheckRound,
    YearEndReview,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SpotCheckRound)
class SpotCheckRoundAdmin(ReadOnlyAdmin):
    list_display = ("month", "campaign", "district", "sample_size", "sample_share", "risk_weighting", "seed",
                    "status", "drawn_by", "drawn_at")
    list_filter = ("status", "campaign", "district")


class ChecklistEntryInline(admin.TabularInline):
    model = ChecklistEntry
    fields = ("item", "result", "note", "rectified_on_site", "recorded_by")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "unit", "scheduled_date", "status", "completed_at")
    list_filter = ("kind", "status", "campaign")
    search_fields = ("unit__name", "unit__code")
    raw_id_fields = ("unit", "enrolment", "round")
    inlines = [ChecklistEntryInline]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("id", "unit", "item", "severity", "rectified_at", "created_at")
    list_filter = ("severity", "campaign")
    search_fields = ("unit__name", "description")
    raw_id_fields = ("unit", "enrolment", "inspection", "entry", "item")


@admin.register(RectificationOrder)
class RectificationOrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "unit", "deadline", "status", "reopen_count", "reminder_sent_at", "escalated_at")
    list_filter = ("status", "year")
    search_fields = ("number", "unit__name")
    raw_id_fields = ("finding", "unit")


class ItemVerificationInline(admin.TabularInline):
    model = ItemVerification
    fields = ("item", "decision", "verified_score", "reason", "verified_by")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(YearEndReview)
class YearEndReviewAdmin(ReadOnlyAdmin):
    list_display = ("enrolment", "status", "verified_total", "supervision_deduction", "pass_score", "bonus",
                    "final_score", "grade", "certified", "outcome", "finalised_at")
    list_filter = ("status", "outcome", "certified")
    search_fields = ("enrolment__unit__name",)
    inlines = [ItemVerificationInline]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("review", "status", "raised_at", "ruled_by", "ruled_at")
    list_filter = ("status",)


@admin.register(PublicityBatch)
class PublicityBatchAdmin(ReadOnlyAdmin):
    list_display = ("title", "campaign", "start_date", "end_date", "is_closed")


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("number", "unit", "issued_on", "valid_until", "status")
    list_filter = ("status", "year")
    search_fields = ("number", "unit__name")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "title", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "user__username")
