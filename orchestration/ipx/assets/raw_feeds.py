"""One Dagster asset per feed contract: take the feed's new deliveries into ``raw.<feed>``."""


import dagster as dg

from ipx.contracts import FeedContract
from ipx.ingestion.landing import scan_feed_folder
from ipx.ingestion.loader import IngestContext, ingest_feed
from ipx.ingestion.pseudonym import HmacPads
from ipx.progress import reporter
from ipx.resources import WarehouseResource
from ipx.settings import archive_key, pseudonym_key

AGENCY_GROUPS = {"hrss": "hrss_人社", "em": "em_应急管理", "nhc": "nhc_卫生健康", "acftu": "acftu_工会"}


def raw_asset_key(feed: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", feed])


def build_raw_feed_asset(contract: FeedContract) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_asset_key(contract.feed),
        group_name="raw",
        description=f"{contract.title_zh} ({contract.feed}): {contract.cadence} deliveries of "
                    f"agency '{contract.agency}', validated against its contract and loaded with lineage.",
        kinds={"duckdb"},
        tags={"agency": contract.agency, "cadence": contract.cadence},
        metadata={"contract": str(contract.source_path), "columns": len(contract.columns),
                  "key": ", ".join(contract.key)},
    )
    def _raw_feed(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        scan = scan_feed_folder(warehouse.landing_dir / contract.feed, contract)
        reporter().feed_scanned(contract.feed, len(scan.deliveries))
        ctx = IngestContext(
            archive_dir=warehouse.layout.archive_dir,
            archive_key=archive_key()[0],
            hmac_pads=HmacPads.from_key(pseudonym_key()[0]),
            run_id=context.run_id,
        )
        with warehouse.connect() as con:
            results = ingest_feed(con, contract, scan, ctx)
        taken = [r for r in results if r.status != "skipped"]
        quarantined = [r for r in taken if r.status == "quarantined"]
        for r in quarantined:
            context.log.warning(f"quarantined {r.file_name}: {r.reason}")
        return dg.MaterializeResult(metadata={
            "files_taken": len(taken),
            "files_quarantined": len(quarantined),
            "files_already_loaded": len(results) - len(taken),
            "files_pending_manifest": len(scan.pending),
            "records_loaded": sum(r.loaded for r in taken),
            "records_rejected": sum(r.rejected for r in taken),
            "records_flagged": sum(r.flagged for r in taken),
        })

    return _raw_feed


# ------------------------------------------------------------------ province-partitioned ingestion

# DuckDB allows one writer: every op that writes the warehouse takes a slot of this pool, whose
# limit is 1 in a deployment (deploy/dagster.yaml: concurrency > pools > default_limit).
DUCKDB_WRITER_POOL = "duckdb_writer"
# Runs that write the warehouse carry this tag; the run coordinator of a deployment lets one at a
# time start (deploy/dagster.yaml: tag_concurrency_limits).
WRITER_TAG = {"ipx/duckdb-writer": "true"}


def province_partitions() -> dg.StaticPartitionsDefinition:
    """One partition per province code of GB/T 2260 (and 660000), from the ``provinces`` seed."""
    from ipx import reference

    return dg.StaticPartitionsDefinition(sorted(reference.provinces()))


def province_scan(scan, province: str):
    """The part of a feed folder's scan one province run takes: that province's deliveries. The
    data files still waiting for a manifest stay the whole feed's list (the ledger keeps them per
    feed), and files whose name has no valid province are left to the unpartitioned run, which
    quarantines them with the reason."""
    import dataclasses

    return dataclasses.replace(scan, deliveries=[d for d in scan.deliveries if d.province == province])


def build_ingest_province_job(contracts: dict[str, FeedContract]) -> dg.JobDefinition:
    @dg.op(pool=DUCKDB_WRITER_POOL, tags={"kind": "duckdb"},
           description="Take one province's new deliveries of every feed into raw.<feed> (the same "
                       "checks, archive and ledger as the unpartitioned run).")
    def ingest_province_deliveries(context: dg.OpExecutionContext, warehouse: WarehouseResource) -> dict:
        province = context.partition_key
        ctx = IngestContext(
            archive_dir=warehouse.layout.archive_dir,
            archive_key=archive_key()[0],
            hmac_pads=HmacPads.from_key(pseudonym_key()[0]),
            run_id=context.run_id,
        )
        totals = {"files_taken": 0, "files_quarantined": 0, "records_loaded": 0, "records_rejected": 0}
        with warehouse.connect() as con:
            for contract in contracts.values():
                scan = province_scan(scan_feed_folder(warehouse.landing_dir / contract.feed, contract), province)
                taken = [r for r in ingest_feed(con, contract, scan, ctx) if r.status != "skipped"]
                totals["files_taken"] += len(taken)
                totals["files_quarantined"] += sum(r.status == "quarantined" for r in taken)
                totals["records_loaded"] += sum(r.loaded for r in taken)
                totals["records_rejected"] += sum(r.rejected for r in taken)
        context.log.info(f"province {province}: {totals}")
        return totals

    @dg.job(name="ingest_province", partitions_def=province_partitions(), executor_def=dg.in_process_executor,
            tags={"ipx/kind": "ingestion", **WRITER_TAG},
            description="Ingestion of one province (partition = province code). Provinces run as separate "
                        f"runs; their DuckDB writes queue on the pool '{DUCKDB_WRITER_POOL}' (limit 1). "
                        "Build the models afterwards with ingest_and_build.")
    def ingest_province():
        ingest_province_deliveries()

    return ingest_province
