"""Support views only: every user task has its own page in the product."""

from django.contrib import admin

from common.support import SafeLookupsMixin

from .models import Notice, Reminder, TrainingSession


@admin.register(TrainingSession)
class TrainingSessionAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ["premises", "status", "scheduled_for", "force"]
    list_filter = ["force", "status", "provider"]
    list_select_related = ["premises", "force"]
    raw_id_fields = ["premises", "visit", "owner", "created_by", "updated_by"]


@admin.register(Notice)
class NoticeAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ["premises", "start_date", "expiry_date", "status", "force"]
    list_filter = ["force", "status"]
    list_select_related = ["premises", "force"]
    raw_id_fields = ["premises", "issued_by", "created_by"]


@admin.register(Reminder)
class ReminderAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ["day", "kind", "recipient", "item_count", "force"]
    list_filter = ["force", "kind"]
    list_select_related = ["recipient", "force"]
    raw_id_fields = ["recipient"]
