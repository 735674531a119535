"""``ipx export rejects``: one row per rejected record or quarantined file.

Columns ``feed, file, record, field, reason``: ``record`` is the 1-based number of the data
record within its file (title, blank and total rows not counted), empty for a whole file;
``reason`` is ``<rule>: <message>`` (several joined by ``; ``) or ``<quarantine reason>: <detail>``.
"""

from __future__ import annotations

from pathlib import Path

from ipx.exports.writers import write_csv, write_xlsx

HEADER = ["feed", "file", "record", "field", "reason"]
SQL = """
SELECT feed, file_name, record_no, field, reason FROM (
  SELECT feed, file_name, record_no, field, reason, 1 AS kind FROM ingest.rejected_records
  UNION ALL
  SELECT feed, file_name, NULL, NULL, quarantine_reason || ': ' || coalesce(quarantine_detail, ''), 0
  FROM ingest.files WHERE status = 'quarantined'
) ORDER BY feed, file_name, kind, record_no
"""


def export_rejects(con, out: Path) -> int:
    rows = con.execute(SQL).fetchall()
    if out.suffix.lower() == ".xlsx":
        write_xlsx(out, [("rejects", HEADER, rows)])
        return len(rows)
    return write_csv(out, HEADER, rows)
