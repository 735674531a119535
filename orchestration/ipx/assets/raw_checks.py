"""Asset checks on every raw feed: its derived GX suite, and conservation of records."""


import hashlib
import json

import dagster as dg

from ipx import published_db
from ipx.assets.raw_feeds import raw_asset_key
from ipx.contracts import FeedContract
from ipx.progress import reporter
from ipx.quality.suites import suite_spec
from ipx.resources import WarehouseResource

# Not a data error but a late agency: reported apart from failed checks (and not by --strict).
FRESHNESS_CHECK = "deliveries_current"
FRESHNESS_MART = dg.AssetKey(["marts", "mart_feed_freshness"])

CONSERVATION_SQL = """
WITH raw_counts AS (
  SELECT _file, _sha256, count(*) AS n FROM {table} GROUP BY ALL
), rejected_counts AS (
  SELECT file_name, sha256, count(*) AS n FROM ingest.rejected_records WHERE feed = $feed GROUP BY ALL
)
SELECT f.file_name, f.manifest_rows, f.records_loaded, f.records_rejected,
       coalesce(r.n, 0) AS raw_rows, coalesce(j.n, 0) AS rejected_rows
FROM ingest.files AS f
LEFT JOIN raw_counts AS r ON r._file = f.file_name AND r._sha256 = f.sha256
LEFT JOIN rejected_counts AS j ON j.file_name = f.file_name AND j.sha256 = f.sha256
WHERE f.feed = $feed AND f.status = 'loaded'
  AND (coalesce(r.n, 0) + coalesce(j.n, 0) <> f.manifest_rows
       OR coalesce(r.n, 0) <> f.records_loaded OR coalesce(j.n, 0) <> f.records_rejected)
"""


def conservation_violations(con, contract: FeedContract) -> list[tuple]:
    """Accepted files whose loaded + rejected records differ from their manifest's count."""
    return con.execute(CONSERVATION_SQL.format(table=contract.raw_table), {"feed": contract.feed}).fetchall()


# Outcomes of the GX suites, per feed and ingestion run: raw rows never change once loaded, so
# the rows of a run validated by the same suite need not be validated again (a feed with nothing
# new keeps its outcome; a run with nothing new validates nothing).
VALIDATIONS_DDL = """
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.gx_validations (
  feed VARCHAR, run_id VARCHAR, suite_sha256 VARCHAR, success BOOLEAN, rows BIGINT,
  failures VARCHAR, validated_at TIMESTAMP)
"""


def latest_run_expectations(con, contract: FeedContract, chunk_rows: int | None = None, reuse: bool = True):
    """The feed's GX suite over the rows of the latest run that loaded any of its files
    (``None`` when nothing was ever loaded). With ``reuse`` (a writable connection), an outcome
    recorded for the same rows and suite is returned instead of validating again, and a new
    outcome is recorded."""
    from ipx.quality.gx_validation import CHUNK_ROWS, SuiteOutcome, SuiteRunner, frames_from_duckdb, validation_columns

    latest = con.execute(
        "SELECT run_id FROM ingest.files WHERE feed = ? AND status = 'loaded' "
        "ORDER BY taken_at DESC LIMIT 1", [contract.feed]).fetchone()
    if latest is None:
        return None
    run_id = latest[0]
    spec = suite_spec(contract)
    suite_sha = hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    if reuse:
        con.execute(VALIDATIONS_DDL)
        known = con.execute(
            "SELECT success, rows, failures FROM meta.gx_validations WHERE feed = ? AND run_id IS NOT DISTINCT FROM ? "
            "AND suite_sha256 = ? ORDER BY validated_at DESC LIMIT 1", [contract.feed, run_id, suite_sha]).fetchone()
        if known is not None:
            return SuiteOutcome(success=known[0], rows=known[1], failures=json.loads(known[2]),
                                validated_run=run_id, reused=True)
    outcome = SuiteRunner(spec).validate(frames_from_duckdb(
        con, f"SELECT {validation_columns(con, contract.raw_table)} FROM {contract.raw_table} "
             "WHERE _run_id IS NOT DISTINCT FROM ?", [run_id], chunk_rows=chunk_rows or CHUNK_ROWS))
    outcome.validated_run = run_id
    if reuse:
        con.execute("INSERT INTO meta.gx_validations VALUES (?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
                    [contract.feed, run_id, suite_sha, outcome.success, outcome.rows,
                     json.dumps(outcome.failures, ensure_ascii=False, default=str)])
    return outcome


def build_raw_feed_checks(contract: FeedContract) -> list[dg.AssetChecksDefinition]:
    key = raw_asset_key(contract.feed)

    @dg.asset_check(asset=key, name="records_conserved", blocking=True,
                    description="Every accepted file: loaded + rejected records = the manifest's rows.")
    def _conserved(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            files = con.execute("SELECT count(*) FROM ingest.files WHERE feed = ? AND status = 'loaded'",
                                [contract.feed]).fetchone()[0]
            bad = conservation_violations(con, contract)
        reporter().check_done(f"{contract.feed}:records_conserved", not bad)
        return dg.AssetCheckResult(
            passed=not bad,
            metadata={"accepted_files": files, "violations": len(bad),
                      "examples": [f"{b[0]}: manifest {b[1]}, loaded {b[4]}, rejected {b[5]}" for b in bad[:10]]},
        )

    @dg.asset_check(asset=key, name="contract_expectations",
                    description="The feed's GX suite (derived from its contract) on the slices "
                                "loaded by the latest run that loaded any (an outcome already recorded "
                                "for those rows and this suite is reused).")
    def _expectations(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            outcome = latest_run_expectations(con, contract)
        if outcome is None:
            reporter().check_done(f"{contract.feed}:contract_expectations", True)
            return dg.AssetCheckResult(passed=True, metadata={"rows_validated": 0, "note": "nothing loaded yet"})
        reporter().check_done(f"{contract.feed}:contract_expectations", outcome.success)
        return dg.AssetCheckResult(passed=outcome.success, metadata=outcome.metadata())

    @dg.asset_check(asset=key, name=FRESHNESS_CHECK, additional_deps=[FRESHNESS_MART],
                    description="Every province's latest slice that was due by the data's as-of time "
                                "(cadence, due rule, life span) has arrived (marts.mart_feed_freshness).")
    def _fresh(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect(published=True) as con:
            rows = con.execute(
                "SELECT province_code, latest_due_period, days_overdue, has_delivered "
                f"FROM {published_db.CATALOG}.marts.mart_feed_freshness WHERE feed = ? AND is_overdue "
                "ORDER BY days_overdue DESC, 1",
                [contract.feed]).fetchall()
        reporter().check_done(f"{contract.feed}:{FRESHNESS_CHECK}", not rows)
        return dg.AssetCheckResult(
            passed=not rows, severity=dg.AssetCheckSeverity.ERROR,
            metadata={"overdue_provinces": len(rows),
                      "never_delivered": sum(not r[3] for r in rows),
                      "overdue": [f"{r[0]} {r[1]} ({r[2]} days)" for r in rows if r[3]][:20]})

    return [_conserved, _expectations, _fresh]
