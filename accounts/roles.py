"""The four roles, as Django groups with model permissions.

`ROLE_PERMISSIONS` is the single source of truth. Every app whose models add permissions ends its
migrations with a data migration that calls `sync_roles(apps)`, so a fresh database and an
upgraded one get the same groups. Superusers are for support only and hold no role.
"""

OFFICER = "Officer"
SERGEANT = "Sergeant"
COMMANDER = "Commander"
FORCE_ADMIN = "Force admin"
ROLES = [OFFICER, SERGEANT, COMMANDER, FORCE_ADMIN]

_OFFICER = [
    "premises.view_town",
    "premises.view_premises",
    "premises.add_premises",
    "premises.change_premises",
]
_SERGEANT = _OFFICER + [
    "premises.deactivate_premises",
    "premises.import_premises",
]
_COMMANDER = [
    "premises.view_town",
    "premises.view_premises",
]
_FORCE_ADMIN = _SERGEANT + [
    "premises.add_town",
    "premises.change_town",
    "accounts.view_user",
    "accounts.add_user",
    "accounts.change_user",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    OFFICER: _OFFICER,
    SERGEANT: _SERGEANT,
    COMMANDER: _COMMANDER,
    FORCE_ADMIN: _FORCE_ADMIN,
}


def sync_roles(apps, schema_editor=None) -> None:
    """Create the role groups and give each exactly the permissions listed above that exist."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for name in names:
            app_label, codename = name.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
