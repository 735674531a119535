"""The Dagster code location: assembles assets, checks, resources, jobs and sensor.

The engine that builds the dbt models is ``IPX_ENGINE`` (``duckdb``, the default, or ``spark``):
it selects the dbt resource's target; assets, checks and jobs are the same on both.
"""


import dagster as dg

from ipx.assets.ledger import build_ledger_asset
from ipx.assets.raw_checks import build_raw_feed_checks
from ipx.assets.raw_feeds import DUCKDB_WRITER_POOL, WRITER_TAG, build_ingest_province_job, build_raw_feed_asset
from ipx.assets.warehouse_models import build_dbt_assets, dbt_project, dbt_resource
from ipx.contracts import load_contracts
from ipx.resources import warehouse_from_env
from ipx.sensors import build_landing_sensor

dbt_project.prepare_if_dev()

contracts = load_contracts()
raw_assets = [build_raw_feed_asset(c) for c in contracts.values()]
raw_checks = [check for c in contracts.values() for check in build_raw_feed_checks(c)]
ledger_asset, ledger_check = build_ledger_asset(contracts)
dbt_models = build_dbt_assets()

all_assets = [*raw_assets, ledger_asset, dbt_models]
all_checks = [*raw_checks, ledger_check]

# DuckDB allows one writer: every step of a run executes in this one process.
ingest_and_build = dg.define_asset_job(
    "ingest_and_build", selection=dg.AssetSelection.all(), executor_def=dg.in_process_executor,
    description="Take new deliveries, rebuild the warehouse models, publish.",
    tags=WRITER_TAG,
)

# One province's new deliveries of every feed, one run per province (a backfill launches one run
# per province). With DuckDB as the store their writes queue: the run tag ipx/duckdb-writer and
# the op pool DUCKDB_WRITER_POOL are both limited to 1 in deploy/dagster.yaml. The models are
# then built by ingest_and_build.
ingest_province = build_ingest_province_job(contracts)

defs = dg.Definitions(
    assets=all_assets,
    asset_checks=all_checks,
    jobs=[ingest_and_build, ingest_province],
    sensors=[build_landing_sensor(ingest_and_build)],
    resources={"warehouse": warehouse_from_env(), "dbt": dbt_resource()},
    executor=dg.in_process_executor,
)

__all__ = ["DUCKDB_WRITER_POOL", "all_assets", "all_checks", "defs", "ingest_and_build", "ingest_province"]
