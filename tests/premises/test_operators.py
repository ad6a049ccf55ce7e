"""Operators and chains: one record per force and name (ignoring case and spacing), linked from
premises, resolved from typed and imported names, and merged when duplicates turn up."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from audit.queries import HISTORY_MODELS
from common.concurrency import StaleEdit
from premises.models import Operator, Premises
from premises.services import (
    ImportFailed,
    MergeRefused,
    operator_merge,
    operator_resolve,
    premises_import,
)

from ..conftest import answer_disclosure_prompt
from ..factories import OperatorFactory, PremisesFactory, TownFactory

HEADER = "reference,name,sector,address,town,postcode,operator,licence_reference,phone,email"


# -- The database rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "twin",
    ["harbourside hotels", "HARBOURSIDE HOTELS", "  Harbourside   Hotels ", "Harbourside\tHotels"],
)
def test_the_database_refuses_an_operator_equal_ignoring_case_and_spacing(force, twin):
    Operator.objects.create(force=force, name="Harbourside Hotels")
    with (
        pytest.raises(IntegrityError, match="operator_name_unique_per_force"),
        transaction.atomic(),
    ):
        Operator.objects.bulk_create([Operator(force=force, name=twin)])


def test_two_forces_may_each_have_an_operator_of_the_same_name(force, other_force):
    Operator.objects.bulk_create(
        [Operator(force=force, name="Crown Inns"), Operator(force=other_force, name="crown inns")]
    )
    assert Operator.objects.filter(key="CROWN INNS").count() == 2


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_the_database_refuses_a_blank_operator_name(force, blank):
    with pytest.raises(IntegrityError, match="operator_name_not_blank"), transaction.atomic():
        Operator.objects.bulk_create([Operator(force=force, name=blank)])


def test_the_database_refuses_premises_with_another_forces_operator(town, other_force):
    theirs = OperatorFactory(force=other_force)
    premises = PremisesFactory(town=town)
    with pytest.raises(IntegrityError, match="premises_operator_same_force"), transaction.atomic():
        Premises.objects.filter(pk=premises.pk).update(operator=theirs)


def test_an_operator_with_premises_cannot_move_to_another_force(town, other_force):
    premises = PremisesFactory(town=town, operator="Crown Inns")
    with pytest.raises(IntegrityError, match="premises_operator_same_force"), transaction.atomic():
        Operator.objects.filter(pk=premises.operator_id).update(force=other_force)


def test_an_operator_with_premises_cannot_be_deleted(town):
    premises = PremisesFactory(town=town, operator="Crown Inns")
    with pytest.raises(Exception, match="protected"), transaction.atomic():
        premises.operator.delete()


def test_operators_are_in_the_change_history(force):
    assert "premises.operator" in HISTORY_MODELS
    operator = Operator.objects.create(force=force, name="Crown Inns")
    operator.name = "Crown Inns plc"
    operator.save()
    assert list(operator.events.order_by("pgh_id").values_list("pgh_label", "name")) == [
        ("insert", "Crown Inns"),
        ("update", "Crown Inns plc"),
    ]


# -- Resolving names ---------------------------------------------------------------------------


def test_a_typed_name_resolves_to_the_operator_of_that_key(force):
    crown = Operator.objects.create(force=force, name="Crown Inns")
    assert operator_resolve(force=force, name="  crown   INNS ") == crown
    assert Operator.objects.filter(force=force).count() == 1


def test_a_new_name_adds_an_operator_with_its_spacing_tidied(force):
    added = operator_resolve(force=force, name="  Swift   Cars ")
    assert (added.name, added.key, added.force) == ("Swift Cars", "SWIFT CARS", force)


def test_a_blank_name_is_no_operator(force):
    assert operator_resolve(force=force, name="   ") is None
    assert not Operator.objects.exists()


def test_a_name_resolves_only_within_the_force(force, other_force):
    theirs = Operator.objects.create(force=other_force, name="Crown Inns")
    ours = operator_resolve(force=force, name="Crown Inns")
    assert ours != theirs and ours.force == force


# -- Merging -----------------------------------------------------------------------------------


@pytest.fixture
def duplicates(force, town):
    """Harbourside Hotels (2 premises) and Harbourside Hotels Ltd (3, over two towns)."""
    felixstowe = TownFactory(force=force, name="Felixstowe")
    kept = [PremisesFactory(town=town, operator="Harbourside Hotels") for _ in range(2)]
    moving = [
        PremisesFactory(town=place, operator="Harbourside Hotels Ltd")
        for place in (town, felixstowe, felixstowe)
    ]
    return kept[0].operator, moving[0].operator, moving


def test_a_merge_moves_every_premises_and_deletes_the_duplicate(sergeant, duplicates):
    kept, duplicate, moving = duplicates
    result = operator_merge(
        duplicate=duplicate,
        kept=kept,
        user=sergeant,
        expected_version=duplicate.version,
        expected_kept_version=kept.version,
    )
    assert (result.kept, result.moved) == (kept, 3)
    assert not Operator.objects.filter(pk=duplicate.pk).exists()
    assert kept.premises.count() == 5
    for premises in moving:
        premises.refresh_from_db()
        assert (premises.operator, premises.version, premises.updated_by) == (kept, 2, sergeant)
    kept.refresh_from_db()
    assert kept.version == 2


def test_a_merge_is_on_the_record(sergeant, duplicates):
    kept, duplicate, moving = duplicates
    operator_merge(
        duplicate=duplicate,
        kept=kept,
        user=sergeant,
        expected_version=duplicate.version,
        expected_kept_version=kept.version,
    )
    assert duplicate.events.filter(pgh_label="delete", name="Harbourside Hotels Ltd").exists()
    for premises in moving:
        labels = premises.events.order_by("pgh_id").values_list("pgh_label", "operator_id")
        assert list(labels)[-1] == ("update", kept.pk)


def test_a_merge_refuses_an_operator_with_itself(sergeant, duplicates):
    kept, _, _ = duplicates
    with pytest.raises(MergeRefused):
        operator_merge(
            duplicate=kept, kept=kept, user=sergeant, expected_version=1, expected_kept_version=1
        )
    assert Operator.objects.filter(pk=kept.pk).exists()


def test_a_merge_refuses_operators_of_two_forces(sergeant, duplicates, other_force):
    _, duplicate, _ = duplicates
    theirs = OperatorFactory(force=other_force, name="Harbourside Hotels")
    for one, other in ((duplicate, theirs), (theirs, duplicate)):
        with pytest.raises(MergeRefused):
            operator_merge(
                duplicate=one,
                kept=other,
                user=sergeant,
                expected_version=1,
                expected_kept_version=1,
            )
    assert Operator.objects.filter(pk__in=[duplicate.pk, theirs.pk]).count() == 2


@pytest.mark.parametrize("changed", ["duplicate", "kept"])
def test_a_stale_merge_changes_nothing(sergeant, duplicates, changed):
    kept, duplicate, moving = duplicates
    Operator.objects.filter(pk=(kept if changed == "kept" else duplicate).pk).update(version=2)
    with pytest.raises(StaleEdit):
        operator_merge(
            duplicate=duplicate,
            kept=kept,
            user=sergeant,
            expected_version=1,
            expected_kept_version=1,
        )
    assert duplicate.premises.count() == 3
    assert Operator.objects.filter(pk=duplicate.pk).exists()


# -- Pages -------------------------------------------------------------------------------------


def test_the_operator_list_counts_premises_and_towns(commander_client, duplicates, other_force):
    OperatorFactory(force=other_force, name="Wensum Inns")
    response = commander_client.get(reverse("premises:operator_list"))
    assert response.status_code == 200
    rows = [(o.name, o.premises_count, o.towns_count) for o in response.context["page"]]
    assert rows == [("Harbourside Hotels", 2, 1), ("Harbourside Hotels Ltd", 3, 2)]
    assert b"Wensum" not in response.content


def test_the_operator_list_finds_by_name(officer_client, duplicates):
    response = officer_client.get(reverse("premises:operator_list"), {"q": "ltd"})
    assert [o.name for o in response.context["page"]] == ["Harbourside Hotels Ltd"]


def test_the_operator_page_lists_its_premises_across_towns(officer_client, duplicates):
    _, duplicate, moving = duplicates
    response = officer_client.get(duplicate.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    for premises in moving:
        assert premises.get_absolute_url() in content
    assert "Felixstowe" in content and "Ipswich" in content
    # An officer may not merge: no button to a page that would refuse them.
    assert reverse("premises:operator_merge", args=[duplicate.pk]) not in content


def test_premises_pages_link_to_their_operator(officer_client, duplicates):
    _, duplicate, moving = duplicates
    url = duplicate.get_absolute_url()
    assert url in officer_client.get(moving[0].get_absolute_url()).content.decode()
    assert url in officer_client.get(reverse("premises:list")).content.decode()


def _merge_url(operator):
    return reverse("premises:operator_merge", args=[operator.pk])


def test_the_merge_page_asks_which_operator_to_keep(sergeant_client, duplicates):
    kept, duplicate, _ = duplicates
    response = sergeant_client.get(_merge_url(duplicate))
    assert response.status_code == 200
    choices = [choice for choice, _ in response.context["form"].fields["into"].choices if choice]
    assert [c.value for c in choices] == [kept.pk]


def test_the_merge_confirmation_says_what_moves_and_changes_nothing(sergeant_client, duplicates):
    kept, duplicate, _ = duplicates
    response = sergeant_client.get(
        _merge_url(duplicate), {"into": kept.pk, "version": duplicate.version}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Merge Harbourside Hotels Ltd into Harbourside Hotels?" in content
    assert "3 premises of <strong>Harbourside Hotels Ltd</strong> (in 2 towns) will move" in content
    assert duplicate.premises.count() == 3


def test_a_sergeant_merges_from_the_confirmation(sergeant_client, sergeant, duplicates):
    kept, duplicate, _ = duplicates
    response = sergeant_client.post(
        _merge_url(duplicate),
        {"into": kept.pk, "version": duplicate.version, "into_version": kept.version},
    )
    assert response.status_code == 302
    assert response["Location"] == kept.get_absolute_url()
    assert kept.premises.count() == 5
    assert not Operator.objects.filter(pk=duplicate.pk).exists()
    event = duplicate.events.get(pgh_label="delete")
    assert event.pgh_context.metadata["user"] == sergeant.pk


def test_a_merge_with_itself_is_refused_by_the_view(sergeant_client, duplicates):
    _, duplicate, _ = duplicates
    response = sergeant_client.post(
        _merge_url(duplicate), {"into": duplicate.pk, "version": 1, "into_version": 1}
    )
    assert response.status_code == 400
    assert Operator.objects.filter(pk=duplicate.pk).exists()


def test_a_merge_into_another_forces_operator_is_refused(sergeant_client, duplicates, other_force):
    _, duplicate, _ = duplicates
    theirs = OperatorFactory(force=other_force)
    response = sergeant_client.post(
        _merge_url(duplicate), {"into": theirs.pk, "version": 1, "into_version": 1}
    )
    assert response.status_code == 400
    assert duplicate.premises.count() == 3


def test_a_stale_merge_is_refused_with_the_new_counts(
    sergeant_client, second_sergeant, duplicates, town
):
    kept, duplicate, _ = duplicates
    # Someone merged a third name into the kept operator after the confirmation was shown.
    stale = {"into": kept.pk, "version": duplicate.version, "into_version": kept.version}
    third = PremisesFactory(town=town, operator="Harbour Side Hotels")
    operator_merge(
        duplicate=third.operator,
        kept=kept,
        user=second_sergeant,
        expected_version=1,
        expected_kept_version=1,
    )
    response = sergeant_client.post(_merge_url(duplicate), stale)
    assert response.status_code == 409
    assert "nothing was merged" in response.content.decode()
    assert duplicate.premises.count() == 3
    # The confirmation now carries the versions as they are: merging again is a choice.
    assert response.context["kept"].version == 2


def test_a_sergeant_renames_an_operator_for_all_its_premises(sergeant_client, duplicates):
    kept, duplicate, moving = duplicates
    url = reverse("premises:operator_edit", args=[duplicate.pk])
    assert "Rename Harbourside Hotels Ltd" in sergeant_client.get(url).content.decode()
    detail = sergeant_client.get(duplicate.get_absolute_url()).content.decode()
    assert f'href="{url}"' in detail
    response = sergeant_client.post(url, {"name": "  Harbour   Side Group ", "expected_version": 1})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert (duplicate.name, duplicate.version) == ("Harbour Side Group", 2)
    page = sergeant_client.get(moving[0].get_absolute_url()).content.decode()
    assert "Harbour Side Group" in page
    assert list(duplicate.events.order_by("pgh_id").values_list("pgh_label", "name")) == [
        ("insert", "Harbourside Hotels Ltd"),
        ("update", "Harbour Side Group"),
    ]


def test_a_rename_to_another_operators_name_points_to_the_merge(sergeant_client, duplicates):
    kept, duplicate, _ = duplicates
    url = reverse("premises:operator_edit", args=[duplicate.pk])
    response = sergeant_client.post(url, {"name": "HARBOURSIDE  hotels", "expected_version": 1})
    assert response.status_code == 200
    assert (
        "Your force already has the operator Harbourside Hotels: if they are the same, merge"
        in (response.content.decode())
    )
    assert Operator.objects.get(pk=duplicate.pk).name == "Harbourside Hotels Ltd"
    # Its own name in other capitals is a correction, not a clash.
    response = sergeant_client.post(url, {"name": "HARBOURSIDE HOTELS LTD", "expected_version": 1})
    assert response.status_code == 302


def test_a_stale_rename_keeps_the_newer_name(sergeant_client, duplicates):
    _, duplicate, _ = duplicates
    url = reverse("premises:operator_edit", args=[duplicate.pk])
    Operator.objects.filter(pk=duplicate.pk).update(name="Harbourside Hotels Limited", version=2)
    response = sergeant_client.post(url, {"name": "Harbourside Ltd", "expected_version": 1})
    assert response.status_code == 200
    assert "Someone else" in response.content.decode()
    assert Operator.objects.get(pk=duplicate.pk).name == "Harbourside Hotels Limited"


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_rename_needs_a_name(sergeant_client, duplicates, blank):
    _, duplicate, _ = duplicates
    url = reverse("premises:operator_edit", args=[duplicate.pk])
    response = sergeant_client.post(url, {"name": blank, "expected_version": 1})
    assert response.status_code == 200
    assert Operator.objects.get(pk=duplicate.pk).name == "Harbourside Hotels Ltd"


def test_officers_and_commanders_see_no_rename(officer_client, commander_client, duplicates):
    _, duplicate, _ = duplicates
    url = reverse("premises:operator_edit", args=[duplicate.pk])
    for client in (officer_client, commander_client):
        assert f'href="{url}"' not in client.get(duplicate.get_absolute_url()).content.decode()
        assert client.post(url, {"name": "X", "expected_version": 1}).status_code == 403


def test_a_get_with_a_choice_never_merges(sergeant_client, duplicates):
    kept, duplicate, _ = duplicates
    sergeant_client.get(
        _merge_url(duplicate), {"into": kept.pk, "version": duplicate.version, "into_version": 1}
    )
    assert duplicate.premises.count() == 3


# -- The premises form and the import ----------------------------------------------------------


def _premises_form(town, **extra):
    data = {
        "name": "Quay Hotel",
        "sector": "hotel",
        "address": "1 Quay",
        "town": town.pk,
        "postcode": "IP4 1AX",
        "reference": "",
        "contact_role": "manager",
    }
    data.update(extra)
    return data


def test_a_typed_operator_name_joins_the_existing_operator(officer_client, town, duplicates):
    kept, _, _ = duplicates
    response = officer_client.post(
        reverse("premises:create"), _premises_form(town, operator=" harbourside  HOTELS ")
    )
    assert response.status_code == 302
    assert Premises.objects.get(name="Quay Hotel").operator == kept
    assert Operator.objects.filter(force=town.force).count() == 2


def test_a_new_operator_name_adds_an_operator(officer_client, town):
    officer_client.post(reverse("premises:create"), _premises_form(town, operator="Swift Cars"))
    premises = Premises.objects.get(name="Quay Hotel")
    assert premises.operator.name == "Swift Cars"
    assert premises.operator.force == town.force


def test_the_form_offers_the_forces_operator_names(officer_client, duplicates, other_force):
    OperatorFactory(force=other_force, name="Wensum Inns")
    response = officer_client.get(reverse("premises:create"))
    content = response.content.decode()
    assert 'list="operator-names"' in content
    assert '<option value="Harbourside Hotels Ltd">' in content
    assert "Wensum" not in content


def test_clearing_the_operator_unlinks_the_premises(officer_client, duplicates):
    _, duplicate, moving = duplicates
    premises = moving[0]
    data = _premises_form(
        premises.town,
        name=premises.name,
        address=premises.address,
        postcode=premises.postcode,
        reference=premises.reference,
        operator="",
        expected_version=premises.version,
    )
    response = officer_client.post(reverse("premises:edit", args=[premises.pk]), data)
    assert response.status_code == 302
    premises.refresh_from_db()
    assert premises.operator is None
    assert Operator.objects.filter(pk=duplicate.pk).exists()  # kept for its other premises


def test_the_import_resolves_operators_by_name_ignoring_case_and_spacing(force, sergeant, town):
    crown = Operator.objects.create(force=force, name="Crown Inns")
    text = f"""{HEADER}
,Crown One,licensed,1 High St,Ipswich,IP4 1AX,CROWN  inns,,,
,Crown Two,licensed,2 High St,Felixstowe,IP11 2AA,crown inns,,,
,Cab One,taxi,3 High St,Ipswich,IP4 1AX,Swift Cars,,,
,Cab Two,taxi,4 High St,Ipswich,IP4 1AX,swift   cars,,,
,Corner Shop,other,5 High St,Ipswich,IP4 1AX,,,,
"""
    result = premises_import(force=force, user=sergeant, text=text)
    assert result.created == 5
    assert result.operators_created == ["Swift Cars"]
    by_name = {p.name: p.operator for p in Premises.objects.filter(force=force)}
    assert by_name["Crown One"] == by_name["Crown Two"] == crown
    assert by_name["Cab One"] == by_name["Cab Two"]
    assert by_name["Cab One"].name == "Swift Cars"
    assert by_name["Corner Shop"] is None
    assert Operator.objects.filter(force=force).count() == 2


def test_the_import_refuses_an_operator_name_too_long(force, sergeant):
    text = f"{HEADER}\n,Inn,licensed,1 High St,Ipswich,IP4 1AX,{'x' * 151},,,\n"
    with pytest.raises(ImportFailed) as failed:
        premises_import(force=force, user=sergeant, text=text)
    assert failed.value.result.errors == [(2, "operator is longer than 150 characters")]
    assert not Operator.objects.exists()


def test_the_export_writes_the_operator_name_in_the_operator_column(officer_client, duplicates):
    url = reverse("premises:export")
    assert answer_disclosure_prompt(officer_client, officer_client.get(url))
    lines = b"".join(officer_client.get(url).streaming_content).decode().splitlines()
    header = lines[0].split(",")
    column = header.index("operator")
    assert header[: column + 1][-1] == "operator" and column == 6
    operators = sorted(line.split(",")[column] for line in lines[1:])
    assert operators == ["Harbourside Hotels"] * 2 + ["Harbourside Hotels Ltd"] * 3


def test_a_moved_premises_history_names_the_merged_operator(sergeant_client, duplicates):
    kept, duplicate, moving = duplicates
    sergeant_client.post(
        _merge_url(duplicate),
        {"into": kept.pk, "version": duplicate.version, "into_version": kept.version},
    )
    url = reverse("audit:history", args=["premises.premises", moving[0].pk])
    content = sergeant_client.get(url).content.decode()
    # Deleted by the merge, it is named from its last snapshot in the history.
    assert "Harbourside Hotels Ltd (deleted)" in content
    assert f"/premises/operators/{duplicate.pk}/merge/" in content
