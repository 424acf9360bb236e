"""Admin for big-account projects: the organisation's control point list (an organisation
setting) and read-mostly projects."""

from __future__ import annotations

from django.contrib import admin

from customers.models import ControlPoint, ControlPointDefinition, Project


@admin.register(ControlPointDefinition)
class ControlPointDefinitionAdmin(admin.ModelAdmin):
    """The control points new projects get, in order; editable by admins."""

    list_display = ["position", "code", "name_zh", "name_en", "active"]
    list_editable = ["name_zh", "name_en", "active"]
    ordering = ["position"]


class ControlPointInline(admin.TabularInline):
    model = ControlPoint
    extra = 0
    fields = ["position", "name_zh", "name_en", "status", "owner", "due"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Projects with their control points."""

    list_display = ["name", "customer", "owner", "team", "status", "expected_signing"]
    list_filter = ["status", "team"]
    search_fields = ["name", "customer__name"]
    raw_id_fields = ["customer", "owner", "created_by"]
    inlines = [ControlPointInline]
