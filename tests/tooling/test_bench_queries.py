"""The benchmark's query split (bench/queries.py): a page's own statements apart from the fixed
overhead of a signed-in page, and the table each own statement reads."""

from bench.queries import classify, main_tables

SESSION = 'SELECT "django_session"."session_data" FROM "django_session" WHERE x = 1'
ACCESS_LOG = 'INSERT INTO "audit_accesslog" ("force_id") VALUES (1)'
PREMISES = 'SELECT "premises_premises"."id" FROM "premises_premises" WHERE "id" = 7'
CADETS = (
    'SELECT ("visits_visit_participants"."visit_id") AS "v", "visits_participant"."id" '
    'FROM "visits_participant" INNER JOIN "visits_visit_participants" ON (1 = 1)'
)
RANKING = "WITH candidate AS (SELECT p.id FROM premises_premises p) SELECT * FROM candidate"


def test_the_overhead_is_told_apart_from_the_pages_own_queries():
    queries = classify([{"sql": sql, "time": "0.001"} for sql in (SESSION, PREMISES, ACCESS_LOG)])
    assert queries.own == [PREMISES]
    assert queries.overhead["session read"] == 1
    assert queries.overhead["access log"] == 1
    assert queries.describe() == "1 own + 1 session read + 1 access log"


def test_each_own_query_is_named_by_the_table_it_reads_first():
    assert main_tables([PREMISES, CADETS, RANKING, ACCESS_LOG]) == [
        "premises_premises",
        "visits_participant",
        "premises_premises",
        "INSERT",
    ]
