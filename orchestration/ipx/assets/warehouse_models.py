"""The dbt project (dbt_project/) as Dagster assets: seeds, staging, intermediate, marts and
their data tests (which arrive as asset checks)."""


import hashlib
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from ipx.paths import DBT_PROJECT_DIR
from ipx.progress import reporter
from ipx.resources import WarehouseResource

# dbt is installed beside this interpreter; make it findable when the venv is not activated.
if shutil.which("dbt") is None:
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


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


def _built_fingerprint(warehouse: WarehouseResource) -> str | None:
    with warehouse.connect() as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS meta")
        con.execute("CREATE TABLE IF NOT EXISTS meta.model_build (fingerprint VARCHAR, built_at TIMESTAMP, "
                    "full_refresh BOOLEAN)")
        row = con.execute("SELECT fingerprint FROM meta.model_build ORDER BY built_at DESC LIMIT 1").fetchone()
    return row[0] if row else None


def _record_build(warehouse: WarehouseResource, fingerprint: str, full_refresh: bool) -> None:
    with warehouse.connect() as con:
        con.execute("INSERT INTO meta.model_build VALUES (?, now()::TIMESTAMP, ?)", [fingerprint, full_refresh])


def build_dbt_assets() -> dg.AssetsDefinition:
    @dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project,
                dagster_dbt_translator=IpxDbtTranslator())
    def ipx_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
        os.environ["IPX_WAREHOUSE"] = str(warehouse.layout.warehouse)
        fingerprint = project_fingerprint()
        full_refresh = _built_fingerprint(warehouse) != fingerprint
        if full_refresh:
            context.log.info("dbt project changed since the last build (or first build): full refresh")
        # Unit tests check the models' logic, which only changes with the project: they run on a
        # full refresh (the project changed, or a first build) and are skipped otherwise.
        args = ["build", "--full-refresh"] if full_refresh else ["build", "--exclude", "resource_type:unit_test"]
        progress = reporter()
        progress.dbt_planned(len(context.selected_asset_keys) + len(context.selected_asset_check_keys))
        # One target folder per warehouse: dbt keeps its parse state there, so the next run on
        # this warehouse parses only what changed (see WarehouseLayout.dbt_target).
        for event in dbt.cli(args, context=context, target_path=warehouse.layout.dbt_target).stream():
            if isinstance(event, dg.AssetCheckResult):
                progress.dbt_node_done(event.check_name or "test")
            elif isinstance(event, (dg.Output, dg.AssetMaterialization)):
                progress.dbt_node_done(getattr(event, "output_name", None) or "model")
            yield event
        _record_build(warehouse, fingerprint, full_refresh)

    return ipx_dbt_models


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project)


def _newest_source_mtime() -> float:
    return max((path.stat().st_mtime for path in _project_files()), default=0.0)


def prepare_manifest(force: bool = False) -> None:
    """Parse the dbt project so its manifest exists and is current (``dagster dev`` does this
    itself). Parsing takes seconds, so a manifest newer than every project file is kept."""
    manifest = dbt_project.manifest_path
    if not force and manifest.exists() and manifest.stat().st_mtime > _newest_source_mtime():
        return
    dbt_project.preparer.prepare(dbt_project)
