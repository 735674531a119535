"""The dbt project (dbt_project/) as Dagster assets: seeds, staging, intermediate, marts and
their data tests (which arrive as asset checks)."""


import functools
import hashlib
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt import asset_utils as _dbt_asset_utils
from dbt.version import __version__ as dbt_core_version
from packaging import version

from ipx.assets.build_selection import (
    BuildPlan,
    Evaluations,
    Lineage,
    built_node_ids,
    check_test_ids,
    input_digests,
    load_manifest,
    plan_build,
)
from ipx.engine import (
    DUCKDB,
    LAKE_URI_ENV,
    SPARK,
    dbt_target,
    dbt_target_path,
    engine_of_target,
    lake_dir,
    lake_vars,
    require_java,
    resolve_engine,
    spark_run_dirs,
)
from ipx.paths import DBT_PROJECT_DIR
from ipx.progress import reporter
from ipx.published_db import link_views
from ipx.resources import WarehouseResource, duckdb_config

# dbt is installed beside this interpreter; make it findable when the venv is not activated.
if shutil.which("dbt") is None:
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# A build that skips some models or data tests (ipx.assets.build_selection) is a subset of the dbt
# assets: dagster-dbt then names every selected model, seed and test on dbt's command line, or,
# beyond 200 of them, runs dbt in a temporary copy of the project with a generated selector. That copy breaks dbt's partial
# parsing in this warehouse's target folder (its saved state points into the copy, which is gone
# next time: seeds are looked for there) and is left behind. The whole project (~90 models and
# seeds, ~230 tests) named on the command line is one argument of ~30 KB, well under Linux's
# 128 KB per argument (1,000 names of ~100 characters stay under it): keep the selection there.
# dagster_dbt.asset_utils._SELECTION_ARGS_THRESHOLD is private; tests/orchestration checks it.
SELECTION_ON_COMMAND_LINE_UP_TO = 1000
if _dbt_asset_utils._SELECTION_ARGS_THRESHOLD < SELECTION_ON_COMMAND_LINE_UP_TO:
    _dbt_asset_utils._SELECTION_ARGS_THRESHOLD = SELECTION_ON_COMMAND_LINE_UP_TO


class IpxDbtTranslator(DagsterDbtTranslator):
    """Sources keep their default keys: ``raw/<feed>`` are the feed assets and ``ingest/<table>``
    the ledger's; models are grouped by layer."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        return fqn[1] if len(fqn) > 2 else "warehouse"


# dbt's own output and installed packages: not part of the project's definition.
_NOT_PROJECT = frozenset({"target", "logs", "dbt_packages"})


def _project_files() -> list[Path]:
    """Every file that defines the models, without descending into dbt's output folders."""
    files = []
    for folder, subfolders, names in os.walk(DBT_PROJECT_DIR):
        if Path(folder) == DBT_PROJECT_DIR:
            subfolders[:] = [d for d in subfolders if d not in _NOT_PROJECT]
        files.extend(Path(folder) / name for name in names)
    return sorted(files)


def project_fingerprint() -> str:
    """A hash of everything that defines the models (SQL, YAML, macros, seeds): when it changes,
    incremental models are rebuilt in full."""
    digest = hashlib.sha256()
    for path in _project_files():
        digest.update(str(path.relative_to(DBT_PROJECT_DIR)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# What the models read besides the project: the raw layer and ledger change only through
# ingestion, which records every file it takes or quarantines in ingest.files (and every
# rejected record); the catalogue follows the contracts; pending files are published as they
# stand. Timestamps of a rescan (pending_files.seen_at) are left out: they change every run.
INPUTS_SQL = """
SELECT concat_ws(' / ',
  (SELECT count(*) || ' ' || coalesce(max(taken_at)::VARCHAR, '-') || ' ' || coalesce(sum(records), 0)
     FROM ingest.files),
  (SELECT count(*) || ' ' || coalesce(max(rejected_at)::VARCHAR, '-') FROM ingest.rejected_records),
  (SELECT coalesce(md5(string_agg(c::VARCHAR, '|' ORDER BY c.feed)), '-') FROM ingest.feed_catalogue AS c),
  (SELECT coalesce(md5(string_agg(feed || '/' || file_name, '|' ORDER BY feed, file_name)), '-')
     FROM ingest.pending_files))
"""


def build_fingerprint(engine: str = DUCKDB) -> str:
    """What a build is recorded with in ``meta.model_build``: the project's fingerprint, prefixed
    with the engine unless it is DuckDB (so DuckDB's fingerprints are what they always were). A
    build on the other engine than the last one therefore counts as a changed project: a full
    build, never "nothing new"."""
    fingerprint = project_fingerprint()
    return fingerprint if engine == DUCKDB else f"{engine}:{fingerprint}"


def inputs_fingerprint(con) -> str:
    """A digest of everything the models read apart from the project itself."""
    return hashlib.sha256(con.execute(INPUTS_SQL).fetchone()[0].encode()).hexdigest()


def _last_build(warehouse: WarehouseResource) -> tuple[str | None, str | None, str]:
    """(project fingerprint, inputs fingerprint) of the last build, and the inputs now."""
    with warehouse.connect() as con:
        return _last_build_on(con)


def _last_build_on(con) -> tuple[str | None, str | None, str]:
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute("CREATE TABLE IF NOT EXISTS meta.model_build (fingerprint VARCHAR, built_at TIMESTAMP, "
                "full_refresh BOOLEAN)")
    con.execute("ALTER TABLE meta.model_build ADD COLUMN IF NOT EXISTS inputs VARCHAR")
    row = con.execute("SELECT fingerprint, inputs FROM meta.model_build ORDER BY built_at DESC LIMIT 1").fetchone()
    inputs = inputs_fingerprint(con)
    return (row[0], row[1], inputs) if row else (None, None, inputs)


def _record_build(warehouse: WarehouseResource, fingerprint: str, full_refresh: bool, inputs: str,
                  evaluations: Evaluations | None = None) -> None:
    """The build, and the outcome of every data test it evaluated (meta.dbt_test_outcomes), at one time."""
    with warehouse.connect() as con:
        built_at = con.execute("SELECT now()::TIMESTAMP").fetchone()[0]
        con.execute("INSERT INTO meta.model_build (fingerprint, built_at, full_refresh, inputs) "
                    "VALUES (?, ?, ?, ?)", [fingerprint, built_at, full_refresh, inputs])
        if evaluations is not None:
            evaluations.record(con, built_at)


def _record_failed_build(context, warehouse: WarehouseResource, evaluations: Evaluations) -> None:
    """A build that failed (a model's error, or a data test that failed): the outcomes dbt gave are
    recorded all the same, so a test that failed is run again next time; the build is not."""
    if not evaluations.seen and not evaluations.built:
        return
    try:
        with warehouse.connect() as con:
            evaluations.record(con, con.execute("SELECT now()::TIMESTAMP").fetchone()[0])
    except Exception as exc:  # the warehouse may be what failed (a full disk): the failure says why
        context.log.warning(f"data test outcomes of this failed build not recorded: {exc}")


def _evaluations(context: dg.AssetExecutionContext, warehouse: WarehouseResource, fingerprint: str) -> Evaluations:
    """What the tests of this build will be recorded with: the inputs' digests before dbt runs."""
    with warehouse.connect() as con:
        digests = input_digests(con)
    return Evaluations(fingerprint=fingerprint, digests=digests,
                       lineage=Lineage.from_manifest(load_manifest(dbt_project.manifest_path)),
                       test_ids=check_test_ids(context.assets_def), node_ids=built_node_ids(context.assets_def))


def build_dbt_assets() -> dg.AssetsDefinition:
    @dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project,
                dagster_dbt_translator=IpxDbtTranslator())
    def ipx_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
        os.environ["IPX_WAREHOUSE"] = str(warehouse.layout.warehouse)
        if not warehouse.has_taken_deliveries():
            # ipx run stops before this step with the same reason; a job launched in Dagster does not
            raise dg.Failure(description=nothing_to_build(warehouse.landing_dir))
        engine = engine_of_target(dbt.target)
        fingerprint = build_fingerprint(engine)
        built_with, built_on, inputs = _last_build(warehouse)
        project_changed = built_with != fingerprint
        if project_changed:
            context.log.info(f"dbt project or engine changed since the last build (or first build): full refresh "
                             f"on {engine}")
        elif built_on == inputs:
            # Nothing arrived since the last build and the project is the same: every model
            # would come out as it is. dbt is not run; the pipeline keeps the published copy.
            context.log.info("nothing new since the last build (same project, same inputs): dbt not run")
            reporter().dbt_planned(0)
            return
        # Local Spark keeps nothing between runs (fresh warehouse and metastore): always a full build.
        full_refresh = project_changed or engine == SPARK
        # Unit tests check the models' logic, which only changes with the project: they run on a
        # full refresh (the project changed, or a first build) and are skipped otherwise.
        args = ["build", "--full-refresh"] if full_refresh else ["build"]
        if not project_changed:
            args += ["--exclude", "resource_type:unit_test"]
        progress = reporter()
        progress.dbt_planned(len(context.selected_asset_keys) + len(context.selected_asset_check_keys))
        evaluations = _evaluations(context, warehouse, fingerprint)

        def stream(cli_args, target_path):
            for event in dbt.cli(cli_args, context=context, target_path=target_path).stream():
                if isinstance(event, dg.AssetCheckResult):
                    evaluations.add(event)
                    progress.dbt_node_done(event.check_name or "test")
                elif isinstance(event, (dg.Output, dg.AssetMaterialization)):
                    evaluations.add_built(event.asset_key if isinstance(event, dg.AssetMaterialization)
                                          else context.asset_key_for_output(event.output_name))
                    progress.dbt_node_done(getattr(event, "output_name", None) or "model")
                yield event

        try:
            if engine == SPARK:
                yield from _spark_build(context, warehouse, args, stream)
            else:
                # One target folder per warehouse: dbt keeps its parse state there, so the next run on
                # this warehouse parses only what changed (see WarehouseLayout.dbt_target).
                yield from stream(args, dbt_target_path(warehouse.layout, DUCKDB))
        except Exception:
            _record_failed_build(context, warehouse, evaluations)
            raise
        # the warehouse's views over the published file, for whatever reads W by the tables' names
        linked = link_views(warehouse.layout)
        context.log.info(f"{linked} published tables in {warehouse.layout.published_db}, a view over each in the warehouse")
        _record_build(warehouse, fingerprint, full_refresh, inputs, evaluations)

    return ipx_dbt_models


def plan_next_build(warehouse: Path, engine: str, assets_def: dg.AssetsDefinition) -> BuildPlan:
    """The models and data tests the next build runs (``ipx.assets.build_selection``): every one
    on a full build (first build, changed project, other engine, Spark) and when nothing is new
    (dbt does not run); on an incremental DuckDB build, the models whose inputs changed since they
    were built and the tests whose inputs changed since they last passed."""
    fingerprint = build_fingerprint(engine)
    with WarehouseResource(path=str(warehouse)).connect(published=True) as con:
        built_with, built_on, inputs = _last_build_on(con)
        if built_with == fingerprint and built_on == inputs:
            return BuildPlan(set(check_test_ids(assets_def)), set(built_node_ids(assets_def)), reason=NOTHING_NEW)
        incremental = engine == DUCKDB and built_with == fingerprint
        try:
            return plan_build(con, assets_def, dbt_project.manifest_path, fingerprint, incremental)
        except Exception as exc:  # never skip a test or a model on a doubt
            return BuildPlan(set(check_test_ids(assets_def)), set(built_node_ids(assets_def)),
                             reason=f"models and tests not chosen ({exc}): every one runs")


def nothing_to_build(landing: Path) -> str:
    """Why a warehouse that has never taken a delivery is not built."""
    return (f"nothing to build: no delivery in {landing}, and the warehouse has taken none before "
            "(is the landing folder the one the agencies deliver to?)")


NOTHING_NEW = "nothing new"  # same project, same inputs as the last build: dbt does not run


def _spark_build(context: dg.AssetExecutionContext, warehouse: WarehouseResource, args: list[str], stream):
    """The Spark build: the lake brought up to date from the committed warehouse, dbt on the
    ``spark`` target reading it, then the published tables copied back into the warehouse's
    published file (so the serving copy is made as after a DuckDB build)."""
    import time

    from ipx.lake import export_lake, spark_table_specs
    from ipx.spark_marts import copy_back

    require_java()
    layout = warehouse.layout
    lake = lake_dir(layout)
    started = time.monotonic()
    exported = export_lake(layout.warehouse, lake)
    context.log.info(f"lake {lake} up to date ({time.monotonic() - started:.1f} s): {exported.summary()}")
    specs = spark_table_specs(layout.warehouse, lake, base_uri=os.environ.get(LAKE_URI_ENV) or None)
    args = [*args, "--vars", lake_vars(specs)]
    with spark_run_dirs(layout, context.run_id) as dirs:
        where = (f"fresh local Spark warehouse {dirs.warehouse} (removed after a successful build)"
                 if dirs.temporary else f"Spark warehouse {dirs.warehouse}")
        context.log.info(f"dbt on Spark, a full build (local mode keeps nothing between runs), into {where}")
        started = time.monotonic()
        yield from stream(args, dbt_target_path(layout, SPARK))
        context.log.info(f"dbt on Spark took {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        # into the published file, where a DuckDB build puts them (ipx.published_db)
        con = duckdb.connect(str(layout.published_db), config=duckdb_config())
        try:
            copied = copy_back(con, dirs.warehouse, dbt_project.manifest_path)
        finally:
            con.close()
        context.log.info(f"copied {len(copied.tables)} published tables ({copied.rows} rows) from Spark into "
                         f"{layout.published_db} in {time.monotonic() - started:.1f} s")


class IpxDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource without two start-up costs it pays before every dbt command,
    for things ipx does not use (5.9 s of each build on this machine, measured with the
    dependencies' bytecode compiled):

    - ``dbt --version`` in a subprocess (3.4 s) to learn dbt's version: it is the dbt-core
      installed beside this interpreter, whose ``dbt`` executable runs the builds;
    - a dbt adapter set up in this process (2.5 s) for ``fetch_row_counts`` and
      ``fetch_column_metadata``, which ipx never calls (dagster-dbt runs without it when its
      set-up fails).

    Both are private members of dagster-dbt (pinned); tests/orchestration checks that they still
    exist and that the version is the one ``dbt --version`` reports."""

    @functools.cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(dbt_core_version)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def dbt_resource(engine: str | None = None) -> DbtCliResource:
    """dbt on the engine's target (``engine``, else ``IPX_ENGINE``, else DuckDB's ``main``)."""
    return IpxDbtCliResource(project_dir=dbt_project, target=dbt_target(resolve_engine(engine)))


def _newest_source_mtime() -> float:
    return max((path.stat().st_mtime for path in _project_files()), default=0.0)


def prepare_manifest(force: bool = False) -> None:
    """Parse the dbt project so its manifest exists and is current (``dagster dev`` does this
    itself). Parsing takes seconds, so a manifest newer than every project file is kept."""
    manifest = dbt_project.manifest_path
    if not force and manifest.exists() and manifest.stat().st_mtime > _newest_source_mtime():
        return
    dbt_project.preparer.prepare(dbt_project)
