from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0002_legal_rules"),
        ("visits", "0003_cross_table_rules"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
