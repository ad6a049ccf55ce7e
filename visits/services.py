"""Writes that touch several visit records: logging and editing visits, versions, imports."""

import re
from dataclasses import dataclass, field
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Force, User
from common.concurrency import StaleEdit, save_versioned
from common.csvutil import read_import
from common.xlsxutil import Sheet
from premises.models import Premises

from .models import (
    LONDON_TZ,
    NationalScenario,
    Operation,
    OperationMember,
    OperationPremises,
    Participant,
    Scenario,
    Visit,
)


def visit_save(
    *,
    visit: Visit,
    user: User,
    participants: list[Participant] | None = None,
    expected_version: int | None = None,
) -> Visit:
    """Log a new visit or save an edited one on behalf of `user`, with its derived result.

    New visits belong to the user's force; an edit with a stale `expected_version` raises
    `StaleEdit` and saves nothing. A visit in an operation records the operation's risk
    assessment reference; the cadets' age band is recorded from the cadets when they are
    chosen, and kept when they are not changed (docs/domain.md, "Live visits").
    """
    visit.result = Visit.result_for(visit.outcome)
    visit.updated_by = user
    if visit.operation_id:
        visit.risk_assessment_ref = visit.operation.risk_assessment_ref
    with transaction.atomic():
        dropped = []
        if participants is not None:
            chosen = {p.pk for p in participants}
            current = (
                set() if visit.pk is None else set(visit.participants.values_list("pk", flat=True))
            )
            if chosen != current or not visit.cadet_age_band:
                visit.cadet_age_band = min((p.age_band for p in participants), default="")
            dropped = sorted(current - chosen)
        if visit.pk is None:
            visit.force = user.force
            visit.created_by = user
            if visit.officer_id is None:
                visit.officer = user
            visit.save()
        else:
            # Cadets taken off go first: the database checks the cadets who stay against the
            # visit's date, and those added against it when they are added.
            visit.participants.remove(*dropped)
            save_versioned(visit, expected_version=expected_version)
        if participants is not None:
            visit.participants.set(participants)
        if visit.operation_id and visit.operation.status == Operation.Status.PLANNED:
            Operation.objects.filter(pk=visit.operation_id, status=Operation.Status.PLANNED).update(
                status=Operation.Status.IN_PROGRESS
            )
    return visit


def scenario_save(
    *,
    scenario: Scenario,
    user: User,
    expected_revision: int | None = None,
    new_version: bool = False,
) -> Scenario:
    """Save a scenario; a version already used by a visit is frozen, so edits make a new version
    (as does every save with `new_version`, which keeps the version it replaces as it was).

    Edits are optimistic: if the version was saved, or replaced by a newer one, since the user
    opened it (`expected_revision`), `StaleEdit` is raised with the current version.
    """
    with transaction.atomic():
        if scenario.pk is None:
            scenario.force = user.force
            scenario.created_by = user
            scenario.save()
            return scenario
        stored = Scenario.objects.select_for_update().get(pk=scenario.pk)
        if not stored.is_current:
            newer = Scenario.objects.filter(
                force=stored.force_id, name=stored.name, is_current=True
            ).first()
            raise StaleEdit(newer or stored)
        if stored.revision != expected_revision:
            raise StaleEdit(stored)
        if not new_version and not stored.visits.exists():
            scenario.revision = expected_revision + 1
            scenario.save()
            return scenario
        # The replaced version's revision moves on too, so a save opened on it is refused.
        Scenario.objects.filter(pk=stored.pk).update(is_current=False, revision=F("revision") + 1)
        newest = (
            Scenario.objects.filter(force=stored.force, name=stored.name)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        scenario.pk = None
        scenario._state.adding = True
        scenario.version = newest + 1
        scenario.revision = 1
        scenario.is_current = True
        scenario.created_by = user
        scenario.save()
        return scenario


def national_scenario_publish(
    *, scenario: NationalScenario, user: User, revises: NationalScenario | None = None
) -> NationalScenario:
    """Publish a script to the national library: version 1 of a new name, or, with `revises`,
    the next version of that script as a new row (earlier versions stay as forces adopted them).

    A revision is refused with `StaleEdit` (carrying the newest) if `revises` is no longer the
    newest version, so a coordinator never overwrites a revision they have not seen.
    """
    with transaction.atomic():
        if revises is not None:
            # Waiting on this lock lets the query below see a revision committed meanwhile.
            NationalScenario.objects.select_for_update().get(pk=revises.pk)
            newest = NationalScenario.objects.filter(name=revises.name).order_by("-version").first()
            if newest.pk != revises.pk:
                raise StaleEdit(newest)
            scenario.name = revises.name
            scenario.version = revises.version + 1
        else:
            scenario.version = 1
        scenario.pk = None
        scenario._state.adding = True
        scenario.published_by = user
        scenario.published_at = timezone.now()
        scenario.save()
        return scenario


def scenario_adopt(
    *, national: NationalScenario, user: User, expected_revision: int | None
) -> Scenario:
    """Adopt a national script as the user's force's own, remembering where it came from: a new
    scenario, or a new version of the force's current scenario of the same name (its earlier
    versions are kept as they were), made by `scenario_save`.

    `expected_revision` is the edit counter of the force's current scenario of that name when
    the user looked (None: there was none); if it changed since, `StaleEdit` is raised with that
    scenario (or None) and nothing is saved. Adopting the version already in use changes nothing.
    """
    with transaction.atomic():
        # Adoptions of one script wait for each other, so two at once cannot both make a v1:
        # the second finds the first's scenario and is refused as stale.
        list(NationalScenario.objects.select_for_update().filter(name=national.name).values("pk"))
        current = (
            Scenario.objects.select_for_update()
            .filter(force=user.force_id, name__iexact=national.name, is_current=True)
            .first()
        )
        if current is not None and current.adopted_from_id == national.pk:
            return current
        if (current.revision if current else None) != expected_revision:
            raise StaleEdit(current)
        scenario = current or Scenario(name=national.name)
        scenario.sectors = list(national.sectors)
        scenario.script = national.script
        scenario.indicators = list(national.indicators)
        scenario.adopted_from = national
        return scenario_save(
            scenario=scenario, user=user, expected_revision=expected_revision, new_version=True
        )


class OperationNotReady(Exception):
    """The operation cannot start: `problems` says why, in words."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def operation_team_save(
    *,
    operation: Operation,
    user: User,
    lead: User | None,
    covers: list[User],
    handlers: list[User],
    cadets: list[Participant],
    expected_version: int,
) -> Operation:
    """Book the operation's team: its lead, cover officers, cadet handlers and cadets.

    Stale-safe on the operation's version; rows of people who keep their place are left alone,
    so the change history shows only who was booked, moved or taken off."""
    roles = {u.pk: OperationMember.Role.COVER for u in covers}
    roles.update({u.pk: OperationMember.Role.HANDLER for u in handlers})
    with transaction.atomic():
        operation.lead_officer = lead
        save_versioned(operation, expected_version=expected_version)
        booked = {m.user_id: m for m in operation.members.all()}
        operation.members.exclude(user_id__in=roles).delete()
        for member in booked.values():
            if member.user_id in roles and member.role != roles[member.user_id]:
                member.role = roles[member.user_id]
                member.save(update_fields=["role", "updated_at"])
        OperationMember.objects.bulk_create(
            OperationMember(operation=operation, user_id=pk, role=role)
            for pk, role in roles.items()
            if pk not in booked
        )
        operation.cadets.set(cadets)
    return operation


def operation_risk_assessment_approve(
    *,
    operation: Operation,
    user: User,
    reference: str,
    approved_on,
    expected_version: int,
) -> Operation:
    """Record the operation's risk assessment as approved by `user` on `approved_on`.

    A new reference replaces an earlier approval, which is cleared first: the database refuses a
    reference changed under an approval (the `operation_rules` trigger)."""
    with transaction.atomic():
        # The stored row, not `operation`: a form has already put the new reference on it.
        stored_reference, stored_approval = (
            Operation.objects.filter(pk=operation.pk)
            .values_list("risk_assessment_ref", "risk_assessment_approved_on")
            .get()
        )
        if stored_approval is not None and stored_reference != reference:
            Operation.objects.filter(pk=operation.pk).update(
                risk_assessment_approved_by=None, risk_assessment_approved_on=None
            )
        operation.risk_assessment_ref = reference
        operation.risk_assessment_approved_by = user
        operation.risk_assessment_approved_on = approved_on
        save_versioned(operation, expected_version=expected_version)
    return operation


def operation_start(*, operation: Operation, user: User) -> Operation:
    """Start a planned operation, if the night is lawful and safe (docs/domain.md,
    "Operations"); otherwise raise `OperationNotReady` with the reasons. The database holds
    the same rules."""
    with transaction.atomic():
        operation = Operation.objects.select_for_update().get(pk=operation.pk)
        if operation.status != Operation.Status.PLANNED:
            return operation
        problems = operation.start_problems()
        if problems:
            raise OperationNotReady(problems)
        operation.status = Operation.Status.IN_PROGRESS
        operation.version += 1
        operation.save(update_fields=["status", "version", "updated_at"])
    return operation


def operation_order_save(
    *, operation: Operation, user: User, positions: dict[int, int], expected_version: int
) -> Operation:
    """Keep the checklist's visiting order: `positions` maps each link's id to the number the
    user gave it. Numbers are read as an order, so they become 1, 2, 3... (ties keep the order
    shown); a link left out keeps its place after them."""
    with transaction.atomic():
        save_versioned(operation, expected_version=expected_version)
        links = list(operation.visiting_order())
        shown = {link.pk: index for index, link in enumerate(links)}
        links.sort(key=lambda link: (positions.get(link.pk, len(links) + 1), shown[link.pk]))
        changed = []
        for number, link in enumerate(links, start=1):
            if link.position != number:
                link.position = number
                changed.append(link)
        OperationPremises.objects.bulk_update(changed, ["position"])
    return operation


def operation_close(*, operation: Operation, user: User) -> Operation:
    """Mark an operation completed: its checklist is final."""
    operation.status = Operation.Status.COMPLETED
    operation.version += 1
    operation.save(update_fields=["status", "version", "updated_at"])
    return operation


# --- Import of historical visits -------------------------------------------------------------

IMPORT_COLUMNS = [
    "premises_reference",
    "visited_on",
    "outcome",
    "stage",
    "participant",
    "scenario",
    "debrief_notes",
    "operation",
]
# Columns a file may add: `retest` (yes or no; blank is no) marks a re-test of the premises'
# latest earlier failed visit.
IMPORT_OPTIONAL_COLUMNS = ["retest"]
RETEST_VALUES = {"yes": True, "no": False, "": False}
MAX_IMPORT_ROWS = 20000


@dataclass
class VisitImportResult:
    created: int = 0
    created_names: dict[str, list[str]] = field(default_factory=dict)
    errors: list[tuple[int, str]] = field(default_factory=list)


class VisitImportFailed(Exception):
    def __init__(self, result: VisitImportResult):
        super().__init__(f"{len(result.errors)} bad rows")
        self.result = result


def _parse_when(text: str) -> datetime:
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware below
        except ValueError:
            continue
        if fmt == "%Y-%m-%d":
            parsed = datetime.combine(parsed.date(), time(12, 0))
        return timezone.make_aware(parsed, LONDON_TZ)
    raise ValueError


def visits_import(*, force: Force, user: User | None, text: str | Sheet) -> VisitImportResult:
    """Import historical visits from CSV text or a workbook's sheet, all or nothing.

    Imported visits are marked `imported` and exempt from the live-logging rules (participant,
    permission, risk assessment, debrief notes), and record only what the file says: a "reported
    to police" row's contact method is "not recorded". A row with `retest` yes is linked to the
    premises' latest earlier failed visit, rows of the same file included (they are saved in
    time order). Unknown participants, scenarios and operations are created and marked
    imported. Raises `VisitImportFailed` listing every bad line.
    """
    parsed = read_import(
        text, columns=IMPORT_COLUMNS, optional=IMPORT_OPTIONAL_COLUMNS, max_rows=MAX_IMPORT_ROWS
    )
    result = VisitImportResult(errors=parsed.errors)
    if not parsed.header_ok:
        raise VisitImportFailed(result)

    premises = {
        p.reference: p for p in Premises.objects.filter(force=force).only("id", "reference")
    }
    outcomes = set(Visit.Outcome.values)
    stages = set(Visit.Stage.values)
    now = timezone.now()
    rows = []
    for line, values in parsed.rows:
        if not any(values.values()):
            continue
        problems = []
        target = premises.get(values["premises_reference"].upper())
        if not values["premises_reference"]:
            problems.append("premises_reference is required")
        elif target is None:
            problems.append(
                f"no premises of your force has the reference {values['premises_reference']}"
            )
        try:
            when = _parse_when(values["visited_on"])
            if when > now:
                problems.append("visited_on is in the future")
        except ValueError:
            when = None
            problems.append("visited_on must be YYYY-MM-DD or YYYY-MM-DD HH:MM")
        outcome = values["outcome"].lower()
        if outcome not in outcomes:
            problems.append(f"outcome must be one of {', '.join(Visit.Outcome.values)}")
        stage = values["stage"].lower()
        if stage not in stages:
            problems.append(f"stage must be one of {', '.join(Visit.Stage.values)}")
        code = values["participant"].upper()
        if code and not re.fullmatch(r"[A-Z]{1,3}-?[0-9]{1,5}", code):
            problems.append("participant must be a cadet code such as C-014, never a name")
        if len(values["debrief_notes"]) > 4000:
            problems.append("debrief_notes is longer than 4,000 characters")
        if len(values["scenario"]) > 120 or len(values["operation"]) > 120:
            problems.append("scenario and operation names are at most 120 characters")
        retest = RETEST_VALUES.get(values["retest"].lower())
        if retest is None:
            problems.append("retest must be yes or no (blank is no)")
        if problems:
            result.errors.append((line, "; ".join(problems)))
            continue
        rows.append((line, target, when, outcome, stage, code, retest, values))

    if result.errors:
        result.errors.sort()
        raise VisitImportFailed(result)

    with transaction.atomic():
        participants = {p.code: p for p in Participant.objects.filter(force=force)}
        scenarios = {
            s.name.upper(): s for s in Scenario.objects.filter(force=force).order_by("version")
        }
        operations = {o.name.upper(): o for o in Operation.objects.filter(force=force)}
        # In time order, so that a re-test finds an earlier failure of the same file.
        for line, target, when, outcome, stage, code, retest, values in sorted(
            rows, key=lambda row: (row[2], row[0])
        ):
            retest_of = None
            if retest:
                retest_of = (
                    Visit.objects.filter(premises=target, visited_at__lt=when)
                    .failed()
                    .order_by("-visited_at", "-id")
                    .first()
                )
                if retest_of is None:
                    result.errors.append(
                        (line, "retest is yes, but the premises has no earlier failed visit")
                    )
                    continue
            participant = None
            if code:
                participant = participants.get(code)
                if participant is None:
                    participant = Participant.objects.create(
                        force=force,
                        code=code,
                        age_band=Participant.AgeBand.AGE_16_17,
                        active=False,
                        imported=True,
                    )
                    participants[code] = participant
                    result.created_names.setdefault("participants", []).append(code)
            scenario = None
            if values["scenario"]:
                scenario = scenarios.get(values["scenario"].upper())
                if scenario is None:
                    scenario = Scenario.objects.create(
                        force=force,
                        name=values["scenario"],
                        script="Imported: script not recorded.",
                        sectors=[],
                        imported=True,
                        created_by=user,
                    )
                    scenarios[values["scenario"].upper()] = scenario
                    result.created_names.setdefault("scenarios", []).append(scenario.name)
            operation = None
            if values["operation"]:
                operation = operations.get(values["operation"].upper())
                if operation is None:
                    operation = Operation.objects.create(
                        force=force,
                        name=values["operation"],
                        date=when.astimezone(LONDON_TZ).date(),
                        status=Operation.Status.COMPLETED,
                        imported=True,
                        created_by=user,
                    )
                    operations[values["operation"].upper()] = operation
                    result.created_names.setdefault("operations", []).append(operation.name)
            visit = Visit(
                force=force,
                premises=target,
                operation=operation,
                scenario=scenario,
                visited_at=when,
                outcome=outcome,
                result=Visit.result_for(outcome),
                stage_reached=stage,
                police_contact=(
                    Visit.PoliceContact.NOT_RECORDED
                    if outcome == Visit.Outcome.REPORTED_TO_POLICE
                    else Visit.PoliceContact.NONE
                ),
                debrief_held=bool(values["debrief_notes"]),
                debrief_notes=values["debrief_notes"],
                training_offered=False,
                reason="Imported record: reason not recorded."
                if outcome in ("refused_other", "void")
                else "",
                retest_of=retest_of,
                imported=True,
                officer=None,
                created_by=user,
                updated_by=user,
            )
            try:
                visit.full_clean(
                    exclude=[
                        "force",
                        "premises",
                        "operation",
                        "scenario",
                        "officer",
                        "created_by",
                        "updated_by",
                        "retest_of",
                        "result",
                    ]
                )
            except ValidationError as exc:
                result.errors.append((line, "; ".join(exc.messages)))
                continue
            visit.save()
            if participant is not None:
                visit.participants.add(participant)
            result.created += 1
        if result.errors:
            result.errors.sort()
            transaction.set_rollback(True)
    if result.errors:
        raise VisitImportFailed(result)
    return result


# --- Premises added from the planner ---------------------------------------------------------


class OperationNotPlanned(Exception):
    """The operation has started or closed since the person chose it: its checklist is set."""


def operation_add_premises(
    *, operation: Operation, premises: list[Premises], expected_version: int, user: User
) -> int:
    """Add `premises` (and their towns) to a planned operation's checklist, if the operation is
    still at `expected_version` and still planned; returns how many were not on it already.

    A stale version raises `StaleEdit` and an operation no longer planned `OperationNotPlanned`;
    either way nothing is added. The row is locked for the check, so two sergeants adding at once
    cannot both pass it."""
    with transaction.atomic():
        current = Operation.objects.select_for_update().get(pk=operation.pk)
        if current.version != expected_version:
            raise StaleEdit(current)
        if current.status != Operation.Status.PLANNED:
            raise OperationNotPlanned(current.get_status_display())
        on_it = set(current.premises.values_list("pk", flat=True))
        added = [p for p in premises if p.pk not in on_it]
        current.premises.add(*added)
        current.towns.add(*{p.town_id for p in added})
        current.version += 1
        current.save(update_fields=["version", "updated_at"])
        operation.version = current.version
        return len(added)
