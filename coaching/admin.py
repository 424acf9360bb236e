"""Admin for coaching: the diagnosis thresholds and read-mostly views of the records."""

from __future__ import annotations

from django.contrib import admin

from .models import (
    CoachingPlan,
    DiagnosisSettings,
    Finding,
    FollowUpSession,
    Goal,
    Measure,
    Recognition,
    Talk,
)


@admin.register(DiagnosisSettings)
class DiagnosisSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return not DiagnosisSettings.objects.exists()


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["rep", "team", "period_kind", "period_start", "symptom", "status"]
    list_filter = ["symptom", "status", "period_kind"]
    raw_id_fields = ["rep", "team"]


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 0
    raw_id_fields = ["owner", "visit"]


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0


class SessionInline(admin.TabularInline):
    model = FollowUpSession
    extra = 0
    raw_id_fields = ["author"]


@admin.register(CoachingPlan)
class CoachingPlanAdmin(admin.ModelAdmin):
    list_display = ["coachee", "team", "problem", "status", "start", "end"]
    list_filter = ["status", "cause_category"]
    raw_id_fields = ["coachee", "coach", "team", "finding"]
    inlines = [MeasureInline, GoalInline, SessionInline]


@admin.register(Talk)
class TalkAdmin(admin.ModelAdmin):
    list_display = ["rep", "supervisor", "held_on"]
    raw_id_fields = ["rep", "supervisor", "team", "plan"]


@admin.register(Recognition)
class RecognitionAdmin(admin.ModelAdmin):
    list_display = ["rep", "team", "by", "behaviour", "created_at"]
    raw_id_fields = ["rep", "team", "by"]
