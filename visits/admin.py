"""Support views only: every user task has its own page in the product."""

from django.contrib import admin

from common.support import SafeLookupsMixin

from .models import (
    NationalScenario,
    Operation,
    OperationCadet,
    OperationMember,
    Participant,
    Scenario,
    Visit,
)


@admin.register(Visit)
class VisitAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ["id", "visited_at", "premises", "outcome", "result", "force", "imported"]
    list_filter = ["force", "result", "outcome", "imported"]
    list_select_related = ["premises", "force"]
    raw_id_fields = [
        "premises",
        "operation",
        "officer",
        "scenario",
        "retest_of",
        "created_by",
        "updated_by",
    ]
    date_hierarchy = "visited_at"
    readonly_fields = ["result", "version"]


class OperationMemberInline(admin.TabularInline):
    model = OperationMember
    raw_id_fields = ["user"]
    extra = 0


class OperationCadetInline(admin.TabularInline):
    model = OperationCadet
    raw_id_fields = ["participant"]
    extra = 0


@admin.register(Operation)
class OperationAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "date", "status", "force"]
    list_filter = ["force", "status"]
    list_select_related = ["force"]
    raw_id_fields = ["lead_officer", "scenario", "created_by", "risk_assessment_approved_by"]
    inlines = [OperationMemberInline, OperationCadetInline]
    filter_horizontal = ["towns"]
    autocomplete_fields = []
    exclude = ["premises"]


@admin.register(Participant)
class ParticipantAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ["code", "age_band", "permission_recorded_on", "active", "force"]
    list_filter = ["force", "active"]
    list_select_related = ["force"]


@admin.register(Scenario)
class ScenarioAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "version", "is_current", "force"]
    list_filter = ["force", "is_current"]
    list_select_related = ["force"]
    raw_id_fields = ["created_by", "adopted_from"]


@admin.register(NationalScenario)
class NationalScenarioAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "version", "published_at", "published_by"]
    list_select_related = ["published_by"]
    raw_id_fields = ["published_by"]
