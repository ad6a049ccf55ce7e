from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from common.support import SafeLookupsMixin

from .models import Force, User


@admin.register(Force)
class ForceAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(User)
class MakesafeUserAdmin(SafeLookupsMixin, UserAdmin):
    list_display = ["username", "first_name", "last_name", "force", "rank", "is_active"]
    list_filter = ["force", "rank", "is_active", "groups"]
    list_select_related = ["force"]
    fieldsets = UserAdmin.fieldsets + (("Force", {"fields": ("force", "rank", "collar_number")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (
        ("Force", {"fields": ("force", "rank", "collar_number")}),
    )
