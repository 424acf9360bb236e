"""Admin for weekly reports (read-mostly: reports are written in the app)."""

from django.contrib import admin

from .models import (
    KeyCoachee,
    TeamKeyCustomer,
    TeamWeeklyComment,
    TeamWeeklyReport,
    WeeklyComment,
    WeeklyKeyCustomer,
    WeeklyReport,
    WeeklyReportRevision,
)


class KeyCustomerInline(admin.TabularInline):
    model = WeeklyKeyCustomer
    extra = 0
    raw_id_fields = ["customer"]


class RevisionInline(admin.TabularInline):
    model = WeeklyReportRevision
    extra = 0
    readonly_fields = ["number", "content", "created_at"]


class CommentInline(admin.TabularInline):
    model = WeeklyComment
    extra = 0
    raw_id_fields = ["author"]


@admin.register(WeeklyReport)
class WeeklyReportAdmin(admin.ModelAdmin):
    list_display = ["week", "rep", "team", "status", "submitted_at", "revision"]
    list_filter = ["status", "team"]
    search_fields = ["rep__username", "rep__display_name"]
    date_hierarchy = "week"
    raw_id_fields = ["rep", "team", "reviewed_by"]
    readonly_fields = ["figures", "created_at", "updated_at"]
    inlines = [KeyCustomerInline, CommentInline, RevisionInline]


class TeamKeyCustomerInline(admin.TabularInline):
    model = TeamKeyCustomer
    extra = 0
    raw_id_fields = ["customer", "owner"]


class KeyCoacheeInline(admin.TabularInline):
    model = KeyCoachee
    extra = 0
    raw_id_fields = ["rep", "plan"]


class TeamCommentInline(admin.TabularInline):
    model = TeamWeeklyComment
    extra = 0
    raw_id_fields = ["author"]


@admin.register(TeamWeeklyReport)
class TeamWeeklyReportAdmin(admin.ModelAdmin):
    list_display = ["week", "team", "status", "author", "submitted_at"]
    list_filter = ["status", "team"]
    date_hierarchy = "week"
    raw_id_fields = ["team", "author", "reviewed_by"]
    readonly_fields = ["figures", "updated_at"]
    inlines = [TeamKeyCustomerInline, KeyCoacheeInline, TeamCommentInline]
