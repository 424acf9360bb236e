"""Django admin for users, org units, memberships and settings, with search and filters."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .admin_changes import AnnouncingAdmin
from .figure_events import membership_events, settings_events
from .models import CalendarDay, Membership, Notification, OrgSettings, OrgUnit, User
from .pool_settings import FIELDS, pool_rules_problems
from .services import user_deactivate


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(AnnouncingAdmin, BaseUserAdmin):
    """Users with their memberships inline; deactivation also ends their sessions. A
    membership saved inline announces itself to the figures (accounts.admin_changes)."""

    announce = {Membership: membership_events}

    list_display = ["username", "display_name", "employee_no", "email", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "memberships__role", "memberships__unit"]
    search_fields = ["username", "display_name", "employee_no", "email", "phone"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("SalesOps"), {"fields": ("display_name", "phone", "employee_no", "language")}),
    )
    inlines = [MembershipInline]
    actions = ["deactivate"]

    @admin.action(description=_("Deactivate and end their sessions"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            user_deactivate(user=user)
        self.message_user(
            request, _("Deactivated %(n)d users.") % {"n": queryset.count()}, messages.SUCCESS
        )

    def save_model(self, request: HttpRequest, obj: User, form: object, change: bool) -> None:
        was_active = change and User.objects.filter(pk=obj.pk, is_active=True).exists()
        super().save_model(request, obj, form, change)
        if was_active and not obj.is_active:
            user_deactivate(user=obj)


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "segment", "is_active"]
    list_filter = ["kind", "segment", "is_active", "parent"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]


@admin.register(Membership)
class MembershipAdmin(AnnouncingAdmin):
    announce = {Membership: membership_events}
    list_display = ["user", "unit", "role", "start", "end"]
    list_filter = ["role", "unit__kind", "unit"]
    search_fields = ["user__username", "user__display_name", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]
    date_hierarchy = "start"


class OrgSettingsForm(forms.ModelForm):
    """The settings row; the public pool rules obey the rules of their own page
    (``accounts.pool_settings.pool_rules_problems``: N <= M <= K, bounds, release)."""

    class Meta:
        model = OrgSettings
        # every editable field (the admin lists them all; a new setting needs no edit here)
        fields = [f.name for f in OrgSettings._meta.fields if f.editable and not f.primary_key]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(isinstance(data.get(name), int) for name in FIELDS):
            for field, message in pool_rules_problems(data).items():
                self.add_error(field, message)
        return data


@admin.register(OrgSettings)
class OrgSettingsAdmin(AnnouncingAdmin):
    announce = {OrgSettings: settings_events}
    form = OrgSettingsForm
    list_display = ["__str__", "journal_deadline", "new_revenue_months", "pool_release_days"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "title", "created_at", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["user__username", "title", "key"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Work calendar entries; the product's year view (Work calendar) is the usual editor."""

    list_display = ["date", "is_workday", "name", "unit", "updated_by", "updated_at"]
    list_filter = ["is_workday", "unit"]
    search_fields = ["name"]
    date_hierarchy = "date"
    autocomplete_fields = ["unit"]
    readonly_fields = ["updated_by", "updated_at"]
