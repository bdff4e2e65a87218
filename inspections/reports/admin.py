"""Read-only admin of report jobs: operators look at status, errors and timings here; changes go
through the pages (retry) or the services."""
from django.contrib import admin

from inspections.reports.models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "unit", "campaign", "status", "progress", "attempts", "requested_by",
                    "requested_at", "finished_at")
    list_filter = ("kind", "status")
    search_fields = ("verification_code", "sha256", "unit__name", "unit__code")
    raw_id_fields = ("unit", "campaign", "round", "parent", "requested_by")
    date_hierarchy = "requested_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
