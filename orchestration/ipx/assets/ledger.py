"""The ingestion ledger as an asset: downstream of every raw feed, upstream of dbt's
``ingest`` sources (feed health, on-time delivery). Its check is the global conservation
rule of spec section 1."""


import dagster as dg

from ipx.assets.raw_checks import conservation_violations
from ipx.assets.raw_feeds import raw_asset_key
from ipx.contracts import FeedContract
from ipx.ingestion.warehouse import ensure_ledger
from ipx.progress import reporter
from ipx.resources import WarehouseResource

LEDGER_TABLES = ("files", "rejected_records", "pending_files", "feed_catalogue")
LEDGER_KEY = dg.AssetKey(["ingest", "files"])


def build_ledger_asset(contracts: dict[str, FeedContract]) -> "tuple[dg.AssetsDefinition, dg.AssetChecksDefinition]":
    descriptions = {
        "files": "Every delivery taken, loaded or quarantined, with its counts and lineage.",
        "rejected_records": "Every rejected record with its reasons (no personal data in clear).",
        "pending_files": "Data files waiting for their manifest.",
        "feed_catalogue": "Each feed's cadence, key and title, from its contract.",
    }

    @dg.multi_asset(
        specs=[dg.AssetSpec(["ingest", table], group_name="raw", kinds={"duckdb"},
                            deps=[raw_asset_key(feed) for feed in contracts],
                            description=descriptions[table]) for table in LEDGER_TABLES],
        name="ingest_ledger",
    )
    def ingest_ledger(warehouse: WarehouseResource):
        with warehouse.connect() as con:
            ensure_ledger(con)
            files, quarantined, loaded, rejected, flagged = con.execute(
                """SELECT count(*), count(*) FILTER (WHERE status = 'quarantined'),
                          coalesce(sum(records_loaded), 0), coalesce(sum(records_rejected), 0),
                          coalesce(sum(records_flagged), 0) FROM ingest.files""").fetchone()
            pending = con.execute("SELECT count(*) FROM ingest.pending_files").fetchone()[0]
        yield dg.MaterializeResult(asset_key=LEDGER_KEY, metadata={
            "files": files, "files_quarantined": quarantined, "records_loaded": int(loaded),
            "records_rejected": int(rejected), "records_flagged": int(flagged)})
        yield dg.MaterializeResult(asset_key=["ingest", "rejected_records"], metadata={"records": int(rejected)})
        yield dg.MaterializeResult(asset_key=["ingest", "pending_files"], metadata={"files": pending})
        yield dg.MaterializeResult(asset_key=["ingest", "feed_catalogue"], metadata={"feeds": len(contracts)})

    @dg.asset_check(asset=LEDGER_KEY, name="every_record_accounted_for", blocking=True,
                    description="For every accepted file of every feed: loaded + rejected = manifest rows.")
    def every_record_accounted_for(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        bad: list[str] = []
        with warehouse.connect() as con:
            ensure_ledger(con)
            for contract in contracts.values():
                exists = con.execute(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema='raw' AND table_name=?",
                    [contract.feed]).fetchone()[0]
                if exists:
                    bad += [f"{contract.feed}/{b[0]}" for b in conservation_violations(con, contract)]
        reporter().check_done("ledger:every_record_accounted_for", not bad)
        return dg.AssetCheckResult(passed=not bad, metadata={"violations": len(bad), "examples": bad[:10]})

    return ingest_ledger, every_record_accounted_for
