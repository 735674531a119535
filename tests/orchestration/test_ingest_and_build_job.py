"""The Dagster job ``ingest_and_build`` (what the landing sensor launches, and what an operator
launches from Dagster's UI) refuses to build a warehouse that has never taken a delivery, as
``ipx run`` does, instead of building models over no data whose tests can only fail."""

from __future__ import annotations

import dagster as dg


def test_the_job_over_a_landing_with_no_delivery_says_there_is_nothing_to_build(tmp_path, monkeypatch):
    from ipx import definitions
    from ipx.resources import WarehouseResource

    landing = tmp_path / "landing"
    (landing / "hrss_training").mkdir(parents=True)
    (landing / "hrss_training" / "110000_202401_01.csv").write_text("a,b\n1,2\n", encoding="utf-8")  # no manifest
    warehouse = tmp_path / "wh" / "ipx.duckdb"
    monkeypatch.setenv("IPX_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("IPX_LANDING", str(landing))
    resources = {"warehouse": WarehouseResource(path=str(warehouse), landing=str(landing)),
                 "dbt": definitions.dbt_resource()}
    result = dg.materialize([*definitions.all_assets, *definitions.all_checks], resources=resources,
                            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False,
                            selection=dg.AssetSelection.all())  # ingest_and_build's selection

    assert not result.success
    failures = [event for event in result.all_events if event.event_type_value == "STEP_FAILURE"]
    assert [event.step_key for event in failures] == ["ipx_dbt_models"]
    assert "nothing to build: no delivery in" in str(failures[0].event_specific_data.error.message)
    # ingestion ran (the file waiting for its manifest is listed), dbt did not
    assert any(event.event_type_value == "ASSET_MATERIALIZATION" for event in result.all_events)
    layout = WarehouseResource(path=str(warehouse)).layout
    assert not (layout.dbt_target / "run_results.json").exists() and not layout.published_db.exists()
