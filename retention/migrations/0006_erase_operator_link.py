"""Disposal unlinks the premises from its operator.

The operator is a record of its own now (premises.Operator), which disposal keeps: it names a
chain, whose other premises keep their records. What disposal erases is the premises' link to
it, in the premises and in its history snapshots, as it erased the operator text before. The
rest of the function is 0005's, unchanged: this migration replaces it with 0005's text plus the
change below, and puts 0005's back when reversed.
"""

import importlib

from django.db import migrations

PREVIOUS = importlib.import_module("retention.migrations.0005_erase_issued_documents")

_ERASED = "name = 'Disposed premises', operator = '', address = '',"
_ERASED_NOW = "name = 'Disposed premises', operator_id = NULL, address = '',"

BEFORE = PREVIOUS.AFTER
# Twice: the premises and its history snapshots.
if BEFORE.count(_ERASED) != 2:
    raise RuntimeError("0005's retention_erase_premises is not the text this migration changes")
AFTER = BEFORE.replace(_ERASED, _ERASED_NOW)


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0005_erase_issued_documents"),
        ("premises", "0011_operators"),
    ]

    operations = [migrations.RunSQL(AFTER, BEFORE)]
