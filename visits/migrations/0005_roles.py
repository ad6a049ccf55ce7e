from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0004_report_permission"),
        ("training", "0003_roles"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
