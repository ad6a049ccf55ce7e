from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    """Grant the roles every permission added so far (audit, reports, retention)."""

    dependencies = [
        ("retention", "0001_initial"),
        ("audit", "0001_initial"),
        ("visits", "0006_operationevent_participantevent_scenarioevent_and_more"),
        ("training", "0004_guestinforequestevent_noticeevent_and_more"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
