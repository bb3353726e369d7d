from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from levier.core.admin import WorkflowAdminMixin

from .models import Membership, MembershipLog, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name")}),
        ("Droits", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class MembershipLogInline(admin.TabularInline):
    model = MembershipLog
    readonly_fields = ["from_status", "to_status", "by", "at", "action", "reason"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(WorkflowAdminMixin, admin.ModelAdmin):
    """Memberships are decided in the site (with a reason); here an administrator sees their history."""

    list_display = ["user", "unit", "role", "status"]
    list_filter = ["role", "status"]
    search_fields = ["user__email", "unit__name", "unit__organisation__name"]
    raw_id_fields = ["user", "unit", "decided_by"]
    filter_horizontal = ["scope_units"]
    inlines = [MembershipLogInline]
