import copy

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from organizations.forms import NormalisedNamesMixin
from organizations.models import (
    ApiToken,
    Contact,
    ContactReveal,
    Criterion,
    IntroductionBlock,
    IntroductionRequest,
    Invitation,
    Membership,
    Organization,
    OrganizationHold,
    RequesterVerification,
    Theme,
    User,
    VettingApplication,
)
from organizations.services import (
    PROFILE_FIELDS,
    contact_delete,
    contact_save,
    invitation_revoke,
    organization_clear_hold,
    organization_register,
    organization_update,
)
from organizations.services.contacts import CONTACT_FIELDS


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


class ReadOnlyMixin:
    """Rows that change only through their workflow (pages or API), never by a free edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MembershipInline(ReadOnlyMixin, admin.TabularInline):
    # Roles change on the members page, where the last-admin rule is enforced.
    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return False


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "role", "email", "phone", "secure_channel", "shareable"]


class _DryRun(Exception):
    pass


class OrganizationAdminForm(NormalisedNamesMixin, forms.ModelForm):
    """Asks the services before saving, inside a savepoint that is rolled back, so that what they
    refuse (a close name, an identity change, bad input) is shown on the form, not as an error
    page."""

    request = None

    def clean(self):
        cleaned = super().clean()
        if self.errors or self.request is None:
            return cleaned
        try:
            with transaction.atomic():
                _save_through_services(self.request, copy.copy(self.instance), cleaned)
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, error)
        return cleaned


def _save_through_services(request, organization, cleaned_data) -> Organization:
    fields = [*PROFILE_FIELDS, "themes"]
    profile = {f: cleaned_data[f] for f in fields if f in cleaned_data}
    if organization.pk:
        # Staff change the tier deliberately on this form; saving it is their confirmation.
        return organization_update(
            organization=organization,
            user=request.user,
            confirm_visibility_change=True,
            **profile,
        )
    return organization_register(user=request.user, **profile)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    form = OrganizationAdminForm
    list_display = ["name", "acronym", "sector", "visibility_tier", "held_for_review", "updated_at"]
    list_filter = ["held_for_review", "sector", "visibility_tier", "women_led", "youth_led"]
    search_fields = ["name", "acronym"]
    readonly_fields = [
        "public_id",
        "slug",
        "regions",
        "held_for_review",
        "created_at",
        "updated_at",
    ]
    inlines = [MembershipInline, ContactInline]
    actions = ["clear_hold"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def save_model(self, request, obj, form, change):
        saved = _save_through_services(request, obj, form.cleaned_data)
        if not change:
            obj.pk, obj.slug = saved.pk, saved.slug
            obj._state.adding = False

    @admin.action(description=_("Clear the name hold of the selected organizations"))
    def clear_hold(self, request, queryset):
        cleared = 0
        for organization in queryset.filter(held_for_review=True):
            organization_clear_hold(organization=organization, by=request.user)
            cleared += 1
        self.message_user(request, _("%(count)d organizations cleared.") % {"count": cleared})

    def save_related(self, request, form, formsets, change):
        # The themes were saved by the service in save_model.
        for formset in formsets:
            if formset.model is Contact:
                self._save_contacts(request, form.instance, formset)
            else:
                formset.save()

    def _save_contacts(self, request, organization, formset):
        # What formset.save() would have recorded, for the admin's change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline in formset.deleted_forms:
            if inline.instance.pk:
                contact_delete(contact=inline.instance, by=request.user)
                formset.deleted_objects.append(inline.instance)
        for inline in formset.forms:
            if inline in formset.deleted_forms or not inline.has_changed():
                continue
            is_new = not inline.instance.pk
            fields = {f: inline.cleaned_data[f] for f in CONTACT_FIELDS}
            contact = contact_save(
                organization=organization,
                by=request.user,
                contact=None if is_new else inline.instance,
                **fields,
            )
            if is_new:
                formset.new_objects.append(contact)
            else:
                formset.changed_objects.append((contact, inline.changed_data))


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "order"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["code", "group", "title", "order"]
    list_filter = ["group"]


@admin.register(VettingApplication)
class VettingApplicationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["organization", "status", "submitted_at", "decided_at", "valid_until"]
    list_filter = ["status"]
    search_fields = ["organization__name"]


@admin.register(IntroductionRequest)
class IntroductionRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["organization", "requester_organization", "status", "created_at"]
    list_filter = ["status"]


@admin.register(ContactReveal)
class ContactRevealAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["introduction", "user_email", "requester_organization_name", "channel", "at"]

    def has_delete_permission(self, request, obj=None):
        return False  # a security record


@admin.register(RequesterVerification)
class RequesterVerificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: the secretariat verifies and revokes on /vetting/requesters/ (one service)."""

    list_display = ["organization", "name", "sector", "method", "verified_at", "revoked_at"]
    list_filter = ["sector", "method"]
    search_fields = ["organization__name", "name"]


@admin.register(IntroductionBlock)
class IntroductionBlockAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["organization", "label", "created_at"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "email",
        "organization",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    exclude = ["token_hash"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected open invitations"))
    def revoke(self, request, queryset):
        revoked = 0
        for invitation in queryset.select_related("organization"):
            if invitation.is_open:
                invitation_revoke(invitation=invitation, by=request.user)
                revoked += 1
        self.message_user(request, _("%(count)d invitations revoked.") % {"count": revoked})


@admin.register(OrganizationHold)
class OrganizationHoldAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "organization", "created_at", "cleared_at", "cleared_by"]
    list_filter = [("cleared_at", admin.EmptyFieldListFilter)]

    def has_delete_permission(self, request, obj=None):
        return False  # the record of why an organization was held


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
