from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_national_coordinator"),
        ("audit", "0003_combination_log"),
        ("premises", "0010_town_version"),
        ("reports", "0008_national_reports_permission"),
        ("retention", "0005_erase_issued_documents"),
        ("training", "0012_guest_request_version"),
        ("visits", "0015_operation_team_and_order"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
