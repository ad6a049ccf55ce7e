"""Disposal deletes the documents issued to the premises.

The letters and notices kept as issued (training.IssuedDocument: the PDF and its hash) name the
premises and its contacts, so disposal deletes them with the rest of its content (docs/security.md
check 29), and says how many in the erasure log. Their table is append-only for everyone else:
its trigger is set aside like the history's. The rest of the function is 0004's, unchanged: this
migration replaces it with 0004's text plus the changes below, and puts 0004's back when
reversed.
"""

import importlib

from django.db import migrations

PREVIOUS = importlib.import_module("retention.migrations.0004_erase_cadet_link_history")

_DECLARE = """
    n_retained bigint;
"""
_DECLARE_NOW = """
    n_retained bigint;
    n_documents bigint;
"""
_IGNORED = """
            'audit_accesslog', 'audit_disclosurelog', 'visits_visitparticipantevent'
"""
_IGNORED_NOW = """
            'audit_accesslog', 'audit_disclosurelog', 'visits_visitparticipantevent',
            'training_issueddocument'
"""
_AFTER = """
    DELETE FROM visits_visitparticipantevent WHERE visit_id = ANY (visit_ids);
"""
_AFTER_NOW = """
    DELETE FROM visits_visitparticipantevent WHERE visit_id = ANY (visit_ids);
    DELETE FROM training_issueddocument WHERE premises_id = premises.id;
    GET DIAGNOSTICS n_documents = ROW_COUNT;
"""
_SUMMARY = """
        || '; their free text, cadet links and history snapshots'
"""
_SUMMARY_NOW = """
        || CASE WHEN n_documents > 0
            THEN format('; %s issued letters and notices', n_documents) ELSE '' END
        || '; their free text, cadet links and history snapshots'
"""

BEFORE = PREVIOUS.AFTER
for _old in (_DECLARE, _IGNORED, _AFTER, _SUMMARY):
    if BEFORE.count(_old) != 1:
        raise RuntimeError("0004's retention_erase_premises is not the text this migration changes")
AFTER = (
    BEFORE.replace(_DECLARE, _DECLARE_NOW)
    .replace(_IGNORED, _IGNORED_NOW)
    .replace(_AFTER, _AFTER_NOW)
    .replace(_SUMMARY, _SUMMARY_NOW)
)


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0004_erase_cadet_link_history"),
        ("training", "0009_issued_documents"),
    ]

    operations = [migrations.RunSQL(AFTER, BEFORE)]
