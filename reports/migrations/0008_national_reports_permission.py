from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    """The national coordinator's permission, and its role: synced after every app's latest
    migration, so the group gets exactly the permissions accounts/roles.py lists."""

    dependencies = [
        ("reports", "0007_one_counting_trigger_per_write"),
        ("accounts", "0012_national_coordinator"),
        ("audit", "0003_combination_log"),
        ("premises", "0010_town_version"),
        ("visits", "0014_planner_retest_index"),
        ("training", "0012_guest_request_version"),
        ("retention", "0005_erase_issued_documents"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="visitsummary",
            options={
                "ordering": ["force", "month", "town", "sector"],
                "permissions": [
                    (
                        "view_national_reports",
                        "Can see figures added up across the forces sharing them",
                    )
                ],
            },
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
