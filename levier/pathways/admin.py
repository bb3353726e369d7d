"""Administrators set protocols (parameters, objectives, retention) and structures up here;
participants are managed in the PLIE pages, where reads are logged and data scoped."""

from django.contrib import admin

from .models import Objective, PathwayImport, Protocol, Structure


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0


@admin.register(Protocol)
class ProtocolAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "starts_on", "ends_on", "fse_period", "unit")
    inlines = [ObjectiveInline]
    autocomplete_fields = ()
    raw_id_fields = ("territory", "previous", "programme", "unit")
    fieldsets = (
        (None, {"fields": ("slug", "name", "territory", "starts_on", "ends_on", "previous", "programme", "unit")}),
        ("Règles de sortie", {"fields": ("min_hours_per_month", "interim_short_months", "interim_short_hours",
                                         "interim_long_months", "interim_long_hours", "step_subtypes", "training_cap")}),
        ("Données et indicateurs", {"fields": ("nomenclature", "fse_period", "retention", "retention_years",
                                               "last_payment_on", "provenance")}),
    )


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ("name", "protocol", "lot", "bassin", "starts_on", "ends_on")
    list_filter = ("protocol",)
    raw_id_fields = ("unit", "bassin")


@admin.register(PathwayImport)
class PathwayImportAdmin(admin.ModelAdmin):
    list_display = ("at", "protocol", "file_name", "rows", "created", "updated", "by")
    readonly_fields = [f.name for f in PathwayImport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
