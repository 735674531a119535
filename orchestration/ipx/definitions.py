"""The Dagster code location: assembles assets, checks, resources, job and sensor."""


import dagster as dg

from ipx.assets.ledger import build_ledger_asset
from ipx.assets.raw_checks import build_raw_feed_checks
from ipx.assets.raw_feeds import build_raw_feed_asset
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
)

defs = dg.Definitions(
    assets=all_assets,
    asset_checks=all_checks,
    jobs=[ingest_and_build],
    sensors=[build_landing_sensor(ingest_and_build)],
    resources={"warehouse": warehouse_from_env(), "dbt": dbt_resource()},
    executor=dg.in_process_executor,
)
