"""Administrators set funds up (financers, operators, schemes, budget lines), committees and their
outside members, and the Commission's base rates. Money never moves here: the ledger is
read-only in the admin (movements go through the services, which check the invariants)."""

from django.contrib import admin

from levier.core.admin import WorkflowAdminMixin, move_action

from .enums import CommitteeStatus

from .models import BaseRate, BudgetLine, Committee, Fund, FundFinancer, FundOperator, FundScheme, LedgerEntry


class FinancerInline(admin.TabularInline):
    model = FundFinancer
    raw_id_fields = ["organisation", "convention"]
    extra = 0


class OperatorInline(admin.TabularInline):
    model = FundOperator
    raw_id_fields = ["operator", "unit"]
    extra = 0


class SchemeInline(admin.TabularInline):
    model = FundScheme
    raw_id_fields = ["scheme"]
    extra = 0


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "manager", "revolving", "max_eu_rate"]
    search_fields = ["name", "slug"]
    # Searched as typed: a select over every organisation and commune took 15 s to render.
    autocomplete_fields = ["manager", "owner_unit", "perimeter"]
    inlines = [FinancerInline, OperatorInline, SchemeInline, BudgetLineInline]


@admin.register(Committee)
class CommitteeAdmin(WorkflowAdminMixin, admin.ModelAdmin):
    list_display = ["title", "fund", "held_on", "status"]
    list_filter = ["status", "fund"]
    filter_horizontal = ["members"]
    actions = [move_action(CommitteeStatus.HELD, "Marquer comme tenu", "Comité tenu")]


@admin.register(BaseRate)
class BaseRateAdmin(admin.ModelAdmin):
    """An administrator adds the base rate the Commission publishes (the shipped ones come from
    `levier funding load-reference`, with their source)."""

    list_display = ["effective_from", "rate", "source"]
    ordering = ["-effective_from"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ["on", "fund", "kind", "amount", "commitment", "note"]
    list_filter = ["kind", "fund"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
