"""Taking deliveries: from a manifest and its data file to loaded or quarantined, atomically.

A feed's new deliveries are taken in batches. Each file is checked (name, manifest, SHA-256,
decoding, header, record count) and read into the ``_incoming`` temp table; one validation
statement then judges every record of the batch, and records, rejects and ledger rows are
written in the same transaction. So an interrupted run leaves no half-loaded slice, a re-run
takes the batch again, and a delivery already in the ledger is skipped: re-running over the
same folder changes nothing. Planning the validation once per batch, not once per file, keeps
the many small monthly deliveries cheap.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from ipx.contracts import FeedContract
from ipx.ingestion import pseudonym
from ipx.ingestion.archive import hash_and_seal
from ipx.ingestion.headers import HeaderMap
from ipx.ingestion.landing import Delivery, LandingScan
from ipx.ingestion.manifest import Manifest, read_manifest
from ipx.ingestion.quarantine import Quarantine
from ipx.ingestion.readers import EXTRA_TYPE, RESTART, read_delivery
from ipx.ingestion.validation import ValidationPlan, q, scale_column
from ipx.ingestion.warehouse import ensure_raw_table
from ipx.progress import reporter

log = logging.getLogger("ipx.ingestion")

# Errors that a delivery's content can cause; anything else is a fault of ipx and propagates.
DATA_ERRORS = (duckdb.ConversionException, duckdb.InvalidInputException, duckdb.OutOfRangeException,
               UnicodeDecodeError)
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])[0-9]{14,17}[0-9Xx](?![0-9A-Za-z])")

BATCH_MAX_FILES = 2000
BATCH_MAX_BYTES = 512 << 20


def scrub(text: str) -> str:
    """Remove identifier-like digit runs from an error message before it is stored or logged."""
    return _ID_LIKE.sub("<已隐去>", text)


@dataclass
class TakeResult:
    feed: str
    file_name: str
    status: str  # loaded | quarantined | skipped
    reason: str | None = None
    detail: str | None = None
    records: int = 0
    loaded: int = 0
    rejected: int = 0
    flagged: int = 0


@dataclass
class IngestContext:
    archive_dir: Path
    archive_key: bytes
    hmac_pads: pseudonym.HmacPads
    run_id: str | None = None
    # UTC (naive), like dbt's run_started_at, which the incremental models compare it with
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None))


@dataclass
class Staged:
    """One delivery on its way through a batch."""

    index: int
    delivery: Delivery
    manifest_sha: str
    mtime_ns: int | None = None
    sha: str | None = None
    size: int | None = None
    archive: str | None = None
    manifest: Manifest | None = None
    header: HeaderMap | None = None
    reader: str | None = None
    records: int | None = None
    problem: Quarantine | None = None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _history(con: duckdb.DuckDBPyConnection, feed: str) -> dict[str, list[tuple]]:
    rows = con.execute(
        "SELECT file_name, status, sha256, manifest_sha256, size_bytes, data_mtime_ns "
        "FROM ingest.files WHERE feed = ?", [feed]).fetchall()
    out: dict[str, list[tuple]] = {}
    for name, *rest in rows:
        out.setdefault(name, []).append(tuple(rest))
    return out


def _already_taken(history: list[tuple], sha: str | None, manifest_sha: str) -> bool:
    return any((status == "loaded" and h_sha == sha) or (h_sha == sha and h_manifest == manifest_sha)
               for status, h_sha, h_manifest, *_ in history)


def _unchanged_since_taken(history: list[tuple], manifest_sha: str, size: int, mtime_ns: int) -> bool:
    """Same manifest, size and modification time as a delivery taken before: no need to hash."""
    return any(h_manifest == manifest_sha and h_size == size and h_mtime == mtime_ns
               for _, _, h_manifest, h_size, h_mtime in history)


def _precheck(item: Staged, history: list[tuple], ctx: IngestContext) -> bool:
    """Name, manifest and SHA-256 checks; seals the file into the archive. False = skip."""
    delivery = item.delivery
    try:
        if delivery.name_problem:
            if any(h[2] == item.manifest_sha for h in history):
                return False
            raise Quarantine("file_name_invalid", delivery.name_problem)
        if delivery.data_path is None and any(h[2] == item.manifest_sha for h in history):
            return False
        if delivery.data_path is not None:
            stat = delivery.data_path.stat()
            item.mtime_ns = stat.st_mtime_ns
            if _unchanged_since_taken(history, item.manifest_sha, stat.st_size, stat.st_mtime_ns):
                return False
            sha = _sha256(delivery.data_path)
            if _already_taken(history, sha, item.manifest_sha):
                return False
            item.sha, item.size, archived = hash_and_seal(delivery.data_path, ctx.archive_dir, ctx.archive_key)
            item.archive = str(archived)
        if any(status == "loaded" and h_sha != item.sha for status, h_sha, *_ in history):
            raise Quarantine("name_conflict", "a different file of this name was loaded before; "
                             "resubmit under a higher seq")
        item.manifest = read_manifest(delivery, item.manifest_sha)
        if item.manifest.sha256 != item.sha:
            raise Quarantine("sha256_mismatch",
                             f"file sha256 {item.sha} differs from the manifest's {item.manifest.sha256}")
    except Quarantine as problem:
        item.problem = problem
    return True


def _incoming_schema(contract: FeedContract) -> pa.Schema:
    fields = [pa.field("_file_idx", pa.int32()), pa.field("_province", pa.string()),
              pa.field("_record_no", pa.int64())]
    fields += [pa.field(c.name, pa.string()) for c in contract.columns if c.loaded]
    fields += [pa.field(scale_column(c.name), pa.int32()) for c in contract.columns if c.type == "amount"]
    fields += [pa.field("_extra", EXTRA_TYPE), pa.field("_row_error", pa.string())]
    return pa.schema(fields)


def _incoming_ddl(contract: FeedContract) -> str:
    types = {pa.int32(): "INTEGER", pa.int64(): "BIGINT", pa.string(): "VARCHAR", EXTRA_TYPE: "MAP(VARCHAR, VARCHAR)"}
    cols = [f"{q(f.name)} {types[f.type]}" for f in _incoming_schema(contract)]
    return f"CREATE OR REPLACE TEMP TABLE _incoming ({', '.join(cols)})"


def _constant(value, n: int, type_: pa.DataType) -> pa.Array:
    return pa.array([value], type_).take(pa.array(np.zeros(n, dtype=np.int64)))


class IncomingBuffer:
    """Collects the records of a batch's files as Arrow and writes them to ``_incoming`` in few
    large inserts (one per ``FLUSH_ROWS``), not one per file."""

    FLUSH_ROWS = 500_000

    def __init__(self, con, contract: FeedContract):
        self.con = con
        self.schema = _incoming_schema(contract)
        self.pending: list[tuple[int, pa.RecordBatch]] = []
        self.rows = 0

    def add(self, index: int, province: str, scales: dict[str, int], batch: pa.RecordBatch) -> None:
        n = batch.num_rows
        constants = {"_file_idx": _constant(index, n, pa.int32()), "_province": _constant(province, n, pa.string()),
                     **{k: _constant(v, n, pa.int32()) for k, v in scales.items()}}
        names = set(batch.schema.names)
        arrays = [constants[f.name] if f.name in constants
                  else batch.column(f.name) if f.name in names else pa.nulls(n, f.type)
                  for f in self.schema]
        self.pending.append((index, pa.RecordBatch.from_arrays(arrays, schema=self.schema)))
        self.rows += n
        if self.rows >= self.FLUSH_ROWS:
            self.flush()

    def drop(self, index: int) -> None:
        self.pending = [(i, b) for i, b in self.pending if i != index]
        self.rows = sum(b.num_rows for _, b in self.pending)
        self.con.execute("DELETE FROM _incoming WHERE _file_idx = ?", [index])

    def flush(self) -> None:
        if not self.pending:
            return
        table = pa.Table.from_batches([b for _, b in self.pending], schema=self.schema)
        self.pending, self.rows = [], 0
        # from_arrow + insert_into, not register: DuckDB keeps a registered table alive until the
        # batch's transaction commits, which held a whole multi-GB file in memory
        self.con.from_arrow(table).insert_into("_incoming")


def _read_into_incoming(buffer: IncomingBuffer, item: Staged, contract: FeedContract) -> None:
    """Read one file's records into the buffer; on a problem, leave none of them there."""
    try:
        read = read_delivery(item.delivery.data_path, item.manifest.encoding, contract)
        item.header, item.reader = read.header, read.reader
        scales = {scale_column(c.name): read.header.scale.get(c.name, 1)
                  for c in contract.columns if c.type == "amount"}
        for batch in read.batches:
            if batch is RESTART:
                buffer.drop(item.index)
                item.reader = "python-csv"
                continue
            buffer.add(item.index, item.delivery.province, scales, batch)
    except Quarantine as problem:
        item.problem = problem
    except DATA_ERRORS as exc:
        item.problem = Quarantine("file_unreadable", f"{type(exc).__name__}: {exc}")
    if item.problem is not None:
        buffer.drop(item.index)


def _insert_rows(con, table: str, rows: list[dict]) -> None:
    """Insert dict rows by column name in one statement (executemany costs a round trip a row)."""
    if not rows:
        return
    frame = pa.Table.from_pylist(rows)
    con.register("_rows", frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")
    finally:
        con.unregister("_rows")


def _record_quarantines(con, items: list[Staged], ctx: IngestContext) -> list[TakeResult]:
    rows, results = [], []
    for item in items:
        d, m, problem = item.delivery, item.manifest, item.problem
        detail = scrub(problem.detail)
        rows.append({
            "feed": d.feed, "file_name": d.file_name, "manifest_name": d.manifest_path.name if d.manifest_path else None,
            "province": d.province, "period": d.period, "seq": d.seq, "status": "quarantined",
            "quarantine_reason": problem.reason, "quarantine_detail": detail, "sha256": item.sha,
            "manifest_sha256": item.manifest_sha, "manifest_rows": m.rows if m else None, "records": item.records,
            "records_loaded": 0, "records_rejected": 0, "records_flagged": 0,
            "file_format": d.data_path.suffix.lstrip(".").lower() if d.data_path else None,
            "encoding": m.encoding if m else None, "size_bytes": item.size, "data_mtime_ns": item.mtime_ns,
            "exported_at": m.exported_at if m else None, "agency": m.agency if m else None,
            "archive_path": item.archive, "taken_at": ctx.now, "run_id": ctx.run_id})
        log.warning("quarantined %s/%s: %s: %s", d.feed, d.file_name, problem.reason, detail)
        results.append(TakeResult(d.feed, d.file_name, "quarantined", problem.reason, detail, item.records or 0))
    _insert_rows(con, "ingest.files", rows)
    return results


def _validate_and_load(con, contract: FeedContract, items: list[Staged], ctx: IngestContext) -> list[TakeResult]:
    """One statement judges every record of the batch; records, rejects and ledger rows follow."""
    plan = ValidationPlan(contract)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _validated AS
        SELECT *, len(list_filter(_outcomes, lambda o: o.severity = 'R')) > 0 AS _has_r,
                  len(list_filter(_outcomes, lambda o: o.severity = 'W')) > 0 AS _has_w
        FROM ({plan.validated_sql()})""")
    con.execute("CREATE OR REPLACE TEMP TABLE _batch_files (_file_idx INTEGER, period VARCHAR, seq VARCHAR, "
                "file_name VARCHAR, sha VARCHAR, exported_at TIMESTAMP)")
    _insert_rows(con, "_batch_files", [
        {"_file_idx": i.index, "period": i.delivery.period, "seq": i.delivery.seq, "file_name": i.delivery.file_name,
         "sha": i.sha, "exported_at": i.manifest.exported_at} for i in items])
    loaded_cols = [c for c in contract.columns if c.loaded]
    pii = any(c.pii == "pseudonymise" for c in loaded_cols)
    hmac = ctx.hmac_pads.parameters() if pii else {}
    is_r, is_w = "lambda o: o.severity = 'R'", "lambda o: o.severity = 'W'"
    values = ",\n  ".join(f"{plan.loaded_value(c)} AS {q(c.warehouse_name)}" for c in loaded_cols)
    con.execute(
        f"""INSERT INTO {contract.raw_table} BY NAME
        SELECT {values},
          list_distinct(list_transform(list_filter(t._outcomes, {is_w}), lambda o: o.field)) AS _flags,
          list_transform(list_filter(t._outcomes, {is_w}), lambda o: o.rule) AS _flag_rules,
          t._extra AS _extra, $feed AS _feed, t._province AS _province, f.period AS _period,
          f.seq AS _seq, f.file_name AS _file, t._record_no AS _record_no, f.sha AS _sha256,
          f.exported_at AS _exported_at, $now AS _loaded_at, $run AS _run_id
        FROM _validated AS t JOIN _batch_files AS f USING (_file_idx)
        WHERE NOT t._has_r
        ORDER BY t._file_idx, t._record_no""",
        {"feed": contract.feed, "now": ctx.now, "run": ctx.run_id, **hmac},
    )
    record_items = ", ".join(
        f"'{c.name}', "
        + (f"CASE WHEN t.{q('_v_' + c.name)} IS NOT NULL THEN "
           f"{pseudonym.sql_expression('upper(t.' + q('_v_' + c.name) + ')')} END"
           if c.pii == "pseudonymise" else f"t.{q('_v_' + c.name)}")
        for c in loaded_cols
    )
    con.execute(
        f"""INSERT INTO ingest.rejected_records
        SELECT $feed, f.file_name, f.sha, t._province, f.period, f.seq, t._record_no,
          list_filter(t._outcomes, {is_r})[1].field,
          list_filter(t._outcomes, {is_r})[1].rule,
          array_to_string(list_transform(list_filter(t._outcomes, {is_r}),
                                         lambda o: o.rule || ': ' || o.message), '; '),
          to_json(t._outcomes),
          json_merge_patch(json_object({record_items}), coalesce(to_json(t._extra), '{{}}'::JSON)),
          $now, $run
        FROM _validated AS t JOIN _batch_files AS f USING (_file_idx)
        WHERE t._has_r
        ORDER BY t._file_idx, t._record_no""",
        {"feed": contract.feed, "now": ctx.now, "run": ctx.run_id, **hmac},
    )
    counts = {row[0]: row[1:] for row in con.execute(
        """SELECT _file_idx, count(*) FILTER (WHERE NOT _has_r), count(*) FILTER (WHERE _has_r),
                  count(*) FILTER (WHERE NOT _has_r AND _has_w)
           FROM _validated GROUP BY _file_idx""").fetchall()}
    rows, results = [], []
    for item in items:
        d, m, h = item.delivery, item.manifest, item.header
        loaded, rejected, flagged = counts.get(item.index, (0, 0, 0))
        rows.append({
            "feed": d.feed, "file_name": d.file_name, "manifest_name": d.manifest_path.name, "province": d.province,
            "period": d.period, "seq": d.seq, "status": "loaded", "sha256": item.sha,
            "manifest_sha256": item.manifest_sha, "manifest_rows": m.rows, "records": item.records,
            "records_loaded": loaded, "records_rejected": rejected, "records_flagged": flagged,
            "file_format": d.data_path.suffix.lstrip(".").lower(), "encoding": m.encoding, "reader": item.reader,
            "size_bytes": item.size, "data_mtime_ns": item.mtime_ns, "exported_at": m.exported_at,
            "agency": m.agency, "extra_columns": h.extra_headers, "dropped_columns": h.dropped,
            "amount_scales": json.dumps(h.scale), "archive_path": item.archive, "taken_at": ctx.now,
            "run_id": ctx.run_id})
        results.append(TakeResult(d.feed, d.file_name, "loaded", records=item.records or 0,
                                  loaded=loaded, rejected=rejected, flagged=flagged))
    _insert_rows(con, "ingest.files", rows)
    return results


def _take_batch(con, contract: FeedContract, items: list[Staged], ctx: IngestContext) -> list[TakeResult]:
    """Read, validate and load a batch of checked deliveries in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(_incoming_ddl(contract))
        buffer = IncomingBuffer(con, contract)
        for item in items:
            if item.problem is None:
                _read_into_incoming(buffer, item, contract)
        buffer.flush()
        counts = dict(con.execute("SELECT _file_idx, count(*) FROM _incoming GROUP BY ALL").fetchall())
        for item in items:
            if item.problem is None:
                item.records = counts.get(item.index, 0)
                if item.records != item.manifest.rows:
                    item.problem = Quarantine(
                        "row_count_mismatch",
                        f"file has {item.records} data records, manifest says {item.manifest.rows}")
                    con.execute("DELETE FROM _incoming WHERE _file_idx = ?", [item.index])
        good = [i for i in items if i.problem is None]
        results = _record_quarantines(con, [i for i in items if i.problem is not None], ctx)
        if good:
            results += _validate_and_load(con, contract, good, ctx)
        con.execute("COMMIT")
        return results
    except DATA_ERRORS:
        con.execute("ROLLBACK")
        if len(items) == 1:
            log.exception("could not load %s/%s", contract.feed, items[0].delivery.file_name)
            items[0].problem = items[0].problem or Quarantine("file_unreadable", "the file's values could not be read")
            con.execute("BEGIN TRANSACTION")
            results = _record_quarantines(con, items, ctx)
            con.execute("COMMIT")
            return results
        # a value no rule foresaw broke the batch: take its files one at a time to find it
        return [r for item in items for r in _take_batch(con, contract, [item], ctx)]
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    finally:
        for table in ("_incoming", "_validated", "_batch_files"):
            with contextlib.suppress(duckdb.Error):
                con.execute(f"DROP TABLE IF EXISTS temp.{table}")


def _batches(items: list[Staged]) -> Iterable[list[Staged]]:
    batch: list[Staged] = []
    size = 0
    for item in items:
        if batch and (len(batch) >= BATCH_MAX_FILES or size + (item.size or 0) > BATCH_MAX_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += item.size or 0
    if batch:
        yield batch


def record_pending(con: duckdb.DuckDBPyConnection, feed: str, pending: Iterable[Delivery], now: dt.datetime) -> None:
    con.execute("DELETE FROM ingest.pending_files WHERE feed = ?", [feed])
    _insert_rows(con, "ingest.pending_files", [
        {"feed": feed, "file_name": d.file_name, "detail": "data file without manifest: waiting", "seen_at": now}
        for d in pending])


def ingest_feed(con: duckdb.DuckDBPyConnection, contract: FeedContract, scan: LandingScan,
                ctx: IngestContext) -> list[TakeResult]:
    """Take every new delivery of one feed found in the landing folder, in slice order."""
    ensure_raw_table(con, contract)
    history = _history(con, contract.feed)
    staged: list[Staged] = []
    results: list[TakeResult] = []
    progress = reporter()
    for index, delivery in enumerate(scan.deliveries):
        item = Staged(index, delivery, _sha256(delivery.manifest_path))
        if _precheck(item, history.get(delivery.file_name, []), ctx):
            staged.append(item)
        else:
            results.append(TakeResult(delivery.feed, delivery.file_name, "skipped"))
    progress.files_done(contract.feed, len(results))
    for batch in _batches(staged):
        taken = _take_batch(con, contract, batch, ctx)
        results += taken
        progress.files_done(contract.feed, len(taken), records=sum(r.loaded for r in taken),
                            quarantined=sum(r.status == "quarantined" for r in taken))
    record_pending(con, contract.feed, scan.pending, ctx.now)
    order = {d.file_name: i for i, d in enumerate(scan.deliveries)}
    return sorted(results, key=lambda r: order.get(r.file_name, -1))


def ingest_landing(con: duckdb.DuckDBPyConnection, landing: Path, contracts: dict[str, FeedContract],
                   ctx: IngestContext) -> list[TakeResult]:
    """Every feed of a landing folder, without Dagster (tests, benchmarks)."""
    from ipx.ingestion.landing import scan_landing

    scans = scan_landing(landing, contracts)
    results: list[TakeResult] = []
    for feed, contract in contracts.items():
        results += ingest_feed(con, contract, scans[feed], ctx)
    return results
