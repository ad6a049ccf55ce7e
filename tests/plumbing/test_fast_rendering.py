"""The filter bars' fields and the visits table's rows, drawn in Python: same markup, escaped."""

from datetime import date

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from makesafe.choices import force_options, option_lists, preload_choices
from premises.models import Town
from visits.filters import LabelledDateRangeWidget, VisitFilter
from visits.models import Operation, Visit

from ..factories import OperationFactory, PremisesFactory, TownFactory, UserFactory, VisitFactory


def render(text: str, **context) -> str:
    return Template("{% load fields visit_rows %}" + text).render(Context(context))


class Sample(forms.Form):
    kind = forms.ChoiceField(
        choices=[("", "Any"), ("a", "Alpha <b>"), ("Group", [("g1", "One"), ("g2", "Two")])],
        required=False,
        help_text="Pick one.",
    )
    name = forms.CharField(max_length=5, label="Name & title")
    only = forms.BooleanField(required=False, label="Only mine")


def test_a_select_keeps_its_label_options_selection_and_escaping():
    html = render("{% field form.kind %}", form=Sample({"kind": "g2", "name": "x"}))
    assert '<label for="id_kind" class="form-label">Kind</label>' in html
    assert 'name="kind"' in html and 'id="id_kind"' in html and 'class="form-select"' in html
    assert '<option value="a">Alpha &lt;b&gt;</option>' in html
    assert '<optgroup label="Group">' in html and '<option value="g2" selected>Two</option>' in html
    assert 'aria-describedby="id_kind_helptext"' in html and "Pick one." in html


def test_drawn_options_follow_the_selection_and_a_renamed_label():
    """Each process keeps the options' HTML it drew: never a stale selection or label."""
    first = render("{% field form.kind %}", form=Sample({"kind": "a", "name": "x"}))
    again = render("{% field form.kind %}", form=Sample({"kind": "g1", "name": "x"}))
    assert '<option value="a" selected>' in first and '<option value="g1">One' in first
    assert '<option value="a">' in again and '<option value="g1" selected>One' in again
    form = Sample({"kind": "a", "name": "x"})
    form.fields["kind"].choices = [("", "Any"), ("a", "Alpha & <i>renamed</i>")]
    renamed = render("{% field form.kind %}", form=form)
    assert '<option value="a" selected>Alpha &amp; &lt;i&gt;renamed&lt;/i&gt;</option>' in renamed
    assert "g1" not in renamed


def test_an_error_is_shown_next_to_the_field_and_announced():
    form = Sample({"name": "far too long"})
    form.is_valid()
    html = render("{% field form.name %}", form=form)
    assert 'class="form-control is-invalid"' in html and 'aria-invalid="true"' in html
    assert 'aria-describedby="id_name_error"' in html
    assert '<div id="id_name_error" class="invalid-feedback"><strong>' in html
    assert "Name &amp; title" in html and 'value="far too long"' in html  # nothing typed is lost


def test_a_checkbox_has_its_label_after_it():
    html = render('{% field form.only wrapper_class="" %}', form=Sample({"only": "on"}))
    assert 'type="checkbox"' in html and "checked" in html and 'class="form-check-input"' in html
    assert '<label for="id_only" class="form-check-label">Only mine</label>' in html
    assert '<div class="">' in html


def test_the_options_of_several_selects_come_in_one_query_in_order(
    force, other_force, town, django_assert_num_queries
):
    TownFactory(force=force, name="Aldeburgh")
    TownFactory(force=other_force, name="Cromer")
    OperationFactory(force=force, name="Op <Later>", date=timezone.localdate())
    with django_assert_num_queries(1):
        lists = option_lists(
            force.pk,
            {
                "towns": (Town.objects.filter(force=force), ["name"]),
                "none": (Town.objects.none(), ["name"]),
                "ops": (force.operations.all(), ["name", "date"]),
            },
        )
    assert [t["name"] for t in lists["towns"]] == ["Aldeburgh", "Ipswich"]
    assert lists["none"] == []
    assert lists["ops"][0]["name"] == "Op <Later>"


def test_the_filter_bars_options_are_the_force_querysets_in_their_order(
    officer, other_force, town, django_assert_num_queries
):
    """force_options is written as SQL: it must give what the querysets give, in their order."""
    TownFactory(force=officer.force, name="Aldeburgh")
    TownFactory(force=other_force, name="Cromer")
    OperationFactory(force=officer.force, name="Op <Later>", date=timezone.localdate())
    OperationFactory(force=officer.force, name="Op Earlier", date=date(2024, 5, 1))
    OperationFactory(force=other_force, name="Op Elsewhere")
    UserFactory(force=officer.force, first_name="Jo", last_name="Bloggs", rank="sergeant")
    UserFactory(force=other_force, first_name="Al", last_name="Other")
    with django_assert_num_queries(1):
        options = force_options(officer.force_id)
    assert options["town"] == [(str(t.pk), t.name) for t in Town.objects.visible_to(officer)]
    assert options["operation"] == [
        (str(o.pk), o.name) for o in Operation.objects.visible_to(officer)
    ]
    assert options["officer"] == [(str(u.pk), str(u)) for u in User.objects.visible_to(officer)]
    assert [name for _, name in options["town"]] == ["Aldeburgh", "Ipswich"]
    assert options["operation"][0][1] == "Op <Later>" and len(options["operation"]) == 2
    assert "Sergeant Jo Bloggs" in dict(options["officer"]).values()
    assert force_options(None) == {"town": [], "operation": [], "officer": []}
    only = force_options(officer.force_id, ("town", "operation"))
    assert only == {**options, "officer": []}


def test_the_visit_filters_offer_only_the_force_and_still_validate(
    officer, other_force, town, django_assert_num_queries
):
    TownFactory(force=other_force, name="Cromer")
    UserFactory(force=officer.force, first_name="Jo", last_name="Bloggs", rank="sergeant")
    listing = VisitFilter({"town": str(town.pk)}, queryset=Visit.objects.none(), user=officer)
    with django_assert_num_queries(1):
        listing.preload_choices()
    html = render(
        "{% field f.form.town %}{% field f.form.officer %}{% field f.form.operation %}", f=listing
    )
    assert f'<option value="{town.pk}" selected>Ipswich</option>' in html
    assert "Cromer" not in html and "Sergeant Jo Bloggs" in html
    other = TownFactory(force=other_force, name="Sheringham")
    tampered = VisitFilter({"town": str(other.pk)}, queryset=Visit.objects.none(), user=officer)
    preload_choices(tampered.form, officer.force_id, {"town": (["name"], lambda row: row["name"])})
    assert not tampered.form.is_valid() and "town" in tampered.form.errors


@pytest.mark.parametrize("officer_set", [True, False], ids=["logged", "imported"])
def test_visit_rows_escape_everything_and_match_the_badges(force, town, officer_set):
    premises = PremisesFactory(force=force, town=town, name="<script>alert(1)</script> Inn")
    operation = OperationFactory(force=force, name="Op & Co")
    first = VisitFactory(premises=premises, outcome=Visit.Outcome.COMPLETED)
    retest = VisitFactory(
        premises=premises,
        outcome=Visit.Outcome.REFUSED_CONCERNS,
        operation=operation,
        retest_of=first,
        officer=UserFactory(force=force, first_name="Ann", last_name="O'Neil")
        if officer_set
        else None,
    )
    rows = list(Visit.objects.filter(pk__in=[first.pk, retest.pk]).list_rows().order_by("id"))
    html = render("{% visit_rows rows %}", rows=rows)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Inn" in html
    assert f'href="{reverse("visits:detail", args=[retest.pk])}"' in html
    assert '<span class="badge text-bg-danger">Fail</span>' in html
    assert '<span class="badge text-bg-success">Pass</span>' in html
    assert html.count('<span class="badge text-bg-info">Re-test</span>') == 1
    assert "Op &amp; Co" in html
    assert ("Constable Ann O&#x27;Neil" in html) if officer_set else ("Imported" in html)
    local = timezone.localtime(retest.visited_at)
    assert f"{local.day} {local:%b %Y, %H:%M}" in html


def test_visit_rows_say_so_when_nothing_matches():
    assert "No visits match these filters." in render("{% visit_rows rows %}", rows=[])


def test_rate_rows_escape_the_label_and_show_each_figure():
    from reports.reports import Row

    rows = [
        Row(label="<b>Bury</b> & Co", key="1", visits=40, passed=30, failed=10, challenged=12,
            reported=5),
        Row(label="Eye", key="2", visits=3, passed=3, failed=0, challenged=3, reported=1),
    ]  # fmt: skip
    html = Template("{% load report_tags %}{% rate_rows rows %}").render(Context({"rows": rows}))
    assert "<b>" not in html and "&lt;b&gt;Bury&lt;/b&gt; &amp; Co" in html
    counts = '<td class="text-end">40</td><td class="text-end">30</td><td class="text-end">10</td>'
    assert counts in html
    low, high = rows[0].interval
    rate = f'<td class="text-end fw-semibold">25.0%</td><td class="text-nowrap">{low * 100:.1f}%'
    assert f"{rate} – {high * 100:.1f}%</td>" in html
    assert '<td class="text-end">30.0% (12)</td><td class="text-end">12.5% (5)</td>' in html
    assert html.count('class="small-sample"') == 1 and html.count("small sample</span>") == 1
    empty = Template("{% load report_tags %}{% rate_rows rows %}").render(Context({"rows": []}))
    assert "No visits in this selection." in empty


class Widgets(forms.Form):
    text = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"data-x": 'q"<', "autofocus": True, "hidden": False}),
    )
    hidden = forms.DateField(widget=forms.HiddenInput)
    check = forms.BooleanField(required=False)
    number = forms.IntegerField(help_text="Whole numbers.")
    when = forms.SplitDateTimeField(required=False)
    period = forms.CharField(widget=LabelledDateRangeWidget, required=False)
    email = forms.EmailField(required=False)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    kind = forms.ChoiceField(choices=[("a", "A & <b>")], required=False)


WIDGET_DATA = {
    "text": 'x"<&',
    "check": "on",
    "number": "not a number",
    "when_0": "01/02/2025",
    "period_after": "<b>",
    "email": "a@b.c",
    "notes": "</textarea>",
    "kind": "a",
}


def test_inputs_drawn_in_python_are_the_markup_django_draws(monkeypatch):
    """makesafe/renderers.py: the same HTML as Django's templates, for every widget here (and
    never the template engine for an input or a range of inputs)."""
    from django.forms.renderers import DjangoTemplates

    from makesafe.renderers import INPUTS, InputsInPython

    django_drawn = Widgets(WIDGET_DATA, renderer=DjangoTemplates())
    fast = Widgets(WIDGET_DATA, renderer=InputsInPython())
    django_drawn.is_valid(), fast.is_valid()
    expected = {name: str(django_drawn[name]) for name in django_drawn.fields}

    engine = DjangoTemplates.render

    def only_others(self, template_name, context, request=None):
        assert template_name not in INPUTS and "multiwidget" not in template_name
        return engine(self, template_name, context, request)

    monkeypatch.setattr(DjangoTemplates, "render", only_others)
    assert {name: str(fast[name]) for name in fast.fields} == expected
    assert 'value="x&quot;&lt;&amp;"' in expected["text"] and " autofocus" in expected["text"]
    assert "hidden" not in expected["text"] and "&lt;/textarea&gt;" in expected["notes"]
    assert '-<input type="text" name="period_before"' in expected["period"]


def test_the_project_draws_forms_with_the_python_inputs():
    from django.forms.renderers import get_default_renderer

    from makesafe.renderers import InputsInPython

    assert isinstance(get_default_renderer(), InputsInPython)
