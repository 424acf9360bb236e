"""Django admin for journals: submission rules and exemptions are organisation settings
that admins maintain here; journals and visits are browsable read-mostly."""

from django.contrib import admin

from accounts.admin_changes import AnnouncingAdmin

from .figure_events import journal_events, visit_events
from .models import Comment, Exemption, Journal, JournalRevision, PlanItem, SubmissionRule, Visit


@admin.register(SubmissionRule)
class SubmissionRuleAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "reps_must_submit",
        "supervisors_must_submit",
        "deadline",
        "late_submission_allowed",
        "reviewer_role",
    ]
    autocomplete_fields = ["team"]


@admin.register(Exemption)
class ExemptionAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "start", "end", "note"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__display_name", "note"]
    autocomplete_fields = ["user"]
    date_hierarchy = "start"


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    extra = 0
    fk_name = "journal"
    raw_id_fields = ["customer", "carried_from"]


class VisitInline(admin.StackedInline):
    model = Visit
    extra = 0
    raw_id_fields = ["customer", "plan_item", "stage_change", "rep", "team"]


@admin.register(Journal)
class JournalAdmin(AnnouncingAdmin):
    announce = {Journal: journal_events, Visit: visit_events}
    list_display = ["day", "rep", "team", "status", "is_late", "submitted_at", "reviewed_at"]
    list_filter = ["status", "is_late", "team"]
    search_fields = ["rep__username", "rep__display_name"]
    date_hierarchy = "day"
    raw_id_fields = ["rep", "team", "evaluated_by", "reviewed_by"]
    inlines = [PlanItemInline, VisitInline]


@admin.register(Visit)
class VisitAdmin(AnnouncingAdmin):
    announce = {Visit: visit_events}
    list_display = [
        "occurred_at",
        "rep",
        "customer",
        "purpose",
        "outcome",
        "is_effective",
        "is_case",
    ]
    list_filter = ["purpose", "outcome", "is_case"]
    search_fields = ["customer__name", "rep__username"]
    raw_id_fields = ["journal", "rep", "team", "customer", "plan_item", "stage_change"]


admin.site.register(Comment)
admin.site.register(JournalRevision)
