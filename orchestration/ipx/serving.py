"""Publishing: a read-only serving copy of the warehouse for the dashboard.

DuckDB allows one writer or many readers of a file, never both. After each successful build
the pipeline copies the published file (``W.published``: the marts, dimensions and reference
data dbt builds there, ``ipx.published_db``) to a new file under ``<warehouse>.serving/``, adds
the ledger's published tables and the publication's own record to it, and then atomically
replaces the ``current`` pointer; the dashboard opens whatever ``current`` names, read-only, so
it keeps serving the last published data while a run writes and sees the new data after it.
Older copies are removed once superseded (the newest few are kept).

The copy is a file copy: the published tables are never written again row by row (that was
about 24 s a run at national volume, whatever the run changed; the file copy about 1 s).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
from pathlib import Path

import duckdb

from ipx import published_db
from ipx.storage import WarehouseLayout

# The ledger without personal data in clear: feed health, rejected records with reasons.
PUBLISHED_LEDGER = ("files", "rejected_records", "pending_files", "feed_catalogue")
KEEP_COPIES = 3


class NothingToPublish(RuntimeError):
    pass


def publish_serving_copy(layout: WarehouseLayout, run_id: str) -> Path:
    if not layout.published_db.exists():
        raise NothingToPublish(f"no published file {layout.published_db}: the models have not been built")
    serving = layout.serving_dir
    serving.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    target = serving / f"ipx-{stamp}-{run_id[:8]}.duckdb"
    tmp = target.with_suffix(".building")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        if leftover.exists():
            leftover.unlink()
    published = False
    con = None
    try:
        published_db.checkpoint(layout)  # everything in the file itself, none of it in a WAL
        shutil.copyfile(layout.published_db, tmp)
        con = duckdb.connect(str(tmp))
        # the incremental models' bookkeeping (watermarks, change logs) is not for readers
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                                    "AND schema_name = 'meta'").fetchall():
            con.execute(f'DROP TABLE meta."{table}"')
        con.execute(f"ATTACH '{layout.warehouse}' AS source (READ_ONLY)")
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
        if con is not None:
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
