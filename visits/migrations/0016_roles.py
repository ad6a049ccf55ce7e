from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_national_coordinator"),
        ("audit", "0003_combination_log"),
        ("premises", "0012_operator_roles"),
        ("reports", "0008_national_reports_permission"),
        ("retention", "0006_erase_operator_link"),
        ("training", "0012_guest_request_version"),
        ("visits", "0015_operation_team_and_order"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
