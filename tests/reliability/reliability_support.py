"""Helpers of the reliability tests: ingest a hand-made landing folder in a fresh warehouse and
check the spec's "nothing lost" rule on the ledger, independently of the loader's own checks.

Property tests build their paths inside the test (``fresh_root``) rather than through the
function-scoped ``landing``/``warehouse`` fixtures, so every Hypothesis example starts empty.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ipx import published_db
from ipx.contracts import contract_for, load_contracts
from ipx.ingestion.landing import scan_feed_folder
from ipx.ingestion.loader import IngestContext, TakeResult, ingest_feed
from ipx.ingestion.pseudonym import HmacPads
from ipx.ingestion.quarantine import REASONS
from support.keys import TEST_ARCHIVE_KEY, TEST_PSEUDONYM_KEY


@contextlib.contextmanager
def fresh_root(prefix: str = "ipx-rel-") -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        (root / "landing").mkdir()
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def write_raw_delivery(landing: Path, feed: str, stem: str, suffix: str, data: bytes, *,
                       rows: int, encoding: str = "UTF-8", manifest_over: dict | None = None,
                       sha_of: bytes | None = None) -> Path:
    """Write arbitrary data bytes and a manifest that names them (``sha_of`` lets the manifest
    describe other bytes, e.g. the file before it was truncated)."""
    folder = landing / feed
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}{suffix}"
    path.write_bytes(data)
    province, period, seq = stem.split("_")
    manifest = {"feed": feed, "province": province, "period": period, "seq": seq, "file": path.name,
                "sha256": hashlib.sha256(data if sha_of is None else sha_of).hexdigest(), "rows": rows,
                "encoding": encoding, "exported_at": "2024-04-09T17:30:00+08:00", "agency": "测试机构"}
    manifest.update(manifest_over or {})
    (folder / f"{stem}.manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return path


@functools.cache
def contracts():
    return load_contracts()


@dataclass
class Outcome:
    results: list[TakeResult]
    warehouse: Path
    con: duckdb.DuckDBPyConnection | None = None  # while the ingesting connection is still open

    def query(self, sql: str, params=None) -> list[tuple]:
        if self.con is not None:
            return self.con.execute(sql, params or []).fetchall()
        con = published_db.connect(self.warehouse)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    @property
    def only(self) -> TakeResult:
        taken = [r for r in self.results if r.status != "skipped"]
        assert len(taken) == 1, self.results
        return taken[0]


def ingest_feeds(root: Path, feeds: list[str] | None = None, run_id: str = "rel-run") -> Outcome:
    """Ingest the feeds of ``root/landing`` (all feeds when None) into ``root/wh/ipx.duckdb``,
    then check that every record is accounted for. Any exception fails the calling test."""
    by_feed = contracts()
    landing, warehouse = root / "landing", root / "wh" / "ipx.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    feeds = feeds or sorted(p.name for p in landing.iterdir() if p.is_dir() and p.name in by_feed)
    con = duckdb.connect(str(warehouse))
    results: list[TakeResult] = []
    try:
        ctx = IngestContext(warehouse.parent / "archive", TEST_ARCHIVE_KEY,
                            HmacPads.from_key(TEST_PSEUDONYM_KEY), run_id)
        for feed in feeds:
            contract = by_feed[feed]
            results += ingest_feed(con, contract, scan_feed_folder(landing / feed, contract), ctx)
        outcome = Outcome(results, warehouse, con)
        for feed in feeds:
            assert_accounted(outcome, feed)
    finally:
        con.close()
    outcome.con = None
    return outcome


def assert_accounted(outcome: Outcome, feed: str) -> None:
    """Spec section 1, "nothing lost", checked on what the warehouse holds:

    - every accepted file: loaded + rejected = records found = manifest rows, the raw table and
      the rejects hold exactly those records, and their record numbers are 1..n, each once;
    - every quarantined file: a known reason and a detail, and none of its records loaded;
    - every rejected record: a rule and a reason.
    """
    table = contract_for(feed).raw_table
    files = outcome.query(
        "SELECT file_name, sha256, status, quarantine_reason, quarantine_detail, manifest_rows, records, "
        "records_loaded, records_rejected FROM ingest.files WHERE feed = ?", [feed])
    for name, sha, status, reason, detail, manifest_rows, records, loaded, rejected in files:
        raw_nos = [r[0] for r in outcome.query(
            f"SELECT _record_no FROM {table} WHERE _file = ? AND _sha256 IS NOT DISTINCT FROM ?", [name, sha])]
        rej_nos = [r[0] for r in outcome.query(
            "SELECT record_no FROM ingest.rejected_records WHERE feed = ? AND file_name = ? "
            "AND sha256 IS NOT DISTINCT FROM ?", [feed, name, sha])]
        if status == "loaded":
            assert records == manifest_rows == loaded + rejected, (name, records, manifest_rows, loaded, rejected)
            assert (len(raw_nos), len(rej_nos)) == (loaded, rejected), (name, len(raw_nos), len(rej_nos))
            assert sorted(raw_nos + rej_nos) == list(range(1, records + 1)), f"{name}: record numbers"
        else:
            assert status == "quarantined", status
            assert reason in REASONS and detail, (name, reason, detail)
            assert raw_nos == [] and rej_nos == [], f"{name}: records of a quarantined file were loaded"
    bad = outcome.query("SELECT count(*) FROM ingest.rejected_records WHERE feed = ? AND "
                        "(coalesce(rule, '') = '' OR coalesce(reason, '') = '')", [feed])
    assert bad == [(0,)], f"{feed}: rejected records without a rule or reason"
