"""The national-scale data set, generated inside PostgreSQL with generate_series.

20 forces, 400 towns of skewed sizes, 50,000 premises (sector mix), 30 users per force (a
commander, a force admin, 3 sergeants, 25 officers), a support superuser and a national
coordinator (every force shares its figures), 4 scenario scripts
and 12 cadets per force, one operation per force and month, visits from January 2020 to
yesterday (more recent years busier) with 8-28% failure rates varying by town and ~300-character
debrief notes, cadets on every visit, re-tests of failed visits, outcome letters for live visits,
and training sessions after failures at a tenth of the premises.

Loading runs as the PostgreSQL superuser with `session_replication_role = replica`, so no
trigger fires: no change-history rows are written for generated data (pghistory), and the rules
the triggers enforce (same force, re-test after an earlier visit to the same premises) hold by
construction. What the triggers would have built, `reports_visitsummary` and `reports_daytotal`,
is rebuilt afterwards with the backfill SQL of reports/migrations/0002_summary_triggers.py and
0005_day_total_triggers.py. Every CHECK constraint
still applies (replica mode skips triggers, not constraints). Secondary indexes of the visits
table are dropped during the load and recreated from their own definitions.

    generate_base(conn); generate_visits(conn, 1_000_000); finish(conn)
"""

import importlib
import os
import time
from datetime import date

from psycopg2 import sql

FORCES = [
    ("Avon and Somerset Constabulary", "AVS"),
    ("Bedfordshire Police", "BDS"),
    ("Cambridgeshire Constabulary", "CAM"),
    ("Cheshire Constabulary", "CHE"),
    ("Cumbria Constabulary", "CUM"),
    ("Derbyshire Constabulary", "DER"),
    ("Devon and Cornwall Police", "DVC"),
    ("Dorset Police", "DOR"),
    ("Durham Constabulary", "DUR"),
    ("Essex Police", "ESX"),
    ("Gloucestershire Constabulary", "GLO"),
    ("Hampshire Constabulary", "HAM"),
    ("Hertfordshire Constabulary", "HRT"),
    ("Kent Police", "KNT"),
    ("Lancashire Constabulary", "LAN"),
    ("Lincolnshire Police", "LIN"),
    ("Norfolk Constabulary", "NOR"),
    ("North Yorkshire Police", "NYP"),
    ("Suffolk Constabulary", "SUF"),
    ("Sussex Police", "SSX"),
]
TOWNS = 400
PREMISES = 50_000
USERS_PER_FORCE = 30  # 1 commander, 1 force admin, 3 sergeants, 25 officers
SCENARIOS_PER_FORCE = 4
CADETS_PER_FORCE = 12
FIRST_DAY = date(2020, 1, 1)
LIVE_FROM = date(2025, 1, 1)  # earlier visits were imported from the forces' spreadsheets
SEED = 0.42
PASSWORD = "bench-passphrase-2026"  # every generated account's (throwaway, loopback only)


def user_id(force: int, k: int) -> int:
    """Users are numbered per force: k=1 commander, 2 force admin, 3-5 sergeants, 6-30 officers."""
    return (force - 1) * USERS_PER_FORCE + k


SUPERUSER_ID = len(FORCES) * USERS_PER_FORCE + 1
NATIONAL_ID = SUPERUSER_ID + 1

BASE_SQL = r"""
-- Every force shares its figures with the national coordinator (the national report's scope).
INSERT INTO accounts_force (id, name, code, training_due_days, retest_due_days, letter_due_days,
    review_period_years, training_contact, national_figures, created_at, updated_at)
SELECT n, f.name, f.code, 28, 365, 14, 6, 'Makesafe coordinator, ' || f.name, true, now(), now()
FROM unnest(%(force_names)s::text[], %(force_codes)s::text[]) WITH ORDINALITY AS f(name, code, n);

-- 400 towns, 20 per force; names are unique (prefix x suffix).
INSERT INTO premises_town (id, force_id, name, created_at, updated_at)
SELECT t + 1, t %% 20 + 1,
    (ARRAY['Ash','Brook','Castle','Church','Dale','East','Elm','Fair','Green','High','King',
           'Lang','Mill','North','Oak','Red','South','Stone','West','Wood'])[t / 20 + 1]
    || (ARRAY['bury','by','caster','chester','combe','don','field','ford','gate','ham',
              'hampton','hill','ley','mouth','port','stead','stow','thorpe','ton','wick'])
       [(t / 20 + 7 * (t %% 20)) %% 20 + 1],
    now(), now()
FROM generate_series(0, %(towns)s - 1) t;

-- Six operators (chains) per force; three premises in ten belong to one of their force's.
INSERT INTO premises_operator (id, force_id, name, version, created_at, updated_at)
SELECT (f.id - 1) * 6 + k, f.id,
    (ARRAY['Harbourside Hotels','Crown Inns','Swift Cars','Night Owl Foods',
           'Parkway Lodges','Greene Taverns'])[k],
    1, now(), now()
FROM accounts_force f, generate_series(1, 6) k;

-- Premises: town sizes skewed (a power of a uniform draw: the biggest town has ~15x the
-- smallest), sectors mixed like a real register.
INSERT INTO premises_premises (id, force_id, town_id, reference, name, sector, operator_id, address,
    postcode, uprn, licence_reference, phone, email, contact_role, notes, active, version,
    created_at, updated_at)
SELECT p.id, t.force_id, t.id,
    f.code || '-' || (ARRAY['H','B','L','T','F','O'])[p.s] || '-' || lpad(p.id::text, 6, '0'),
    (ARRAY['Station','Royal','Park','Crown','Riverside','Market','Regent','Victoria'])
        [p.id %% 8 + 1]
      || ' ' || (ARRAY['Hotel','Guest House','Arms','Cars','Grill','Lounge'])[p.s] || ' ' || p.id,
    (ARRAY['hotel','bnb','licensed','taxi','takeaway','other'])[p.s],
    CASE WHEN p.id %% 10 < 3 THEN (t.force_id - 1) * 6 + p.id %% 6 + 1 END,
    (p.id %% 180 + 1) || ' ' || (ARRAY['High Street','Station Road','Church Lane','Mill Road',
        'London Road','Queen Street','Market Place','Bridge Street'])[p.id %% 8 + 1],
    (ARRAY['IP','NR','CB','AB','BS','CH','DE','EX','GL','LN'])[p.id %% 10 + 1] || (p.id %% 30 + 1)
      || ' ' || (p.id %% 10)
      || (ARRAY['A','B','D','E','F','G','H','J','L','N'])[p.id / 10 %% 10 + 1]
      || (ARRAY['P','Q','R','S','T','U','W','X','Y','Z'])[p.id / 100 %% 10 + 1],
    '', '', '', '', 'manager', '', true, 1, now() - interval '7 years', now() - interval '7 years'
FROM (
    SELECT g AS id,
        floor(%(towns)s * power(random(), 1.6))::int + 1 AS town,
        CASE WHEN r < 0.12 THEN 1 WHEN r < 0.22 THEN 2 WHEN r < 0.57 THEN 3 WHEN r < 0.70 THEN 4
             WHEN r < 0.90 THEN 5 ELSE 6 END AS s
    FROM (SELECT g, random() AS r FROM generate_series(1, %(premises)s) g) x
) p
JOIN premises_town t ON t.id = p.town
JOIN accounts_force f ON f.id = t.force_id;

INSERT INTO accounts_user (id, password, is_superuser, username, first_name, last_name, email,
    is_staff, is_active, date_joined, rank, collar_number, created_at, updated_at, force_id)
SELECT (f.id - 1) * %(per_force)s + k, %(password)s, false,
    lower(f.code) || CASE WHEN k = 1 THEN '.commander' WHEN k = 2 THEN '.admin'
        WHEN k <= 5 THEN '.sergeant' || k ELSE '.officer' || k END,
    'Bench', f.code || ' ' || k, '',
    false, true, now(), CASE WHEN k = 1 THEN 'chief_inspector' WHEN k = 2 THEN 'staff'
        WHEN k <= 5 THEN 'sergeant' ELSE 'constable' END,
    (1000 + k)::text, now(), now(), f.id
FROM accounts_force f, generate_series(1, %(per_force)s) k;

INSERT INTO accounts_user (id, password, is_superuser, username, first_name, last_name, email,
    is_staff, is_active, date_joined, rank, collar_number, created_at, updated_at, force_id)
VALUES (%(superuser)s, %(password)s, true, 'bench.support', 'Bench', 'Support', '', true, true,
    now(), 'staff', '', now(), now(), NULL);

-- The national coordinator: no force.
INSERT INTO accounts_user (id, password, is_superuser, username, first_name, last_name, email,
    is_staff, is_active, date_joined, rank, collar_number, created_at, updated_at, force_id,
    national)
VALUES (%(national)s, %(password)s, false, 'bench.national', 'Bench', 'National', '', false,
    true, now(), 'staff', '', now(), now(), NULL, true);

INSERT INTO accounts_user_groups (user_id, group_id)
SELECT u.id, g.id FROM accounts_user u
JOIN auth_group g ON g.name = CASE
    WHEN u.national THEN 'National coordinator'
    WHEN u.username LIKE '%%.commander' THEN 'Commander'
    WHEN u.username LIKE '%%.admin' THEN 'Force admin'
    WHEN u.username LIKE '%%.sergeant%%' THEN 'Sergeant'
    ELSE 'Officer' END
WHERE NOT u.is_superuser;

INSERT INTO visits_scenario (id, force_id, name, version, is_current, sectors, script, indicators,
    imported, created_at, updated_at)
SELECT (f.id - 1) * 4 + s, f.id,
    (ARRAY['Room for a few hours','Drinks for an under-18','Taxi to a distant address',
           'Late-night takeaway'])[s], 1, true,
    (ARRAY['{hotel,bnb}','{licensed}','{taxi}','{takeaway,other}'])[s]::varchar(10)[],
    'An adult and a cadet who looks under 16 ask for what the scenario names; the cadet stays '
    || 'quiet and follows the adult''s lead.',
    (ARRAY['{pays_cash,no_luggage,short_stay,double_bed,not_family}',
           '{alcohol,drinks_for_child,controlling_adult}',
           '{child_alone,distant_destination,adult_directing}','{not_family,nervous}'])[s]
        ::varchar(24)[],
    false, now(), now()
FROM accounts_force f, generate_series(1, 4) s;

INSERT INTO visits_participant (id, force_id, code, age_band, permission_recorded_on, active,
    imported, version, created_at, updated_at)
SELECT (f.id - 1) * %(cadets)s + c, f.id, 'C-' || lpad(c::text, 3, '0'),
    CASE WHEN c %% 2 = 0 THEN '14-15' ELSE '16-17' END, date '2019-09-01', true, false, 1,
    now(), now()
FROM accounts_force f, generate_series(1, %(cadets)s) c;

-- One operation per force and month; past months completed. Each risk assessment approved by
-- the lead sergeant a week before (an operation starts only once it is: docs/domain.md).
INSERT INTO visits_operation (id, force_id, name, date, end_date, lead_officer_id, status,
    risk_assessment_ref, risk_assessment_approved_by_id, risk_assessment_approved_on,
    meeting_point, briefing_notes, imported, version, created_at, updated_at)
SELECT (f.id - 1) * %(months)s + m + 1, f.id,
    'Makesafe ' || f.code || ' '
        || to_char(%(first_day)s::date + m * interval '1 month', 'Mon YYYY'),
    (%(first_day)s::date + m * interval '1 month')::date,
    (%(first_day)s::date + (m + 1) * interval '1 month' - interval '1 day')::date,
    (f.id - 1) * %(per_force)s + 3,
    CASE WHEN m = %(months)s - 1 THEN 'in_progress' ELSE 'completed' END,
    'RA-' || f.code || '-' || m, (f.id - 1) * %(per_force)s + 3,
    (%(first_day)s::date + m * interval '1 month' - interval '7 days')::date,
    '', '', false, 1, now(), now()
FROM accounts_force f, generate_series(0, %(months)s - 1) m;
"""

# Visits with ids first_id .. first_id + n - 1, in time order (ids grow with visited_at, as
# they do when visits are logged); more recent years are busier (density grows linearly).
VISITS_SQL = r"""
INSERT INTO visits_visit (id, force_id, operation_id, premises_id, visited_at, officer_id,
    scenario_id, indicators, stage_reached, outcome, result, police_contact, staff_roles,
    debrief_held, debrief_attendees, debrief_notes, material_left, training_offered,
    training_accepted, welfare_debrief_done, retest_of_id, reason, imported, version,
    created_by_id, updated_by_id, created_at, updated_at, risk_assessment_ref, cadet_age_band)
WITH raw AS (
    SELECT g, %(first_id)s + g - 1 AS id,
        1 + floor(random() * %(premises)s)::bigint AS premises_id,
        (((%(first_day)s::date + floor(%(days)s * sqrt((g - 1 + random()) / %(n)s))::int)
            + time '16:00' + random() * interval '7 hours') AT TIME ZONE 'Europe/London')
            AS visited_at,
        random() AS u_void, random() AS u_fail, random() AS u_kind, random() AS u_op,
        random() AS u_retest, floor(random() * 25)::int AS officer
    FROM generate_series(1, %(n)s) g
), graded AS (
    SELECT raw.*, p.force_id, p.sector,
        CASE WHEN u_void < 0.02 THEN 'void'
             -- A tenth of premises get training after failing: their later visits fail less.
             WHEN u_fail < r.rate * CASE WHEN p.id %% 10 = 0 THEN 0.6 ELSE 1 END THEN 'fail'
             ELSE 'pass' END AS result
    FROM raw
    JOIN premises_premises p ON p.id = raw.premises_id
    JOIN bench_town_rate r ON r.town_id = p.town_id
), sequenced AS (
    SELECT graded.*,
        lag(id) OVER w AS prev_id, lag(result) OVER w AS prev_result,
        lag(visited_at) OVER w AS prev_at
    FROM graded
    WINDOW w AS (PARTITION BY premises_id ORDER BY visited_at, id)
), visits AS (
    SELECT s.*,
        CASE result
            WHEN 'void' THEN 'void'
            WHEN 'pass' THEN CASE WHEN u_kind < 0.4 THEN 'reported_to_police'
                                  ELSE 'refused_concerns' END
            ELSE CASE WHEN u_kind < 0.55 THEN 'completed' WHEN u_kind < 0.75 THEN 'challenged'
                      WHEN u_kind < 0.90 THEN 'uneasy' ELSE 'refused_other' END
        END AS outcome,
        CASE WHEN sector IN ('hotel', 'bnb') THEN 1 WHEN sector = 'licensed' THEN 2
             WHEN sector = 'taxi' THEN 3 ELSE 4 END AS kind
    FROM sequenced s
    ORDER BY id  -- sort the narrow rows; the wide ones below keep this order
)
SELECT id, force_id,
    CASE WHEN u_op < 0.4 THEN (force_id - 1) * %(months)s
        + ((extract(year FROM visited_at AT TIME ZONE 'Europe/London')::int - 2020) * 12
           + extract(month FROM visited_at AT TIME ZONE 'Europe/London')::int - 1) + 1 END,
    premises_id, visited_at,
    (force_id - 1) * %(per_force)s + 6 + officer,
    (force_id - 1) * 4 + kind,
    (ARRAY['{pays_cash,no_luggage,short_stay}','{alcohol,drinks_for_child}',
           '{child_alone,distant_destination}','{not_family,nervous}'])[kind]::varchar(24)[],
    CASE outcome WHEN 'completed' THEN CASE WHEN u_op < 0.7 THEN 'key_issued' ELSE 'payment' END
                 WHEN 'challenged' THEN 'room_offered' WHEN 'uneasy' THEN 'key_issued'
                 WHEN 'void' THEN 'enquiry' ELSE 'questions' END,
    outcome, result,
    CASE WHEN outcome = 'reported_to_police' THEN CASE WHEN u_op < 0.8 THEN '101' ELSE '999' END
         ELSE 'none' END,
    (ARRAY['{receptionist}','{bar_staff}','{driver}','{server}'])[kind]::varchar(16)[],
    true, '{manager}'::varchar(16)[],
    -- About 300 characters of debrief, varied from row to row.
    (ARRAY['Debrief held with the duty manager straight after the visit.',
           'Debrief held with the manager and the member of staff the next morning.',
           'Debrief by phone with the owner; a visit to follow with the toolkit.'])[id %% 3 + 1]
    || ' ' || (ARRAY['Staff did not ask who the young person was or check any ID at all.',
                     'The receptionist hesitated but went ahead once cash was offered.',
                     'Staff asked the adult questions and then refused the booking outright.',
                     'The member of staff called 101 quoting Makesafe while the team waited.',
                     'Staff noticed the age gap but said it was not their business to ask.'])
               [(id / 3) %% 5 + 1]
    || ' ' || (ARRAY['Explained the signs to look for and how to report concerns to police.',
                     'Talked through the indicators and left the posters by the staff rota.',
                     'Agreed that all new starters will do the training within their first week.',
                     'Manager keen for the whole team to be trained before the next test visit.'])
               [(id / 15) %% 4 + 1]
    || ' ' || (ARRAY['Cadet welfare debrief done; no concerns.',
                     'Cadet debriefed at the station; felt safe throughout.',
                     'Cadet debrief done by the supervising officer.'])[(id / 60) %% 3 + 1]
    || ' ' || (ARRAY['Outcome letter to follow within two weeks.',
                     'Re-test to be planned after the training.',
                     'Licensing team told of the result.'])[(id / 180) %% 3 + 1],
    '{posters}'::varchar(10)[], true, result = 'fail' AND u_retest < 0.6, true,
    CASE WHEN prev_result = 'fail' AND prev_at < visited_at AND u_retest < 0.75 THEN prev_id END,
    CASE outcome WHEN 'refused_other' THEN 'Told the team they take no cash bookings.'
                 WHEN 'void' THEN 'Aborted: the cadet was recognised by a member of staff.'
                 ELSE '' END,
    visited_at < %(live_from)s::date, 1,
    (force_id - 1) * %(per_force)s + 6 + officer, (force_id - 1) * %(per_force)s + 6 + officer,
    least(visited_at + interval '2 hours', now()), least(visited_at + interval '2 hours', now()),
    -- The operation's risk assessment, or the visit's own (docs/domain.md, "Live visits").
    CASE WHEN u_op < 0.4 THEN 'RA-' || (SELECT code FROM accounts_force WHERE id = force_id)
        || '-' || ((extract(year FROM visited_at AT TIME ZONE 'Europe/London')::int - 2020) * 12
           + extract(month FROM visited_at AT TIME ZONE 'Europe/London')::int - 1)
        ELSE 'RA-V-' || id END,
    -- The youngest band of the cadets PARTICIPANTS_SQL gives the visit (even codes are 14-15).
    CASE WHEN (1 + id %% %(cadets)s) %% 2 = 0
            OR (id %% 2 = 0 AND (1 + (id + 5) %% %(cadets)s) %% 2 = 0)
        THEN '14-15' ELSE '16-17' END
FROM visits;
"""

PARTICIPANTS_SQL = r"""
INSERT INTO visits_visit_participants (visit_id, participant_id)
SELECT v.id, (v.force_id - 1) * %(cadets)s + 1 + (v.id + k * 5) %% %(cadets)s
FROM visits_visit v, generate_series(0, 1) k
WHERE v.id BETWEEN %(first_id)s AND %(last_id)s AND (k = 0 OR v.id %% 2 = 0);
"""

# Outcome letters for live (not imported) non-void visits more than two weeks old.
LETTERS_SQL = r"""
INSERT INTO training_outcomeletter (force_id, visit_id, sent_at, sent_by_id, created_at,
    updated_at)
SELECT v.force_id, v.id, v.visited_at + interval '7 days', (v.force_id - 1) * %(per_force)s + 3,
    v.visited_at + interval '7 days', v.visited_at + interval '7 days'
FROM visits_visit v
WHERE v.id BETWEEN %(first_id)s AND %(last_id)s AND NOT v.imported AND v.result <> 'void'
    AND v.visited_at < now() - interval '14 days';
"""

# Training after each failed visit at a tenth of the premises (ids divisible by 10).
TRAINING_SQL = r"""
INSERT INTO training_trainingsession (force_id, premises_id, visit_id, status, scheduled_for,
    duration_minutes, provider, trainer, staff_trained, materials, notes, owner_id, version,
    created_by_id, updated_by_id, created_at, updated_at)
SELECT force_id, premises_id, id,
    CASE WHEN at > now() THEN 'scheduled' WHEN u < 0.85 THEN 'delivered' ELSE 'no_show' END,
    at, 60, CASE WHEN u < 0.5 THEN 'police' ELSE 'barnardos' END, '',
    CASE WHEN at <= now() AND u < 0.85 THEN 1 + floor(u * 8)::int END,
    '{posters,toolkit}'::varchar(10)[], '', sergeant, 1, sergeant, sergeant,
    visited_at + interval '1 day', visited_at + interval '1 day'
FROM (
    SELECT v.*, (v.force_id - 1) * %(per_force)s + 3 + v.id %% 3 AS sergeant, random() AS u,
        date_trunc('hour', v.visited_at) + (5 + floor(random() * 35)) * interval '1 day'
            - interval '6 hours' AS at
    FROM visits_visit v
    WHERE v.premises_id %% 10 = 0 AND v.result = 'fail'
) x;
"""

SEQUENCES = [
    "accounts_force",
    "premises_town",
    "premises_operator",
    "premises_premises",
    "accounts_user",
    "visits_scenario",
    "visits_participant",
    "visits_operation",
    "visits_visit",
]


def _months(today: date) -> int:
    return (today.year - FIRST_DAY.year) * 12 + today.month - FIRST_DAY.month + 1


def _params(**extra) -> dict:
    today = date.today()
    return {
        "force_names": [name for name, _ in FORCES],
        "force_codes": [code for _, code in FORCES],
        "towns": TOWNS,
        "premises": PREMISES,
        "per_force": USERS_PER_FORCE,
        "superuser": SUPERUSER_ID,
        "national": NATIONAL_ID,
        "cadets": CADETS_PER_FORCE,
        "months": _months(today),
        "first_day": FIRST_DAY,
        "live_from": LIVE_FROM,
        # Up to yesterday: no visit may be in the future.
        "days": (today - FIRST_DAY).days - 1,
        **extra,
    }


def _bulk_session(cur) -> None:
    """Replica mode: no trigger fires (history, summary, cross-table rules); checks still do."""
    cur.execute("SET session_replication_role = replica")
    cur.execute("SET work_mem = '512MB'")
    cur.execute("SET maintenance_work_mem = '1GB'")
    cur.execute("SET synchronous_commit = off")


def _step(log, label: str, started: float) -> float:
    now = time.perf_counter()
    log(f"  {label}: {now - started:.1f} s")
    return now


def generate_base(conn, *, password_hash: str, log=print) -> None:
    """Forces, towns, premises, users, scenarios, cadets and operations (explicit ids)."""
    started = time.perf_counter()
    with conn.cursor() as cur:
        _bulk_session(cur)
        cur.execute("SELECT setseed(%s)", [SEED])
        cur.execute(BASE_SQL, _params(password=password_hash))
        for table in SEQUENCES[:-1]:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    conn.commit()
    _step(log, "forces, towns, premises, users, scenarios, cadets, operations", started)


def _secondary_indexes(cur, table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the table's indexes that back no constraint."""
    cur.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY i.relname
        """,
        [table],
    )
    return cur.fetchall()


def generate_visits(conn, n: int, *, training: bool = True, log=print) -> tuple[int, int]:
    """`n` more visits (ids after the last), their cadets, letters and (first batch) training.
    Returns the (first, last) visit id generated."""
    started = time.perf_counter()
    with conn.cursor() as cur:
        _bulk_session(cur)
        cur.execute("SELECT setseed(%s)", [SEED / 2 + n % 1000 / 10_000])
        cur.execute("SELECT coalesce(max(id), 0) + 1 FROM visits_visit")
        first_id = cur.fetchone()[0]
        last_id = first_id + n - 1
        # Each town's failure rate, 8-28% (a fixed scramble of its id).
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_town_rate AS SELECT id AS town_id, "
            "0.08 + 0.20 * ((id * 7919) % 400) / 399.0 AS rate FROM premises_town"
        )
        # Loading without the secondary indexes and building them afterwards is several times
        # faster than updating them row by row.
        indexes = [
            index
            for table in ("visits_visit", "visits_visit_participants", "training_outcomeletter")
            for index in _secondary_indexes(cur, table)
        ]
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        params = _params(n=n, first_id=first_id, last_id=last_id)
        cur.execute(VISITS_SQL, params)
        started = _step(log, f"{n:,} visits", started)
        cur.execute(PARTICIPANTS_SQL, params)
        cur.execute(LETTERS_SQL, params)
        if training:
            cur.execute(TRAINING_SQL, params)
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('visits_visit', 'id'), "
            "(SELECT max(id) FROM visits_visit))"
        )
        started = _step(log, "cadets on visits, outcome letters, training sessions", started)
        for _, definition in indexes:
            cur.execute(definition)
        started = _step(log, f"{len(indexes)} secondary indexes rebuilt", started)
    conn.commit()
    return first_id, last_id


# The trigger-kept tables and the migration whose backfill builds each.
SUMMARIES = {
    "reports_visitsummary": "reports.migrations.0002_summary_triggers",
    "reports_daytotal": "reports.migrations.0005_day_total_triggers",
}


def summary_backfill_sql(migration: str) -> str:
    """The backfill statement of a summary-table migration, verbatim."""
    text = importlib.import_module(migration).SQL
    return text.split("-- Backfill from the visits already there.", 1)[1].strip()


def finish(conn, *, log=print) -> None:
    """Rebuild the trigger-kept summary from scratch, then VACUUM ANALYZE the loaded tables."""
    started = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute("SET work_mem = '512MB'")
        for table, migration in SUMMARIES.items():
            cur.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
            cur.execute(summary_backfill_sql(migration))
    conn.commit()
    started = _step(
        log,
        "reports_visitsummary and reports_daytotal rebuilt (the migrations' backfills)",
        started,
    )
    autocommit = conn.autocommit
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        # VACUUM sets the visibility map, so index-only scans work as on a settled database.
        cur.execute("VACUUM (ANALYZE)")
        # The load's dirty pages written out now, not by the checkpointer (or the kernel's
        # writeback) while pages are timed.
        cur.execute("CHECKPOINT")
    os.sync()
    conn.autocommit = autocommit
    _step(log, "VACUUM ANALYZE, CHECKPOINT, sync", started)
