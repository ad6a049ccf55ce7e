"""The roles, as Django groups with model permissions: four within a force, and the national
coordinator, who belongs to no force (docs/domain.md, National figures).

`ROLE_PERMISSIONS` is the single source of truth. Every app whose models add permissions ends its
migrations with a data migration that calls `sync_roles(apps)`, so a fresh database and an
upgraded one get the same groups. Superusers are for support only and hold no role.
"""

from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS

OFFICER = "Officer"
SERGEANT = "Sergeant"
COMMANDER = "Commander"
FORCE_ADMIN = "Force admin"
# The roles within one force: the only ones a force admin may give.
ROLES = [OFFICER, SERGEANT, COMMANDER, FORCE_ADMIN]
# Not tied to a force: sees figures added up across the forces that share them, never a record.
# Only support staff make one (`manage.py create_national_coordinator` or the support site).
NATIONAL_COORDINATOR = "National coordinator"

_READ_RECORDS = [
    "premises.view_town",
    "premises.view_premises",
    "premises.view_operator",
    "visits.view_visit",
    "visits.view_operation",
    "training.view_trainingsession",
    "training.view_notice",
    "training.view_issueddocument",  # letters and notices as issued, to download
]
_OFFICER = _READ_RECORDS + [
    "premises.add_premises",
    "premises.change_premises",
    "visits.add_visit",
    "visits.change_visit",  # their own visits only: see Visit.can_be_edited_by
    "visits.add_operation",
    "visits.change_operation",
]
_CADETS_AND_SCRIPTS = [
    "visits.view_participant",
    "visits.manage_participant",
    "visits.view_scenario",
    "visits.manage_scenario",
]
_SERGEANT = (
    _OFFICER
    + _CADETS_AND_SCRIPTS
    + [
        "premises.deactivate_premises",
        "premises.import_premises",
        "premises.change_operator",
        "premises.merge_operator",
        "visits.change_any_visit",
        "visits.import_visit",
        "visits.approve_risk_assessment",
        "training.schedule_training",
        "training.add_trainingsession",
        "training.change_trainingsession",
        "training.add_outcomeletter",
        "training.manage_notice",
        "visits.view_reports",
        "audit.view_history",
    ]
)
_COMMANDER = _READ_RECORDS + ["visits.view_reports"]
_FORCE_ADMIN = (
    _READ_RECORDS
    + _CADETS_AND_SCRIPTS
    + [
        "premises.add_premises",
        "premises.change_premises",
        "premises.deactivate_premises",
        "premises.import_premises",
        "premises.change_operator",
        "premises.merge_operator",
        "premises.add_town",
        "premises.change_town",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.change_force",
        "visits.view_reports",
        "audit.view_history",
        "audit.view_audit",
        "retention.review_retention",
    ]
)

_NATIONAL_COORDINATOR = [
    "reports.view_national_reports",
    "visits.manage_campaign",
    "visits.publish_national_scenario",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    OFFICER: _OFFICER,
    SERGEANT: _SERGEANT,
    COMMANDER: _COMMANDER,
    FORCE_ADMIN: _FORCE_ADMIN,
    NATIONAL_COORDINATOR: _NATIONAL_COORDINATOR,
}


def sync_roles(apps, schema_editor=None) -> None:
    """Create the role groups and give each exactly the permissions listed above that exist."""
    # In a migration, through the migration's own connection: `migrate` runs as the owner role
    # (makesafe/management/commands/migrate.py), the default connection as the runtime role.
    using = schema_editor.connection.alias if schema_editor else DEFAULT_DB_ALIAS
    for app_config in apps.get_app_configs():
        # Migration state apps have no models_module, so create_permissions would skip them.
        # Restore the old value: with the real registry, None would disable post_migrate.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = original

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        wanted = []
        for name in names:
            app_label, codename = name.split(".")
            wanted.extend(
                Permission.objects.using(using).filter(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(wanted)
