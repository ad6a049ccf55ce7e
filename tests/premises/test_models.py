"""Premises and towns: normalisation, querysets, references and database constraints."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from accounts.models import Force, User
from premises.models import Premises, Town
from premises.services import next_reference, premises_set_active
from premises.validators import normalise_postcode, validate_phone, validate_postcode

from ..factories import PremisesFactory, TownFactory, UserFactory


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("ip11aa", "IP1 1AA"),
        ("IP1 1AA", "IP1 1AA"),
        ("  ip1   1aa ", "IP1 1AA"),
        ("ip331uz", "IP33 1UZ"),
        ("ec1a1bb", "EC1A 1BB"),
        ("ip1", "IP1"),
        ("", ""),
    ],
)
def test_postcodes_are_normalised(typed, normalised):
    assert normalise_postcode(typed) == normalised


@pytest.mark.parametrize("postcode", ["IP1 1AA", "ip331uz", "EC1A 1BB", "W1A 0AX", "GIR 0AA"])
def test_real_postcodes_are_valid(postcode):
    validate_postcode(postcode)


@pytest.mark.parametrize("postcode", ["IP1", "IP1 1CA", "QP1 1AA", "IP1 AAA", "12345", "IP1 1AA X"])
def test_malformed_postcodes_are_invalid(postcode):
    with pytest.raises(ValidationError):
        validate_postcode(postcode)


@pytest.mark.parametrize(
    "phone", ["01473 613500", "+44 1473 613500", "(01473) 613-500", "07700900123"]
)
def test_uk_phone_numbers_are_valid(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["12345", "+1 555 123 4567", "01473 61350O"])
def test_other_phone_numbers_are_invalid(phone):
    with pytest.raises(ValidationError):
        validate_phone(phone)


def test_premises_describe_themselves(town):
    hotel = PremisesFactory(town=town, name="Orwell Quay Hotel", reference="SUF-H-0001")
    assert str(hotel) == "Orwell Quay Hotel (SUF-H-0001)"
    assert hotel.get_absolute_url() == f"/premises/{hotel.pk}/"
    assert hotel.reference_prefix == "SUF-H-"
    assert hotel.can_receive_s116_notice
    assert not PremisesFactory(town=town, sector="taxi").can_receive_s116_notice
    assert PremisesFactory(town=town, sector="bnb").can_receive_s116_notice
    assert str(town) == "Ipswich"


def test_visible_to_gives_only_the_users_force(officer, town, other_town):
    mine = PremisesFactory(town=town)
    PremisesFactory(town=other_town)
    assert list(Premises.objects.visible_to(officer)) == [mine]
    assert list(Town.objects.visible_to(officer)) == [town]


def test_visible_to_gives_nothing_to_a_user_without_a_force(town):
    PremisesFactory(town=town)
    support = UserFactory(force=None, is_superuser=True)
    assert not Premises.objects.visible_to(support).exists()


def test_search_matches_name_reference_postcode_and_operator(town):
    hotel = PremisesFactory(
        town=town, name="Orwell Quay Hotel", reference="SUF-H-0001", operator="Harbourside"
    )
    pub = PremisesFactory(town=town, name="The Anchor", reference="SUF-L-0001", postcode="IP4 1LB")
    search = Premises.objects.search
    assert list(search("quay")) == [hotel]
    assert list(search("suf-l-0001")) == [pub]
    assert list(search("SUF-H")) == [hotel]
    assert list(search("ip41lb")) == [pub]
    assert list(search("harbour")) == [hotel]
    assert set(search("  ")) == {hotel, pub}


def test_active_leaves_out_deactivated_premises(town, officer):
    kept = PremisesFactory(town=town)
    gone = PremisesFactory(town=town)
    premises_set_active(premises=gone, user=officer, active=False, expected_version=1)
    assert list(Premises.objects.active()) == [kept]


def test_next_reference_counts_per_force_and_sector(force, town, other_town):
    assert next_reference(force=force, sector="hotel") == "SUF-H-0001"
    PremisesFactory(town=town, reference="SUF-H-0009")
    PremisesFactory(town=town, reference="SUF-H-0010")
    PremisesFactory(town=town, reference="SUF-H-EXTRA")
    PremisesFactory(town=other_town, reference="SUF-H-0999")
    assert next_reference(force=force, sector="hotel") == "SUF-H-0011"
    assert next_reference(force=force, sector="bnb") == "SUF-B-0001"


def test_next_reference_goes_past_9999(force, town):
    PremisesFactory(town=town, reference="SUF-T-9999", sector="taxi")
    assert next_reference(force=force, sector="taxi") == "SUF-T-10000"


# -- database constraints (SECURITY check 24) -------------------------------------------------


def _row(town, **changes):
    values = {
        "force": town.force,
        "town": town,
        "reference": "SUF-H-0001",
        "name": "Orwell Quay Hotel",
        "sector": "hotel",
        "address": "12 Neptune Quay",
        "postcode": "IP4 1AX",
        **changes,
    }
    return Premises(**values)


def test_a_valid_row_can_be_bulk_created(town):
    Premises.objects.bulk_create([_row(town)])
    assert Premises.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("postcode", "ip4 1ax"),
        ("postcode", "IP41AX"),
        ("postcode", "NOT A PC"),
        ("sector", "casino"),
        ("uprn", "12AB"),
        ("uprn", "1234 5678"),
        ("reference", ""),
        ("reference", "suf-h-0001"),
        ("reference", "-SUF"),
        ("phone", "call me"),
        ("email", "nobody"),
        ("name", ""),
        ("address", ""),
        ("version", 0),
    ],
)
def test_invalid_rows_are_refused_by_the_database(town, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        Premises.objects.bulk_create([_row(town, **{field: value})])


def test_a_reference_is_unique_within_a_force(town, other_town):
    Premises.objects.bulk_create([_row(town), _row(other_town)])
    with pytest.raises(IntegrityError), transaction.atomic():
        Premises.objects.bulk_create([_row(town, name="Copy")])


def test_town_names_are_unique_per_force_whatever_the_case(town, other_force):
    TownFactory(force=other_force, name="IPSWICH")
    with pytest.raises(IntegrityError), transaction.atomic():
        Town.objects.bulk_create([Town(force=town.force, name="IPSWICH")])
    with pytest.raises(IntegrityError), transaction.atomic():
        Town.objects.bulk_create([Town(force=town.force, name="")])


def test_force_codes_must_be_capital_letters(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Force.objects.bulk_create([Force(name="Bad", code="suf")])


def test_users_need_a_force_unless_they_are_support_superusers(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(username="nobody")])
    User.objects.bulk_create([User(username="support", is_superuser=True)])


def test_collar_numbers_are_unique_per_force(force, other_force):
    UserFactory(force=force, collar_number="1234")
    UserFactory(force=other_force, collar_number="1234")
    UserFactory(force=force, collar_number="")
    UserFactory(force=force, collar_number="")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(username="dup", force=force, collar_number="1234")])


def test_a_town_in_use_cannot_be_deleted(town):
    PremisesFactory(town=town)
    with pytest.raises(ProtectedError):
        town.delete()
