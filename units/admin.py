from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from units.models import District, Membership, Person, Unit, User


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "sort_order")


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "district", "category", "headcount", "is_active")
    list_filter = ("district", "category", "is_active")
    search_fields = ("code", "name", "short_name", "credit_code")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("unit",)


@admin.register(User)
class GreenOfficeUserAdmin(UserAdmin):
    list_display = ("username", "full_name", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = UserAdmin.fieldsets + (("绿色机关", {"fields": ("role", "full_name", "phone", "districts")}),)
    filter_horizontal = ("districts", "groups", "user_permissions")
    inlines = [MembershipInline]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "position", "is_leadership_group")
    search_fields = ("name", "unit__name")
