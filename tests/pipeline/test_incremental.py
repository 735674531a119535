"""A new month (and a seq 02 replacement of an old slice) absorbed incrementally gives exactly the
warehouse a full rebuild gives, and ingestion takes only the new deliveries."""

import json
import shutil

import duckdb
import pytest

from ipx import published_db
from ipx.paths import DBT_PROJECT_DIR
from ipx.pipeline import run_pipeline

NEW_PERIOD = "202212"
NEW_QUARTER = "2022Q4"  # the employer snapshots of the same quarter: province-level models rebuild
NEW_ROSTER = "hrss_key_positions/*_2022_*"  # the year's key-position rosters (annual): with the quarter
VOLATILE = {"last_taken_at"}  # when files were taken differs between runs, not what they say


def incremental_models() -> list[str]:
    """Every incremental model of the dbt project (schema.table), from its manifest."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    return sorted(f"{n['schema']}.{n['alias']}" for n in manifest["nodes"].values()
                  if n["resource_type"] == "model" and n["config"]["materialized"] == "incremental")


def _published(warehouse) -> dict[str, list[tuple]]:
    """Every table and view in marts and every incremental model, rows sorted."""
    con = published_db.connect(warehouse)  # the published marts: views over the published file
    try:
        tables = [f"marts.{r[0]}" for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() "
            "AND table_schema = 'marts' ORDER BY 1").fetchall()]
        out = {}
        for table in [*tables, *incremental_models()]:
            cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] not in VOLATILE]
            out[table] = sorted(con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)
        return out
    finally:
        con.close()


@pytest.mark.parametrize("with_snapshots", [True, False], ids=["month_and_quarter", "month_only"])
def test_incremental_month_equals_full_rebuild(small_build, tmp_path, with_snapshots):
    """With the quarter's employer snapshots (and the year's rosters) every province's records are
    recomputed; a month alone (no hrss_employers delivery: most months) recomputes only the new
    slices' keys."""
    landing = tmp_path / "landing"
    shutil.copytree(small_build.landing, landing)
    held_back = []
    patterns = [f"*/*_{NEW_PERIOD}_*", *([f"*/*_{NEW_QUARTER}_*", NEW_ROSTER] if with_snapshots else [])]
    for path in sorted(p for pattern in patterns for p in landing.glob(pattern)):
        held_back.append((path, path.read_bytes()))
        path.unlink()
    resubmission = next(p for p in sorted(landing.glob("*/*_02.*")) if not p.name.endswith(".manifest.json"))
    stem = resubmission.name.split(".")[0]
    for path in sorted(resubmission.parent.glob(f"{stem}.*")):
        held_back.append((path, path.read_bytes()))
        path.unlink()
    assert len(held_back) > 10
    assert any(p.parent.name == "hrss_employers" for p, _ in held_back) == with_snapshots
    assert any(p.parent.name == "hrss_key_positions" for p, _ in held_back) == with_snapshots

    warehouse = tmp_path / "wh" / "ipx.duckdb"
    first = run_pipeline(landing, warehouse, publish=False)
    for path, data in held_back:
        path.write_bytes(data)
    second = run_pipeline(landing, warehouse, publish=False)

    new_data_files = [p for p, _ in held_back if not p.name.endswith(".manifest.json")
                      and p.with_name(p.name.split(".")[0] + ".manifest.json").exists()]
    assert second.files_taken == len(new_data_files) < first.files_taken / 10
    con = duckdb.connect(str(warehouse), read_only=True)
    builds = con.execute("SELECT full_refresh FROM meta.model_build ORDER BY built_at").fetchall()
    con.close()
    assert builds == [(True,), (False,)]  # the second build really was incremental

    incremental, full = _published(warehouse), _published(small_build.warehouse)
    assert len(incremental_models()) >= 6 and set(incremental_models()) <= incremental.keys()
    assert incremental.keys() == full.keys()
    for table in full:
        assert incremental[table] == full[table], table
