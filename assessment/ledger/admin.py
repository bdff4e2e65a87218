"""Admin of the ledger. Factors and targets are changed through the services (audit and checks);
monthly records are read-only here: units correct them on their own ledger page."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from assessment.ledger import services
from assessment.ledger.models import ConversionFactor, EmissionFactor, LedgerTarget, MonthlyRecord, RecordEvidence


@admin.register(ConversionFactor)
class ConversionFactorAdmin(admin.ModelAdmin):
    list_display = ("kind", "kgce_per_unit", "density", "valid_from", "note")
    list_filter = ("kind",)
    fields = ("kind", "kgce_per_unit", "density", "valid_from", "note")

    def get_readonly_fields(self, request, obj=None):
        # A factor is identified by kind and date: a new date is a new row, not an edit.
        return ("kind", "valid_from") if obj else ()

    def save_model(self, request, obj, form, change):
        saved = services.factor_set(actor=request.user, kind=obj.kind, kgce_per_unit=obj.kgce_per_unit,
                                    valid_from=obj.valid_from, density=obj.density, note=obj.note)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EmissionFactor)
class EmissionFactorAdmin(admin.ModelAdmin):
    list_display = ("kind", "grid", "year", "kgco2_per_unit", "verified", "source")
    list_filter = ("kind", "grid", "year")
    fields = ("kind", "grid", "year", "kgco2_per_unit", "source", "verified")

    def get_readonly_fields(self, request, obj=None):
        # A factor is identified by kind, grid and year: a newly published year is a new row.
        return ("kind", "grid", "year") if obj else ()

    def save_model(self, request, obj, form, change):
        saved = services.emission_factor_set(actor=request.user, kind=obj.kind, grid=obj.grid, year=obj.year,
                                             kgco2_per_unit=obj.kgco2_per_unit, source=obj.source,
                                             verified=obj.verified)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerTarget)
class LedgerTargetAdmin(SimpleHistoryAdmin):
    list_display = ("campaign", "unit", "category", "per_capita_kgce", "per_area_kgce", "per_capita_tco2",
                    "per_area_kgco2", "baseline_year")
    list_filter = ("campaign", "category")
    autocomplete_fields = ("unit",)
    exclude = ("set_by",)

    def get_readonly_fields(self, request, obj=None):
        # The scope identifies the row in target_set: another scope is another target.
        return ("campaign", "unit", "category") if obj else ()

    def save_model(self, request, obj, form, change):
        saved = services.target_set(
            actor=request.user, campaign=obj.campaign, unit=obj.unit, category=obj.category,
            **{f: getattr(obj, f) for f in services.TARGET_FIELDS},
        )
        obj.pk = saved.pk


class RecordEvidenceInline(admin.TabularInline):
    model = RecordEvidence
    extra = 0
    fields = ("original_name", "content_type", "size", "uploaded_by", "created_at")
    readonly_fields = fields
    can_delete = False


@admin.register(MonthlyRecord)
class MonthlyRecordAdmin(SimpleHistoryAdmin):
    list_display = ("unit", "year", "month", "electricity_kwh", "water_m3", "headcount", "entered_by")
    list_filter = ("year", "unit__district", "unit__category")
    search_fields = ("unit__code", "unit__name")
    inlines = [RecordEvidenceInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
