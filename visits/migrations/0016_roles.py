from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_force_followup_horizon"),
        ("audit", "0002_access_log_without_single_column_indexes"),
        ("premises", "0010_town_version"),
        ("reports", "0007_one_counting_trigger_per_write"),
        ("retention", "0005_erase_issued_documents"),
        ("training", "0012_guest_request_version"),
        ("visits", "0015_operation_team_and_order"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
