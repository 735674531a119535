"""Where a warehouse keeps its files.

Given the warehouse file ``W`` (e.g. ``data/ipx.duckdb``):

- ``W``: the DuckDB warehouse the pipeline writes (raw layer, ledger, dbt models);
- ``W.published``: the DuckDB file dbt builds the published tables into (the marts ``mart_*``,
  the dimensions ``dim_*`` and the reference data; ``ipx.published_db``); ``W`` has a view over
  each, and each serving copy starts as a copy of this file;
- ``W.archive/``: every delivery as received, sealed, named by its SHA-256;
- ``W.logs/``: one log per run (dbt's output, ingestion warnings; no personal data);
- ``W.dagster/``: the Dagster instance of this warehouse (run history, materialisations,
  check results; what ``ipx ui`` shows);
- ``W.dbt/``: dbt's target folder for this warehouse (compiled SQL, run results, and the parse
  state that lets the next run parse only what changed: dbt re-parses everything when the
  profile, which names the warehouse file, differs from the one it last parsed with);
- ``W.serving/``: read-only copies of the published marts for the dashboard, swapped
  atomically after each successful build (``current`` names the live one);
- ``W.lake/``: the lake, for an engine that cannot read ``W`` (Spark): the raw feeds, rejected
  records and ingestion ledger exported as Parquet in a Hive layout after each ingestion
  (``ipx.lake``; derived from ``W``, rewritten where it differs; ``IPX_LAKE`` may put it elsewhere);
- ``W.spark/`` and ``W.dbt-spark/``: with ``--engine spark``, each local build's own Spark
  warehouse and Derby metastore (removed after success, kept after a failure) and dbt's target
  folder for the spark target (``ipx.engine``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WarehouseLayout:
    warehouse: Path

    @classmethod
    def at(cls, warehouse: str | Path) -> WarehouseLayout:
        return cls(Path(warehouse).expanduser().resolve())

    def _beside(self, suffix: str) -> Path:
        """A folder beside the warehouse file: ``ipx.duckdb`` + ``suffix``."""
        return self.warehouse.with_name(self.warehouse.name + suffix)

    @property
    def published_db(self) -> Path:
        return self._beside(".published")

    @property
    def archive_dir(self) -> Path:
        return self._beside(".archive")

    @property
    def log_dir(self) -> Path:
        return self._beside(".logs")

    @property
    def dagster_home(self) -> Path:
        return self._beside(".dagster")

    @property
    def dbt_target(self) -> Path:
        return self._beside(".dbt")

    @property
    def serving_dir(self) -> Path:
        return self._beside(".serving")

    @property
    def spark_dir(self) -> Path:
        return self._beside(".spark")

    @property
    def dbt_spark_target(self) -> Path:
        return self._beside(".dbt-spark")

    @property
    def lake_dir(self) -> Path:
        return self._beside(".lake")
