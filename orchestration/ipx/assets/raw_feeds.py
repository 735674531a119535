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
