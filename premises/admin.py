from django.contrib import admin

from common.support import SafeLookupsMixin

from .models import Operator, Premises, Town


@admin.register(Town)
class TownAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "force"]
    list_filter = ["force"]
    search_fields = ["name"]


@admin.register(Operator)
class OperatorAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "force"]
    list_filter = ["force"]
    list_select_related = ["force"]
    search_fields = ["name"]
    readonly_fields = ["key"]


@admin.register(Premises)
class PremisesAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ["reference", "name", "sector", "town", "force", "active"]
    list_filter = ["force", "sector", "active"]
    list_select_related = ["town", "force"]
    search_fields = ["reference", "name", "postcode"]
    raw_id_fields = ["town", "operator", "created_by", "updated_by"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        # A disposed premises is final (the premises_disposed_final trigger): shown read-only.
        if obj is not None and obj.disposed_at:
            return False
        return super().has_change_permission(request, obj)
