"""Disposal erases the history of the cadet links it deletes.

A visit's cadets are in the change history now (visits.VisitParticipantEvent: who added or
removed which cadet). retention_erase_premises deletes the disposed premises' cadet links, so it
deletes their history too, or the history would keep what disposal erases (docs/security.md
check 29). The rest of the function is 0003's, unchanged: this migration replaces it with 0003's
text plus the two changes below, and puts 0003's back when reversed.
"""

import importlib

from django.db import migrations

PREVIOUS = importlib.import_module("retention.migrations.0003_erase_premises_function")

_START = "CREATE FUNCTION retention_erase_premises("
_END = "\n$$;\n"


def _function(sql: str) -> str:
    """0003's retention_erase_premises, as CREATE OR REPLACE."""
    start = sql.index(_START)
    end = sql.index(_END, start) + len(_END)
    return "CREATE OR REPLACE" + sql[start:end].removeprefix("CREATE")


# The cadet links' history is append-only for everyone else: its trigger is set aside too...
_IGNORED = """
            'audit_accesslog', 'audit_disclosurelog'
"""
_IGNORED_NOW = """
            'audit_accesslog', 'audit_disclosurelog', 'visits_visitparticipantevent'
"""
# ...and emptied for the visits whose links were deleted, with the removals just recorded.
_AFTER = """
    UPDATE visits_visitevent SET reason = erased
    WHERE (pgh_obj_id = ANY (visit_ids) OR premises_id = premises.id) AND reason <> '';
"""
_AFTER_NOW = """
    UPDATE visits_visitevent SET reason = erased
    WHERE (pgh_obj_id = ANY (visit_ids) OR premises_id = premises.id) AND reason <> '';
    DELETE FROM visits_visitparticipantevent WHERE visit_id = ANY (visit_ids);
"""

BEFORE = _function(PREVIOUS.SQL)
if BEFORE.count(_IGNORED) != 1 or BEFORE.count(_AFTER) != 1:
    raise RuntimeError("0003's retention_erase_premises is not the text this migration changes")
AFTER = BEFORE.replace(_IGNORED, _IGNORED_NOW).replace(_AFTER, _AFTER_NOW)


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0003_erase_premises_function"),
        ("visits", "0009_cadet_premises_and_town_links_history"),
    ]

    operations = [migrations.RunSQL(AFTER, BEFORE)]
