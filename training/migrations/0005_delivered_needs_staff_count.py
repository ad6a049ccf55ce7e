from django.db import migrations, models


class Migration(migrations.Migration):
    """A delivered session needs a staff count: NULL made the old check unknown, so it passed."""

    dependencies = [("training", "0004_guestinforequestevent_noticeevent_and_more")]

    operations = [
        migrations.RemoveConstraint(
            model_name="trainingsession",
            name="training_delivered_needs_staff_trained",
        ),
        migrations.AddConstraint(
            model_name="trainingsession",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "delivered"), _negated=True),
                    models.Q(("staff_trained__gte", 1), ("staff_trained__isnull", False)),
                    _connector="OR",
                ),
                name="training_delivered_needs_staff_trained",
            ),
        ),
    ]
