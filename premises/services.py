"""Writes to the premises register: saving with a generated reference, CSV import, and the
operators behind premises (resolving a typed name, merging duplicates)."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, F, Max
from django.db.models.functions import Cast, Now, Substr

from accounts.models import Force, User
from common.concurrency import StaleEdit, save_versioned
from common.csvutil import read_import
from common.xlsxutil import Sheet

from .models import Operator, Premises, Town, normalise_operator_name
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


def operator_resolve(*, force: Force, name: str) -> Operator | None:
    """The force's operator called `name` ignoring case and spacing, created if there is none;
    None for a blank name."""
    name = normalise_operator_name(name)
    if not name:
        return None
    for _attempt in range(2):
        found = Operator.objects.filter(force=force).named(name).first()
        if found is not None:
            return found
        try:
            with transaction.atomic():
                return Operator.objects.create(force=force, name=name)
        except IntegrityError:
            # Someone added the same name at that moment (operator_name_unique_per_force): it
            # is theirs to use now.
            continue
    raise RuntimeError(f"operator {name!r} could be neither found nor added")


class MergeRefused(Exception):
    """A merge that must not happen: an operator with itself, or across forces."""


@dataclass
class MergeResult:
    kept: Operator
    moved: int


def operator_merge(
    *,
    duplicate: Operator,
    kept: Operator,
    user: User,
    expected_version: int,
    expected_kept_version: int,
) -> MergeResult:
    """Move every premises of `duplicate` to `kept`, then delete `duplicate`, as `user` saw
    both (at `expected_version` and `expected_kept_version`).

    Each premises moved is a change on its record (its version moves on, updated by `user`), the
    kept operator's version moves on, and the duplicate's deletion is in its history. Raises
    `MergeRefused` for an operator with itself or of another force, and `StaleEdit` (with the
    operator that changed) if either changed since the user looked.
    """
    if duplicate.pk == kept.pk:
        raise MergeRefused("An operator cannot be merged with itself.")
    if duplicate.force_id != kept.force_id or duplicate.force_id != user.force_id:
        raise MergeRefused("Only operators of your own force can be merged.")
    with transaction.atomic():
        # Both locked, in id order, so two merges of the same pair cannot deadlock.
        locked = {
            op.pk: op
            for op in Operator.objects.select_for_update()
            .filter(pk__in=[duplicate.pk, kept.pk])
            .order_by("pk")
        }
        stored_duplicate, stored_kept = locked.get(duplicate.pk), locked.get(kept.pk)
        if stored_duplicate is None or stored_kept is None:
            raise StaleEdit(stored_kept or stored_duplicate)
        if stored_duplicate.version != expected_version:
            raise StaleEdit(stored_duplicate)
        if stored_kept.version != expected_kept_version:
            raise StaleEdit(stored_kept)
        moved = Premises.objects.filter(operator=stored_duplicate).update(
            operator=stored_kept, version=F("version") + 1, updated_by=user, updated_at=Now()
        )
        stored_kept.version += 1
        stored_kept.save(update_fields=["version", "updated_at"])
        stored_duplicate.delete()
    return MergeResult(kept=stored_kept, moved=moved)


def premises_save(
    *,
    premises: Premises,
    user: User,
    expected_version: int | None = None,
    operator_name: str | None = None,
) -> Premises:
    """Create or update `premises` on behalf of `user`, generating a reference when blank.

    `operator_name`, when given, is resolved to the force's operator of that name (added if
    new; blank for none). Updates are optimistic: a stale `expected_version` raises `StaleEdit`.
    """
    premises.updated_by = user
    if premises.pk is None:
        premises.force = user.force
        premises.created_by = user
    if operator_name is not None:
        premises.operator = operator_resolve(force=premises.force, name=operator_name)
    if premises.pk is None:
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
    operators_created: list[str] = field(default_factory=list)
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
    generated reference when blank. Unknown towns are created; the `operator` column names an
    operator of the force (ignoring case and spacing), created if new. Raises `ImportFailed`
    listing every bad row (by line number) and saves nothing if any row is bad.
    """
    parsed = read_import(text, columns=IMPORT_COLUMNS, max_rows=MAX_IMPORT_ROWS)
    result = ImportResult(errors=parsed.errors)
    if not parsed.header_ok:
        raise ImportFailed(result)

    towns = {town.name.upper(): town for town in Town.objects.filter(force=force)}
    existing = {p.reference: p for p in Premises.objects.filter(force=force).select_related("town")}
    seen_refs: dict[str, int] = {}
    pending: list[tuple[int, Premises, str, str]] = []
    sectors = {choice.value for choice in Premises.Sector}

    town_length = Town._meta.get_field("name").max_length
    operator_length = Operator._meta.get_field("name").max_length
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
        operator_name = normalise_operator_name(values["operator"])
        if len(operator_name) > operator_length:
            problems.append(f"operator is longer than {operator_length} characters")
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
        pending.append((line, premises, town_name, operator_name))

    if result.errors:
        result.errors.sort()
        raise ImportFailed(result)

    # By the database's key; a name whose key Python spells otherwise is resolved there.
    operators = {operator.key: operator for operator in Operator.objects.filter(force=force)}
    with transaction.atomic():
        for line, premises, town_name, operator_name in pending:
            town = towns.get(town_name.upper())
            if town is None:
                town = Town.objects.create(force=force, name=town_name)
                towns[town_name.upper()] = town
                result.towns_created.append(town_name)
            premises.town = town
            premises.operator = None
            if operator_name:
                operator = operators.get(operator_name.upper())
                if operator is None:
                    operator = operator_resolve(force=force, name=operator_name)
                    if operator.key not in operators:
                        result.operators_created.append(operator.name)
                    operators[operator.key] = operator
                    operators[operator_name.upper()] = operator
                premises.operator = operator
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
