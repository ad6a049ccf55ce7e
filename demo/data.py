"""The demo data set: Suffolk's 2021 hotel operation and a realistic register around it.

Names of businesses are invented. Running `seed` twice changes nothing.
"""

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts import roles
from accounts.models import Force, User
from premises.models import Premises, Town
from premises.services import operator_resolve
from training.models import GuestInfoRequest, Notice, OutcomeLetter, TrainingSession
from visits.models import (
    LONDON_TZ,
    Campaign,
    NationalScenario,
    Operation,
    OperationMember,
    OperationPremises,
    Participant,
    Scenario,
    Visit,
)
from visits.services import national_scenario_publish, scenario_adopt, scenario_save

DEMO_PASSWORD = "makesafe-demo-2021"

SUFFOLK_TOWNS = ["Ipswich", "Bury St Edmunds", "Felixstowe", "Lowestoft", "Sudbury"]

# (reference, name, sector, operator, address, town, postcode)
SUFFOLK_PREMISES = [
    # The eight hotels of the seed article's operation: five in Ipswich, three in Bury St Edmunds.
    (
        "SUF-H-0001",
        "Orwell Quay Hotel",
        "hotel",
        "Harbourside Hotels",
        "12 Neptune Quay",
        "Ipswich",
        "IP4 1AX",
    ),
    ("SUF-H-0002", "Cornhill Lodge", "hotel", "", "3 Princes Street", "Ipswich", "IP1 1PH"),
    (
        "SUF-H-0003",
        "Ipswich Parkway Inn",
        "hotel",
        "Parkway Inns",
        "Ransomes Way",
        "Ipswich",
        "IP3 9SJ",
    ),
    ("SUF-H-0004", "The Gippeswyk Rooms", "hotel", "", "40 Handford Road", "Ipswich", "IP1 2EY"),
    (
        "SUF-H-0005",
        "Station Court Hotel",
        "hotel",
        "Harbourside Hotels",
        "1 Burrell Road",
        "Ipswich",
        "IP2 8AL",
    ),
    (
        "SUF-H-0006",
        "Abbeygate House Hotel",
        "hotel",
        "",
        "8 Angel Hill",
        "Bury St Edmunds",
        "IP33 1UZ",
    ),
    (
        "SUF-H-0007",
        "Lark Valley Hotel",
        "hotel",
        "Parkway Inns",
        "Moreton Hall Road",
        "Bury St Edmunds",
        "IP32 7BS",
    ),
    (
        "SUF-H-0008",
        "The Cupola Rooms",
        "hotel",
        "",
        "22 Abbeygate Street",
        "Bury St Edmunds",
        "IP33 1LW",
    ),
    (
        "SUF-H-0009",
        "Seafront Promenade Hotel",
        "hotel",
        "Harbourside Hotels",
        "60 Undercliff Road West",
        "Felixstowe",
        "IP11 2AN",
    ),
    ("SUF-H-0010", "Claremont Bay Hotel", "hotel", "", "19 Kirkley Cliff", "Lowestoft", "NR33 0BY"),
    (
        "SUF-H-0011",
        "Stour Meadows Hotel",
        "hotel",
        "Parkway Inns",
        "Cornard Road",
        "Sudbury",
        "CO10 2XA",
    ),
    ("SUF-B-0001", "Harbour Lights B&B", "bnb", "", "7 Orford Road", "Felixstowe", "IP11 7JY"),
    ("SUF-B-0002", "Rosehill Guest House", "bnb", "", "15 Rosehill Road", "Ipswich", "IP3 8EZ"),
    (
        "SUF-B-0003",
        "The Old Maltings B&B",
        "bnb",
        "",
        "2 Maltings Lane",
        "Bury St Edmunds",
        "IP33 1RS",
    ),
    (
        "SUF-B-0004",
        "Ness Point Guest House",
        "bnb",
        "",
        "31 Whapload Road",
        "Lowestoft",
        "NR32 1UJ",
    ),
    ("SUF-B-0005", "Gainsborough View B&B", "bnb", "", "4 Gregory Street", "Sudbury", "CO10 1BA"),
    (
        "SUF-L-0001",
        "The Anchor and Crown",
        "licensed",
        "Eastern Taverns",
        "88 Fore Street",
        "Ipswich",
        "IP4 1LB",
    ),
    ("SUF-L-0002", "Velvet Nightclub", "licensed", "", "5 Tower Ramparts", "Ipswich", "IP1 3BZ"),
    (
        "SUF-L-0003",
        "The Drovers Arms",
        "licensed",
        "Eastern Taverns",
        "21 Risbygate Street",
        "Bury St Edmunds",
        "IP33 3AA",
    ),
    ("SUF-L-0004", "Pier Bar", "licensed", "", "Sea Road", "Felixstowe", "IP11 2DS"),
    (
        "SUF-L-0005",
        "The Trawlerman",
        "licensed",
        # The same pub company under its registered name: a duplicate for a sergeant to merge.
        "Eastern Taverns Ltd",
        "140 High Street",
        "Lowestoft",
        "NR32 1HR",
    ),
    ("SUF-L-0006", "Quay Street Social", "licensed", "", "9 Quay Street", "Sudbury", "CO10 2AN"),
    ("SUF-T-0001", "Town Cars Ipswich", "taxi", "", "Unit 4, Cardinal Park", "Ipswich", "IP1 1AS"),
    (
        "SUF-T-0002",
        "Abbey Taxis",
        "taxi",
        "",
        "17 St Andrews Street North",
        "Bury St Edmunds",
        "IP33 1SZ",
    ),
    ("SUF-T-0003", "Port Cabs", "taxi", "", "2 Langer Road", "Felixstowe", "IP11 2BU"),
    (
        "SUF-T-0004",
        "Easterly Private Hire",
        "taxi",
        "",
        "56 London Road North",
        "Lowestoft",
        "NR32 1ET",
    ),
    (
        "SUF-F-0001",
        "Quayside Chicken & Pizza",
        "takeaway",
        "",
        "30 Norwich Road",
        "Ipswich",
        "IP1 2NH",
    ),
    (
        "SUF-F-0002",
        "Late Bites",
        "takeaway",
        "",
        "11 St Johns Street",
        "Bury St Edmunds",
        "IP33 1SQ",
    ),
    ("SUF-F-0003", "Harbour Fryer", "takeaway", "", "5 Hamilton Road", "Felixstowe", "IP11 7AX"),
    (
        "SUF-F-0004",
        "Kirkley Kebab House",
        "takeaway",
        "",
        "102 London Road South",
        "Lowestoft",
        "NR33 0AZ",
    ),
    (
        "SUF-O-0001",
        "Ipswich Bus Interchange Café",
        "other",
        "",
        "Turret Lane",
        "Ipswich",
        "IP4 1DL",
    ),
    ("SUF-O-0002", "Lowestoft Station Kiosk", "other", "", "Denmark Road", "Lowestoft", "NR32 2EG"),
    (
        "SUF-O-0003",
        "Sudbury Leisure Centre Café",
        "other",
        "",
        "Station Road",
        "Sudbury",
        "CO10 2SP",
    ),
]

# Registered since the last operation and never tested: the planner's "never tested" rows. Added
# after the visits are seeded, so no seeded visit goes to them.
SUFFOLK_NOT_YET_TESTED = [
    (
        "SUF-H-0012",
        "Cliff Top Lodge",
        "hotel",
        "",
        "12 Undercliff Road West",
        "Felixstowe",
        "IP11 2AN",
    ),
    ("SUF-B-0006", "St Mary's Rooms", "bnb", "", "3 Angel Hill", "Bury St Edmunds", "IP33 1UZ"),
    ("SUF-L-0007", "The Wherry Tap", "licensed", "", "44 Bridge Road", "Lowestoft", "NR33 9JS"),
]

# (username, first, last, rank, collar number, role)
SUFFOLK_USERS = [
    ("officer", "Priya", "Shah", User.Rank.CONSTABLE, "1234", roles.OFFICER),
    ("sergeant", "David", "Hammond", User.Rank.SERGEANT, "567", roles.SERGEANT),
    ("commander", "Jane", "Thorpe", User.Rank.SUPERINTENDENT, "88", roles.COMMANDER),
    ("forceadmin", "Alex", "Morgan", User.Rank.STAFF, "S4410", roles.FORCE_ADMIN),
]


def _user(force, username, first, last, rank, number, role) -> tuple[User, bool]:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "force": force,
            "rank": rank,
            "collar_number": number,
            "email": f"{username}@makesafe.invalid",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
    return user, created


def _premises(force, towns, rows, creator) -> int:
    created_count = 0
    for reference, name, sector, operator, address, town, postcode in rows:
        _, created = Premises.objects.get_or_create(
            force=force,
            reference=reference,
            defaults={
                "name": name,
                "sector": sector,
                "operator": operator_resolve(force=force, name=operator),
                "address": address,
                "town": towns[town],
                "postcode": postcode,
                "contact_role": Premises.ContactRole.MANAGER,
                "created_by": creator,
                "updated_by": creator,
            },
        )
        created_count += created
    return created_count


@transaction.atomic
def seed() -> dict[str, int]:
    """Create the demo forces, towns, premises and users that are missing; returns counts created."""
    counts = {"forces": 0, "users": 0, "premises": 0, "visits": 0, "training": 0}
    suffolk, created = Force.objects.get_or_create(
        code="SUF",
        defaults={
            "name": "Suffolk Constabulary",
            # The reminder emails' sender (manage.py send_reminders; printed under make run).
            "reminder_from_email": "makesafe@suffolk.police.invalid",
        },
    )
    counts["forces"] += created
    towns = {
        name: Town.objects.get_or_create(force=suffolk, name=name)[0] for name in SUFFOLK_TOWNS
    }
    users = {}
    for row in SUFFOLK_USERS:
        users[row[0]], created = _user(suffolk, *row)
        counts["users"] += created
    counts["premises"] += _premises(suffolk, towns, SUFFOLK_PREMISES, users["officer"])
    counts["visits"] += seed_visits(suffolk)
    counts["training"] = seed_training(suffolk)
    counts["premises"] += _premises(suffolk, towns, SUFFOLK_NOT_YET_TESTED, users["officer"])

    # Neighbouring forces share the install: their records never show up for Suffolk. Suffolk,
    # Norfolk and Essex share their figures with the national coordinator; Cambridgeshire does
    # not, so it is in no national figure (docs/domain.md, National figures).
    Force.objects.filter(pk=suffolk.pk, national_figures=False).update(national_figures=True)
    for code, name, towns_of, sharing in NEIGHBOURS:
        neighbour, created = Force.objects.get_or_create(
            code=code, defaults={"name": name, "national_figures": sharing}
        )
        counts["forces"] += created
        created_users, created_premises, created_visits = seed_neighbour(neighbour, towns_of)
        counts["users"] += created_users
        counts["premises"] += created_premises
        counts["visits"] += created_visits
    national, created = User.objects.get_or_create(
        username=NATIONAL_USERNAME,
        defaults={"first_name": "Morgan", "last_name": "Ellis", "force": None, "national": True,
                  "rank": User.Rank.STAFF, "email": f"{NATIONAL_USERNAME}@makesafe.invalid"},
    )  # fmt: skip
    if created:
        national.set_password(DEMO_PASSWORD)
        national.save(update_fields=["password"])
        national.groups.add(Group.objects.get(name=roles.NATIONAL_COORDINATOR))
    counts["users"] += created
    seed_campaign(suffolk, national)
    seed_national_library(national, users["sergeant"])
    return counts


def seed_campaign(suffolk: Force, national: User) -> Campaign:
    """The national campaign week of September 2021, with every force's operation of that week
    linked to it (Cambridgeshire's too: it shares no figures, so its visits stay out of the
    campaign's national rate)."""
    campaign, _ = Campaign.objects.get_or_create(
        name=CAMPAIGN_NAME,
        defaults={
            "starts_on": CAMPAIGN_WEEK,
            "ends_on": CAMPAIGN_WEEK + timedelta(days=6),
            "description": "One week of test visits to hotels, licensed premises and taxi "
            "firms in every force taking part, with the same scenario scripts.",
            "created_by": national,
        },
    )
    weeks = Operation.objects.filter(name__startswith="Makesafe national campaign week, ")
    suffolk_week = Operation.objects.filter(force=suffolk, name=SEED_OPERATION)
    (weeks | suffolk_week).filter(campaign__isnull=True).update(campaign=campaign)
    return campaign


# (name, sectors, indicators, script, revision's script and notes or None)
NATIONAL_SCRIPTS = [
    (
        "Booked online, paid in cash",
        ["hotel", "bnb"],
        ["pays_cash", "name_differs", "not_family", "short_stay"],
        "An adult books a room online under one name, then arrives with a cadet, asks to pay "
        "cash at the desk and signs in under another name. The cadet says little and looks to "
        "the adult before answering.",
        (
            "An adult books a room online under one name, then arrives late with a cadet, asks to "
            "pay cash at the desk and signs in under another name. The adult asks for a room away "
            "from the lifts. The cadet says little and looks to the adult before answering.",
            "Adds the request for an isolated room, which staff in the pilot forces missed most.",
        ),
    ),
    (
        "Collected from a takeaway at closing time",
        ["taxi", "takeaway"],
        ["child_alone", "adult_directing", "distant_destination"],
        "A cadet waits at a takeaway at closing time and orders a taxi to an address in another "
        "town, on a phone call with an adult who gives the driver the directions.",
        None,
    ),
]


def seed_national_library(national: User, sergeant: User) -> None:
    """Two national scripts; Suffolk adopted the first, which has since been revised, so its
    library offers the newer version (docs/domain.md, Shared scenario library)."""
    if NationalScenario.objects.exists():
        return
    for name, sectors, indicators, script, revision in NATIONAL_SCRIPTS:
        first = national_scenario_publish(
            scenario=NationalScenario(
                name=name, sectors=sectors, indicators=indicators, script=script
            ),
            user=national,
        )
        if revision is None:
            continue
        scenario_adopt(national=first, user=sergeant, expected_revision=None)
        text, notes = revision
        national_scenario_publish(
            scenario=NationalScenario(
                sectors=sectors,
                indicators=indicators + ["isolated_room"],
                script=text,
                notes=notes,
            ),
            user=national,
            revises=first,
        )


def logins() -> list[tuple[str, str, str]]:
    """(role, username, password) for each demo login, for printing."""
    return [(row[5], row[0], DEMO_PASSWORD) for row in SUFFOLK_USERS] + [
        ("Officer, Norfolk", "norfolk.officer", DEMO_PASSWORD),
        (roles.NATIONAL_COORDINATOR, NATIONAL_USERNAME, DEMO_PASSWORD),
    ]


# --- The other forces, for the national figures -------------------------------------------------

NATIONAL_USERNAME = "national"
# (code, name, {town: [(sector, name, postcode)]}, shares its figures)
NEIGHBOURS = [
    ("NOR", "Norfolk Constabulary", {
        "Norwich": [("hotel", "Wensum Riverside Hotel", "NR3 1RB"),
                    ("licensed", "The Tombland Tap", "NR3 1HF"),
                    ("hotel", "Cathedral Close Lodge", "NR1 4DH"),
                    ("taxi", "Fine City Cars", "NR1 1EF"),
                    ("bnb", "Earlham Road Guest House", "NR2 3DB")],
        "King's Lynn": [("hotel", "Quay Side Hotel", "PE30 1HP"),
                        ("licensed", "The Tuesday Market Arms", "PE30 1JN"),
                        ("takeaway", "Lynn Late Grill", "PE30 5DD")],
        "Great Yarmouth": [("hotel", "Golden Mile Hotel", "NR30 2EH"),
                           ("bnb", "Marine Parade B&B", "NR30 3AH"),
                           ("taxi", "Yarmouth Seafront Taxis", "NR30 2LZ")],
    }, True),
    ("ESX", "Essex Police", {
        "Chelmsford": [("hotel", "Moulsham Street Hotel", "CM2 0HU"),
                       ("licensed", "The Springfield Arms", "CM1 7AA"),
                       ("taxi", "County Town Cars", "CM1 1HT"),
                       ("hotel", "Riverside Inn Chelmsford", "CM2 6LF")],
        "Colchester": [("hotel", "Castle Park Hotel", "CO1 1TJ"),
                       ("bnb", "Lexden Guest House", "CO3 4DB"),
                       ("takeaway", "High Street Kebab House", "CO1 1DN"),
                       ("licensed", "The Roman Wall", "CO1 1XL")],
        "Southend-on-Sea": [("hotel", "Pier Hill Hotel", "SS1 1EE"),
                            ("taxi", "Seafront Private Hire", "SS1 2EL"),
                            ("bnb", "Westcliff Parade Guest House", "SS0 7QP"),
                            ("other", "Victoria Circus Café", "SS2 5SP")],
    }, True),
    ("CAM", "Cambridgeshire Constabulary", {
        "Cambridge": [("hotel", "Parker's Piece Hotel", "CB1 1JP"),
                      ("licensed", "The Mill Road Tavern", "CB1 2AD"),
                      ("taxi", "Camcab Private Hire", "CB1 2BD")],
        "Peterborough": [("hotel", "Cathedral Square Hotel", "PE1 1XH"),
                         ("bnb", "Thorpe Road Guest House", "PE3 6AB")],
    }, False),
]  # fmt: skip
# The national campaign week: every force ran its operation between these days.
CAMPAIGN_WEEK = date(2021, 9, 13)
CAMPAIGN_NAME = "Makesafe national campaign week, September 2021"


def seed_neighbour(force: Force, towns_of: dict) -> tuple[int, int, int]:
    """Another force's towns, premises, officer, cadet and script; its visits in the national
    campaign week of September 2021 and over the last two years. (users, premises, visits)."""
    code = force.code
    username = "norfolk.officer" if code == "NOR" else f"{code.lower()}.officer"
    officer, users = _user(force, username, "Sam", "Carter", User.Rank.CONSTABLE, "2211",
                           roles.OFFICER)  # fmt: skip
    towns = {name: Town.objects.get_or_create(force=force, name=name)[0] for name in towns_of}
    rows, numbers = [], {}
    for town, places in towns_of.items():
        for sector, name, postcode in places:
            letter = Premises.SECTOR_LETTERS[sector]
            numbers[letter] = numbers.get(letter, 0) + 1
            reference = f"{code}-{letter}-{numbers[letter]:04d}"
            rows.append((reference, name, sector, "", "1 High Street", town, postcode))
    premises_created = _premises(force, towns, rows, officer)
    campaign = f"Makesafe national campaign week, {force.name}, Sep 2021"
    if Operation.objects.filter(force=force, name=campaign).exists():
        return users, premises_created, 0
    cadet = Participant.objects.create(
        force=force, code="C-101", age_band="16-17", permission_recorded_on=date(2021, 9, 1)
    )
    _, _, indicators, script = SCENARIOS[0]
    scenario = Scenario.objects.create(
        force=force, name="Makesafe test visit", sectors=list(Premises.Sector.values),
        indicators=indicators, script=script, created_by=officer,
    )  # fmt: skip
    operation = Operation.objects.create(
        force=force, name=campaign, date=CAMPAIGN_WEEK, lead_officer=officer, scenario=scenario,
        status=Operation.Status.COMPLETED, risk_assessment_ref=f"RA-{code}-2021-09",
        created_by=officer,
    )  # fmt: skip
    places = list(Premises.objects.filter(force=force).order_by("reference"))
    operation.premises.set(places)
    operation.towns.set(towns.values())
    rng = random.Random(code)  # noqa: S311 - demo data, not security
    created = 0

    def outcome_for(p) -> tuple[str, str]:
        if rng.random() < SECTOR_FAIL[p.sector]:
            outcome = rng.choice(FAIL_OUTCOMES)
            return outcome, "Said they do not take cash." if outcome == "refused_other" else ""
        return rng.choice(PASS_OUTCOMES), ""

    for n, p in enumerate(places):
        outcome, reason = outcome_for(p)
        _visit(
            premises=p, when=_aware(CAMPAIGN_WEEK + timedelta(days=n % 7), f"{19 + n % 4}:15"),
            outcome=outcome, stage=STAGE_FOR[outcome],
            contact="101" if outcome == "reported_to_police" else "none", reason=reason,
            officer=officer, cadet=cadet, scenario=scenario, operation=operation,
        )  # fmt: skip
        created += 1
    # A visit most months since, so the national pages' default period has figures too.
    today = timezone.localdate()
    for months_ago in range(1, 24, 2):
        day = (today.replace(day=1) - timedelta(days=30 * months_ago)).replace(day=10)
        for p in rng.sample(places, 3):
            outcome, reason = outcome_for(p)
            _visit(
                premises=p, when=_aware(day, "20:10"), outcome=outcome,
                stage=STAGE_FOR[outcome],
                contact="101" if outcome == "reported_to_police" else "none", reason=reason,
                officer=officer, cadet=cadet, scenario=scenario,
            )  # fmt: skip
            created += 1
    return users, premises_created, created


# --- Visits ------------------------------------------------------------------------------------

SCENARIOS = [
    # (name, sectors, indicators, script)
    (
        "Room for a few hours",
        ["hotel", "bnb"],
        [
            "pays_cash",
            "no_id",
            "no_luggage",
            "walk_in",
            "short_stay",
            "double_bed",
            "not_family",
            "local_address",
            "nervous",
        ],
        "An adult and a cadet walk in without luggage and ask for a double room for a few hours "
        "or the night. The adult pays cash, has no ID, gives a local address and answers for the "
        "cadet, who appears nervous and follows instructions.",
    ),
    (
        "Drinks for an under-18",
        ["licensed"],
        ["drinks_for_child", "controlling_adult", "not_family", "secretive"],
        "An older adult buys alcohol for a cadet at the bar, speaks for them, and mentions keeping "
        "the evening secret from the cadet's parents.",
    ),
    (
        "Child alone to a distant address",
        ["taxi"],
        ["child_alone", "distant_destination", "pays_cash", "secretive"],
        "A cadet books a car alone late in the evening to an address in another town, paying cash, "
        "and says an older friend will meet them there.",
    ),
    (
        "Adult with a child late at night",
        ["takeaway", "other"],
        ["not_family", "controlling_adult", "nervous", "alcohol"],
        "An adult with a cadet buys food late at night, with alcohol on show, and directs the "
        "cadet where to sit and what to say.",
    ),
]

CADETS = [
    # (code, age band, permission recorded, active)
    ("C-007", "14-15", date(2024, 9, 2), True),
    ("C-014", "16-17", date(2021, 9, 1), True),
    ("C-021", "16-17", date(2024, 9, 9), True),
    ("C-003", "16-17", None, False),
    # Took part in 2019, since aged out of the cadets.
    ("C-002", "16-17", date(2019, 5, 20), False),
]

SEED_OPERATION = "Makesafe hotels: Ipswich and Bury St Edmunds, Sep 2021"

# Officers who go out on the nights as cover officers and cadet handlers. They have no demo
# login: they only appear in operations' teams. (username, first, last, rank, collar number)
TEAM_OFFICERS = [
    ("pc.reeve", "Tom", "Reeve", User.Rank.CONSTABLE, "1402"),
    ("pc.okafor", "Grace", "Okafor", User.Rank.CONSTABLE, "1517"),
    ("pcso.lee", "Sam", "Lee", User.Rank.STAFF, "P2290"),
]


def _team_officers(force) -> list[User]:
    people = []
    for username, first, last, rank, number in TEAM_OFFICERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "force": force,
                "rank": rank,
                "collar_number": number,
                "email": f"{username}@makesafe.invalid",
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=roles.OFFICER))
        people.append(user)
    return people


def _book_team(operation, *, covers, handlers=(), cadets=(), approver, approved_on) -> None:
    """The night's team as it was booked, and its risk assessment as approved (docs/domain.md,
    "Operations"): a cover officer for each cadet."""
    OperationMember.objects.bulk_create(
        [OperationMember(operation=operation, user=u, role="cover") for u in covers]
        + [OperationMember(operation=operation, user=u, role="handler") for u in handlers]
    )
    operation.cadets.set(cadets)
    Operation.objects.filter(pk=operation.pk).update(
        risk_assessment_approved_by=approver, risk_assessment_approved_on=approved_on
    )


def _number_in_order(operation) -> None:
    """Keep the checklist's default order (town, then postcode) as its visiting order."""
    links = list(operation.visiting_order())
    for number, link in enumerate(links, start=1):
        link.position = number
    OperationPremises.objects.bulk_update(links, ["position"])


# Hotels left out of the later history, so their 2021 follow-up shows in the queue and timeline.
KEEP_2021 = {"SUF-H-0001", "SUF-H-0003", "SUF-H-0004"}
# The seed article's eight hotels: two passed, six failed to identify the scenario.
SEED_VISITS = [
    ("SUF-H-0001", "20:05", "completed", "key_issued", "none", ""),
    ("SUF-H-0002", "20:40", "refused_concerns", "questions", "none", ""),
    ("SUF-H-0003", "21:20", "completed", "payment", "none", ""),
    ("SUF-H-0004", "21:55", "challenged", "room_offered", "none", ""),
    (
        "SUF-H-0005",
        "22:30",
        "refused_other",
        "room_offered",
        "none",
        "Said they take no cash bookings.",
    ),
    ("SUF-H-0006", "19:10", "uneasy", "key_issued", "none", ""),
    ("SUF-H-0007", "19:45", "reported_to_police", "questions", "101", ""),
    ("SUF-H-0008", "20:25", "completed", "key_issued", "none", ""),
]

DEBRIEFS = {
    "pass": "Debrief with the duty manager and receptionist. Staff explained what worried them; we "
    "thanked them, left posters and the toolkit, and confirmed the training offer.",
    "fail": "Immediate debrief with the manager and the member of staff. We went through the signs "
    "(cash, no ID, no luggage, a few hours, the young person's age and manner) and how to report "
    "on 101 quoting Makesafe. Posters left; training offered.",
}

# Failure rates by sector for the generated history (docs/domain.md: most premises fail).
SECTOR_FAIL = {
    "hotel": 0.6,
    "bnb": 0.55,
    "licensed": 0.5,
    "taxi": 0.45,
    "takeaway": 0.65,
    "other": 0.6,
}
PASS_OUTCOMES = ["reported_to_police", "refused_concerns"]
FAIL_OUTCOMES = ["challenged", "uneasy", "refused_other", "completed", "completed"]
STAGE_FOR = {
    "reported_to_police": "questions",
    "refused_concerns": "questions",
    "challenged": "room_offered",
    "uneasy": "key_issued",
    "refused_other": "room_offered",
    "completed": "key_issued",
    "void": "enquiry",
}


def _aware(day: date, hhmm: str) -> datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), LONDON_TZ)


def _visit(
    *,
    premises,
    when,
    outcome,
    stage,
    contact,
    reason,
    officer,
    cadet,
    scenario,
    operation=None,
    retest_of=None,
    training_accepted=False,
) -> Visit:
    result = Visit.result_for(outcome)
    visit = Visit.objects.create(
        force=premises.force,
        premises=premises,
        operation=operation,
        # A visit outside an operation has a risk assessment of its own.
        risk_assessment_ref=operation.risk_assessment_ref if operation else f"RA-{when:%Y-%m%d}-V",
        cadet_age_band=cadet.age_band,
        visited_at=when,
        officer=officer,
        scenario=scenario,
        indicators=list(scenario.indicators),
        stage_reached=stage,
        outcome=outcome,
        result=result,
        police_contact=contact,
        staff_roles=["receptionist"] if premises.sector in ("hotel", "bnb") else ["manager"],
        debrief_held=outcome != "void",
        debrief_attendees=["manager", "receptionist"] if outcome != "void" else [],
        debrief_notes=DEBRIEFS["pass" if result == "pass" else "fail"] if outcome != "void" else "",
        material_left=["posters", "toolkit"] if outcome != "void" else [],
        training_offered=outcome != "void",
        training_accepted=training_accepted and outcome != "void",
        welfare_debrief_done=True,
        retest_of=retest_of,
        reason=reason,
        created_by=officer,
        updated_by=officer,
    )
    visit.participants.add(cadet)
    return visit


def seed_visits(force: Force) -> int:
    """The seed article's operation and two years of varied visits; returns visits created."""
    if Operation.objects.filter(force=force, name=SEED_OPERATION).exists():
        return 0
    officer = User.objects.get(username="officer")
    sergeant = User.objects.get(username="sergeant")
    scenarios = {}
    for name, sectors, indicators, script in SCENARIOS:
        scenarios[name] = Scenario.objects.create(
            force=force,
            name=name,
            sectors=sectors,
            indicators=indicators,
            script=script,
            created_by=sergeant,
        )
    cadets = [
        Participant.objects.create(
            force=force, code=code, age_band=band, permission_recorded_on=permission, active=active
        )
        for code, band, permission, active in CADETS
    ]
    hotel_scenario = scenarios["Room for a few hours"]
    premises = {p.reference: p for p in Premises.objects.filter(force=force)}
    towns = {t.name: t for t in Town.objects.filter(force=force)}

    # 1. The seed article: Saturday 18 September 2021.
    seed_day = date(2021, 9, 18)
    operation = Operation.objects.create(
        force=force,
        name=SEED_OPERATION,
        date=seed_day,
        lead_officer=sergeant,
        scenario=hotel_scenario,
        status=Operation.Status.COMPLETED,
        risk_assessment_ref="RA-2021-0917",
        briefing_notes="Cadets aged 16 play the vulnerable role. Immediate debrief at every hotel; "
        "offer training and posters to every business.",
        created_by=sergeant,
    )
    operation.towns.set([towns["Ipswich"], towns["Bury St Edmunds"]])
    operation.premises.set([premises[ref] for ref, *_ in SEED_VISITS])
    reeve, okafor, lee = _team_officers(force)
    _book_team(
        operation,
        covers=[officer],
        handlers=[lee],
        cadets=[cadets[1]],
        approver=sergeant,
        approved_on=seed_day - timedelta(days=8),
    )
    _number_in_order(operation)
    created = 0
    for ref, hhmm, outcome, stage, contact, reason in SEED_VISITS:
        _visit(
            premises=premises[ref],
            when=_aware(seed_day, hhmm),
            outcome=outcome,
            stage=stage,
            contact=contact,
            reason=reason,
            officer=officer,
            cadet=cadets[1],
            scenario=hotel_scenario,
            operation=operation,
            training_accepted=True,
        )
        created += 1

    # The hotel script was revised after 2021: v2 is what officers use now.
    revised = scenario_save(
        scenario=Scenario(
            pk=hotel_scenario.pk,
            force=force,
            name=hotel_scenario.name,
            sectors=["hotel", "bnb"],
            indicators=hotel_scenario.indicators + ["name_differs"],
            version=1,
            script=hotel_scenario.script + " The adult books under a different name.",
        ),
        user=sergeant,
        expected_revision=hotel_scenario.revision,
    )
    scenarios[revised.name] = revised

    # 2. Two years of monthly operations, November 2024 to October 2026, with re-tests.
    rng = random.Random(2021)  # noqa: S311 - demo data, not security
    by_sector = {}
    for p in premises.values():
        by_sector.setdefault(p.sector, []).append(p)
    scenario_for = {
        "hotel": revised,
        "bnb": revised,
        "licensed": scenarios["Drinks for an under-18"],
        "taxi": scenarios["Child alone to a distant address"],
        "takeaway": scenarios["Adult with a child late at night"],
        "other": scenarios["Adult with a child late at night"],
    }
    last_result: dict[str, Visit] = {}
    town_names = list(towns)
    for month_index in range(24):
        year, month = 2024 + (10 + month_index) // 12, (10 + month_index) % 12 + 1
        day = date(year, month, 1) + timedelta(days=rng.randrange(0, 25))
        town_pair = rng.sample(town_names, 2)
        candidates = [
            p
            for p in premises.values()
            if p.town.name in town_pair and p.reference not in KEEP_2021
        ]
        chosen = rng.sample(candidates, min(len(candidates), rng.randint(4, 7)))
        op = Operation.objects.create(
            force=force,
            name=f"Makesafe {town_pair[0]} and {town_pair[1]}, {day:%b %Y}",
            date=day,
            lead_officer=rng.choice([officer, sergeant]),
            status=Operation.Status.COMPLETED,
            risk_assessment_ref=f"RA-{day:%Y-%m%d}",
            created_by=sergeant,
        )
        op.towns.set([towns[name] for name in town_pair])
        op.premises.set(chosen)
        _number_in_order(op)
        booked = set()
        for n, p in enumerate(chosen):
            earlier = last_result.get(p.reference)
            fail_rate = SECTOR_FAIL[p.sector] * (0.6 if earlier is not None else 1.0)
            roll = rng.random()
            if roll < 0.04:
                outcome, reason = "void", "Aborted: the cadet was recognised by a member of staff."
            elif roll < 0.04 + fail_rate:
                outcome = rng.choice(FAIL_OUTCOMES)
                reason = "Said they do not take cash." if outcome == "refused_other" else ""
            else:
                outcome, reason = rng.choice(PASS_OUTCOMES), ""
            visit = _visit(
                premises=p,
                when=_aware(day, f"{19 + n // 2}:{(n % 2) * 30 + rng.randrange(0, 25):02d}"),
                outcome=outcome,
                stage=STAGE_FOR[outcome],
                contact=rng.choice(["101", "999"]) if outcome == "reported_to_police" else "none",
                reason=reason,
                officer=rng.choice([officer, sergeant]),
                cadet=rng.choice(cadets[:3]),
                scenario=scenario_for[p.sector],
                operation=op,
                retest_of=earlier if earlier is not None and earlier.result == "fail" else None,
                training_accepted=rng.random() < 0.6,
            )
            if visit.result != "void":
                last_result[p.reference] = visit
            booked.update(visit.participants.all())
            created += 1
        # The night's cadets, each with a cover officer; the one who did not lead covers too.
        cover_pool = [officer if op.lead_officer == sergeant else sergeant, reeve, okafor]
        _book_team(
            op,
            covers=cover_pool[: max(1, len(booked))],
            handlers=[lee],
            cadets=sorted(booked, key=lambda c: c.code),
            approver=sergeant,
            approved_on=day - timedelta(days=7),
        )

    # 3. Today's operation, planned, so an officer can log from its checklist.
    today = timezone.localdate()
    planned = Operation.objects.create(
        force=force,
        name="Makesafe Felixstowe and Lowestoft: hotels, B&Bs and taxis",
        date=today,
        lead_officer=officer,
        scenario=revised,
        status=Operation.Status.PLANNED,
        risk_assessment_ref=f"RA-{today:%Y-%m%d}",
        meeting_point="Felixstowe police station, rear yard, 18:30",
        briefing_notes="Evening deployment. Cadet C-021 with PC Reeve; welfare debrief at the end.",
        created_by=sergeant,
    )
    planned.towns.set([towns["Felixstowe"], towns["Lowestoft"]])
    planned.premises.set(
        [
            p
            for p in premises.values()
            if p.town.name in ("Felixstowe", "Lowestoft") and p.sector in ("hotel", "bnb", "taxi")
        ]
    )
    _book_team(
        planned,
        covers=[reeve],
        handlers=[lee],
        cadets=[cadets[2]],
        approver=sergeant,
        approved_on=today - timedelta(days=2),
    )
    _number_in_order(planned)

    # 4. Next week's operation, still being planned: the risk assessment is not approved yet and
    # two cadets are booked with one cover officer, so it cannot start.
    next_week = today + timedelta(days=7)
    upcoming = Operation.objects.create(
        force=force,
        name="Makesafe Ipswich: licensed premises and takeaways",
        date=next_week,
        lead_officer=sergeant,
        scenario=scenarios["Drinks for an under-18"],
        status=Operation.Status.PLANNED,
        risk_assessment_ref=f"RA-{next_week:%Y-%m%d}",
        meeting_point="Ipswich police station, Elm Street, 19:00",
        created_by=sergeant,
    )
    upcoming.towns.set([towns["Ipswich"]])
    upcoming.premises.set(
        [
            p
            for p in premises.values()
            if p.town.name == "Ipswich" and p.sector in ("licensed", "takeaway")
        ]
    )
    OperationMember.objects.create(operation=upcoming, user=okafor, role="cover")
    upcoming.cadets.set([cadets[0], cadets[2]])
    return created


# --- Training and follow-up ---------------------------------------------------------------------


def _session(premises, visit, status, when, sergeant, **extra) -> TrainingSession:
    return TrainingSession.objects.create(
        force=premises.force,
        premises=premises,
        visit=visit,
        status=status,
        scheduled_for=when,
        provider=extra.pop("provider", TrainingSession.Provider.POLICE),
        owner=sergeant,
        created_by=sergeant,
        updated_by=sergeant,
        **extra,
    )


def seed_training(force: Force) -> int:
    """Training in every state, letters, and s.116 notices; returns training sessions created."""
    if TrainingSession.objects.filter(force=force).exists():
        return 0
    officer = User.objects.get(username="officer")
    sergeant = User.objects.get(username="sergeant")
    commander = User.objects.get(username="commander")
    premises = {p.reference: p for p in Premises.objects.filter(force=force)}
    seed_visits_by_ref = {
        v.premises.reference: v
        for v in Visit.objects.filter(operation__name=SEED_OPERATION).select_related("premises")
    }
    created = 0

    # The seed article's hotels: one trained and re-tested (pass), one declined, one overdue.
    trained = premises["SUF-H-0001"]
    _session(
        trained,
        seed_visits_by_ref["SUF-H-0001"],
        "delivered",
        _aware(date(2021, 10, 14), "14:00"),
        sergeant,
        staff_trained=6,
        trainer="PS Hammond",
        materials=["posters", "toolkit"],
        notes="Reception and night staff; the manager asked for refresher material.",
    )
    _visit(
        premises=trained,
        when=_aware(date(2022, 3, 12), "20:30"),
        outcome="refused_concerns",
        stage="questions",
        contact="none",
        reason="",
        officer=officer,
        cadet=Participant.objects.get(force=force, code="C-014"),
        scenario=Scenario.objects.get(force=force, name="Room for a few hours", version=1),
        retest_of=seed_visits_by_ref["SUF-H-0001"],
    )
    _session(
        premises["SUF-H-0003"],
        seed_visits_by_ref["SUF-H-0003"],
        "declined",
        None,
        sergeant,
        notes="The owner said staff are too busy to attend.",
    )
    created += 2  # SUF-H-0004 stays untrained: overdue in the queue since 2021.

    # Recent failures: one trained two weeks ago (re-test due), a few scheduled next week.
    today = timezone.localdate()
    recent_failed = list(
        Visit.objects.filter(
            force=force, result="fail", visited_on__gte=today - timedelta(days=120)
        )
        .exclude(premises__reference__in=KEEP_2021)
        .select_related("premises")
        .order_by("-visited_at")
    )
    seen = set()
    latest_failed = []
    for visit in recent_failed:
        latest = Visit.objects.filter(premises=visit.premises).exclude(result="void").first()
        if visit.premises_id not in seen and latest == visit:
            latest_failed.append(visit)
        seen.add(visit.premises_id)
    for n, visit in enumerate(latest_failed[:4]):
        if n == 0:
            _session(
                visit.premises,
                visit,
                "delivered",
                _aware(today - timedelta(days=14), "10:00"),
                sergeant,
                staff_trained=4,
                trainer="Barnardo's trainer",
                provider=TrainingSession.Provider.BARNARDOS,
                materials=["posters", "video"],
            )
        else:
            _session(
                visit.premises,
                visit,
                "scheduled",
                _aware(today + timedelta(days=3 + n), f"{9 + n * 2}:30"),
                sergeant,
                trainer="PS Hammond",
            )
        created += 1

    # Letters: everything older than six weeks was sent a few days after the visit.
    letters = [
        OutcomeLetter(
            force=force, visit=v, sent_by=sergeant, sent_at=v.visited_at + timedelta(days=4)
        )
        for v in Visit.objects.filter(force=force, imported=False)
        .exclude(result="void")
        .filter(visited_on__lt=today - timedelta(days=45))
    ]
    OutcomeLetter.objects.bulk_create(letters)

    # s.116 notices: one in force and expiring soon, one that has run its course.
    notice = Notice.objects.create(
        force=force,
        premises=premises["SUF-H-0004"],
        issued_by=commander,
        served_on_role=Notice.ServedOn.MANAGER,
        served_on_business="The Gippeswyk Rooms Ltd",
        start_date=today - timedelta(days=160),
        expiry_date=today + timedelta(days=20),
        grounds="Intelligence reports of young people brought to the premises by older men, and a "
        "failed Makesafe test with no training taken up.",
        created_by=sergeant,
    )
    GuestInfoRequest.objects.create(
        notice=notice,
        made_on=today - timedelta(days=60),
        period_start=today - timedelta(days=90),
        period_end=today - timedelta(days=61),
        due_on=today - timedelta(days=46),
        complied=GuestInfoRequest.Complied.LATE,
        made_by=officer,
    )
    Notice.objects.create(
        force=force,
        premises=premises["SUF-B-0002"],
        issued_by=commander,
        served_on_role=Notice.ServedOn.OWNER,
        served_on_business="Rosehill Guest House",
        start_date=date(2025, 3, 1),
        expiry_date=date(2025, 8, 31),
        grounds="Reports of a missing 15-year-old found at the premises with an adult.",
        created_by=sergeant,
    )
    # A pub that closed in 2019: its records are past the six-year review, for the review queue.
    closed = Premises.objects.create(
        force=force,
        reference="SUF-L-0099",
        name="The Old Mill Inn",
        sector="licensed",
        address="Mill Lane",
        town=Town.objects.get(force=force, name="Sudbury"),
        postcode="CO10 1XX",
        active=False,
        created_by=sergeant,
        updated_by=sergeant,
    )
    old_visit = _visit(
        premises=closed,
        when=_aware(date(2019, 6, 14), "21:10"),
        outcome="completed",
        stage="key_issued",
        contact="none",
        reason="",
        officer=officer,
        cadet=Participant.objects.get(force=force, code="C-002"),
        scenario=Scenario.objects.get(force=force, name="Drinks for an under-18"),
    )
    long_ago = _aware(date(2019, 7, 1), "09:00")
    Visit.objects.filter(pk=old_visit.pk).update(updated_at=long_ago, created_at=long_ago)
    Premises.objects.filter(pk=closed.pk).update(updated_at=long_ago, created_at=long_ago)
    return created
