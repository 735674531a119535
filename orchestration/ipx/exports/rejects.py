"""``ipx export rejects``: one row per rejected record or quarantined file.

Columns ``feed, file, record, field, reason``: ``record`` is the 1-based number of the data
record within its file (title, blank and total rows not counted), empty for a whole file;
``reason`` is ``<rule>: <message>`` (several joined by ``; ``) or ``<quarantine reason>: <detail>``.
"""

from __future__ import annotations

from pathlib import Path

from ipx.exports.scope import scope_filter
from ipx.exports.writers import write_csv, write_xlsx

HEADER = ["feed", "file", "record", "field", "reason"]
SQL = """
SELECT feed, file_name, record_no, field, reason FROM (
  SELECT feed, file_name, record_no, field, reason, 1 AS kind, province FROM ingest.rejected_records
  UNION ALL
  SELECT feed, file_name, NULL, NULL, quarantine_reason || ': ' || coalesce(quarantine_detail, ''), 0, province
  FROM ingest.files WHERE status = 'quarantined'
) WHERE {scope} ORDER BY feed, file_name, kind, record_no
"""


def export_rejects(con, out: Path, scope: frozenset[str] | None = None) -> int:
    """Every rejected record and quarantined file; with a ``scope``, only those of its provinces
    (a file whose name names no province is nobody's detail but the national users')."""
    in_scope, params = scope_filter(scope, column="province", national=False)
    rows = con.execute(SQL.format(scope=in_scope), params).fetchall()
    if out.suffix.lower() == ".xlsx":
        write_xlsx(out, [("rejects", HEADER, rows)])
        return len(rows)
    return write_csv(out, HEADER, rows)
