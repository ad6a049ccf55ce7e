"""The demo data set: Suffolk's 2021 hotel operation and a realistic register around it.

Names of businesses are invented. Running `seed` twice changes nothing.
"""

from django.contrib.auth.models import Group
from django.db import transaction

from accounts import roles
from accounts.models import Force, User
from premises.models import Premises, Town

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
        "Eastern Taverns",
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
                "operator": operator,
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
    counts = {"forces": 0, "users": 0, "premises": 0}
    suffolk, created = Force.objects.get_or_create(
        code="SUF", defaults={"name": "Suffolk Constabulary"}
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

    # A neighbouring force shares the install: its records must never show up for Suffolk.
    norfolk, created = Force.objects.get_or_create(
        code="NOR", defaults={"name": "Norfolk Constabulary"}
    )
    counts["forces"] += created
    norwich = Town.objects.get_or_create(force=norfolk, name="Norwich")[0]
    norfolk_officer, created = _user(
        norfolk, "norfolk.officer", "Sam", "Carter", User.Rank.CONSTABLE, "2211", roles.OFFICER
    )
    counts["users"] += created
    counts["premises"] += _premises(
        norfolk,
        {"Norwich": norwich},
        [
            (
                "NOR-H-0001",
                "Wensum Riverside Hotel",
                "hotel",
                "",
                "1 Quayside",
                "Norwich",
                "NR3 1RB",
            ),
            ("NOR-L-0001", "The Tombland Tap", "licensed", "", "6 Tombland", "Norwich", "NR3 1HF"),
        ],
        norfolk_officer,
    )
    return counts


def logins() -> list[tuple[str, str, str]]:
    """(role, username, password) for each demo login, for printing."""
    return [(row[5], row[0], DEMO_PASSWORD) for row in SUFFOLK_USERS] + [
        ("Officer, Norfolk", "norfolk.officer", DEMO_PASSWORD)
    ]
