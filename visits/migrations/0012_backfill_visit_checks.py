"""Fill the new visit columns from what the records already say (docs/domain.md, "Live
visits"), before the database starts to require them.

- A visit in an operation takes the operation's risk assessment reference.
- A visit's cadets' age band is the youngest band of its cadets: Makesafe stores no birth
  dates, so the band the cadet has now is the best evidence there is.
- An imported "reported to police" visit never edited since (version 1) says "101 call" only
  because the import used to write it: its contact method was not recorded.
- A live visit that still lacks a risk assessment or an age band, or whose cadet had no
  parental permission recorded on or before the visit's date, is marked as logged before the
  checks: it is kept as it was logged, not altered to look compliant.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    # The migrating connection (the owner's): the app's runtime role has no grants yet.
    db = schema_editor.connection.alias
    Visit = apps.get_model("visits", "Visit")
    visits = Visit.objects.using(db)
    operations = apps.get_model("visits", "Operation").objects.using(db)
    cadets = Visit._meta.get_field("participants").remote_field.through.objects.using(db)

    visits.filter(operation__isnull=False, risk_assessment_ref="").update(
        risk_assessment_ref=Subquery(
            operations.filter(pk=OuterRef("operation_id")).values("risk_assessment_ref")[:1]
        )
    )
    visits.filter(cadet_age_band="").update(
        cadet_age_band=Coalesce(
            Subquery(
                cadets.filter(visit_id=OuterRef("pk"))
                .order_by("participant__age_band")
                .values("participant__age_band")[:1]
            ),
            Value(""),
        )
    )
    visits.filter(
        imported=True, outcome="reported_to_police", police_contact="101", version=1
    ).update(police_contact="not_recorded")
    without_permission = cadets.filter(visit_id=OuterRef("pk")).filter(
        Q(participant__permission_recorded_on__isnull=True)
        | Q(participant__permission_recorded_on__gt=OuterRef("visited_on"))
    )
    visits.filter(imported=False).filter(
        Q(risk_assessment_ref="") | Q(cadet_age_band="") | Exists(without_permission)
    ).update(logged_before_checks=True)


class Migration(migrations.Migration):
    dependencies = [("visits", "0011_visit_checks_fields")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
