from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_force_role_and_permission_history"),
        ("audit", "0002_access_log_without_single_column_indexes"),
        ("premises", "0009_town_history"),
        ("reports", "0007_one_counting_trigger_per_write"),
        ("retention", "0005_erase_issued_documents"),
        ("training", "0009_issued_documents"),
        ("visits", "0009_cadet_premises_and_town_links_history"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
