"""What an operation's pages read about it: its team and its checklist in visiting order."""

from dataclasses import dataclass, field

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from .models import Operation, OperationMember, OperationPremises, Participant, Visit

# How many earlier visits to each premises the briefing pack shows.
PREVIOUS_VISITS = 3


@dataclass
class Stop:
    """One premises of the checklist, at its place in the visiting order."""

    number: int
    link: OperationPremises
    previous: list[Visit] = field(default_factory=list)
    # The failure this visit re-tests, if the premises has one awaiting its re-test.
    retest_of: Visit | None = None

    @property
    def premises(self):
        return self.link.premises


@dataclass
class BriefingPack:
    """Everything the team is briefed with (docs/domain.md, "Operations"); cadets by code."""

    operation: Operation
    members: list[OperationMember]
    cadets: list[Participant]
    stops: list[Stop]
    problems: list[str]


def booked_team(operation: Operation) -> tuple[list[OperationMember], list[Participant]]:
    """The officers booked, covers first, and the cadets booked: two queries."""
    members = list(
        operation.members.select_related("user").order_by("role", "user__last_name", "id")
    )
    cadets = list(operation.cadets.order_by("code"))
    return members, cadets


def stops_in_order(operation: Operation, *, previous: int = 0) -> list[Stop]:
    """The checklist in visiting order with, for each premises, its failure awaiting a re-test
    and (if `previous`) its latest earlier visits: three queries whatever the size."""
    links = list(operation.visiting_order())
    stops = [Stop(number=n, link=link) for n, link in enumerate(links, start=1)]
    by_premises = {stop.link.premises_id: stop for stop in stops}
    if not stops:
        return stops
    visits = Visit.objects.filter(force=operation.force_id, premises__in=list(by_premises))
    for visit in visits.awaiting_retest().only(
        "premises", "visited_at", "outcome", "result", "stage_reached", "indicators"
    ):
        by_premises[visit.premises_id].retest_of = visit
    if previous:
        latest = (
            visits.exclude(operation=operation)
            .annotate(
                row=Window(
                    RowNumber(),
                    partition_by=[F("premises")],
                    order_by=[F("visited_at").desc(), F("id").desc()],
                )
            )
            .filter(row__lte=previous)
            .only("premises", "visited_at", "outcome", "result")
            .order_by("premises", "-visited_at", "-id")
        )
        for visit in latest:
            by_premises[visit.premises_id].previous.append(visit)
    return stops


def briefing_pack(operation: Operation) -> BriefingPack:
    """The briefing pack's contents: a fixed number of queries whatever the size."""
    members, cadets = booked_team(operation)
    return BriefingPack(
        operation=operation,
        members=members,
        cadets=cadets,
        stops=stops_in_order(operation, previous=PREVIOUS_VISITS),
        problems=operation.start_problems(members=members, cadets=cadets)
        if operation.is_planned
        else [],
    )
