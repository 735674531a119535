"""A run that finds nothing new changes nothing: dbt is not run and the published copy stands.
A run that finds something (here a new data file waiting for its manifest) builds and publishes."""

import shutil

import duckdb

from ipx.pipeline import run_pipeline
from ipx.serving import current_serving_file
from ipx.storage import WarehouseLayout
from support.warehouses import copy_warehouse


def _builds(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM meta.model_build").fetchone()[0]
    finally:
        con.close()


def test_nothing_new_leaves_models_and_published_copy_as_they_were(small_build, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(small_build.landing, landing)
    warehouse = copy_warehouse(small_build.warehouse, tmp_path / "wh")
    layout = WarehouseLayout.at(warehouse)
    published = current_serving_file(layout)
    builds = _builds(warehouse)

    again = run_pipeline(landing, warehouse)
    assert again.files_taken == 0 and again.failed_checks == []
    assert again.unchanged and again.published == str(published)
    assert current_serving_file(layout) == published
    assert _builds(warehouse) == builds  # dbt did not run
    assert "unchanged: nothing new since the last build" in again.render()

    # a data file without its manifest is something new: it is listed (pending) and published
    feed_dir = next(p for p in sorted(landing.iterdir()) if p.is_dir() and not p.name.startswith("_"))
    sample = next(p for p in sorted(feed_dir.iterdir()) if p.suffix in (".csv", ".xlsx"))
    shutil.copyfile(sample, feed_dir / ("999999_209912_01" + sample.suffix))
    later = run_pipeline(landing, warehouse)
    assert not later.unchanged and later.published != str(published)
    assert _builds(warehouse) == builds + 1
    con = duckdb.connect(later.published, read_only=True)
    try:
        pending = [r[0] for r in con.execute("SELECT file_name FROM ingest.pending_files").fetchall()]
    finally:
        con.close()
    assert "999999_209912_01" + sample.suffix in pending
