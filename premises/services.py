"""Writes to the premises register: saving with a generated reference, and CSV import."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Max
from django.db.models.functions import Cast, Substr

from accounts.models import Force, User
from common.concurrency import StaleEdit, save_versioned
from common.csvutil import read_import
from common.xlsxutil import Sheet

from .models import Premises, Town
from .validators import normalise_postcode

IMPORT_COLUMNS = [
    "reference",
    "name",
    "sector",
    "address",
    "town",
    "postcode",
    "operator",
    "licence_reference",
    "phone",
    "email",
]
IMPORT_REQUIRED = {"name", "sector", "address", "town", "postcode"}
MAX_IMPORT_ROWS = 20000
# The premises_reference_format constraint, checked before saving: an import checks the
# reference itself (full_clean leaves it out, as blank ones are generated on save).
REFERENCE_FORMAT = re.compile(r"[A-Z0-9][A-Z0-9/-]{0,19}")


def next_reference(*, force: Force, sector: str) -> str:
    """The next free generated reference for this force and sector, e.g. SUF-H-0009."""
    prefix = f"{force.code}-{Premises.SECTOR_LETTERS[sector]}-"
    top = (
        Premises.objects.filter(force=force, reference__regex=rf"^{prefix}[0-9]{{1,9}}$")
        .annotate(number=Cast(Substr("reference", len(prefix) + 1), BigIntegerField()))
        .aggregate(top=Max("number"))["top"]
    )
    return f"{prefix}{(top or 0) + 1:04d}"


def premises_save(
    *, premises: Premises, user: User, expected_version: int | None = None
) -> Premises:
    """Create or update `premises` on behalf of `user`, generating a reference when blank.

    Updates are optimistic: a stale `expected_version` raises `StaleEdit`.
    """
    premises.updated_by = user
    if premises.pk is None:
        premises.force = user.force
        premises.created_by = user
        for attempt in range(5):
            generated = not premises.reference
            if generated:
                premises.reference = next_reference(force=premises.force, sector=premises.sector)
            try:
                with transaction.atomic():
                    premises.save()
                return premises
            except IntegrityError:
                # Two officers generated the same reference at once: take the next one.
                if not generated or attempt == 4:
                    raise
                premises.reference = ""
    with transaction.atomic():
        if not premises.reference:
            premises.reference = next_reference(force=premises.force, sector=premises.sector)
        save_versioned(premises, expected_version=expected_version)
    return premises


def premises_set_active(
    *, premises: Premises, user: User, active: bool, expected_version: int
) -> bool:
    """Set premises active or inactive, as the user saw it at `expected_version`.

    The request names the state it wants, so a repeat (a double click, or two sergeants at
    once) changes nothing and returns False rather than flipping it back. A request opened
    before someone else changed the premises raises `StaleEdit`. Returns True on a change.
    """
    with transaction.atomic():
        stored = Premises.objects.select_for_update().get(pk=premises.pk)
        if stored.active == active:
            premises.active, premises.version = stored.active, stored.version
            return False
        if stored.version != expected_version:
            raise StaleEdit(stored)
        premises.active = active
        premises.updated_by = user
        premises.version = stored.version + 1
        premises.save(update_fields=["active", "updated_by", "version", "updated_at"])
    return True


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    towns_created: list[str] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFailed(Exception):
    def __init__(self, result: ImportResult):
        super().__init__(f"{len(result.errors)} bad rows")
        self.result = result


def premises_import(*, force: Force, user: User | None, text: str | Sheet) -> ImportResult:
    """Import premises rows from CSV text or a workbook's sheet, all or nothing.

    Rows whose reference exists in the force update that premises; others are created, with a
    generated reference when blank. Unknown towns are created. Raises `ImportFailed` listing
    every bad row (by line number) and saves nothing if any row is bad.
    """
    parsed = read_import(text, columns=IMPORT_COLUMNS, max_rows=MAX_IMPORT_ROWS)
    result = ImportResult(errors=parsed.errors)
    if not parsed.header_ok:
        raise ImportFailed(result)

    towns = {town.name.upper(): town for town in Town.objects.filter(force=force)}
    existing = {p.reference: p for p in Premises.objects.filter(force=force).select_related("town")}
    seen_refs: dict[str, int] = {}
    pending: list[tuple[int, Premises, str]] = []
    sectors = {choice.value for choice in Premises.Sector}

    town_length = Town._meta.get_field("name").max_length
    for line, values in parsed.rows:
        if not any(values.values()):
            continue
        problems = [f"{name} is required" for name in sorted(IMPORT_REQUIRED) if not values[name]]
        sector = values["sector"].lower()
        if sector and sector not in sectors:
            problems.append(
                f"sector '{values['sector']}' is not one of {', '.join(sorted(sectors))}"
            )
        reference = values["reference"].upper()
        if reference and not REFERENCE_FORMAT.fullmatch(reference):
            problems.append(
                "reference must be at most 20 capital letters, digits, hyphens and slashes, "
                "for example SUF-H-0001"
            )
        elif reference and reference in seen_refs:
            problems.append(f"reference {reference} also appears on line {seen_refs[reference]}")
        if len(" ".join(values["town"].split())) > town_length:
            problems.append(f"town is longer than {town_length} characters")
        if problems:
            result.errors.append((line, "; ".join(problems)))
            continue
        if reference:
            seen_refs[reference] = line
        premises = existing.get(reference) if reference else None
        if premises is not None and premises.disposed_at:
            result.errors.append(
                (
                    line,
                    f"reference {reference} belongs to premises disposed of at a retention "
                    "review: it cannot be imported again",
                )
            )
            continue
        if premises is None:
            premises = Premises(force=force, created_by=user, reference=reference)
        premises.name = values["name"]
        premises.sector = sector
        premises.address = values["address"]
        premises.postcode = normalise_postcode(values["postcode"])
        premises.operator = " ".join(values["operator"].split())
        premises.licence_reference = values["licence_reference"]
        premises.phone = values["phone"]
        premises.email = values["email"]
        premises.updated_by = user
        town_name = " ".join(values["town"].split())
        try:
            premises.full_clean(exclude=["force", "town", "reference", "created_by", "updated_by"])
        except ValidationError as exc:
            result.errors.append((line, _describe(exc)))
            continue
        pending.append((line, premises, town_name))

    if result.errors:
        result.errors.sort()
        raise ImportFailed(result)

    with transaction.atomic():
        for line, premises, town_name in pending:
            town = towns.get(town_name.upper())
            if town is None:
                town = Town.objects.create(force=force, name=town_name)
                towns[town_name.upper()] = town
                result.towns_created.append(town_name)
            premises.town = town
            if premises.pk:
                premises.version += 1
                result.updated += 1
            else:
                if not premises.reference:
                    premises.reference = next_reference(force=force, sector=premises.sector)
                result.created += 1
            try:
                with transaction.atomic():
                    premises.save()
            except IntegrityError as exc:
                result.errors.append((line, f"could not be saved: {exc.__cause__ or exc}".strip()))
        if result.errors:
            transaction.set_rollback(True)
    if result.errors:
        raise ImportFailed(result)
    return result


def _describe(exc: ValidationError) -> str:
    parts = []
    for name, messages in exc.message_dict.items():
        label = name if name != "__all__" else "row"
        parts.append(f"{label}: {' '.join(messages)}")
    return "; ".join(parts)
