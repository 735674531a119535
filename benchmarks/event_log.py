"""The Dagster event log's cost per event: Dagster's ``SqliteEventLogStorage`` (a connection per
write) against ipx's ``KeptOpenSqliteEventLogStorage`` (ipx.dagster_events), storing the same
asset-materialisation events, alternately, each into a new folder.

    .venv/bin/python benchmarks/event_log.py --events 1000 --rounds 2 --dir /tmp
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time

import dagster as dg
from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from ipx.dagster_events import KeptOpenSqliteEventLogStorage


def _entry(i: int, run_id: str) -> EventLogEntry:
    event = DagsterEvent(event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value, job_name="job",
                         event_specific_data=StepMaterializationData(dg.AssetMaterialization(asset_key=f"a{i % 300}")))
    return EventLogEntry(error_info=None, level=20, user_message="", run_id=run_id, timestamp=time.time(),
                         dagster_event=event, job_name="job")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--dir", default=None, help="where the temporary event logs go (the warehouse's disk)")
    args = parser.parse_args()
    for _ in range(args.rounds):
        for storage_class in (SqliteEventLogStorage, KeptOpenSqliteEventLogStorage):
            folder = tempfile.mkdtemp(dir=args.dir)
            storage = storage_class(folder)
            started = time.perf_counter()
            for i in range(args.events):
                storage.store_event(_entry(i, "benchmark"))
            seconds = time.perf_counter() - started
            storage.dispose()
            shutil.rmtree(folder)
            print(f"{storage_class.__name__}: {seconds:.2f} s for {args.events} asset events "
                  f"({seconds / args.events * 1000:.2f} ms each)")


if __name__ == "__main__":
    main()
