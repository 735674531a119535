"""What each dbt data test, model and seed reads (ipx.assets.build_selection), from the manifest:
the inputs whose change makes an incremental build run or build it again."""

import dagster_dbt.asset_utils

from ipx import definitions
from ipx.assets import warehouse_models
from ipx.assets.build_selection import (
    LEDGER_FEEDS,
    Lineage,
    built_node_ids,
    check_test_ids,
    ledger_feeds,
    load_manifest,
)


def _lineage():
    return Lineage.from_manifest(load_manifest(warehouse_models.dbt_project.manifest_path))


def _inputs(test_name):
    lineage = _lineage()
    (test_id,) = [uid for uid in lineage.inputs_by_node if uid.split(".")[2] == test_name]
    return lineage.inputs_by_node[test_id]


def test_every_data_test_has_its_inputs():
    ids = check_test_ids(definitions.dbt_models)
    assert len(ids) > 200 and all(ids.values())
    assert set(ids.values()) == {uid for uid in _lineage().inputs_by_node if uid.startswith("test.")}


def test_every_model_and_seed_has_its_inputs():
    ids = built_node_ids(definitions.dbt_models)
    assert len(ids) > 80 and all(ids.values())
    assert set(ids.values()) == {uid for uid in _lineage().inputs_by_node if uid.split(".")[0] in ("model", "seed")}
    inputs = _lineage().inputs_by_node
    assert inputs["model.ipx.stg_hrss_employers"] == {"feed:hrss_employers"}
    assert inputs["model.ipx.int_employer_snapshots"] == {"feed:hrss_employers"}
    assert inputs["model.ipx.dim_provinces"] == inputs["seed.ipx.provinces"] == frozenset()
    assert "ledger" in inputs["model.ipx.int_as_of"] and "ledger" in inputs["model.ipx.mart_provincial_assessment"]
    # a model reads what each model it refs reads
    assert inputs["model.ipx.int_employer_snapshots"] <= inputs["model.ipx.int_claims_attributed"]


def test_a_staging_test_reads_its_feed_only():
    assert _inputs("unique_combination_stg_hrss_employers_province_code__period__uscc") == {"feed:hrss_employers"}
    assert _inputs("not_null_stg_em_accidents_occurred_at") == {"feed:em_accidents"}


def test_reference_data_alone_is_no_input():
    # seeds belong to the project: a change is a changed project, and every test runs
    assert _inputs("unique_dim_provinces_province_code") == frozenset()


def test_the_whole_ledger_reaches_what_depends_on_the_as_of_time():
    assert "ledger" in _inputs("unique_int_as_of_as_of_at")
    assert {"ledger", "catalogue"} <= _inputs("unique_combination_mart_feed_health_feed__province_code__period")


def test_sql_written_at_run_time_reads_the_whole_ledger():
    # int_cross_slice_duplicates selects from every feed of the catalogue: its manifest lists no
    # source at all, so only the rule for run-time SQL keeps its tests from being skipped forever
    assert "ledger" in _inputs("unique_combination_int_cross_slice_duplicates_feed__source_file__source_record_no")


def test_known_ledger_readers_still_name_their_feeds():
    manifest = load_manifest(warehouse_models.dbt_project.manifest_path)
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    for name, feeds in LEDGER_FEEDS.items():
        assert ledger_feeds(models[name]) == feeds, name
    # a model reading the ledger without a known scope reads all of it
    assert ledger_feeds(models["int_as_of"]) is None
    assert ledger_feeds({"name": "int_claims_attributed", "raw_code": "select 1"}) is None


def test_dagster_dbt_keeps_a_subset_on_the_command_line():
    # beyond its threshold dagster-dbt would run dbt from a temporary copy of the project, which
    # breaks partial parsing in the warehouse's target folder
    assert dagster_dbt.asset_utils._SELECTION_ARGS_THRESHOLD >= warehouse_models.SELECTION_ON_COMMAND_LINE_UP_TO
