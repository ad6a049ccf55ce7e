from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm

from common.support import SafeLookupsMixin

from .models import Force, User
from .roles import NATIONAL_COORDINATOR


class SupportUserChangeForm(UserChangeForm):
    """The support site's user form: a national coordinator has no force and only that role,
    said next to the fields rather than refused by the database (User's rules)."""

    def clean(self):
        cleaned = super().clean()
        national, force = cleaned.get("national"), cleaned.get("force")
        groups = {group.name for group in cleaned.get("groups") or []}
        if national and force is not None:
            self.add_error("force", "A national coordinator belongs to no force.")
        if national and groups - {NATIONAL_COORDINATOR}:
            self.add_error("groups", "A national coordinator holds no role of a force.")
        if not national and NATIONAL_COORDINATOR in groups:
            self.add_error("groups", "Only a national user may be a national coordinator.")
        if national and cleaned.get("is_superuser"):
            self.add_error("is_superuser", "A national coordinator is not a support account.")
        return cleaned


@admin.register(Force)
class ForceAdmin(SafeLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "code", "national_figures"]
    search_fields = ["name", "code"]


@admin.register(User)
class MakesafeUserAdmin(SafeLookupsMixin, UserAdmin):
    form = SupportUserChangeForm
    list_display = ["username", "first_name", "last_name", "force", "national", "rank", "is_active"]
    list_filter = ["force", "national", "rank", "is_active", "groups"]
    list_select_related = ["force"]
    fieldsets = UserAdmin.fieldsets + (
        ("Force", {"fields": ("force", "national", "rank", "collar_number")}),
    )
    add_fieldsets = UserAdmin.add_fieldsets + (
        ("Force", {"fields": ("force", "national", "rank", "collar_number")}),
    )
