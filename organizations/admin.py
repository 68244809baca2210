from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from organizations.models import ApiToken, Membership, Organization, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    readonly_fields = ["public_id", "date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password", "public_id"]}),
        (_("Profile"), {"fields": ["name", "language", "timezone"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "sector", "visibility_tier", "updated_at"]
    list_filter = ["sector", "visibility_tier"]
    search_fields = ["name", "acronym"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "hint", "can_write", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["can_write"]
    search_fields = ["name", "user__email"]
    readonly_fields = ["user", "hint", "created_at", "last_used_at", "revoked_at"]
    fields = ["user", "name", "hint", "can_write", "created_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request):
        # A token's secret is shown once to its owner; the owner creates it on their account page.
        return False
