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

import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ipx.contracts import FeedContract
from ipx.ingestion import pseudonym
from ipx.ingestion.archive import hash_and_seal
from ipx.ingestion.headers import HeaderMap
from ipx.ingestion.landing import Delivery, LandingScan
from ipx.ingestion.manifest import Manifest, read_manifest
from ipx.ingestion.quarantine import Quarantine
from ipx.ingestion.readers import RESTART, read_delivery
from ipx.ingestion.validation import ValidationPlan, q, scale_column
from ipx.ingestion.warehouse import ensure_raw_table

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
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))


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


def _incoming_ddl(contract: FeedContract) -> str:
    cols = ["_file_idx INTEGER", "_province VARCHAR", "_record_no BIGINT"]
    cols += [f"{q(c.name)} VARCHAR" for c in contract.columns if c.loaded]
    cols += [f"{q(scale_column(c.name))} INTEGER" for c in contract.columns if c.type == "amount"]
    cols += ["_extra MAP(VARCHAR, VARCHAR)", "_row_error VARCHAR"]
    return f"CREATE OR REPLACE TEMP TABLE _incoming ({', '.join(cols)})"


def _read_into_incoming(con, item: Staged, contract: FeedContract) -> None:
    """Stream one file's records into ``_incoming``; on a problem, leave none of them there."""
    try:
        read = read_delivery(item.delivery.data_path, item.manifest.encoding, contract)
        item.header, item.reader = read.header, read.reader
        scales = {scale_column(c.name): read.header.scale.get(c.name, 1)
                  for c in contract.columns if c.type == "amount"}
        constants = ", ".join([f"{item.index} AS _file_idx", "$province AS _province"]
                              + [f"{v} AS {q(k)}" for k, v in scales.items()])
        for batch in read.batches:
            if batch is RESTART:
                con.execute("DELETE FROM _incoming WHERE _file_idx = ?", [item.index])
                item.reader = "python-csv"
                continue
            con.register("_batch", batch)
            try:
                con.execute(f"INSERT INTO _incoming BY NAME SELECT *, {constants} FROM _batch",
                            {"province": item.delivery.province})
            finally:
                con.unregister("_batch")
    except Quarantine as problem:
        item.problem = problem
    except DATA_ERRORS as exc:
        item.problem = Quarantine("file_unreadable", f"{type(exc).__name__}: {exc}")
    if item.problem is not None:
        con.execute("DELETE FROM _incoming WHERE _file_idx = ?", [item.index])


def _record_quarantines(con, items: list[Staged], ctx: IngestContext) -> list[TakeResult]:
    rows, results = [], []
    for item in items:
        d, m, problem = item.delivery, item.manifest, item.problem
        detail = scrub(problem.detail)
        rows.append([d.feed, d.file_name, d.manifest_path.name if d.manifest_path else None, d.province, d.period,
                     d.seq, problem.reason, detail, item.sha, item.manifest_sha, m.rows if m else None,
                     item.records, d.data_path.suffix.lstrip(".").lower() if d.data_path else None,
                     m.encoding if m else None, item.size, item.mtime_ns, m.exported_at if m else None,
                     m.agency if m else None, item.archive, ctx.now, ctx.run_id])
        log.warning("quarantined %s/%s: %s: %s", d.feed, d.file_name, problem.reason, detail)
        results.append(TakeResult(d.feed, d.file_name, "quarantined", problem.reason, detail, item.records or 0))
    if rows:
        con.executemany(
            """INSERT INTO ingest.files (feed, file_name, manifest_name, province, period, seq, status,
                 quarantine_reason, quarantine_detail, sha256, manifest_sha256, manifest_rows, records,
                 records_loaded, records_rejected, records_flagged, file_format, encoding, size_bytes,
                 data_mtime_ns, exported_at, agency, archive_path, taken_at, run_id)
               VALUES (?, ?, ?, ?, ?, ?, 'quarantined', ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows)
    return results


def _validate_and_load(con, contract: FeedContract, items: list[Staged], ctx: IngestContext) -> list[TakeResult]:
    """One statement judges every record of the batch; records, rejects and ledger rows follow."""
    plan = ValidationPlan(contract)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _validated AS {plan.validated_sql()}")
    con.execute("CREATE OR REPLACE TEMP TABLE _batch_files (_file_idx INTEGER, period VARCHAR, seq VARCHAR, "
                "file_name VARCHAR, sha VARCHAR, exported_at TIMESTAMP)")
    con.executemany("INSERT INTO _batch_files VALUES (?, ?, ?, ?, ?, ?)",
                    [[i.index, i.delivery.period, i.delivery.seq, i.delivery.file_name, i.sha,
                      i.manifest.exported_at] for i in items])
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
        WHERE len(list_filter(t._outcomes, {is_r})) = 0
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
        WHERE len(list_filter(t._outcomes, {is_r})) > 0
        ORDER BY t._file_idx, t._record_no""",
        {"feed": contract.feed, "now": ctx.now, "run": ctx.run_id, **hmac},
    )
    counts = {row[0]: row[1:] for row in con.execute(
        f"""SELECT _file_idx,
                   count(*) FILTER (WHERE len(list_filter(_outcomes, {is_r})) = 0),
                   count(*) FILTER (WHERE len(list_filter(_outcomes, {is_r})) > 0),
                   count(*) FILTER (WHERE len(list_filter(_outcomes, {is_r})) = 0
                                      AND len(list_filter(_outcomes, {is_w})) > 0)
            FROM _validated GROUP BY _file_idx""").fetchall()}
    rows, results = [], []
    for item in items:
        d, m, h = item.delivery, item.manifest, item.header
        loaded, rejected, flagged = counts.get(item.index, (0, 0, 0))
        rows.append([d.feed, d.file_name, d.manifest_path.name, d.province, d.period, d.seq, item.sha,
                     item.manifest_sha, m.rows, item.records, loaded, rejected, flagged,
                     d.data_path.suffix.lstrip(".").lower(), m.encoding, item.reader, item.size, item.mtime_ns,
                     m.exported_at, m.agency, h.extra_headers, h.dropped, json.dumps(h.scale), item.archive,
                     ctx.now, ctx.run_id])
        results.append(TakeResult(d.feed, d.file_name, "loaded", records=item.records or 0,
                                  loaded=loaded, rejected=rejected, flagged=flagged))
    con.executemany(
        """INSERT INTO ingest.files (feed, file_name, manifest_name, province, period, seq, status,
             sha256, manifest_sha256, manifest_rows, records, records_loaded, records_rejected,
             records_flagged, file_format, encoding, reader, size_bytes, data_mtime_ns, exported_at, agency,
             extra_columns, dropped_columns, amount_scales, archive_path, taken_at, run_id)
           VALUES (?, ?, ?, ?, ?, ?, 'loaded', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        rows)
    return results


def _take_batch(con, contract: FeedContract, items: list[Staged], ctx: IngestContext) -> list[TakeResult]:
    """Read, validate and load a batch of checked deliveries in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(_incoming_ddl(contract))
        for item in items:
            if item.problem is None:
                _read_into_incoming(con, item, contract)
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
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass
        raise
    finally:
        for table in ("_incoming", "_validated", "_batch_files"):
            try:
                con.execute(f"DROP TABLE IF EXISTS temp.{table}")
            except duckdb.Error:
                pass


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
    rows = [(feed, d.file_name, "data file without manifest: waiting", now) for d in pending]
    if rows:
        con.executemany("INSERT INTO ingest.pending_files VALUES (?, ?, ?, ?)", rows)


def ingest_feed(con: duckdb.DuckDBPyConnection, contract: FeedContract, scan: LandingScan,
                ctx: IngestContext) -> list[TakeResult]:
    """Take every new delivery of one feed found in the landing folder, in slice order."""
    ensure_raw_table(con, contract)
    history = _history(con, contract.feed)
    staged: list[Staged] = []
    results: list[TakeResult] = []
    for index, delivery in enumerate(scan.deliveries):
        item = Staged(index, delivery, _sha256(delivery.manifest_path))
        if _precheck(item, history.get(delivery.file_name, []), ctx):
            staged.append(item)
        else:
            results.append(TakeResult(delivery.feed, delivery.file_name, "skipped"))
    for batch in _batches(staged):
        results += _take_batch(con, contract, batch, ctx)
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
