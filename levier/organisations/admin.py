from django.contrib import admin

from .models import Establishment, Organisation, Unit


class EstablishmentInline(admin.TabularInline):
    model = Establishment
    raw_id_fields = ["commune", "qpv"]
    extra = 0


class UnitInline(admin.TabularInline):
    model = Unit
    fields = ["name", "kind", "reference_key"]
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "siren", "reference_key"]
    list_filter = ["kind", "is_ess"]
    search_fields = ["name", "siren", "rna", "reference_key"]
    inlines = [EstablishmentInline, UnitInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "reference_key"]
    search_fields = ["name", "organisation__name", "reference_key"]
    autocomplete_fields = ["territories"]
