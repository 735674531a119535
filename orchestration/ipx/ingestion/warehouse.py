"""The raw layer's tables: one per feed (from its contract) and the ingestion ledger.

- ``raw.<feed>``: loaded records of every accepted file (all seqs; staging picks the current
  version), typed, with pseudonyms instead of resident IDs and no names, W flags, the columns
  kept aside, and lineage.
- ``ingest.files``: every delivery taken, loaded or quarantined, with its counts.
- ``ingest.rejected_records``: every rejected record with its reasons (personal data replaced).
- ``ingest.pending_files``: data files still waiting for their manifest (refreshed each scan).
- ``ingest.feed_catalogue``: each feed's cadence, title, keys and life span (first and last
  expected period), from its contract, for the models.
"""

from __future__ import annotations

import duckdb

from ipx.contracts import FeedContract
from ipx.ingestion.validation import q

LINEAGE_COLUMNS = [
    ("_flags", "VARCHAR[]"),          # fields with a W rule broken
    ("_flag_rules", "VARCHAR[]"),     # the W rules broken
    ("_extra", "MAP(VARCHAR, VARCHAR)"),  # columns the contract does not know, kept aside
    ("_feed", "VARCHAR"),
    ("_province", "VARCHAR"),
    ("_period", "VARCHAR"),
    ("_seq", "VARCHAR"),
    ("_file", "VARCHAR"),
    ("_record_no", "BIGINT"),
    ("_sha256", "VARCHAR"),
    ("_exported_at", "TIMESTAMP"),    # Beijing time
    ("_loaded_at", "TIMESTAMP"),
    ("_run_id", "VARCHAR"),
]

LEDGER_DDL = """
CREATE SCHEMA IF NOT EXISTS ingest;
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS ingest.files (
  feed VARCHAR NOT NULL,
  file_name VARCHAR NOT NULL,
  manifest_name VARCHAR,
  province VARCHAR,
  period VARCHAR,
  seq VARCHAR,
  status VARCHAR NOT NULL,             -- loaded | quarantined
  quarantine_reason VARCHAR,
  quarantine_detail VARCHAR,
  sha256 VARCHAR,                      -- of the data file as received
  manifest_sha256 VARCHAR NOT NULL,    -- of the manifest file as received
  manifest_rows BIGINT,
  records BIGINT,                      -- data records found in the file
  records_loaded BIGINT,
  records_rejected BIGINT,
  records_flagged BIGINT,
  file_format VARCHAR,
  encoding VARCHAR,
  reader VARCHAR,
  size_bytes BIGINT,
  data_mtime_ns BIGINT,                -- with size and manifest, lets a re-run skip without hashing
  exported_at TIMESTAMP,               -- Beijing time, from the manifest
  agency VARCHAR,
  extra_columns VARCHAR[],
  dropped_columns VARCHAR[],
  amount_scales JSON,
  archive_path VARCHAR,
  taken_at TIMESTAMP NOT NULL,         -- UTC
  run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS ingest.rejected_records (
  feed VARCHAR NOT NULL,
  file_name VARCHAR NOT NULL,
  sha256 VARCHAR NOT NULL,
  province VARCHAR,
  period VARCHAR,
  seq VARCHAR,
  record_no BIGINT NOT NULL,
  field VARCHAR,
  rule VARCHAR NOT NULL,
  reason VARCHAR NOT NULL,
  outcomes JSON,                       -- every rule broken, R and W
  record JSON,                         -- the record as read; resident IDs pseudonymised, names dropped
  rejected_at TIMESTAMP NOT NULL,
  run_id VARCHAR
);
CREATE TABLE IF NOT EXISTS ingest.pending_files (
  feed VARCHAR, file_name VARCHAR, detail VARCHAR, seen_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS ingest.feed_catalogue (
  feed VARCHAR PRIMARY KEY, title_zh VARCHAR, agency VARCHAR, cadence VARCHAR,
  snapshot BOOLEAN, expected_in_delivery_share BOOLEAN, key_columns VARCHAR[],
  latest_period_is_current BOOLEAN
);
-- The life span, added after the first release: warehouses built before gain the columns.
ALTER TABLE ingest.feed_catalogue ADD COLUMN IF NOT EXISTS first_period VARCHAR;
ALTER TABLE ingest.feed_catalogue ADD COLUMN IF NOT EXISTS last_period VARCHAR;
"""


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(LEDGER_DDL)


def register_feed(con: duckdb.DuckDBPyConnection, contract: FeedContract) -> None:
    """Keep ``ingest.feed_catalogue`` (what the warehouse knows of each feed) current."""
    con.execute(
        "INSERT OR REPLACE INTO ingest.feed_catalogue (feed, title_zh, agency, cadence, snapshot, "
        "expected_in_delivery_share, key_columns, latest_period_is_current, first_period, last_period) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [contract.feed, contract.title_zh, contract.agency, contract.cadence, contract.snapshot,
         contract.expected_in_delivery_share, [contract.column(k).warehouse_name for k in contract.key],
         contract.latest_period_is_current, contract.first_period, contract.last_period],
    )


def raw_columns(contract: FeedContract) -> list[tuple[str, str]]:
    cols = [(c.warehouse_name, c.sql_type) for c in contract.loaded_columns]
    return cols + LINEAGE_COLUMNS


def ensure_raw_table(con: duckdb.DuckDBPyConnection, contract: FeedContract) -> None:
    """Create ``raw.<feed>``, or add the columns a contract has gained since."""
    ensure_ledger(con)
    wanted = raw_columns(contract)
    existing = {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ?",
            [contract.feed],
        ).fetchall()
    }
    register_feed(con, contract)
    if not existing:
        body = ",\n  ".join(f"{q(n)} {t}" for n, t in wanted)
        con.execute(f"CREATE TABLE {contract.raw_table} (\n  {body}\n)")
        return
    for name, sql_type in wanted:
        if name not in existing:
            con.execute(f"ALTER TABLE {contract.raw_table} ADD COLUMN {q(name)} {sql_type}")
