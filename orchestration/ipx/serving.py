"""Publishing: a read-only serving copy of the warehouse for the dashboard.

DuckDB allows one writer or many readers of a file, never both. After each successful build
the pipeline copies the published schemas into a new file under ``<warehouse>.serving/`` and
then atomically replaces the ``current`` pointer; the dashboard opens whatever ``current``
names, read-only, so it keeps serving the last published data while a run writes and sees the
new data after it. Older copies are removed once superseded (the newest few are kept).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from pathlib import Path

import duckdb

from ipx.storage import WarehouseLayout

PUBLISHED_SCHEMAS = ("marts", "reference")
# What the dashboard and the exports read in ``marts``: the published marts and the dimensions.
# The facts (record level, persons' pseudonyms, ~all of the rows at national volume) stay in the
# warehouse: nothing served reads them, and copying them was most of a publication's time.
PUBLISHED_MART_PREFIXES = ("mart_", "dim_")
# The ledger without personal data in clear: feed health, rejected records with reasons.
PUBLISHED_LEDGER = ("files", "rejected_records", "pending_files", "feed_catalogue")
KEEP_COPIES = 3


def _source_tables(con, schema: str) -> list[str]:
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'source' AND schema_name = ? ORDER BY 1",
        [schema]).fetchall()]
    if schema == "marts":
        return [t for t in tables if t.startswith(PUBLISHED_MART_PREFIXES)]
    return tables


def publish_serving_copy(layout: WarehouseLayout, run_id: str) -> Path:
    serving = layout.serving_dir
    serving.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    target = serving / f"ipx-{stamp}-{run_id[:8]}.duckdb"
    tmp = target.with_suffix(".building")
    if tmp.exists():
        tmp.unlink()
    con = duckdb.connect(str(tmp))
    published = False
    try:
        con.execute(f"ATTACH '{layout.warehouse}' AS source (READ_ONLY)")
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            for table in _source_tables(con, schema):
                con.execute(f'CREATE TABLE {schema}."{table}" AS SELECT * FROM source.{schema}."{table}"')
        con.execute("CREATE SCHEMA IF NOT EXISTS ingest")
        for table in PUBLISHED_LEDGER:
            con.execute(f"CREATE TABLE ingest.{table} AS SELECT * FROM source.ingest.{table}")
        con.execute("CREATE SCHEMA IF NOT EXISTS meta")
        published_at = dt.datetime.now().replace(microsecond=0)
        con.execute("CREATE TABLE meta.publication AS SELECT ? AS run_id, ? AS published_at",
                    [run_id, published_at])
        con.execute("DETACH source")
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp, target)
        published = True
    finally:
        con.close()
        if not published:  # e.g. a full disk: the last published copy stays as it was
            for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
                if leftover.exists():
                    leftover.unlink()
    pointer = serving / "current.json"
    pointer_tmp = serving / ".current.json.tmp"
    pointer_tmp.write_text(json.dumps({"file": target.name, "run_id": run_id,
                                       "published_at": published_at.isoformat()}), encoding="utf-8")
    os.replace(pointer_tmp, pointer)
    copies = sorted(serving.glob("ipx-*.duckdb"))
    for old in copies[:-KEEP_COPIES]:
        with contextlib.suppress(OSError):
            old.unlink()
    return target


def current_serving_file(layout: WarehouseLayout) -> Path | None:
    pointer = layout.serving_dir / "current.json"
    if not pointer.exists():
        return None
    name = json.loads(pointer.read_text(encoding="utf-8"))["file"]
    path = layout.serving_dir / name
    return path if path.exists() else None
