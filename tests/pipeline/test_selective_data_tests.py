"""An incremental build runs only the dbt data tests whose inputs changed since they last passed,
and builds only the models whose inputs changed since they were built (issue 14): a new delivery
of one feed runs the tests and models downstream of it and skips those over an unrelated feed; a
test that failed is run again although its inputs did not change, and so are the models dbt
skipped below it; a full build (first build, changed project) runs every test and model."""

import hashlib
import json
import shutil

import duckdb
import pytest

from ipx import published_db
from ipx.assets import warehouse_models
from ipx.contracts import load_contracts
from ipx.paths import DBT_PROJECT_DIR
from ipx.pipeline import RunFailed, run_pipeline
from support.warehouses import copy_warehouse


def _dbt_tests() -> int:
    """Data tests of the dbt project (asset checks of the dbt assets), from its manifest."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    return sum(1 for node in manifest["nodes"].values() if node["resource_type"] == "test")


FEEDS = len(load_contracts())
FEED_CHECKS = FEEDS * 3 + 1  # per feed: conservation, GX suite, deliveries current; the ledger's conservation

ACCIDENTS = "staging/stg_em_accidents"
OCCURRED_NOT_NULL = (ACCIDENTS, "not_null_stg_em_accidents_occurred_at")
ACCIDENT_NO_NOT_NULL = (ACCIDENTS, "not_null_stg_em_accidents_accident_no")
EMPLOYERS_UNIQUE = ("staging/stg_hrss_employers", "unique_combination_stg_hrss_employers_province_code__period__uscc")
TRAINING = "staging/stg_hrss_training"


def _resubmit(landing, feed, slice_index=-1):
    """A seq 02 of one of the feed's CSV slices (the same records, so the figures stay): a
    replacing delivery of that feed only. Returns the (province, period) replaced."""
    data = sorted(p for p in (landing / feed).glob("*_01.csv"))[slice_index]
    manifest = json.loads(data.with_name(data.stem + ".manifest.json").read_text(encoding="utf-8"))
    new = data.with_name(data.name.replace("_01.csv", "_02.csv"))
    shutil.copyfile(data, new)
    manifest.update(seq="02", file=new.name, sha256=hashlib.sha256(new.read_bytes()).hexdigest())
    new.with_name(new.stem + ".manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return manifest["province"], manifest["period"]


def _outcomes(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {(a, c): (passed, built_at) for a, c, passed, built_at in con.execute(
            "SELECT asset_key, check_name, passed, built_at FROM meta.dbt_test_outcomes").fetchall()}
    finally:
        con.close()


def _built(warehouse):
    """When each dbt model and seed was last built (meta.dbt_model_inputs), by asset key."""
    return dict(_sql(warehouse, "SELECT asset_key, built_at FROM meta.dbt_model_inputs"))


def _dbt_ran(warehouse):
    """The nodes the last dbt invocation on this warehouse ran, with their status."""
    from ipx.storage import WarehouseLayout

    path = WarehouseLayout.at(warehouse).dbt_target / "run_results.json"
    results = json.loads(path.read_text(encoding="utf-8"))["results"]
    return {r["unique_id"].split(".")[-1]: r["status"] for r in results if r["unique_id"].startswith(("model.", "seed."))}


def _evaluated_after(outcomes, since):
    return {key for key, (_, built_at) in outcomes.items() if built_at > since}


def _sql(warehouse, sql, params=None):
    con = duckdb.connect(str(warehouse))
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_first_build_runs_every_data_test(small_build):
    dbt_tests = _dbt_tests()
    assert dbt_tests > 200
    assert small_build.summary.checks_run == dbt_tests + FEED_CHECKS
    assert small_build.summary.tests_skipped == []
    outcomes = _outcomes(small_build.warehouse)
    assert len(outcomes) == dbt_tests and all(passed for passed, _ in outcomes.values())


def test_only_tests_over_changed_inputs_run(small_build, tmp_path, monkeypatch):
    dbt_tests = _dbt_tests()
    landing = tmp_path / "landing"
    shutil.copytree(small_build.landing, landing)
    warehouse = copy_warehouse(small_build.warehouse, tmp_path / "wh")
    first = _outcomes(warehouse)
    first_build = max(built_at for _, built_at in first.values())
    first_built = _built(warehouse)
    assert len(first_built) > 80 and set(first_built.values()) == {first_build}

    # 1. a replacing em_accidents delivery, while another em_accidents slice has a staged record
    #    without its accident time (written past ingestion and dbt, in the staging table that keeps
    #    the slices no delivery touched, so the test can fail): the accident tests run, one fails;
    #    the employer tests (an unrelated feed, unchanged) are skipped
    province, period = _resubmit(landing, "em_accidents", slice_index=-1)
    broken = _sql(warehouse, "SELECT source_file, source_record_no, occurred_at FROM staging.stg_em_accidents "
                             "WHERE NOT (province_code = ? AND period = ?) ORDER BY 1, 2 LIMIT 1",
                  [province, period])[0]
    _sql(warehouse, "UPDATE staging.stg_em_accidents SET occurred_at = NULL "
                    "WHERE source_file = ? AND source_record_no = ?", broken[:2])
    with pytest.raises(RunFailed) as failed:
        run_pipeline(landing, warehouse, publish=False)
    summary = failed.value.summary
    assert f"{ACCIDENTS}:{OCCURRED_NOT_NULL[1]}" in summary.failed_checks
    second = _outcomes(warehouse)
    evaluated = _evaluated_after(second, first_build)
    assert {OCCURRED_NOT_NULL, ACCIDENT_NO_NOT_NULL} <= evaluated
    assert second[OCCURRED_NOT_NULL][0] is False and second[ACCIDENT_NO_NOT_NULL][0] is True
    assert EMPLOYERS_UNIQUE not in evaluated and second[EMPLOYERS_UNIQUE] == first[EMPLOYERS_UNIQUE]
    assert not any(key[0] == TRAINING for key in evaluated)
    assert len(summary.tests_skipped) == 1
    skipped = int(summary.tests_skipped[0].split()[0])
    assert 40 < skipped <= dbt_tests - len(evaluated)  # at least the tests over reference data alone
    assert summary.tests_skipped[0] == (f"{skipped} data tests skipped: their inputs are unchanged since the "
                                        f"build of {first_build:%Y-%m-%d %H:%M:%S}, where they passed")
    assert summary.checks_run == FEED_CHECKS - FEEDS + len(evaluated)  # freshness not reached: dbt failed
    # the models: the accidents' staging table is built (its test then fails, and dbt skips what
    # is below it); the employers' staging and snapshots, reference tables and seeds are not
    ran = _dbt_ran(warehouse)
    assert ran["stg_em_accidents"] == "success" and ran["fct_accidents"] == "skipped"
    assert not {"stg_hrss_employers", "int_employer_snapshots", "dim_provinces", "provinces"} & set(ran)
    second_built = _built(warehouse)
    assert second_built["staging/stg_em_accidents"] > first_build
    assert second_built["marts/fct_accidents"] == first_build  # skipped by dbt: no new record
    assert second_built["staging/stg_hrss_employers"] == first_build
    assert 20 < len(first_built) - len(ran) < len(first_built) - 20
    assert summary.models_unchanged == [f"{len(first_built) - len(ran)} dbt models and seeds not rebuilt: their "
                                        f"inputs are unchanged since the build of {first_build:%Y-%m-%d %H:%M:%S}"]

    # 2. the record repaired, and a replacing hrss_training delivery only: the failed test runs
    #    again (its inputs did not change since it failed) and passes; the accident test that
    #    passed in the failed build and the employer test stay skipped
    _sql(warehouse, "UPDATE staging.stg_em_accidents SET occurred_at = ? "
                    "WHERE source_file = ? AND source_record_no = ?", [broken[2], *broken[:2]])
    _resubmit(landing, "hrss_training")
    third_summary = run_pipeline(landing, warehouse, publish=False)
    assert third_summary.failed_checks == [] and third_summary.failed_steps == []
    third = _outcomes(warehouse)
    latest = max(built_at for _, built_at in third.values())
    evaluated = _evaluated_after(third, max(built_at for _, built_at in second.values()))
    assert OCCURRED_NOT_NULL in evaluated and third[OCCURRED_NOT_NULL][0] is True
    assert ACCIDENT_NO_NOT_NULL not in evaluated and third[ACCIDENT_NO_NOT_NULL] == second[ACCIDENT_NO_NOT_NULL]
    assert EMPLOYERS_UNIQUE not in evaluated and third[EMPLOYERS_UNIQUE] == first[EMPLOYERS_UNIQUE]
    assert any(key[0] == TRAINING for key in evaluated)
    assert all(built_at == latest for key, (_, built_at) in third.items() if key in evaluated)
    assert len(third_summary.tests_skipped) == 2  # passed in the first build, or in the failed one
    assert sum(int(s.split()[0]) for s in third_summary.tests_skipped) == dbt_tests - len(evaluated)
    assert third_summary.tests_skipped[1] in third_summary.render()
    assert third_summary.checks_run == FEED_CHECKS + len(evaluated)
    # the models: the accidents' staging table stays as the failed build made it; what dbt skipped
    # below it then runs now, with the training's models; the employers' still not
    ran = _dbt_ran(warehouse)
    assert "stg_em_accidents" not in ran and ran["fct_accidents"] == "success" and ran["stg_hrss_training"] == "success"
    assert "stg_hrss_employers" not in ran
    third_built = _built(warehouse)
    assert third_built["staging/stg_em_accidents"] == second_built["staging/stg_em_accidents"]
    assert third_built["marts/fct_accidents"] > second_built["staging/stg_em_accidents"]
    assert third_built["staging/stg_hrss_employers"] == first_build
    assert len(third_summary.models_unchanged) == 2  # built in the first build, or in the failed one

    # 3. a changed project: a full build, every test runs although all passed
    monkeypatch.setattr(warehouse_models, "project_fingerprint", lambda: "another project")
    _resubmit(landing, "hrss_training", slice_index=0)
    full = run_pipeline(landing, warehouse, publish=False)
    assert full.tests_skipped == [] and full.checks_run == FEED_CHECKS + dbt_tests
    assert full.models_unchanged == [] and set(_dbt_ran(warehouse).values()) == {"success"}
    assert len(_dbt_ran(warehouse)) == len(first_built)
    fourth = _outcomes(warehouse)
    assert _evaluated_after(fourth, latest) == set(fourth) and all(passed for passed, _ in fourth.values())
    assert _sql(warehouse, "SELECT full_refresh FROM meta.model_build ORDER BY built_at DESC LIMIT 1") == [(True,)]


def test_a_model_whose_table_is_gone_is_built_again(small_build, tmp_path):
    """A table removed by hand (here a published dimension) is built again although its inputs did
    not change: a model is left as it is only when its table is there."""
    from ipx.storage import WarehouseLayout

    landing = tmp_path / "landing"
    shutil.copytree(small_build.landing, landing)
    warehouse = copy_warehouse(small_build.warehouse, tmp_path / "wh")
    con = duckdb.connect(str(WarehouseLayout.at(warehouse).published_db))
    con.execute("DROP TABLE marts.dim_provinces")
    con.close()
    _resubmit(landing, "em_accidents")
    summary = run_pipeline(landing, warehouse, publish=False)
    assert summary.failed_steps == [] and summary.failed_checks == []
    ran = _dbt_ran(warehouse)
    assert ran["dim_provinces"] == "success" and "dim_industries" not in ran and "stg_hrss_employers" not in ran
    con = published_db.connect(warehouse)
    try:
        assert con.execute("SELECT count(*) FROM marts.dim_provinces").fetchone()[0] > 0
    finally:
        con.close()
