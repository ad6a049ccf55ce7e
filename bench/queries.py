"""A page's queries split into its own and the fixed overhead every signed-in page pays.

The overhead is recognised by the tables it touches, whichever way the app does it: a session
read joined to its user, force and permissions in one statement (`accounts_session`), or as
Django does it (`django_session`, then the user by id, then `auth_permission` for the user's and
their groups' permissions); the access-log row (`audit_accesslog`, as SQL or through the ORM);
the session's save; transaction statements. What an empty signed-in page (More) runs beyond these
is the navigation every page draws: a page's query of the same shape counts as that too. The
sergeants' work-queue badge, counted at most once a minute and kept in the session, is measured
apart (`badge_keys`).
"""

import re
from collections import Counter
from dataclasses import dataclass, field

SESSION_TABLE = r'"?(?:accounts_session|django_session)"?'
OVERHEAD = [
    ("transaction", re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.I)),
    ("session read", re.compile(rf"^\s*SELECT\b.*?\bFROM {SESSION_TABLE}", re.S | re.I)),
    ("session save", re.compile(rf"^\s*(UPDATE|INSERT INTO|DELETE FROM) {SESSION_TABLE}", re.I)),
    ("access log", re.compile(r'^\s*INSERT INTO "?audit_accesslog"?', re.I)),
    # Django's ModelBackend: the user's own and their groups' permissions (auth_permission the
    # main table; a page's query that only joins it, e.g. users holding a permission, is its own).
    ("permissions", re.compile(r'^\s*SELECT [^(]*?\bFROM "?auth_permission"?\b', re.I)),
    # Django's ModelBackend.get_user: the user's row by primary key (with their force, if
    # joined), nothing computed beside it (a page may hang its own subqueries on that row).
    (
        "user",
        re.compile(
            r'^\s*SELECT "accounts_user"\."id", [^()]*? FROM "accounts_user"'
            r'(?: (?:LEFT OUTER|INNER) JOIN "accounts_force" ON \([^)]*\))? '
            r'WHERE "accounts_user"\."id" = \d+ LIMIT 21$'
        ),
    ),
]
NAVIGATION = "navigation"
BADGE = "work-queue badge"
# Display order and when each runs.
KINDS = {
    "session read": "every signed-in request",
    "user": "every signed-in request",
    "permissions": "every signed-in request that checks a permission",
    NAVIGATION: "every page (what the empty page runs beyond the above)",
    "access log": "every page that shows records (DPA s.62)",
    "session save": "every 30 s of activity (the idle clock), and on sign-in changes",
    "transaction": "around writes",
    BADGE: "a sergeant's page, at most once a minute (kept in the session)",
}

COUNT_ON_VISITS = re.compile(r'COUNT\((\*|"visits_visit"\."id")\) AS "__count" FROM "visits_visit"')


def shape(sql: str) -> str:
    """The statement without its literal values: the same query for another row or user."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)
    return re.sub(r"\s+", " ", sql).strip()


@dataclass
class Queries:
    own: list = field(default_factory=list)  # the page's own statements
    overhead: Counter = field(default_factory=Counter)  # kind -> statements
    overhead_ms: Counter = field(default_factory=Counter)  # kind -> ms
    own_ms: float = 0.0
    visit_counts: int = 0  # COUNT(*) over the visits table, filtered or not
    whole_table_counts: int = 0  # the same without a WHERE

    @property
    def total(self) -> int:
        return len(self.own) + sum(self.overhead.values())

    @property
    def sql_ms(self) -> float:
        return self.own_ms + sum(self.overhead_ms.values())

    def describe(self) -> str:
        parts = [f"{self.overhead[k]} {k}" for k in KINDS if self.overhead[k]]
        return " + ".join([f"{len(self.own)} own", *parts])


MAIN_TABLE = re.compile(r'^\s*(?:WITH|SELECT)\b.*?\bFROM\s+"?(\w+)"?', re.S | re.I)


def main_tables(statements: list[str]) -> list[str]:
    """The table each statement reads first (after FROM), in order: what a page's own queries
    are about."""
    found = []
    for sql in statements:
        match = MAIN_TABLE.search(sql)
        found.append(match.group(1) if match else sql.split(None, 1)[0].upper())
    return found


def classify(captured: list[dict], navigation: Counter | None = None) -> Queries:
    """Split captured queries ({"sql", "time"} as Django records them); `navigation` holds the
    shapes an empty signed-in page runs beyond the recognised overhead."""
    left = Counter(navigation or ())
    q = Queries()
    for query in captured:
        sql, ms = query["sql"], float(query["time"]) * 1000
        kind = next((name for name, pattern in OVERHEAD if pattern.search(sql)), None)
        if kind is None and left[shape(sql)] > 0:
            left[shape(sql)] -= 1
            kind = NAVIGATION
        if kind is None:
            q.own.append(sql)
            q.own_ms += ms
        else:
            q.overhead[kind] += 1
            q.overhead_ms[kind] += ms
        if COUNT_ON_VISITS.search(sql):
            q.visit_counts += 1
            if " WHERE " not in sql.split('FROM "visits_visit"', 1)[1]:
                q.whole_table_counts += 1
    return q


def badge_keys(session) -> list[str]:
    """The session keys that keep the work-queue badge, found by name (no app import)."""
    return [key for key in list(session.keys()) if "badge" in key.lower()]
