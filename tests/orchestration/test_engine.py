"""Engine choice and the per-run Spark dirs of local mode (no Spark started here)."""

from __future__ import annotations

import json
import logging
import os

import pytest

from ipx.assets.warehouse_models import build_fingerprint, project_fingerprint
from ipx.engine import (
    dbt_target,
    dbt_target_path,
    lake_dir,
    lake_vars,
    resolve_engine,
    spark_run_dirs,
)
from ipx.settings import ConfigurationError
from ipx.storage import WarehouseLayout


def test_the_engine_comes_from_the_flag_then_the_environment_then_duckdb(monkeypatch):
    monkeypatch.delenv("IPX_ENGINE", raising=False)
    assert resolve_engine() == "duckdb" and dbt_target("duckdb") == "main"
    monkeypatch.setenv("IPX_ENGINE", "Spark")
    assert resolve_engine() == "spark" and dbt_target(resolve_engine()) == "spark"
    assert resolve_engine("duckdb") == "duckdb"
    with pytest.raises(ConfigurationError, match="unknown engine"):
        resolve_engine("trino")


def test_each_engine_has_its_own_dbt_target_folder_and_fingerprint(tmp_path, monkeypatch):
    layout = WarehouseLayout.at(tmp_path / "ipx.duckdb")
    assert dbt_target_path(layout, "duckdb") == layout.dbt_target
    assert dbt_target_path(layout, "spark") != layout.dbt_target
    # DuckDB's fingerprint is what it always was; a Spark build never passes for a DuckDB one
    assert build_fingerprint("duckdb") == project_fingerprint()
    assert build_fingerprint("spark") == "spark:" + project_fingerprint()
    monkeypatch.delenv("IPX_LAKE", raising=False)
    assert lake_dir(layout) == tmp_path / "ipx.duckdb.lake"
    monkeypatch.setenv("IPX_LAKE", str(tmp_path / "lake"))
    assert lake_dir(layout) == tmp_path / "lake"


def test_local_spark_dirs_are_fresh_per_run_and_removed_after_success(tmp_path, monkeypatch):
    monkeypatch.delenv("IPX_SPARK_WAREHOUSE", raising=False)
    monkeypatch.delenv("IPX_SPARK_METASTORE", raising=False)
    layout = WarehouseLayout.at(tmp_path / "ipx.duckdb")
    with spark_run_dirs(layout, "run-one-xyz") as dirs:
        assert dirs.temporary and dirs.warehouse.is_dir() and dirs.metastore.is_dir()
        assert os.environ["IPX_SPARK_WAREHOUSE"] == str(dirs.warehouse)
        assert os.environ["IPX_SPARK_METASTORE"] == str(dirs.metastore)
        (dirs.warehouse / "marts.db").mkdir()
    assert not layout.spark_dir.exists()
    assert "IPX_SPARK_WAREHOUSE" not in os.environ and "IPX_SPARK_METASTORE" not in os.environ


def test_local_spark_dirs_are_kept_after_a_failure(tmp_path, monkeypatch):
    monkeypatch.delenv("IPX_SPARK_WAREHOUSE", raising=False)
    layout = WarehouseLayout.at(tmp_path / "ipx.duckdb")
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append  # its own handler: other tests' CLI runs reconfigure the root's
    logger = logging.getLogger("ipx.engine")
    level, disabled = logger.level, logger.disabled
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.disabled = False
    try:
        with pytest.raises(RuntimeError), spark_run_dirs(layout, "run-two-xyz") as dirs:
            raise RuntimeError("dbt failed")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.disabled = disabled
    assert dirs.root.is_dir() and dirs.root.parent == layout.spark_dir
    text = " ".join(r.getMessage() for r in records)
    assert str(dirs.root) in text and "kept for diagnosis" in text
    assert "IPX_SPARK_WAREHOUSE" not in os.environ


def test_a_given_spark_warehouse_is_used_as_it_is_and_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("IPX_SPARK_WAREHOUSE", str(tmp_path / "shared" / "warehouse"))
    monkeypatch.delenv("IPX_SPARK_METASTORE", raising=False)
    layout = WarehouseLayout.at(tmp_path / "ipx.duckdb")
    with spark_run_dirs(layout, "run-three") as dirs:
        assert not dirs.temporary and dirs.warehouse == tmp_path / "shared" / "warehouse"
        assert os.environ["IPX_SPARK_METASTORE"] == str(tmp_path / "shared" / "metastore")
    assert "IPX_SPARK_METASTORE" not in os.environ
    assert not layout.spark_dir.exists()


def test_the_lake_tables_reach_dbt_as_one_compact_json_var():
    specs = [{"schema": "raw", "name": "em_accidents", "location": "/lake/raw/em_accidents",
              "columns": [["accident_id", "string"]], "partitioned_by": [["_province", "string"]]}]
    assert json.loads(lake_vars(specs)) == {"ipx_lake_tables": specs}
    assert " " not in lake_vars(specs)
    with pytest.raises(ConfigurationError, match="too long"):
        lake_vars(specs * 2000)
