"""Feeds have a life span (issue 13): a twelfth feed added by a contract file alone — in an extra
folder named by ``IPX_CONTRACTS_DIR``, no code and no staging model — is generated, ingested
(pseudonyms, rejects, checks) and counted only from its ``first_period`` on, so every published
figure of an earlier period stays exactly what it was without the feed.

The baseline is the session's ``small`` build (seed 7, the eleven feeds); the second build is the
same generator run with the twelfth contract (which leaves the eleven feeds' files byte for byte
as they were) through ``ipx generate`` and ``ipx run`` in a fresh process, as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ipx import published_db

FIRST_YEAR = 2022
HEALTH_CHECKS = {
    "feed": "nhc_health_checks", "title_zh": "职业健康检查", "agency": "nhc", "cadence": "monthly",
    "first_period": f"{FIRST_YEAR}01", "key": ["exam_no"],
    "columns": [
        {"name": "exam_no", "header": "体检编号", "type": "text", "required": True},
        {"name": "uscc", "header": "统一社会信用代码", "type": "uscc", "required": True},
        {"name": "person_id", "header": "公民身份号码", "type": "resident_id", "required": True, "pii": "pseudonymise"},
        {"name": "name", "header": "姓名", "type": "text", "pii": "drop"},
        {"name": "exam_date", "header": "体检日期", "type": "date", "required": True},
        {"name": "exam_type", "header": "检查类别", "type": "enum", "required": True,
         "values": ["上岗前", "在岗期间", "离岗时", "应急"]},
        {"name": "conclusion", "header": "体检结论", "type": "enum", "required": True,
         "values": ["目前未见异常", "复查", "疑似职业病", "职业禁忌证", "其他疾病或异常"]},
    ],
}
# Published figures by year: (table, year column).
BY_YEAR = [
    ("marts.mart_provincial_assessment", "year"),
    ("marts.mart_assessment_scorecard", "year"),
    ("marts.mart_assessment_coverage", "year"),
    ("marts.mart_hotspots", "year"),
    ("marts.mart_plan_evaluation", "year"),
    ("marts.mart_feed_health", "year"),
    ("intermediate.int_delivery_shares", "year"),
]


def _ipx(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ipx.cli", *args], env=env, capture_output=True, text=True,
                          timeout=1200)


@pytest.fixture(scope="module")
def with_twelfth(tmp_path_factory, small_build):
    root = tmp_path_factory.mktemp("twelfth_feed")
    extra = root / "contracts"
    extra.mkdir()
    (extra / "nhc_health_checks.yaml").write_text(yaml.safe_dump(HEALTH_CHECKS, allow_unicode=True), encoding="utf-8")
    env = {**os.environ, "IPX_CONTRACTS_DIR": str(extra)}
    env.pop("DAGSTER_HOME", None)
    landing, warehouse = root / "landing", root / "wh" / "ipx.duckdb"
    done = _ipx("generate", "--out", str(landing), "--scale", "small", "--seed", "7", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    run = _ipx("run", "--landing", str(landing), "--warehouse", str(warehouse), env=env)
    assert run.returncode == 0, (run.stdout[-3000:], run.stderr[-3000:])
    return landing, warehouse, run.stdout


def _frame(warehouse: Path, sql: str) -> pd.DataFrame:
    con = published_db.connect(warehouse)
    try:
        cur = con.execute(sql)
        return pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description], dtype=object)
    finally:
        con.close()


def _rows(warehouse: Path, table: str, where: str) -> pd.DataFrame:
    frame = _frame(warehouse, f"SELECT * FROM {table} WHERE {where}")
    return frame.sort_values(list(frame.columns), key=lambda s: s.astype(str)).reset_index(drop=True)


def test_the_twelfth_feed_is_loaded_with_pseudonyms_rejects_and_checks(with_twelfth):
    landing, warehouse, stdout = with_twelfth
    assert (landing / "nhc_health_checks").is_dir()
    columns = list(_frame(warehouse, "SELECT * FROM raw.nhc_health_checks LIMIT 0").columns)
    assert "person_pseudonym" in columns and "person_id" not in columns and "name" not in columns
    loaded = _frame(warehouse, "SELECT person_pseudonym, _period FROM raw.nhc_health_checks")
    assert len(loaded) > 300
    assert loaded.person_pseudonym.str.fullmatch(r"[0-9a-f]{64}").all()
    assert set(loaded._period.str[:4]) == {str(FIRST_YEAR)}
    rejected = _frame(warehouse, "SELECT field FROM ingest.rejected_records WHERE feed = 'nhc_health_checks'")
    assert {"uscc", "person_id", "exam_no"} <= set(rejected.field)
    catalogue = _frame(warehouse, "SELECT first_period, last_period FROM ingest.feed_catalogue "
                                  "WHERE feed = 'nhc_health_checks'")
    assert catalogue.values.tolist() == [[f"{FIRST_YEAR}01", None]]
    assert "failed 0" in stdout.split("checks run", 1)[1].splitlines()[0]


def test_no_figure_of_a_period_before_the_feed_changes(small_build, with_twelfth):
    _, warehouse, _ = with_twelfth
    compared = 0
    for table, year in BY_YEAR:
        before = _rows(small_build.warehouse, table, f"{year} < {FIRST_YEAR}")
        after = _rows(warehouse, table, f"{year} < {FIRST_YEAR}")
        assert len(before) > 0, table
        pd.testing.assert_frame_equal(before, after, obj=table)
        compared += len(before)
    assert compared > 5000


def test_the_feed_counts_from_its_first_period_on(small_build, with_twelfth):
    _, warehouse, _ = with_twelfth
    # Feed health lists it for exactly the months a monthly feed of the spec is listed for, from
    # its first period on (up to the data's as-of date), in every province.
    health = _frame(warehouse, "SELECT province_code, period FROM marts.mart_feed_health WHERE feed = 'nhc_health_checks'")
    training = _frame(warehouse, "SELECT province_code, period FROM marts.mart_feed_health "
                                 f"WHERE feed = 'hrss_training' AND period >= '{FIRST_YEAR}01'")
    assert sorted(map(tuple, health.values.tolist())) == sorted(map(tuple, training.values.tolist()))
    assert min(health.period) == f"{FIRST_YEAR}01"
    assert {f"{FIRST_YEAR}{m:02d}" for m in range(1, 13)} <= set(health.period)
    assert set(small_build.truth["provinces"]) <= set(health.province_code)   # all 32 provinces are listed
    shares = {}
    for name, wh in (("before", small_build.warehouse), ("after", warehouse)):
        frame = _frame(wh, "SELECT province_code, year, slices_expected FROM intermediate.int_delivery_shares "
                           f"WHERE province_code IN ('440000', '510000', '660000') AND year >= {FIRST_YEAR - 1}")
        shares[name] = {(r.province_code, int(r.year)): int(r.slices_expected) for r in frame.itertuples()}
    for key, expected in shares["before"].items():
        added = 12 if key[1] >= FIRST_YEAR else 0
        assert shares["after"][key] == expected + added, key
