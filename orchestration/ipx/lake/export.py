"""The lake: raw feeds, rejected records and the ingestion ledger as Parquet (Hive layout).

A distributed engine (Spark, through dbt-spark) cannot read the DuckDB warehouse file, so after
ingestion the tables it starts from are exported to a folder it can read (``W.lake/`` beside the
warehouse, or ``IPX_LAKE``; object storage or HDFS in a deployment, synced from it):

- ``raw/<feed>/_province=<code>/_period=<period>/part-0.parquet``: ``raw.<feed>`` without the
  partition columns ``_province`` and ``_period`` (strings, from the directory names);
- ``ingest/files/feed=<feed>/part-0.parquet`` and ``ingest/rejected_records/feed=<feed>/
  part-0.parquet``: the ledger of each feed, without ``feed``;
- ``ingest/pending_files/part-0.parquet``, ``ingest/feed_catalogue/part-0.parquet``.

Why an export after ingestion's DuckDB transaction, not Parquet written by ingestion itself:
DuckDB stays the one transactional record. A batch's raw rows, its rejected records and its
ledger rows commit together or not at all; Parquet files written beside that transaction could
not join it, so a crash between the two would leave rows in one and not the other (lost or, after
the re-run, duplicated). The lake is derived and re-derivable: :func:`export_lake` compares what
the warehouse holds now with what the lake holds and rewrites the difference, so it can be run
again at any time (after a crash, a deleted folder, a lost manifest) and converges on the
warehouse's content, and a run with nothing new writes nothing.

How change is detected. For every partition the warehouse gives a digest of its rows: the row
count, and the sum and the XOR of DuckDB's ``hash()`` of every whole row (order-free, one grouped
scan per table), plus the table's column names and types. ``_lake_manifest.json`` at the lake's
root records, per partition, the digest it was written from and the size and mtime of the file
written. A partition is kept only if the manifest vouches for it *and* the file on disk is the
one the manifest describes (same size and mtime, nothing else in its folder); anything else is
rewritten. The manifest is replaced (atomically) only after a table's files are in place, so a
crash in between leaves files the manifest does not vouch for, which the next export rewrites;
a lost or unreadable manifest, or another DuckDB version (whose ``hash()`` may differ), just
means everything is rewritten once. A table whose columns changed (a contract gained a column)
is rewritten whole; folders of partitions, tables or feeds the warehouse no longer has are
removed.

How it is written. The changed partitions of a table are written by one partitioned ``COPY``
into ``.staging/`` at the lake's root (outside every table's folder, so no reader lists it);
then each partition's single file is renamed over ``part-0.parquet`` (a rename within one file
system is atomic), so a reader sees either the old or the new partition, never half of one.
Exports of one lake are serialised by a lock file (``.lock``).

Types: ``JSON`` columns are written as plain strings; ``TIMESTAMP`` stays a timestamp without
time zone (Parquet ``isAdjustedToUTC=false``, Spark ``timestamp_ntz``); ``VARCHAR[]`` and
``MAP(VARCHAR, VARCHAR)`` stay a list and a map (see :mod:`ipx.lake.spark_types`).

:func:`spark_table_specs` describes every lake table for Spark (the dbt ``on-run-start`` macro
creates an external table per spec), from the DuckDB catalogue: a feed with no rows still has a
table.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ipx.lake.spark_types import LakeType, lake_type

log = logging.getLogger("ipx.lake")

MANIFEST_NAME = "_lake_manifest.json"
MANIFEST_FORMAT = 1
STAGING_NAME = ".staging"
LOCK_NAME = ".lock"
PART_FILE = "part-0.parquet"
MANAGED_SCHEMAS = ("raw", "ingest")

# The ledger tables in the lake and how each is partitioned (the raw tables: by province, period).
INGEST_TABLES: dict[str, tuple[str, ...]] = {
    "files": ("feed",),
    "rejected_records": ("feed",),
    "pending_files": (),
    "feed_catalogue": (),
}
RAW_PARTITIONS = ("_province", "_period")

# A partition value becomes a folder name: keep to characters no engine escapes.
_SAFE_VALUE = re.compile(r"^[0-9A-Za-z_.\-]+$")
_SAFE_NAME = re.compile(r"^[0-9A-Za-z_]+$")


class LakeError(RuntimeError):
    """The warehouse holds something the lake cannot represent (e.g. a NULL partition value)."""


@dataclass(frozen=True)
class LakeTable:
    """One table of the lake: where it comes from in DuckDB and how it is laid out."""

    schema: str  # raw | ingest
    name: str
    partition_by: tuple[str, ...]
    columns: tuple[tuple[str, LakeType], ...]  # every DuckDB column, in order

    @property
    def qualified(self) -> str:
        return f'"{self.schema}"."{self.name}"'

    @property
    def key(self) -> str:
        """The table's folder below the lake's root, e.g. ``raw/hrss_employers``."""
        return f"{self.schema}/{self.name}"

    @property
    def data_columns(self) -> list[tuple[str, LakeType]]:
        return [(n, t) for n, t in self.columns if n not in self.partition_by]

    @property
    def signature(self) -> list[list[str]]:
        return [[n, t.duckdb] for n, t in self.columns] + [["partition_by", ",".join(self.partition_by)]]


@dataclass
class LakeExport:
    """What one :func:`export_lake` did: partitions written, kept, removed; rows written."""

    lake: Path
    tables: int = 0
    written: int = 0
    kept: int = 0
    removed: int = 0
    rows_written: int = 0
    rows_total: int = 0
    seconds: float = 0.0
    written_partitions: list[str] = field(default_factory=list)  # relative to the lake, e.g.
    removed_partitions: list[str] = field(default_factory=list)  # raw/x/_province=a/_period=b

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)

    def summary(self) -> str:
        return (f"lake {self.lake}: {self.tables} tables, {self.written} partitions written "
                f"({self.rows_written} rows), {self.kept} kept, {self.removed} removed "
                f"in {self.seconds:.1f}s")


# ------------------------------------------------------------------------------------ the catalogue


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lake_tables(con: duckdb.DuckDBPyConnection) -> list[LakeTable]:
    """Every table the lake holds, from the DuckDB catalogue (feeds with no rows included)."""
    rows = con.execute(
        "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema IN ('raw', 'ingest') "
        "ORDER BY table_schema, table_name, ordinal_position").fetchall()
    by_table: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, column, data_type in rows:
        by_table.setdefault((schema, table), []).append((column, data_type))
    out: list[LakeTable] = []
    for (schema, table), cols in sorted(by_table.items()):
        if schema == "ingest" and table not in INGEST_TABLES:
            continue
        if not _SAFE_NAME.match(table):
            raise LakeError(f"table {schema}.{table}: its name cannot be a lake folder")
        partition_by = RAW_PARTITIONS if schema == "raw" else INGEST_TABLES[table]
        names = [c for c, _ in cols]
        missing = [p for p in partition_by if p not in names]
        if missing:
            raise LakeError(f"table {schema}.{table} has no partition column {', '.join(missing)}")
        typed = []
        for column, data_type in cols:
            try:
                typed.append((column, lake_type(data_type)))
            except ValueError as exc:
                raise LakeError(f"column {schema}.{table}.{column}: {exc}") from exc
        out.append(LakeTable(schema, table, partition_by, tuple(typed)))
    return out


def _location(lake: Path, table: LakeTable, base_uri: str | None) -> str:
    if base_uri:
        return f"{base_uri.rstrip('/')}/{table.key}"
    # file:///abs/path, not percent-encoded: Spark (Hadoop's Path) takes the string as it is
    return "file://" + (lake / table.key).as_posix()


def spark_table_specs(warehouse: Path, lake: Path, *, con: duckdb.DuckDBPyConnection | None = None,
                      base_uri: str | None = None) -> list[dict]:
    """One dict per lake table, for dbt's ``ipx_lake_tables`` var on the Spark target::

        {"schema": "raw", "name": "hrss_employers", "location": "file:///.../raw/hrss_employers",
         "columns": [["uscc", "string"], ...],           # data columns in order
         "partitioned_by": [["_province", "string"], ["_period", "string"]]}

    ``base_uri`` replaces the local folder in the locations when the engine reads the lake from
    elsewhere (``s3a://bucket/ipx-lake``, ``hdfs:///ipx/lake``) after it was synced there.
    ``con``: an open connection to the warehouse (else it is opened read-only).
    """
    lake = Path(lake).expanduser().resolve()
    with _connection(warehouse, con) as c:
        tables = lake_tables(c)
    return [{
        "schema": t.schema,
        "name": t.name,
        "location": _location(lake, t, base_uri),
        "columns": [[n, lt.spark] for n, lt in t.data_columns],
        "partitioned_by": [[p, "string"] for p in t.partition_by],
    } for t in tables]


@contextlib.contextmanager
def _connection(warehouse: Path, con: duckdb.DuckDBPyConnection | None) -> Iterator[duckdb.DuckDBPyConnection]:
    if con is not None:
        yield con
        return
    own = duckdb.connect(str(warehouse), read_only=True)
    try:
        yield own
    finally:
        own.close()


# ------------------------------------------------------------------------------------- the manifest


def _read_manifest(lake: Path) -> dict:
    """The manifest's tables, or nothing if it is missing, unreadable or from another format or
    DuckDB version (whose ``hash()`` may differ): then nothing on disk is vouched for."""
    path = lake / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if (not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT
            or data.get("duckdb") != duckdb.__version__ or not isinstance(data.get("tables"), dict)):
        return {}
    return data["tables"]


def _write_manifest(lake: Path, tables: dict) -> None:
    body = json.dumps({"format": MANIFEST_FORMAT, "duckdb": duckdb.__version__, "tables": tables},
                      separators=(",", ":"), sort_keys=True)
    path = lake / MANIFEST_NAME
    with contextlib.suppress(OSError):
        if path.read_text(encoding="utf-8") == body:
            return
    tmp = lake / f".{MANIFEST_NAME}.{uuid.uuid4().hex}.tmp"
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, path)


# ------------------------------------------------------------------------------------ the partitions


def _partition_path(table: LakeTable, values: tuple[str, ...]) -> str:
    """``_province=440000/_period=202401`` (``""`` for an unpartitioned table)."""
    return "/".join(f"{k}={v}" for k, v in zip(table.partition_by, values, strict=True))


def _digests(con: duckdb.DuckDBPyConnection, table: LakeTable) -> dict[tuple[str, ...], tuple[str, int]]:
    """Per partition: (digest of its rows, row count). An unpartitioned table has one partition,
    also when it is empty."""
    keys = [f"CAST({_q(p)} AS VARCHAR)" for p in table.partition_by]
    row = "hash(_lake_row)"  # the whole row, as a struct
    select = ", ".join([*keys, "count(*)", f"CAST(sum({row}) AS VARCHAR)", f"CAST(bit_xor({row}) AS VARCHAR)"])
    group = f" GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}" if keys else ""
    rows = con.execute(f"SELECT {select} FROM {table.qualified} AS _lake_row{group}").fetchall()
    out: dict[tuple[str, ...], tuple[str, int]] = {}
    for row in rows:
        values, (count, total, xor) = tuple(row[:len(keys)]), row[len(keys):]
        for name, value in zip(table.partition_by, values, strict=True):
            if value is None or not _SAFE_VALUE.match(value):
                raise LakeError(f"{table.schema}.{table.name}: {name} = {value!r} cannot name a lake "
                                f"partition (expected letters, digits, '_', '.', '-')")
        if count == 0 and keys:
            continue
        out[values] = (f"{count}:{total}:{xor}", count)
    if not keys and not out:
        out[()] = ("0:None:None", 0)
    return out


def _on_disk(table_dir: Path, depth: int) -> dict[str, list[Path]]:
    """Every entry below a table's folder: each partition folder (relative path -> its entries)
    and, with a ``!`` before its relative path, anything where only partition folders belong."""
    found: dict[str, list[Path]] = {}
    if depth == 0:
        if table_dir.is_dir():
            found[""] = list(table_dir.iterdir())
        return found

    def walk(folder: Path, rel: str, level: int) -> None:
        for entry in folder.iterdir():
            sub = f"{rel}/{entry.name}" if rel else entry.name
            if level + 1 == depth and entry.is_dir() and not entry.is_symlink():
                found[sub] = list(entry.iterdir())
            elif entry.is_dir() and not entry.is_symlink() and level + 1 < depth:
                walk(entry, sub, level + 1)
            else:
                found["!" + sub] = []  # a stray file (or folder) where partitions belong

    if table_dir.is_dir():
        walk(table_dir, "", 0)
    return found


def _vouched(entry: dict | None, digest: str, entries: list[Path] | None) -> bool:
    """The manifest wrote this partition from this digest, and its folder holds exactly the file
    it wrote."""
    if not entry or entry.get("digest") != digest or entries is None:
        return False
    if [e.name for e in entries] != [PART_FILE]:
        return False
    try:
        st = entries[0].stat()
    except OSError:
        return False
    return entries[0].is_file() and [st.st_size, st.st_mtime_ns] == entry.get("file")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _prune_empty(folder: Path, stop: Path) -> None:
    """Remove folders left empty by a removed partition, up to (not including) ``stop``."""
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _select_list(table: LakeTable) -> str:
    cols = []
    for name, lt in table.data_columns:
        cols.append(f"CAST({_q(name)} AS {lt.export}) AS {_q(name)}" if lt.needs_cast else _q(name))
    cols += [f"CAST({_q(p)} AS VARCHAR) AS {_q(p)}" for p in table.partition_by]
    return ", ".join(cols)


def _copy(con: duckdb.DuckDBPyConnection, table: LakeTable, todo: list[tuple[str, ...]], everything: bool,
          staging: Path) -> None:
    """Write the partitions ``todo`` of ``table`` under ``staging`` in the lake's layout: one
    ``part-0.parquet`` per partition folder (for an unpartitioned table, in ``staging`` itself)."""
    select = f"SELECT {_select_list(table)} FROM {table.qualified}"
    params: list = []
    if not table.partition_by:
        con.execute(f"COPY ({select}) TO '{_sql_path(staging / PART_FILE)}' (FORMAT parquet)")
        return
    if not everything:
        # the changed partitions only: the keys as parallel lists, unnested into rows
        keys = ", ".join(f"unnest(?::VARCHAR[]) AS _k{i}" for i in range(len(table.partition_by)))
        match = " AND ".join(f"CAST(_lake_row.{_q(p)} AS VARCHAR) = _lake_keys._k{i}"
                             for i, p in enumerate(table.partition_by))
        select = (f"SELECT {_select_list(table)} FROM {table.qualified} AS _lake_row "
                  f"SEMI JOIN (SELECT {keys}) AS _lake_keys ON {match}")
        params = [[values[i] for values in todo] for i in range(len(table.partition_by))]
    by = ", ".join(_q(p) for p in table.partition_by)
    con.execute(f"COPY ({select}) TO '{_sql_path(staging)}' "
                f"(FORMAT parquet, PARTITION_BY ({by}), FILENAME_PATTERN 'part-{{i}}')", params)
    for values in todo:
        folder = staging / _partition_path(table, values)
        files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
        if [f.name for f in files] == [PART_FILE]:
            continue
        if not files:
            raise LakeError(f"{table.key}/{_partition_path(table, values)}: the export wrote no file")
        # DuckDB closed and reopened the partition's file (too many open at once): one file per
        # partition keeps its replacement a single atomic rename, so merge them
        merged = folder.parent / f"{folder.name}.merged.parquet"
        listing = ", ".join(f"'{_sql_path(f)}'" for f in files)
        con.execute(f"COPY (SELECT * FROM read_parquet([{listing}])) TO '{_sql_path(merged)}' (FORMAT parquet)")
        for f in files:
            f.unlink()
        os.replace(merged, folder / PART_FILE)


def _sql_path(path: Path) -> str:
    return path.as_posix().replace("'", "''")


def _place(staged: Path, target: Path) -> None:
    """Move the staged partitions into the lake. A folder the lake does not have yet moves whole
    (one rename, complete partitions only); into an existing one, each partition's file is
    renamed over the old one, atomically, and anything else in that partition's folder goes."""
    for entry in list(staged.iterdir()):
        dest = target / entry.name
        if entry.is_dir():
            if dest.exists() and not dest.is_dir():
                _remove(dest)
            if not dest.exists():
                os.rename(entry, dest)
            else:
                _place(entry, dest)
        else:
            os.replace(entry, dest)
            for other in target.iterdir():  # anything else there would be read with it
                if other.name != PART_FILE:
                    _remove(other)


# ---------------------------------------------------------------------------------------- the export


@contextlib.contextmanager
def _lake_lock(lake: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock (one ipx process per warehouse anyway)
        yield
        return
    with (lake / LOCK_NAME).open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def _settings(con: duckdb.DuckDBPyConnection, **wanted) -> Iterator[None]:
    """Set DuckDB settings for the export and put back the caller's values afterwards."""
    names = ", ".join(f"'{n}'" for n in wanted)
    before = dict(con.execute(f"SELECT name, value FROM duckdb_settings() WHERE name IN ({names})").fetchall())
    for name, value in wanted.items():
        con.execute(f"SET {name} = {value}")
    try:
        yield
    finally:
        for name, value in before.items():
            with contextlib.suppress(duckdb.Error):
                con.execute(f"SET {name} = '{value}'")


def export_lake(warehouse: Path, lake: Path, *, con: duckdb.DuckDBPyConnection | None = None) -> LakeExport:
    """Bring the lake at ``lake`` up to date with the committed warehouse ``warehouse``.

    Only partitions whose rows changed since the last export are rewritten (see the module's
    docstring); a run with nothing new writes nothing. ``con``: an open connection to the
    warehouse, not inside a transaction (else the file is opened read-only; DuckDB refuses a
    second connection to a file this process has open read-write, so a caller holding one
    passes it).
    """
    started = time.perf_counter()
    lake = Path(lake).expanduser().resolve()
    lake.mkdir(parents=True, exist_ok=True)
    result = LakeExport(lake)
    with _lake_lock(lake), _connection(warehouse, con) as c, _settings(c, enable_progress_bar="false"):
        staging_root = lake / STAGING_NAME
        if staging_root.exists():
            shutil.rmtree(staging_root)  # left by an export that was interrupted
        c.execute("BEGIN TRANSACTION")  # one snapshot for the digests and the files
        try:
            tables = lake_tables(c)
            manifest = _read_manifest(lake)
            done: dict = {}
            for table in tables:
                changes = len(result.written_partitions) + len(result.removed_partitions)
                done[table.key] = _export_table(c, table, lake, staging_root, manifest.get(table.key), result)
                if len(result.written_partitions) + len(result.removed_partitions) != changes:
                    # this table's files are in place: now the manifest may vouch for them
                    _write_manifest(lake, {**{k: v for k, v in manifest.items() if k not in done}, **done})
            _remove_stray_tables(lake, tables, result)
            _write_manifest(lake, done)
            result.tables = len(tables)
        finally:
            with contextlib.suppress(duckdb.Error):
                c.execute("ROLLBACK")  # nothing was written to the warehouse
            if staging_root.exists():
                shutil.rmtree(staging_root, ignore_errors=True)
    result.seconds = time.perf_counter() - started
    log.info("%s", result.summary())
    return result


def _export_table(con: duckdb.DuckDBPyConnection, table: LakeTable, lake: Path, staging_root: Path,
                  previous: dict | None, result: LakeExport) -> dict:
    """Rewrite the partitions of one table the manifest does not vouch for, remove the ones the
    warehouse no longer has; returns the table's manifest entry."""
    table_dir = lake / table.key
    table_dir.mkdir(parents=True, exist_ok=True)
    same_columns = isinstance(previous, dict) and previous.get("columns") == table.signature
    old_parts: dict = (previous.get("partitions") or {}) if same_columns else {}
    digests = _digests(con, table)
    result.rows_total += sum(n for _, n in digests.values())
    disk = _on_disk(table_dir, len(table.partition_by))

    todo: list[tuple[str, ...]] = []
    parts: dict[str, dict] = {}
    for values, (digest, _count) in sorted(digests.items()):
        rel = _partition_path(table, values)
        entry = old_parts.get(rel)
        if _vouched(entry, digest, disk.get(rel)):
            parts[rel] = entry
            result.kept += 1
        else:
            todo.append(values)

    if todo:
        staging = staging_root / table.schema / table.name
        staging.mkdir(parents=True)
        _copy(con, table, todo, len(todo) == len(digests), staging)
        _place(staging, table_dir)
        for values in todo:
            rel = _partition_path(table, values)
            st = (table_dir / rel / PART_FILE if rel else table_dir / PART_FILE).stat()
            digest, count = digests[values]
            parts[rel] = {"digest": digest, "rows": count, "file": [st.st_size, st.st_mtime_ns]}
            result.written += 1
            result.rows_written += count
            result.written_partitions.append(f"{table.key}/{rel}" if rel else table.key)

    # partitions the warehouse no longer has, and anything else below the table's folder
    for rel in sorted(disk):
        if rel in parts or rel == "":
            continue
        stray = rel.startswith("!")
        path = table_dir / (rel[1:] if stray else rel)
        _remove(path)
        _prune_empty(path.parent, table_dir)
        if not stray:
            result.removed += 1
            result.removed_partitions.append(f"{table.key}/{rel}")
    if not table.partition_by:
        for entry in table_dir.iterdir():
            if entry.name != PART_FILE:
                _remove(entry)
    return {"columns": table.signature, "partitions": parts}


def _remove_stray_tables(lake: Path, tables: list[LakeTable], result: LakeExport) -> None:
    """Folders of tables the warehouse no longer has (a feed dropped), and strays beside them."""
    wanted = {t.key for t in tables}
    for schema in MANAGED_SCHEMAS:
        folder = lake / schema
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if f"{schema}/{entry.name}" not in wanted:
                partitions = {f.parent for f in entry.rglob("*.parquet")} if entry.is_dir() else set()
                _remove(entry)
                result.removed += len(partitions)
                result.removed_partitions.append(f"{schema}/{entry.name}")
