"""The engine that builds the dbt models: DuckDB (embedded, the default) or Apache Spark.

One dbt project, two targets (``dbt_project/profiles.yml``): ``main`` (DuckDB, writes the
warehouse file) and ``spark`` (dbt-spark; ``method: session`` runs Spark in local mode inside
dbt's process, a cluster profile reaches a Thrift or HTTP server). The engine is chosen by
``ipx run --engine duckdb|spark``, else by ``IPX_ENGINE``, else DuckDB.

A Spark build reads the lake (``ipx.lake``: raw feeds, rejected records and ledger as Parquet,
exported from the warehouse after ingestion commits) and writes its tables as Parquet under the
Spark warehouse dir; the published tables are then copied back into the DuckDB warehouse
(``ipx.spark_marts``) so the serving copy, the dashboard and ``ipx export`` are the same as after
a DuckDB build.

The Spark target is ``spark`` (local mode) unless ``IPX_SPARK_TARGET`` names another output of
the profile (``spark_cluster``: a Thrift server); a cluster reads the lake at ``IPX_LAKE_URI``
(e.g. ``s3a://bucket/ipx-lake``, synced from ``IPX_LAKE``) when set. Local mode (no
``IPX_SPARK_WAREHOUSE`` in the environment): every build gets a fresh Spark warehouse and Derby
metastore under ``<warehouse>.spark/<stamp>-<run>/`` (Derby allows one process per metastore),
removed after a successful build and kept after a failed one for diagnosis. Nothing of Spark's
survives between runs, so every Spark build is a full build. With ``IPX_SPARK_WAREHOUSE`` set (a
cluster's warehouse as mounted here, or a shared local one) ipx uses it as given and removes
nothing; the copy-back reads the published tables' files from it, so it must be a path this
machine can read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ipx.settings import ConfigurationError
from ipx.storage import WarehouseLayout

log = logging.getLogger(__name__)

DUCKDB, SPARK = "duckdb", "spark"
ENGINES = (DUCKDB, SPARK)
ENGINE_ENV = "IPX_ENGINE"
# dbt targets of dbt_project/profiles.yml: DuckDB's `main`; for Spark `spark` (local mode,
# `method: session`) unless IPX_SPARK_TARGET names another output (`spark_cluster`: Thrift).
DBT_TARGETS = {DUCKDB: "main", SPARK: "spark"}
SPARK_TARGET_ENV = "IPX_SPARK_TARGET"

SPARK_WAREHOUSE_ENV = "IPX_SPARK_WAREHOUSE"
SPARK_METASTORE_ENV = "IPX_SPARK_METASTORE"
LAKE_ENV = "IPX_LAKE"
LAKE_URI_ENV = "IPX_LAKE_URI"  # where the engine reads the lake, when not at IPX_LAKE's path

JAVA_MISSING = ("the Spark engine needs a Java runtime, and there is none: `java` is not on PATH and "
                "JAVA_HOME is not set. Install one (Debian: apt-get install openjdk-17-jre-headless, "
                "or `make java`) or set JAVA_HOME to a JRE 17, then run again")


def resolve_engine(engine: str | None = None) -> str:
    """``engine`` if given, else ``IPX_ENGINE``, else DuckDB; anything else is refused."""
    chosen = (engine or os.environ.get(ENGINE_ENV) or DUCKDB).strip().lower()
    if chosen not in ENGINES:
        raise ConfigurationError(f"unknown engine {chosen!r} (from {'--engine' if engine else ENGINE_ENV}); "
                                 f"one of {', '.join(ENGINES)}")
    return chosen


def dbt_target(engine: str) -> str:
    engine = resolve_engine(engine)
    if engine == SPARK:
        return os.environ.get(SPARK_TARGET_ENV) or DBT_TARGETS[SPARK]
    return DBT_TARGETS[engine]


def engine_of_target(target: str | None) -> str:
    """The engine a dbt target builds on (no target: the profile's default, DuckDB)."""
    return DUCKDB if target in (None, DBT_TARGETS[DUCKDB]) else SPARK


def java_available() -> bool:
    """pyspark starts ``$JAVA_HOME/bin/java`` when JAVA_HOME is set, else ``java`` on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        return (Path(home) / "bin" / "java").exists()
    return shutil.which("java") is not None


def require_java() -> None:
    if not java_available():
        raise ConfigurationError(JAVA_MISSING)


# ------------------------------------------------------------------ where a Spark build keeps things


def lake_dir(layout: WarehouseLayout) -> Path:
    """The lake the Spark build reads: ``IPX_LAKE`` if set, else ``<warehouse>.lake/``."""
    if os.environ.get(LAKE_ENV):
        return Path(os.environ[LAKE_ENV]).expanduser().resolve()
    return layout.lake_dir


def dbt_target_path(layout: WarehouseLayout, engine: str) -> Path:
    """dbt's target folder: ``<warehouse>.dbt/`` for DuckDB (as before), ``<warehouse>.dbt-spark/``
    for Spark, so neither target's partial-parse state is thrown away by the other's runs."""
    return layout.dbt_spark_target if engine == SPARK else layout.dbt_target


@dataclass
class SparkDirs:
    warehouse: Path  # spark.sql.warehouse.dir: <schema>.db/<table>/ Parquet files
    metastore: Path  # Derby home and metastore_db
    temporary: bool  # created for this run (removed after success)
    root: Path | None = None


@contextlib.contextmanager
def spark_run_dirs(layout: WarehouseLayout, run_id: str) -> Iterator[SparkDirs]:
    """The Spark warehouse and metastore of one build, exported as ``IPX_SPARK_WAREHOUSE`` /
    ``IPX_SPARK_METASTORE`` for dbt's profile while the build runs.

    Without ``IPX_SPARK_WAREHOUSE`` in the environment: fresh dirs under
    ``<warehouse>.spark/<stamp>-<run>/``, removed when the block succeeds and kept (with a
    log line naming them) when it raises. With it: those dirs as given, kept."""
    given = os.environ.get(SPARK_WAREHOUSE_ENV)
    if given:
        metastore = os.environ.get(SPARK_METASTORE_ENV) or str(Path(given).expanduser().resolve().parent / "metastore")
        dirs = SparkDirs(Path(given).expanduser(), Path(metastore).expanduser(), temporary=False)
        with _environment({SPARK_METASTORE_ENV: str(dirs.metastore)}):
            yield dirs
        return
    root = layout.spark_dir / f"{dt.datetime.now():%Y%m%dT%H%M%S}-{run_id[:8]}"
    dirs = SparkDirs(root / "warehouse", root / "metastore", temporary=True, root=root)
    dirs.warehouse.mkdir(parents=True, exist_ok=True)
    dirs.metastore.mkdir(parents=True, exist_ok=True)
    try:
        with _environment({SPARK_WAREHOUSE_ENV: str(dirs.warehouse), SPARK_METASTORE_ENV: str(dirs.metastore)}):
            yield dirs
    except BaseException:
        log.warning("the Spark build failed; its warehouse, metastore and logs are kept for diagnosis in %s", root)
        raise
    shutil.rmtree(root, ignore_errors=True)
    with contextlib.suppress(OSError):
        root.parent.rmdir()  # only when no failed run's dirs are kept there


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def lake_vars(specs: list[dict]) -> str:
    """dbt ``--vars`` for the Spark target: the lake's tables (``ipx_lake_tables``) for the
    on-run-start macro that declares them as external Parquet tables. Compact JSON (YAML accepts
    it): the whole list is one command-line argument."""
    text = json.dumps({"ipx_lake_tables": specs}, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode()) > 120_000:  # Linux limits one argument to 128 KiB
        raise ConfigurationError(f"the lake's table list is {len(text.encode())} bytes, too long for dbt --vars")
    return text
