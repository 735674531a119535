"""The run history's event log (ipx.dagster_events): kept-open connections, Dagster's own files."""

import time

import dagster as dg
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from ipx.dagster_events import KeptOpenSqliteEventLogStorage
from ipx.pipeline import _instance
from ipx.storage import WarehouseLayout


def _materialization(run_id: str, key: str) -> EventLogEntry:
    event = DagsterEvent(event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value, job_name="job",
                         event_specific_data=StepMaterializationData(dg.AssetMaterialization(asset_key=key)))
    return EventLogEntry(error_info=None, level=20, user_message="", run_id=run_id, timestamp=time.time(),
                         dagster_event=event, job_name="job")


def test_what_the_kept_open_storage_writes_dagsters_own_storage_reads(tmp_path):
    writer = KeptOpenSqliteEventLogStorage(str(tmp_path))
    for i in range(30):
        writer.store_event(_materialization("run-a", f"asset_{i % 3}"))
    assert len(writer._engines) == 2  # the run's database and the index, each opened once
    reader = SqliteEventLogStorage(str(tmp_path))  # what `ipx ui` and the benchmarks use
    assert len(reader.get_logs_for_run("run-a")) == 30
    latest = reader.get_latest_materialization_events([dg.AssetKey("asset_1")])[dg.AssetKey("asset_1")]
    assert latest is not None and latest.run_id == "run-a"
    writer.dispose()
    assert writer._engines == {}


def test_an_ipx_run_writes_where_dagsters_default_instance_reads(tmp_path):
    layout = WarehouseLayout.at(tmp_path / "ipx.duckdb")
    instance = _instance(layout)
    assert isinstance(instance.event_log_storage, KeptOpenSqliteEventLogStorage)
    default = dg.DagsterInstance.from_config(str(layout.dagster_home))
    assert type(default.event_log_storage) is SqliteEventLogStorage
    assert instance.event_log_storage._base_dir == default.event_log_storage._base_dir
