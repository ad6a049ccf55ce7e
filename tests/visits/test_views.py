"""Reading and editing visits: list, filters, CSV export, detail, edit rights, conflicts, XSS."""

import csv
import datetime
import io
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts import roles
from visits.models import Visit

from ..factories import (
    OperationFactory,
    PremisesFactory,
    TownFactory,
    UserFactory,
    VisitFactory,
)
from ..premises.test_views import XSS_PAYLOADS
from .conftest import visit_data

LONDON = ZoneInfo("Europe/London")


def at(year, month, day, hour=12, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def listed(client, **query):
    response = client.get(reverse("visits:list"), query)
    assert response.status_code == 200
    return sorted(v.premises.name for v in response.context["page"])


def edit_data(visit, cadets, **changes):
    """The edit form as it was opened (version included), with `changes` typed in."""
    saved = {
        "visited_at": timezone.localtime(visit.visited_at).strftime("%d/%m/%Y %H:%M"),
        "outcome": visit.outcome,
        "stage_reached": visit.stage_reached,
        "debrief_notes": visit.debrief_notes,
        "expected_version": visit.version,
    }
    return visit_data(visit.premises, cadets, **{**saved, **changes})


# -- list and filters -------------------------------------------------------------------------


@pytest.fixture
def spread(force, town, officer, sergeant):
    """Visits that differ in one way each, so every filter has something to keep and drop."""
    felixstowe = TownFactory(force=force, name="Felixstowe")
    operation = OperationFactory(force=force, name="Makesafe Felixstowe")
    first = VisitFactory(
        premises=PremisesFactory(town=town, name="Cornhill Lodge"),
        officer=officer,
        visited_at=at(2024, 3, 1, 9),
    )
    return {
        "first": first,
        "retest": VisitFactory(
            premises=first.premises,
            officer=officer,
            visited_at=at(2024, 3, 10, 23, 30),
            outcome="refused_concerns",
            result="pass",
            retest_of=first,
        ),
        "taxi": VisitFactory(
            premises=PremisesFactory(town=felixstowe, name="Dockside Cars", sector="taxi"),
            officer=sergeant,
            visited_at=at(2024, 3, 11, 0, 30),
            outcome="challenged",
            result="fail",
            operation=operation,
        ),
        "void": VisitFactory(
            premises=PremisesFactory(town=felixstowe, name="Harbour Inn", sector="licensed"),
            officer=sergeant,
            visited_at=at(2024, 7, 10, 0, 30),  # 9 July in UTC: the London date counts
            outcome="void",
            result="void",
            reason="Cadet recognised by a neighbour.",
            operation=operation,
        ),
    }


def test_the_list_works(officer_client, spread):
    assert listed(officer_client) == [
        "Cornhill Lodge",
        "Cornhill Lodge",
        "Dockside Cars",
        "Harbour Inn",
    ]
    html = officer_client.get(reverse("visits:list")).content.decode()
    assert "Re-test" in html
    assert "Log a visit" in html


def test_the_list_is_newest_first(officer_client, spread):
    response = officer_client.get(reverse("visits:list"))
    assert [v.pk for v in response.context["page"]] == [
        spread[key].pk for key in ["void", "taxi", "retest", "first"]
    ]


def test_the_list_shows_none_of_another_forces_visits(officer_client, spread, other_town):
    VisitFactory(premises=PremisesFactory(town=other_town, name="Wensum Hotel"))
    assert "Wensum Hotel" not in listed(officer_client)
    assert "Wensum Hotel" not in listed(officer_client, town=other_town.pk)


@pytest.mark.parametrize(
    "after,before,expected",
    [
        ("01/03/2024", "10/03/2024", ["Cornhill Lodge", "Cornhill Lodge"]),
        ("10/03/2024", "10/03/2024", ["Cornhill Lodge"]),
        ("11/03/2024", "11/03/2024", ["Dockside Cars"]),
        ("10/07/2024", "", ["Harbour Inn"]),
        ("", "09/07/2024", ["Cornhill Lodge", "Cornhill Lodge", "Dockside Cars"]),
        ("2024-03-02", "2024-07-10", ["Cornhill Lodge", "Dockside Cars", "Harbour Inn"]),
    ],
)
def test_the_date_range_includes_both_ends_by_london_date(
    officer_client, spread, after, before, expected
):
    assert listed(officer_client, visited_on_after=after, visited_on_before=before) == expected


def test_the_list_filters_by_town_sector_outcome_and_result(officer_client, spread, town):
    assert listed(officer_client, town=town.pk) == ["Cornhill Lodge", "Cornhill Lodge"]
    assert listed(officer_client, sector="taxi") == ["Dockside Cars"]
    assert listed(officer_client, outcome="challenged") == ["Dockside Cars"]
    assert listed(officer_client, result="pass") == ["Cornhill Lodge"]
    assert listed(officer_client, result="fail") == ["Cornhill Lodge", "Dockside Cars"]
    assert listed(officer_client, result="void") == ["Harbour Inn"]


def test_the_list_filters_by_operation_officer_retests_and_premises(
    officer_client, spread, officer
):
    operation = spread["taxi"].operation
    assert listed(officer_client, operation=operation.pk) == ["Dockside Cars", "Harbour Inn"]
    assert listed(officer_client, officer=officer.pk) == ["Cornhill Lodge", "Cornhill Lodge"]
    assert listed(officer_client, retests="on") == ["Cornhill Lodge"]
    response = officer_client.get(reverse("visits:list"), {"retests": "on"})
    assert [v.pk for v in response.context["page"]] == [spread["retest"].pk]
    premises = spread["taxi"].premises
    assert listed(officer_client, premises=premises.pk) == ["Dockside Cars"]


def test_filters_combine(officer_client, spread, sergeant):
    assert listed(officer_client, officer=sergeant.pk, result="fail") == ["Dockside Cars"]
    assert listed(officer_client, sector="hotel", result="void") == []


def test_a_bad_filter_value_is_an_error_not_a_crash(officer_client, spread):
    response = officer_client.get(reverse("visits:list"), {"visited_on_after": "31/02/2024"})
    assert response.status_code == 200
    assert response.context["filter"].errors


def test_another_forces_operation_or_officer_is_not_a_filter_choice(
    officer_client, spread, other_force, other_officer
):
    theirs = OperationFactory(force=other_force)
    response = officer_client.get(
        reverse("visits:list"), {"operation": theirs.pk, "officer": other_officer.pk}
    )
    assert set(response.context["filter"].errors) == {"operation", "officer"}
    assert theirs.name.encode() not in response.content


def test_the_list_pages_by_fifty(officer_client, premises, officer):
    VisitFactory.create_batch(51, premises=premises, officer=officer)
    first = officer_client.get(reverse("visits:list"))
    assert len(list(first.context["page"])) == 50
    assert b"page=2" in first.content
    second = officer_client.get(reverse("visits:list"), {"page": "2"})
    assert len(list(second.context["page"])) == 1


# -- CSV export -------------------------------------------------------------------------------


def answer_the_disclosure_prompt(client, prompt_url):
    """Say who the download is for and why, as the prompt that guards every export asks."""
    prompt = urlsplit(prompt_url)
    assert prompt.path == reverse("audit:disclose")
    hidden = {key: values[0] for key, values in parse_qs(prompt.query).items()}
    answer = {**hidden, "recipient": "Ipswich licensing team", "reason": "Licensing review"}
    assert client.post(prompt.path, answer).status_code == 302


def disclose_the_export(client):
    response = client.get(reverse("visits:export"))
    assert response.status_code == 302
    answer_the_disclosure_prompt(client, response["Location"])


def export(client, **query):
    response = client.get(reverse("visits:export"), query)
    if response.status_code == 302:  # the first download of the session asks first
        answer_the_disclosure_prompt(client, response["Location"])
        response = client.get(reverse("visits:export"), query)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return response, list(csv.reader(io.StringIO(body)))


def test_the_export_is_an_attachment_marked_official_sensitive(officer_client, spread):
    response, rows = export(officer_client)
    assert response["Content-Type"].startswith("text/csv")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="OFFICIAL-SENSITIVE_visits_')
    assert disposition.endswith('.csv"')
    assert rows[0][:4] == ["visit_id", "visited_at", "premises_reference", "premises"]
    assert len(rows) == 5
    void = next(row for row in rows if row[0] == str(spread["void"].pk))
    record = dict(zip(rows[0], void, strict=True))
    assert record["visited_at"] == "2024-07-10 00:30"
    assert record["outcome"] == "void"
    assert record["result"] == "void"
    assert record["operation"] == "Makesafe Felixstowe"
    assert record["town"] == "Felixstowe"


def test_the_export_follows_the_filters(officer_client, spread):
    _, rows = export(officer_client, sector="taxi")
    assert [row[3] for row in rows[1:]] == ["Dockside Cars"]
    _, rows = export(officer_client, retests="on")
    assert [row[0] for row in rows[1:]] == [str(spread["retest"].pk)]


def test_the_export_has_none_of_another_forces_visits(officer_client, spread, other_town):
    VisitFactory(premises=PremisesFactory(town=other_town, name="Wensum Hotel"))
    _, rows = export(officer_client)
    assert len(rows) == 5
    assert "Wensum Hotel" not in {row[3] for row in rows}


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_export_neutralises_formula_cells(officer_client, town, officer, start):
    VisitFactory(
        premises=PremisesFactory(town=town, name=f"{start}SUM(A1:A9)"),
        officer=officer,
        debrief_notes=f'{start}HYPERLINK("http://evil.example")',
    )
    _, rows = export(officer_client)
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["premises"] == f"'{start}SUM(A1:A9)"
    assert record["debrief_notes"] == f'\'{start}HYPERLINK("http://evil.example")'


# -- detail -----------------------------------------------------------------------------------


def test_the_detail_works(commander_client, spread):
    visit = spread["void"]
    response = commander_client.get(visit.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Visit to" in html
    assert "Harbour Inn" in html
    assert "Cadet recognised by a neighbour." in html
    assert "Makesafe Felixstowe" in html
    assert reverse("visits:edit", args=[visit.pk]) not in html  # commanders read only


def test_the_detail_links_a_retest_both_ways(officer_client, spread):
    first, retest = spread["first"], spread["retest"]
    html = officer_client.get(retest.get_absolute_url()).content.decode()
    assert f'href="{first.get_absolute_url()}"' in html
    html = officer_client.get(first.get_absolute_url()).content.decode()
    assert f'href="{retest.get_absolute_url()}"' in html
    assert reverse("visits:create", args=[first.premises_id]) + f"?retest_of={first.pk}" in html


def test_another_forces_visit_is_not_found(officer_client, other_town, other_officer):
    theirs = VisitFactory(premises=PremisesFactory(town=other_town), officer=other_officer)
    assert officer_client.get(theirs.get_absolute_url()).status_code == 404
    assert officer_client.get(reverse("visits:edit", args=[theirs.pk])).status_code == 404


# -- edit rights ------------------------------------------------------------------------------


@pytest.fixture
def own_visit(premises, officer, cadet):
    visit = VisitFactory(premises=premises, officer=officer)
    visit.participants.add(cadet)
    return visit


def test_an_officer_edits_their_own_visit(officer_client, officer, own_visit, cadet):
    url = reverse("visits:edit", args=[own_visit.pk])
    html = officer_client.get(url).content.decode()
    assert "Edit visit to Cornhill Lodge" in html
    assert 'name="expected_version" value="1"' in html
    response = officer_client.post(
        url, edit_data(own_visit, [cadet], outcome="refused_concerns", debrief_notes="Well done.")
    )
    assert response.status_code == 302
    assert response["Location"] == own_visit.get_absolute_url()
    own_visit.refresh_from_db()
    assert (own_visit.outcome, own_visit.result) == ("refused_concerns", "pass")
    assert own_visit.debrief_notes == "Well done."
    assert own_visit.version == 2
    assert own_visit.updated_by == officer
    assert own_visit.officer == officer


def test_an_officer_cannot_edit_another_officers_visit(officer_client, force, premises, cadet):
    colleague = UserFactory(force=force, role=roles.OFFICER)
    theirs = VisitFactory(premises=premises, officer=colleague)
    url = reverse("visits:edit", args=[theirs.pk])
    assert officer_client.get(url).status_code == 403
    response = officer_client.post(url, edit_data(theirs, [cadet], debrief_notes="Changed."))
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.debrief_notes != "Changed."
    assert theirs.version == 1
    html = officer_client.get(theirs.get_absolute_url()).content.decode()
    assert url not in html


def test_a_sergeant_edits_any_visit_of_the_force(sergeant_client, sergeant, own_visit, cadet):
    url = reverse("visits:edit", args=[own_visit.pk])
    assert url in sergeant_client.get(own_visit.get_absolute_url()).content.decode()
    response = sergeant_client.post(url, edit_data(own_visit, [cadet], stage_reached="payment"))
    assert response.status_code == 302
    own_visit.refresh_from_db()
    assert own_visit.stage_reached == "payment"
    assert own_visit.updated_by == sergeant
    assert own_visit.officer.username == "officer"  # still the officer who made the visit


def test_a_commander_cannot_edit_a_visit(commander_client, own_visit, cadet):
    url = reverse("visits:edit", args=[own_visit.pk])
    assert commander_client.get(url).status_code == 403
    assert commander_client.post(url, edit_data(own_visit, [cadet])).status_code == 403
    own_visit.refresh_from_db()
    assert own_visit.version == 1


def test_an_edit_ignores_a_posted_result_force_officer_and_version(
    officer_client, officer, sergeant, other_force, own_visit, cadet
):
    url = reverse("visits:edit", args=[own_visit.pk])
    data = edit_data(
        own_visit,
        [cadet],
        result="pass",
        force=other_force.pk,
        officer=sergeant.pk,
        version=99,
        imported="on",
    )
    assert officer_client.post(url, data).status_code == 302
    own_visit.refresh_from_db()
    assert (own_visit.result, own_visit.force, own_visit.officer) == (
        "fail",
        officer.force,
        officer,
    )
    assert own_visit.version == 2
    assert not own_visit.imported


def test_a_retest_can_be_edited(officer_client, premises, officer, cadet):
    first = VisitFactory(premises=premises, visited_at=timezone.now() - datetime.timedelta(days=30))
    retest = VisitFactory(premises=premises, officer=officer, retest_of=first)
    url = reverse("visits:edit", args=[retest.pk])
    response = officer_client.post(url, edit_data(retest, [cadet], retest_of=first.pk))
    assert response.status_code == 302, response.context["form"].errors
    retest.refresh_from_db()
    assert retest.retest_of == first
    assert retest.version == 2


def test_a_cadet_who_has_since_left_stays_on_the_visit(officer_client, own_visit, cadet):
    cadet.active = False
    cadet.save()
    url = reverse("visits:edit", args=[own_visit.pk])
    assert cadet in officer_client.get(url).context["form"].fields["participants"].queryset
    assert officer_client.post(url, edit_data(own_visit, [cadet])).status_code == 302


# -- conflicts (SECURITY check 25) ------------------------------------------------------------


def test_the_second_of_two_edits_gets_the_conflict_and_keeps_its_input(
    officer, sergeant_client, own_visit, cadet
):
    url = reverse("visits:edit", args=[own_visit.pk])
    laptop = Client()
    laptop.force_login(officer)
    assert laptop.get(url).status_code == 200
    assert sergeant_client.get(url).status_code == 200

    first = sergeant_client.post(
        url, edit_data(own_visit, [cadet], debrief_notes="Sergeant: duty manager briefed.")
    )
    assert first.status_code == 302

    second = laptop.post(
        url,
        edit_data(
            own_visit, [cadet], outcome="challenged", debrief_notes="Officer: receptionist asked."
        ),
    )
    assert second.status_code == 200
    html = second.content.decode()
    assert "Someone else saved this record while you were editing it" in html
    assert "Debrief notes" in second.context["form"].non_field_errors()[0]
    assert "Officer: receptionist asked." in html
    assert 'value="challenged" checked' in html
    own_visit.refresh_from_db()
    assert own_visit.debrief_notes == "Sergeant: duty manager briefed."
    assert own_visit.outcome == "completed"
    assert own_visit.version == 2

    # The form now carries the saved version: saving again is a deliberate overwrite.
    assert 'name="expected_version" value="2"' in html
    again = laptop.post(
        url,
        edit_data(
            own_visit, [cadet], outcome="challenged", debrief_notes="Officer: receptionist asked."
        ),
    )
    assert again.status_code == 302
    own_visit.refresh_from_db()
    assert (own_visit.outcome, own_visit.version) == ("challenged", 3)


def test_an_edit_without_the_version_is_refused(officer_client, own_visit, cadet):
    data = edit_data(own_visit, [cadet], debrief_notes="No version.")
    del data["expected_version"]
    response = officer_client.post(reverse("visits:edit", args=[own_visit.pk]), data)
    assert response.status_code == 200
    assert "expected_version" in response.context["form"].errors
    own_visit.refresh_from_db()
    assert own_visit.debrief_notes != "No version."


# -- stored XSS (SECURITY check 12) -----------------------------------------------------------


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_debrief_notes_and_reasons_are_escaped_on_every_page(
    officer_client, premises, officer, payload
):
    visit = VisitFactory(
        premises=premises,
        officer=officer,
        outcome="void",
        result="void",
        debrief_notes=f"D{payload}",
        reason=f"R{payload}",
        operation=OperationFactory(force=premises.force, briefing_notes=f"B{payload}"),
    )
    shown = {
        "detail": (visit.get_absolute_url(), ["D", "R"]),
        "edit": (reverse("visits:edit", args=[visit.pk]), ["D", "R"]),
        "operation": (visit.operation.get_absolute_url(), ["B"]),
    }
    for page, (url, prefixes) in shown.items():
        html = officer_client.get(url).content.decode()
        for prefix in prefixes:
            assert prefix + payload not in html, (page, prefix)
            assert prefix + escape(payload) in html, (page, prefix)
    # Pages that list the visit without its notes must not leak them either.
    for url in [premises.get_absolute_url(), reverse("visits:list")]:
        html = officer_client.get(url).content.decode()
        assert visit.get_absolute_url() in html
        assert payload not in html


def test_notes_typed_into_the_form_are_escaped_on_the_detail(officer_client, premises, cadet):
    payload = XSS_PAYLOADS[0]
    data = visit_data(premises, [cadet], debrief_notes=payload, outcome="void", reason=payload)
    assert (
        officer_client.post(reverse("visits:create", args=[premises.pk]), data).status_code == 302
    )
    visit = Visit.objects.get()
    html = officer_client.get(visit.get_absolute_url()).content.decode()
    assert payload not in html
    assert html.count(escape(payload)) == 2
