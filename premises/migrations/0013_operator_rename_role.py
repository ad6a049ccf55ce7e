from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    """Sergeants and force admins may rename an operator (premises.change_operator)."""

    dependencies = [
        ("accounts", "0012_national_coordinator"),
        ("audit", "0003_combination_log"),
        ("premises", "0012_operator_roles"),
        ("reports", "0008_national_reports_permission"),
        ("retention", "0006_erase_operator_link"),
        ("training", "0012_guest_request_version"),
        ("visits", "0019_operation_running_cover"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
