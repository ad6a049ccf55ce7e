"""Pages of the premises register."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils.html import escape

from premises.models import Premises

from ..conftest import client_for, through_disclosure
from ..factories import PremisesFactory, TownFactory


def form_data(town, **changes):
    data = {
        "name": "Orwell Quay Hotel",
        "sector": "hotel",
        "operator": "Harbourside Hotels",
        "address": "12 Neptune Quay",
        "town": town.pk,
        "postcode": "IP4 1AX",
        "reference": "",
        "uprn": "",
        "licence_reference": "",
        "phone": "01473 613500",
        "email": "",
        "contact_role": "manager",
        "notes": "",
    }
    data.update(changes)
    return data


def edit_data(premises, **changes):
    """The edit form as the user saw it when opening it, with `changes` typed in."""
    saved = {
        "name": premises.name,
        "sector": premises.sector,
        "operator": premises.operator.name if premises.operator else "",
        "address": premises.address,
        "postcode": premises.postcode,
        "reference": premises.reference,
        "phone": premises.phone,
        "notes": premises.notes,
        "expected_version": premises.version,
    }
    return form_data(premises.town, **{**saved, **changes})


@pytest.fixture
def premises(town):
    return PremisesFactory(town=town, name="Cornhill Lodge", reference="SUF-H-0002")


# -- list -------------------------------------------------------------------------------------


def test_the_list_works(officer_client, premises):
    response = officer_client.get(reverse("premises:list"))
    assert response.status_code == 200
    assert b"Cornhill Lodge" in response.content
    assert b"SUF-H-0002" in response.content


def test_the_list_searches_by_name_reference_postcode_and_operator(officer_client, town):
    PremisesFactory(town=town, name="Orwell Quay Hotel", operator="Harbourside", postcode="IP4 1AX")
    PremisesFactory(town=town, name="Late Bites", reference="SUF-F-0002", postcode="IP33 1SQ")
    for query, found, hidden in [
        ("orwell", b"Orwell Quay Hotel", b"Late Bites"),
        ("SUF-F-0002", b"Late Bites", b"Orwell Quay Hotel"),
        ("suf-f", b"Late Bites", b"Orwell Quay Hotel"),
        ("ip41ax", b"Orwell Quay Hotel", b"Late Bites"),
        ("IP33", b"Late Bites", b"Orwell Quay Hotel"),
        ("harbourside", b"Orwell Quay Hotel", b"Late Bites"),
    ]:
        content = officer_client.get(reverse("premises:list"), {"q": query}).content
        assert found in content, query
        assert hidden not in content, query


def test_the_list_filters_by_town_sector_and_status(officer_client, town, force):
    other_town = TownFactory(force=force, name="Lowestoft")
    PremisesFactory(town=town, name="Ipswich Hotel")
    PremisesFactory(town=other_town, name="Ness Point Guest House", sector="bnb")
    PremisesFactory(town=other_town, name="Closed Taxis", sector="taxi", active=False)
    url = reverse("premises:list")

    content = officer_client.get(url, {"town": other_town.pk}).content
    assert b"Ness Point" in content and b"Ipswich Hotel" not in content

    content = officer_client.get(url, {"sector": "bnb"}).content
    assert b"Ness Point" in content and b"Ipswich Hotel" not in content

    content = officer_client.get(url, {"active": "no"}).content
    assert b"Closed Taxis" in content and b"Ness Point" not in content


def test_the_list_sorts_and_pages(officer_client, town):
    for n in range(55):
        PremisesFactory(town=town, name=f"Premises {n:02d}")
    response = officer_client.get(reverse("premises:list"), {"sort": "-name"})
    page = list(response.context["page"])
    assert len(page) == 50
    assert page[0].name == "Premises 54"
    second = officer_client.get(reverse("premises:list"), {"sort": "-name", "page": 2})
    assert [p.name for p in second.context["page"]] == [
        f"Premises {n:02d}" for n in range(4, -1, -1)
    ]
    assert b"sort=-name&amp;page=2" in response.content


def test_the_list_ignores_a_bad_page_number(officer_client, premises):
    response = officer_client.get(reverse("premises:list"), {"page": "x"})
    assert response.status_code == 200


# -- detail -----------------------------------------------------------------------------------


def test_the_detail_page_works(officer_client, premises):
    response = officer_client.get(premises.get_absolute_url())
    assert response.status_code == 200
    assert b"Cornhill Lodge" in response.content
    assert premises.postcode.encode() in response.content


def test_the_detail_page_of_a_missing_premises_is_not_found(officer_client, db):
    assert officer_client.get(reverse("premises:detail", args=[999999])).status_code == 404


def test_an_officer_sees_edit_but_not_deactivate(officer_client, premises):
    content = officer_client.get(premises.get_absolute_url()).content
    assert reverse("premises:edit", args=[premises.pk]).encode() in content
    assert reverse("premises:deactivate", args=[premises.pk]).encode() not in content


def test_a_commander_sees_neither_edit_nor_deactivate(commander_client, premises):
    content = commander_client.get(premises.get_absolute_url()).content
    assert reverse("premises:edit", args=[premises.pk]).encode() not in content
    assert reverse("premises:deactivate", args=[premises.pk]).encode() not in content


# -- create -----------------------------------------------------------------------------------


def test_create_works(officer_client, officer, town):
    response = officer_client.post(
        reverse("premises:create"), form_data(town, reference="suf-h-0100")
    )
    premises = Premises.objects.get()
    assert response.status_code == 302
    assert response["Location"] == premises.get_absolute_url()
    assert premises.reference == "SUF-H-0100"
    assert premises.force == officer.force
    assert premises.created_by == officer
    assert premises.updated_by == officer
    assert premises.version == 1


def test_create_page_works(officer_client, town):
    response = officer_client.get(reverse("premises:create"))
    assert response.status_code == 200
    assert b"Ipswich" in response.content


def test_create_offers_only_the_users_own_towns(officer_client, town, other_town):
    content = officer_client.get(reverse("premises:create")).content
    assert b"Ipswich" in content
    assert b"Norwich" not in content


def test_create_with_a_bad_postcode_shows_the_error_by_the_field_and_keeps_input(
    officer_client, town
):
    response = officer_client.post(
        reverse("premises:create"),
        form_data(town, postcode="IP1 XYZ", name="Stour Meadows Hotel", notes="Back door"),
    )
    assert response.status_code == 200
    assert not Premises.objects.exists()
    form = response.context["form"]
    assert list(form.errors) == ["postcode"]
    html = response.content.decode()
    # Crispy puts the message straight after the invalid input, tied to it by id.
    field_at = html.index('id="id_postcode"')
    error_at = html.index("Enter a full UK postcode", field_at)
    assert "is-invalid" in html[html.rindex("<input", 0, field_at) : field_at + 200]
    assert error_at - field_at < 400
    assert 'value="IP1 XYZ"' in html
    assert 'value="Stour Meadows Hotel"' in html
    assert "Back door</textarea>" in html
    assert f'<option value="{town.pk}" selected>' in html
    # The summary at the top links to the field.
    assert 'href="#id_postcode"' in html


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ip11aa", "IP1 1AA"),
        (" ip4  1ax ", "IP4 1AX"),
        ("co102xa", "CO10 2XA"),
        ("ec1a1bb", "EC1A 1BB"),
    ],
)
def test_create_normalises_the_postcode(officer_client, town, typed, stored):
    response = officer_client.post(reverse("premises:create"), form_data(town, postcode=typed))
    assert response.status_code == 302
    assert Premises.objects.get().postcode == stored


@pytest.mark.parametrize("postcode", ["IP1", "1AA IP1", "IP1 1A", "QQ1 1AA", "IP1 1CA", "hello"])
def test_create_refuses_postcodes_that_are_not_uk_postcodes(officer_client, town, postcode):
    response = officer_client.post(reverse("premises:create"), form_data(town, postcode=postcode))
    assert response.status_code == 200
    assert "postcode" in response.context["form"].errors


def test_create_generates_the_next_reference_for_the_force_and_sector(
    officer_client, town, other_town
):
    PremisesFactory(town=town, reference="SUF-H-0007")
    PremisesFactory(town=town, reference="SUF-B-0042", sector="bnb")
    PremisesFactory(town=town, reference="SUF-H-OLD")
    PremisesFactory(town=other_town, reference="SUF-H-0500")  # other force, same letters

    officer_client.post(reverse("premises:create"), form_data(town, name="New hotel"))
    officer_client.post(reverse("premises:create"), form_data(town, name="Another hotel"))
    officer_client.post(reverse("premises:create"), form_data(town, name="New taxi", sector="taxi"))

    assert Premises.objects.get(name="New hotel").reference == "SUF-H-0008"
    assert Premises.objects.get(name="Another hotel").reference == "SUF-H-0009"
    assert Premises.objects.get(name="New taxi").reference == "SUF-T-0001"


def test_create_refuses_a_reference_the_force_already_uses(officer_client, town, premises):
    response = officer_client.post(
        reverse("premises:create"), form_data(town, reference=premises.reference.lower())
    )
    assert response.status_code == 200
    assert "reference" in response.context["form"].errors
    assert Premises.objects.count() == 1


def test_create_allows_a_reference_another_force_uses(officer_client, town, other_town):
    PremisesFactory(town=other_town, reference="SUF-H-0001")
    response = officer_client.post(
        reverse("premises:create"), form_data(town, reference="SUF-H-0001")
    )
    assert response.status_code == 302


@pytest.mark.parametrize("reference", ["-SUF", "SUF H 1", "SUF_H_1", "SUF-H-<1>"])
def test_create_refuses_a_malformed_reference(officer_client, town, reference):
    response = officer_client.post(reverse("premises:create"), form_data(town, reference=reference))
    assert "reference" in response.context["form"].errors


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "12345"), ("uprn", "12AB"), ("email", "not-an-email"), ("name", "   ")],
)
def test_create_refuses_bad_values(officer_client, town, field, value):
    response = officer_client.post(reverse("premises:create"), form_data(town, **{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Premises.objects.exists()


def test_create_shows_a_success_message(officer_client, town):
    response = officer_client.post(reverse("premises:create"), form_data(town), follow=True)
    assert b"Added Orwell Quay Hotel as SUF-H-0001." in response.content


# -- edit -------------------------------------------------------------------------------------


def test_edit_works(officer_client, officer, premises):
    response = officer_client.get(reverse("premises:edit", args=[premises.pk]))
    assert response.status_code == 200
    assert b'name="expected_version" value="1"' in response.content

    response = officer_client.post(
        reverse("premises:edit", args=[premises.pk]), edit_data(premises, name="Cornhill House")
    )
    assert response.status_code == 302
    premises.refresh_from_db()
    assert premises.name == "Cornhill House"
    assert premises.version == 2
    assert premises.updated_by == officer


def test_edit_without_a_version_is_refused(officer_client, premises):
    data = edit_data(premises, name="Changed")
    del data["expected_version"]
    response = officer_client.post(reverse("premises:edit", args=[premises.pk]), data)
    assert response.status_code == 200
    premises.refresh_from_db()
    assert premises.name == "Cornhill Lodge"


def test_a_stale_edit_is_refused_and_the_first_save_is_kept(
    officer_client, sergeant_client, premises
):
    url = reverse("premises:edit", args=[premises.pk])
    # Both open the form at version 1.
    assert b'name="expected_version" value="1"' in officer_client.get(url).content
    assert b'name="expected_version" value="1"' in sergeant_client.get(url).content

    first = officer_client.post(url, edit_data(premises, name="First save", notes="first"))
    assert first.status_code == 302

    second = sergeant_client.post(url, edit_data(premises, name="Second save", notes="second"))
    assert second.status_code == 200
    html = second.content.decode()
    assert "Someone else saved this record while you were editing it" in html
    assert "Name" in html.split("Fields that differ from the saved version:")[1][:200]
    # The second person's input is kept on the form, and the version moves on.
    assert 'value="Second save"' in html
    assert 'name="expected_version" value="2"' in html

    premises.refresh_from_db()
    assert premises.name == "First save"
    assert premises.notes == "first"
    assert premises.version == 2


def test_saving_again_after_a_conflict_replaces_the_other_version(officer_client, premises):
    url = reverse("premises:edit", args=[premises.pk])
    officer_client.post(url, edit_data(premises, name="First save"))
    officer_client.post(url, edit_data(premises, name="Second save"))  # stale: refused
    response = officer_client.post(url, edit_data(premises, name="Second save", expected_version=2))
    assert response.status_code == 302
    premises.refresh_from_db()
    assert premises.name == "Second save"
    assert premises.version == 3


def test_edit_keeps_the_reference_unless_changed(officer_client, premises):
    officer_client.post(reverse("premises:edit", args=[premises.pk]), edit_data(premises))
    premises.refresh_from_db()
    assert premises.reference == "SUF-H-0002"


def test_edit_with_a_blank_reference_generates_one(officer_client, premises):
    response = officer_client.post(
        reverse("premises:edit", args=[premises.pk]), edit_data(premises, reference="")
    )
    assert response.status_code == 302
    premises.refresh_from_db()
    assert premises.reference == "SUF-H-0003"


def test_edit_refuses_a_reference_another_premises_uses(officer_client, premises, town):
    PremisesFactory(town=town, reference="SUF-H-0009")
    response = officer_client.post(
        reverse("premises:edit", args=[premises.pk]), edit_data(premises, reference="SUF-H-0009")
    )
    assert "reference" in response.context["form"].errors


# -- deactivate -------------------------------------------------------------------------------


def test_deactivate_and_reactivate_work(sergeant_client, sergeant, premises):
    url = reverse("premises:deactivate", args=[premises.pk])
    assert b"Deactivate Cornhill Lodge?" in sergeant_client.get(url).content

    response = sergeant_client.post(url, {"active": "0", "version": "1"})
    assert response.status_code == 302
    premises.refresh_from_db()
    assert not premises.active
    assert premises.version == 2
    assert premises.updated_by == sergeant

    assert b"Reactivate Cornhill Lodge?" in sergeant_client.get(url).content
    sergeant_client.post(url, {"active": "1", "version": "2"})
    premises.refresh_from_db()
    assert premises.active
    assert premises.version == 3


def test_the_confirmation_posts_the_state_it_asks_for_and_the_version(sergeant_client, premises):
    html = sergeant_client.get(reverse("premises:deactivate", args=[premises.pk])).content
    assert b'name="active" value="0"' in html
    assert b'name="version" value="1"' in html


def test_a_repeated_deactivation_changes_nothing_the_second_time(
    sergeant_client, second_sergeant, premises
):
    """A double click, or two sergeants confirming at once, cannot flip it back."""
    url = reverse("premises:deactivate", args=[premises.pk])
    first = sergeant_client.post(url, {"active": "0", "version": "1"})
    second = client_for(second_sergeant).post(url, {"active": "0", "version": "1"}, follow=True)
    assert first.status_code == 302
    assert "was already inactive: nothing changed" in second.content.decode()
    premises.refresh_from_db()
    assert (premises.active, premises.version) == (False, 2)


def test_a_stale_reactivation_is_refused(sergeant_client, premises):
    url = reverse("premises:deactivate", args=[premises.pk])
    sergeant_client.post(url, {"active": "0", "version": "1"})
    sergeant_client.post(url, {"active": "1", "version": "2"})
    # Opened when the premises was at version 2 (inactive): someone reactivated it since.
    response = sergeant_client.post(url, {"active": "0", "version": "2"})
    assert response.status_code == 200
    assert "Someone else changed Cornhill Lodge since you opened this page" in (
        response.content.decode()
    )
    assert b'name="version" value="3"' in response.content
    premises.refresh_from_db()
    assert (premises.active, premises.version) == (True, 3)


def test_a_deactivation_that_names_no_state_is_refused(sergeant_client, premises):
    url = reverse("premises:deactivate", args=[premises.pk])
    assert sergeant_client.post(url).status_code == 400
    assert sergeant_client.post(url, {"active": "yes", "version": "1"}).status_code == 400
    premises.refresh_from_db()
    assert (premises.active, premises.version) == (True, 1)


def test_an_officer_cannot_deactivate(officer_client, premises):
    response = officer_client.post(reverse("premises:deactivate", args=[premises.pk]))
    assert response.status_code == 403
    premises.refresh_from_db()
    assert premises.active


def test_a_commander_cannot_edit(commander_client, premises):
    url = reverse("premises:edit", args=[premises.pk])
    response = commander_client.post(url, edit_data(premises, name="Changed"))
    assert response.status_code == 403
    premises.refresh_from_db()
    assert premises.name == "Cornhill Lodge"


# -- export -----------------------------------------------------------------------------------


def export_rows(client, **query):
    response = through_disclosure(client, reverse("premises:export"), query)
    assert response.status_code == 200
    return response, list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_export_is_an_attachment_marked_official_sensitive(officer_client, premises):
    response, rows = export_rows(officer_client)
    assert response["Content-Type"].startswith("text/csv")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "OFFICIAL-SENSITIVE" in disposition
    assert rows[0][:3] == ["reference", "name", "sector"]
    assert rows[1][:2] == ["SUF-H-0002", "Cornhill Lodge"]
    assert len(rows) == 2


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_export_neutralises_formula_cells(officer_client, town, start):
    PremisesFactory(
        town=town,
        name=f'{start}HYPERLINK("http://evil.example")',
        operator=f"{start}1+1",
    )
    _, rows = export_rows(officer_client)
    header, row = rows[0], rows[1]
    assert row[header.index("name")] == f'\'{start}HYPERLINK("http://evil.example")'
    assert row[header.index("operator")] == f"'{start}1+1"


def test_the_export_follows_the_list_filters(officer_client, town, premises):
    PremisesFactory(town=town, name="Late Bites", sector="takeaway", reference="SUF-F-0002")
    _, rows = export_rows(officer_client, sector="takeaway")
    assert [row[1] for row in rows[1:]] == ["Late Bites"]


def test_the_export_of_many_rows_works(officer_client, town):
    PremisesFactory.create_batch(30, town=town)
    _, rows = export_rows(officer_client)
    assert len(rows) == 31


# -- towns ------------------------------------------------------------------------------------


def test_town_list_and_create_work(force_admin_client, force, town):
    assert b"Ipswich" in force_admin_client.get(reverse("premises:town_list")).content
    assert force_admin_client.get(reverse("premises:town_create")).status_code == 200
    response = force_admin_client.post(
        reverse("premises:town_create"), {"name": " Bury  St Edmunds "}
    )
    assert response.status_code == 302
    assert force.towns.filter(name="Bury St Edmunds").exists()


def test_town_create_refuses_a_name_the_force_has(force_admin_client, town):
    response = force_admin_client.post(reverse("premises:town_create"), {"name": "IPSWICH"})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors


def test_town_create_allows_a_name_another_force_has(force_admin_client, other_town):
    response = force_admin_client.post(reverse("premises:town_create"), {"name": "Norwich"})
    assert response.status_code == 302


def test_town_create_ignores_a_posted_force(force_admin_client, force, other_force):
    force_admin_client.post(
        reverse("premises:town_create"), {"name": "Sudbury", "force": other_force.pk}
    )
    assert force.towns.filter(name="Sudbury").exists()
    assert not other_force.towns.exists()


def test_town_edit_works(force_admin_client, town):
    url = reverse("premises:town_edit", args=[town.pk])
    assert force_admin_client.get(url).status_code == 200
    response = force_admin_client.post(url, {"name": "Ipswich Town", "expected_version": 1})
    assert response.status_code == 302
    town.refresh_from_db()
    assert town.name == "Ipswich Town"


# -- stored XSS (SECURITY check 12) -----------------------------------------------------------

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '"><script>alert(2)</script>',
    "<img src=x onerror=alert(3)>",
    "<svg/onload=alert(4)>",
    "'\"><iframe src=javascript:alert(5)>",
    '<a href="javascript:alert(6)">x</a>',
    "</title><script>alert(7)</script>",
    "</textarea><script>alert(8)</script>",
    "<body onload=alert(9)>",
    "{{ 7*7 }}<b>bold</b>",
    "<details open ontoggle=alert(11)>",
    "' onmouseover='alert(12)",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_free_text_is_escaped_on_every_page_that_shows_it(officer_client, town, payload):
    premises = PremisesFactory(
        town=town, name=f"N{payload}", operator=f"O{payload}", notes=f"T{payload}"
    )
    pages = {
        "list": (reverse("premises:list"), ["N", "O"]),
        "detail": (premises.get_absolute_url(), ["N", "O", "T"]),
        "home": (reverse("home"), ["N"]),
        "edit": (reverse("premises:edit", args=[premises.pk]), ["N", "O", "T"]),
    }
    for page, (url, prefixes) in pages.items():
        html = officer_client.get(url).content.decode()
        for prefix in prefixes:
            assert prefix + payload not in html, (page, prefix)
            assert prefix + escape(payload) in html, (page, prefix)
