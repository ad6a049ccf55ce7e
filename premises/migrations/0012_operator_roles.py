from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_national_coordinator"),
        ("audit", "0003_combination_log"),
        ("premises", "0011_operators"),
        ("reports", "0008_national_reports_permission"),
        ("retention", "0006_erase_operator_link"),
        ("training", "0012_guest_request_version"),
        ("visits", "0014_planner_retest_index"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
