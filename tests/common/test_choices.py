"""Record selects' options read in one query (common/choices.py, common/filtering.py): the
user's force's rows from each list's own visible_to() queryset, in its order; a chosen record of
another force is still refused by the field's queryset."""

from datetime import date

from django.template import Context, Template
from django.utils import timezone

from accounts.models import User
from common.choices import rows_together
from premises.models import Town
from visits.filters import VisitFilter
from visits.models import Operation, Visit

from ..factories import OperationFactory, TownFactory, UserFactory


def test_several_lists_come_in_one_query_each_in_its_order(
    officer, other_force, town, django_assert_num_queries
):
    TownFactory(force=officer.force, name="Aldeburgh")
    TownFactory(force=other_force, name="Cromer")
    OperationFactory(force=officer.force, name="Op <Later>", date=timezone.localdate())
    OperationFactory(force=officer.force, name="Op Earlier", date=date(2024, 5, 1))
    with django_assert_num_queries(1):
        lists = rows_together(
            User.objects.filter(pk=officer.pk),
            {
                "town": (Town.objects.visible_to(officer), ["pk", "name"]),
                "none": (Town.objects.none(), ["pk", "name"]),
                "operation": (Operation.objects.visible_to(officer), ["pk", "name", "date"]),
            },
        )
    assert lists["town"] == [{"pk": t.pk, "name": t.name} for t in Town.objects.visible_to(officer)]
    assert [t["name"] for t in lists["town"]] == ["Aldeburgh", "Ipswich"]
    assert lists["none"] == []
    assert [o["name"] for o in lists["operation"]] == ["Op <Later>", "Op Earlier"]
    assert lists["operation"][1]["date"] == "2024-05-01"


def test_the_visit_filters_offer_only_the_force_and_still_validate(
    officer, other_force, town, django_assert_num_queries
):
    TownFactory(force=other_force, name="Cromer")
    UserFactory(force=officer.force, first_name="Jo", last_name="Bloggs", rank="sergeant")
    UserFactory(force=other_force, first_name="Al", last_name="Other")
    listing = VisitFilter({"town": str(town.pk)}, queryset=Visit.objects.none(), user=officer)
    with django_assert_num_queries(1):
        listing.load_options()
    listing.form.is_valid()  # looks the chosen town up in the field's own queryset
    with django_assert_num_queries(0):
        html = Template(
            "{% load crispy_forms_tags %}{{ f.form.town|as_crispy_field }}"
            "{{ f.form.officer|as_crispy_field }}{{ f.form.operation|as_crispy_field }}"
        ).render(Context({"f": listing}))
    assert f'<option value="{town.pk}" selected>Ipswich</option>' in html
    assert "Cromer" not in html and "Al Other" not in html
    assert "Sergeant Jo Bloggs" in html and "All officers" in html
    other = TownFactory(force=other_force, name="Sheringham")
    tampered = VisitFilter({"town": str(other.pk)}, queryset=Visit.objects.none(), user=officer)
    tampered.load_options()
    assert not tampered.form.is_valid() and "town" in tampered.form.errors
