"""Admin for the customer file models, with search and filters."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin_changes import AnnouncingAdmin

from . import figure_events
from .models import (
    BillingMonth,
    Contact,
    Contract,
    Customer,
    CustomerNote,
    ImportJob,
    Ownership,
    ProductUsage,
    RevenueRecord,
    ServiceEvaluation,
    StageChange,
    StageSetting,
)
from .services import customer_fill_derived, stage_settings


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "title", "phone", "email", "decision_role", "is_project_owner"]


class ProductInline(admin.TabularInline):
    model = ProductUsage
    extra = 0


class OwnershipInline(admin.TabularInline):
    model = Ownership
    fk_name = "customer"
    extra = 0
    can_delete = False
    readonly_fields = ["owner", "team", "start", "end", "changed_by", "reason"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_stage", "to_stage", "at", "by", "rep", "team", "source", "reason"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(AnnouncingAdmin):
    """Owner, team and stage are read-only here: change them with the page actions so
    their dated history is recorded. Saves and deletes announce the change to the figures
    (accounts.admin_changes)."""

    announce = {Customer: figure_events.customer_events}

    list_display = [
        "name",
        "short_name",
        "stage",
        "owner",
        "team",
        "segment",
        "industry",
        "last_activity_at",
    ]
    list_filter = ["stage", "segment", "team", "industry"]
    search_fields = [
        "name",
        "short_name",
        "pinyin_initials",
        "credit_code",
        "external_code",
        "contacts__phone",
    ]
    list_select_related = ["owner", "team"]
    readonly_fields = [
        "owner",
        "team",
        "stage",
        "stage_changed_at",
        "pool_since",
        "pinyin_initials",
        "name_key",
        "created_at",
        "updated_at",
        "created_by",
    ]
    inlines = [ContactInline, ProductInline, OwnershipInline, StageChangeInline]
    show_full_result_count = False

    def save_model(self, request: HttpRequest, obj: Customer, form: Any, change: bool) -> None:
        customer_fill_derived(obj)
        super().save_model(request, obj, form, change)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "title", "phone", "decision_role", "is_project_owner"]
    list_filter = ["decision_role", "is_project_owner"]
    search_fields = ["name", "phone", "phone2", "email", "customer__name"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]


@admin.register(ProductUsage)
class ProductUsageAdmin(admin.ModelAdmin):
    list_display = ["product", "customer", "status", "provider"]
    list_filter = ["status"]
    search_fields = ["product", "provider", "customer__name"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]


@admin.register(CustomerNote)
class CustomerNoteAdmin(admin.ModelAdmin):
    list_display = ["customer", "kind", "author", "created_at"]
    list_filter = ["kind"]
    search_fields = ["text", "customer__name"]
    list_select_related = ["customer", "author"]
    raw_id_fields = ["customer", "author"]
    date_hierarchy = "created_at"


@admin.register(Contract)
class ContractAdmin(AnnouncingAdmin):
    announce = {Contract: figure_events.contract_events}
    list_display = [
        "customer",
        "signed_on",
        "products",
        "monthly_value",
        "term_months",
        "rep",
        "team",
    ]
    list_filter = ["team"]
    search_fields = ["products", "customer__name"]
    list_select_related = ["customer", "rep", "team"]
    raw_id_fields = ["customer", "rep"]
    date_hierarchy = "signed_on"


@admin.register(RevenueRecord)
class RevenueRecordAdmin(AnnouncingAdmin):
    announce = {RevenueRecord: figure_events.revenue_events}
    list_display = ["customer", "month", "product", "billed", "received", "kind"]
    list_filter = ["kind", "month"]
    search_fields = ["customer__name", "product"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer", "import_job"]
    date_hierarchy = "month"


@admin.register(BillingMonth)
class BillingMonthAdmin(AnnouncingAdmin):
    announce = {BillingMonth: figure_events.billing_month_events}
    list_display = ["month", "closed_at", "closed_by", "import_job"]
    raw_id_fields = ["closed_by", "import_job"]


@admin.register(ServiceEvaluation)
class ServiceEvaluationAdmin(admin.ModelAdmin):
    list_display = ["customer", "evaluated_on", "score", "author"]
    list_filter = ["score"]
    search_fields = ["customer__name", "text"]
    list_select_related = ["customer", "author"]
    raw_id_fields = ["customer", "author"]


@admin.register(Ownership)
class OwnershipAdmin(AnnouncingAdmin):
    announce = {Ownership: figure_events.ownership_events}
    list_display = ["customer", "owner", "team", "start", "end", "changed_by", "reason"]
    list_filter = ["team"]
    search_fields = ["customer__name", "owner__username", "owner__display_name", "reason"]
    list_select_related = ["customer", "owner", "team", "changed_by"]
    raw_id_fields = ["customer", "owner", "changed_by"]


@admin.register(StageChange)
class StageChangeAdmin(AnnouncingAdmin):
    announce = {StageChange: figure_events.stage_change_events}
    list_display = ["customer", "from_stage", "to_stage", "at", "by", "rep", "team", "source"]
    list_filter = ["to_stage", "source", "team"]
    search_fields = ["customer__name", "reason"]
    list_select_related = ["customer", "by", "rep", "team"]
    raw_id_fields = ["customer", "by", "rep"]
    date_hierarchy = "at"


@admin.register(StageSetting)
class StageSettingAdmin(admin.ModelAdmin):
    """One row per stage; missing rows are created with the defaults when listed."""

    list_display = ["stage", "stall_days", "required_fields"]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        stage_settings()
        return super().changelist_view(request, extra_context)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "kind",
        "status",
        "total_rows",
        "created_count",
        "updated_count",
        "duplicate_count",
        "rejected_count",
        "created_by",
        "created_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["original_name", "message"]
    list_select_related = ["created_by"]
    raw_id_fields = ["team", "owner", "created_by"]
    readonly_fields = ["errors", "started_at", "finished_at", "created_at"]


# The project models' admin lives beside the project code.
from .projects import admin as _projects_admin  # noqa: E402, F401
