from django.contrib import admin

from .models import Qpv, ReferenceLoad, Territory, TerritoryLink


class ChildLinkInline(admin.TabularInline):
    model = TerritoryLink
    fk_name = "parent"
    raw_id_fields = ["child"]
    extra = 0


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "epci_type", "population", "valid_to"]
    list_filter = ["kind", "epci_type", "zone"]
    search_fields = ["code", "search_name", "name"]
    readonly_fields = ["search_name"]

    def get_inlines(self, request, obj):
        # Edition territories have tens of thousands of links; only project territories are edited here.
        return [ChildLinkInline] if obj is not None and obj.kind in ("project", "bassin") else []


@admin.register(Qpv)
class QpvAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "generation", "verified"]
    list_filter = ["generation", "verified"]
    search_fields = ["code", "name"]
    raw_id_fields = ["communes"]


@admin.register(ReferenceLoad)
class ReferenceLoadAdmin(admin.ModelAdmin):
    list_display = ["dataset", "edition", "loaded_at"]
    readonly_fields = ["dataset", "edition", "source", "loaded_at", "summary"]
