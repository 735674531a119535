"""Taking deliveries: from a manifest and its data file to loaded or quarantined, atomically.

A delivery is loaded in one DuckDB transaction (its records, its rejects and its ledger row
together), so an interrupted run leaves no half-loaded slice and a re-run takes it again.
A delivery already in the ledger under the same name, content and manifest is skipped, so
re-running over the same folder changes nothing.
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
from ipx.ingestion.landing import Delivery, LandingScan
from ipx.ingestion.manifest import Manifest, read_manifest
from ipx.ingestion.quarantine import Quarantine
from ipx.ingestion.readers import RESTART, read_delivery
from ipx.ingestion.validation import ValidationPlan, q
from ipx.ingestion.warehouse import ensure_raw_table

log = logging.getLogger("ipx.ingestion")
# Errors that a delivery's content can cause; anything else is a fault of ipx and propagates.
DATA_ERRORS = (duckdb.ConversionException, duckdb.InvalidInputException, duckdb.OutOfRangeException,
               UnicodeDecodeError)
_ID_LIKE = re.compile(r"[0-9]{6,}[0-9Xx]*")


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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _previous(con: duckdb.DuckDBPyConnection, feed: str, file_name: str) -> list[tuple]:
    return con.execute(
        "SELECT status, sha256, manifest_sha256 FROM ingest.files WHERE feed = ? AND file_name = ?",
        [feed, file_name],
    ).fetchall()


def _record_quarantine(con, delivery: Delivery, ctx: IngestContext, q_: Quarantine, *,
                       manifest_sha: str, sha: str | None, size: int | None,
                       manifest: Manifest | None, archive: str | None, records: int | None = None) -> TakeResult:
    detail = scrub(q_.detail)
    con.execute(
        """INSERT INTO ingest.files (feed, file_name, manifest_name, province, period, seq, status,
             quarantine_reason, quarantine_detail, sha256, manifest_sha256, manifest_rows, records,
             records_loaded, records_rejected, records_flagged, file_format, encoding, size_bytes,
             exported_at, agency, archive_path, taken_at, run_id)
           VALUES (?, ?, ?, ?, ?, ?, 'quarantined', ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [delivery.feed, delivery.file_name,
         delivery.manifest_path.name if delivery.manifest_path else None,
         delivery.province, delivery.period, delivery.seq, q_.reason, detail, sha, manifest_sha,
         manifest.rows if manifest else None, records,
         delivery.data_path.suffix.lstrip(".").lower() if delivery.data_path else None,
         manifest.encoding if manifest else None, size,
         manifest.exported_at if manifest else None, manifest.agency if manifest else None,
         archive, ctx.now, ctx.run_id],
    )
    log.warning("quarantined %s/%s: %s: %s", delivery.feed, delivery.file_name, q_.reason, detail)
    return TakeResult(delivery.feed, delivery.file_name, "quarantined", q_.reason, detail, records or 0)


def take_delivery(con: duckdb.DuckDBPyConnection, delivery: Delivery, contract: FeedContract,
                  ctx: IngestContext) -> TakeResult:
    """Load one delivery (or quarantine it) unless the ledger already has it."""
    assert delivery.manifest_path is not None
    manifest_sha = _sha256(delivery.manifest_path)
    history = _previous(con, delivery.feed, delivery.file_name)
    sha = size = archive = None
    manifest: Manifest | None = None
    try:
        if delivery.name_problem:
            if any(h[2] == manifest_sha for h in history):
                return TakeResult(delivery.feed, delivery.file_name, "skipped")
            raise Quarantine("file_name_invalid", delivery.name_problem)
        if delivery.data_path is not None:
            sha, size, archive_file = hash_and_seal(delivery.data_path, ctx.archive_dir, ctx.archive_key)
            archive = str(archive_file)
        if any((h[0] == "loaded" and h[1] == sha) or (h[1] == sha and h[2] == manifest_sha) for h in history):
            return TakeResult(delivery.feed, delivery.file_name, "skipped")  # taken before
        if any(h[0] == "loaded" and h[1] != sha for h in history):
            raise Quarantine("name_conflict", "a different file of this name was loaded before; "
                             "resubmit under a higher seq")
        manifest = read_manifest(delivery, manifest_sha)
        if manifest.sha256 != sha:
            raise Quarantine("sha256_mismatch", f"file sha256 {sha} differs from the manifest's {manifest.sha256}")
    except Quarantine as exc:
        return _record_quarantine(con, delivery, ctx, exc, manifest_sha=manifest_sha, sha=sha,
                                  size=size, manifest=manifest, archive=archive)

    con.execute("BEGIN TRANSACTION")
    try:
        result = _load(con, delivery, contract, manifest, ctx, sha=sha, size=size,
                       manifest_sha=manifest_sha, archive=archive)
        con.execute("COMMIT")
        return result
    except Quarantine as exc:
        con.execute("ROLLBACK")
        return _record_quarantine(con, delivery, ctx, exc, manifest_sha=manifest_sha, sha=sha,
                                  size=size, manifest=manifest, archive=archive,
                                  records=getattr(exc, "records", None))
    except DATA_ERRORS as exc:
        con.execute("ROLLBACK")
        log.exception("could not load %s/%s", delivery.feed, delivery.file_name)
        problem = Quarantine("file_unreadable", f"unexpected error while reading: {type(exc).__name__}: {exc}")
        return _record_quarantine(con, delivery, ctx, problem, manifest_sha=manifest_sha, sha=sha,
                                  size=size, manifest=manifest, archive=archive)
    finally:
        for table in ("_incoming", "_validated"):
            try:
                con.execute(f"DROP TABLE IF EXISTS temp.{table}")
            except duckdb.Error:
                pass


def _load(con, delivery: Delivery, contract: FeedContract, manifest: Manifest, ctx: IngestContext,
          *, sha: str, size: int, manifest_sha: str, archive: str) -> TakeResult:
    read = read_delivery(delivery.data_path, manifest.encoding, contract)
    header = read.header
    loaded_cols = [c for c in contract.columns if c.loaded]
    incoming_cols = (["_record_no BIGINT"] + [f"{q(c.name)} VARCHAR" for c in loaded_cols]
                     + [f"{q('_x' + str(i))} VARCHAR" for i in range(len(header.extras))]
                     + ["_row_error VARCHAR"])
    con.execute(f"CREATE OR REPLACE TEMP TABLE _incoming ({', '.join(incoming_cols)})")
    reader_used = read.reader
    for batch in read.batches:
        if batch is RESTART:
            con.execute("DELETE FROM _incoming")
            reader_used = "python-csv"
            continue
        con.register("_batch", batch)
        try:
            con.execute("INSERT INTO _incoming BY NAME SELECT * FROM _batch")
        finally:
            con.unregister("_batch")
    records = con.execute("SELECT count(*) FROM _incoming").fetchone()[0]
    if records != manifest.rows:
        problem = Quarantine("row_count_mismatch", f"file has {records} data records, manifest says {manifest.rows}")
        problem.records = records  # type: ignore[attr-defined]
        raise problem

    plan = ValidationPlan(contract, delivery.province or "", dict(header.scale), header.extra_headers)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _validated AS {plan.validated_sql()}")
    is_r = "lambda o: o.severity = 'R'"
    is_w = "lambda o: o.severity = 'W'"
    params = {"feed": delivery.feed, "province": delivery.province, "period": delivery.period,
              "seq": delivery.seq, "file": delivery.file_name, "sha": sha,
              "exported": manifest.exported_at, "now": ctx.now, "run": ctx.run_id}
    values = ",\n  ".join(f"{plan.loaded_value(c)} AS {q(c.warehouse_name)}" for c in loaded_cols)
    pii = [c for c in loaded_cols if c.pii == "pseudonymise"]
    con.execute(
        f"""INSERT INTO {contract.raw_table} BY NAME
        SELECT {values},
          list_distinct(list_transform(list_filter(t._outcomes, {is_w}), lambda o: o.field)) AS _flags,
          list_transform(list_filter(t._outcomes, {is_w}), lambda o: o.rule) AS _flag_rules,
          t._extra AS _extra, $feed AS _feed, $province AS _province, $period AS _period,
          $seq AS _seq, $file AS _file, t._record_no AS _record_no, $sha AS _sha256,
          $exported AS _exported_at, $now AS _loaded_at, $run AS _run_id
        FROM _validated AS t
        WHERE len(list_filter(t._outcomes, {is_r})) = 0
        ORDER BY t._record_no""",
        {**params, **ctx.hmac_pads.parameters()} if pii else params,
    )
    record_items = ", ".join(
        f"{plan_lit(c.name)}, "
        + (f"CASE WHEN t.{q('_v_' + c.name)} IS NOT NULL THEN "
           f"{pseudonym.sql_expression('upper(t.' + q('_v_' + c.name) + ')')} END"
           if c.pii == "pseudonymise" else f"t.{q('_v_' + c.name)}")
        for c in loaded_cols
    )
    con.execute(
        f"""INSERT INTO ingest.rejected_records
        SELECT $feed, $file, $sha, $province, $period, $seq, t._record_no,
          list_filter(t._outcomes, {is_r})[1].field,
          list_filter(t._outcomes, {is_r})[1].rule,
          array_to_string(list_transform(list_filter(t._outcomes, {is_r}),
                                         lambda o: o.rule || ': ' || o.message), '; '),
          to_json(t._outcomes),
          json_merge_patch(json_object({record_items}), coalesce(t._extra, '{{}}'::JSON)),
          $now, $run
        FROM _validated AS t
        WHERE len(list_filter(t._outcomes, {is_r})) > 0
        ORDER BY t._record_no""",
        {k: v for k, v in ({**params, **ctx.hmac_pads.parameters()} if pii else params).items()
         if k != "exported"},
    )
    loaded, rejected, flagged = con.execute(
        f"""SELECT count(*) FILTER (WHERE len(list_filter(_outcomes, {is_r})) = 0),
                   count(*) FILTER (WHERE len(list_filter(_outcomes, {is_r})) > 0),
                   count(*) FILTER (WHERE len(list_filter(_outcomes, {is_r})) = 0
                                      AND len(list_filter(_outcomes, {is_w})) > 0)
            FROM _validated"""
    ).fetchone()
    con.execute(
        """INSERT INTO ingest.files (feed, file_name, manifest_name, province, period, seq, status,
             sha256, manifest_sha256, manifest_rows, records, records_loaded, records_rejected,
             records_flagged, file_format, encoding, reader, size_bytes, exported_at, agency,
             extra_columns, dropped_columns, amount_scales, archive_path, taken_at, run_id)
           VALUES (?, ?, ?, ?, ?, ?, 'loaded', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [delivery.feed, delivery.file_name, delivery.manifest_path.name, delivery.province,
         delivery.period, delivery.seq, sha, manifest_sha, manifest.rows, records, loaded, rejected,
         flagged, delivery.data_path.suffix.lstrip(".").lower(), manifest.encoding, reader_used, size,
         manifest.exported_at, manifest.agency, header.extra_headers, header.dropped,
         json.dumps(header.scale), archive, ctx.now, ctx.run_id],
    )
    return TakeResult(delivery.feed, delivery.file_name, "loaded", records=records,
                      loaded=loaded, rejected=rejected, flagged=flagged)


def plan_lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def record_pending(con: duckdb.DuckDBPyConnection, feed: str, pending: Iterable[Delivery], now: dt.datetime) -> None:
    con.execute("DELETE FROM ingest.pending_files WHERE feed = ?", [feed])
    rows = [(feed, d.file_name, "data file without manifest: waiting", now) for d in pending]
    if rows:
        con.executemany("INSERT INTO ingest.pending_files VALUES (?, ?, ?, ?)", rows)


def ingest_feed(con: duckdb.DuckDBPyConnection, contract: FeedContract, scan: LandingScan,
                ctx: IngestContext) -> list[TakeResult]:
    """Take every delivery of one feed found in the landing folder, in slice order."""
    ensure_raw_table(con, contract)
    results = [take_delivery(con, d, contract, ctx) for d in scan.deliveries]
    record_pending(con, contract.feed, scan.pending, ctx.now)
    return results


def ingest_landing(con: duckdb.DuckDBPyConnection, landing: Path, contracts: dict[str, FeedContract],
                   ctx: IngestContext) -> list[TakeResult]:
    """Every feed of a landing folder, without Dagster (tests, benchmarks)."""
    from ipx.ingestion.landing import scan_landing

    scans = scan_landing(landing, contracts)
    results: list[TakeResult] = []
    for feed, contract in contracts.items():
        results += ingest_feed(con, contract, scans[feed], ctx)
    return results
