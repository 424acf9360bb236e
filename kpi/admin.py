"""Admin for targets, KPI runs, snapshots and monthly analyses.

Snapshots and runs are written by the engine only: read-only here. Runs can be started
from the admin with the "recompute now" action (kpi.services.kpi_run_start).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.admin_changes import AnnouncingAdmin

from .models import KpiDirty, KpiRun, KpiSnapshot, MonthlyAnalysis, MonthlyAnalysisComment, Target
from .targets import target_events


@admin.register(Target)
class TargetAdmin(AnnouncingAdmin):
    announce = {Target: target_events}
    list_display = ["month", "rep", "team", "metric", "value", "set_by", "acknowledged_at"]
    list_filter = ["metric", "month", "team"]
    search_fields = ["rep__username", "rep__display_name", "team__name", "team__code"]
    raw_id_fields = ["rep", "team", "set_by"]
    date_hierarchy = "month"


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(KpiRun)
class KpiRunAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "trigger",
        "status",
        "scope",
        "periods",
        "parts_done",
        "parts_total",
        "snapshots_written",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "trigger"]
    actions = ["recompute_again"]

    @admin.action(description=_("Recompute the same periods and scope now"))
    def recompute_again(self, request: HttpRequest, queryset: Any) -> None:
        from .services import kpi_run_start

        for run in queryset:
            kpi_run_start(
                trigger=KpiRun.Trigger.MANUAL,
                periods=list(run.periods),
                scope=run.scope,
                by=request.user,  # type: ignore[arg-type]
            )
        self.message_user(request, _("Recompute started."), messages.SUCCESS)


@admin.register(KpiSnapshot)
class KpiSnapshotAdmin(ReadOnlyAdmin):
    list_display = [
        "scope_kind",
        "scope_id",
        "period_kind",
        "period_start",
        "metric",
        "value",
        "numerator",
        "denominator",
        "status",
        "computed_at",
    ]
    list_filter = ["scope_kind", "period_kind", "status"]
    search_fields = ["metric"]
    list_select_related = False
    show_full_result_count = False


@admin.register(KpiDirty)
class KpiDirtyAdmin(ReadOnlyAdmin):
    list_display = ["team", "period_kind", "period_start", "trigger", "created_at"]


class CommentInline(admin.TabularInline):
    model = MonthlyAnalysisComment
    extra = 0
    raw_id_fields = ["author"]


@admin.register(MonthlyAnalysis)
class MonthlyAnalysisAdmin(admin.ModelAdmin):
    list_display = ["month", "team", "rep", "status", "author", "submitted_at", "revision"]
    list_filter = ["status", "month", "team"]
    raw_id_fields = ["rep", "team", "author", "reviewed_by"]
    inlines = [CommentInline]
