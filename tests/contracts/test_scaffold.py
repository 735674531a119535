"""``ipx feed new`` (``scaffold_feed``): a short description gives a valid contract, a staging model
that dbt builds, and the feed's GX suite — in a copy of the repository, followed end to end."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ipx.contracts import load_contracts
from ipx.contracts.model import ContractError
from ipx.contracts.scaffold import parse_column, scaffold_feed
from ipx.ingestion.loader import IngestContext, ingest_landing
from ipx.ingestion.pseudonym import HmacPads
from ipx.paths import CONTRACTS_DIR, DBT_PROJECT_DIR, EXPECTATIONS_DIR
from ipx.quality.suites import render, suite_spec
from support.deliveries import ric, uscc, write_delivery

COLUMNS = [
    "exam_no:体检编号:text:required",
    "uscc:统一社会信用代码:uscc:required",
    "person_id:公民身份号码:resident_id:required",
    "name:姓名:text",
    "exam_date:体检日期:date:required",
    "exam_type:检查类别:enum:required:values=上岗前|在岗期间|离岗时|应急",
    "items:异常项目数:int:min=0:max=30:W",
]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(CONTRACTS_DIR, root / "orchestration" / "ipx" / "contracts" / "feeds")
    shutil.copytree(DBT_PROJECT_DIR, root / "dbt_project", ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    shutil.copytree(EXPECTATIONS_DIR, root / "expectations")
    return root


def test_a_column_description_reads_as_a_contract_column():
    assert parse_column("person_id:公民身份号码:resident_id:required") == {
        "name": "person_id", "header": "公民身份号码", "type": "resident_id", "required": True, "pii": "pseudonymise"}
    assert parse_column("name:姓名:text")["pii"] == "drop"
    assert parse_column("score:得分:dec:min_exclusive=0:max=2.5:W") == {
        "name": "score", "header": "得分", "type": "dec", "min_exclusive": 0, "max": 2.5, "range_severity": "W"}
    with pytest.raises(ContractError, match="unknown option"):
        parse_column("a:甲:int:maximum=3")


def test_scaffold_writes_a_feed_that_loads_and_builds(repo, tmp_path):
    written = scaffold_feed("nhc_health_checks", "职业健康检查", "nhc", "monthly", ["exam_no"], COLUMNS, repo,
                            first_period="202401")
    rel = sorted(str(p.relative_to(repo)) for p in written)
    assert rel == ["dbt_project/models/staging/stg_nhc_health_checks.sql",
                   "dbt_project/models/staging/stg_nhc_health_checks.yml",
                   "expectations/nhc_health_checks.json",
                   "orchestration/ipx/contracts/feeds/nhc_health_checks.yaml"]
    contracts = load_contracts(repo / "orchestration" / "ipx" / "contracts" / "feeds")
    contract = contracts["nhc_health_checks"]
    assert (contract.first_period, contract.key, contract.column("name").pii) == ("202401", ("exam_no",), "drop")
    assert (repo / "expectations" / "nhc_health_checks.json").read_text(encoding="utf-8") == render(suite_spec(contract))
    sql = (repo / "dbt_project/models/staging/stg_nhc_health_checks.sql").read_text(encoding="utf-8")
    assert "latest_period_per_key('current_records', ['exam_no'])" in sql and "unflagged('items')" in sql

    landing, warehouse = tmp_path / "landing", tmp_path / "wh.duckdb"
    rows = [{"exam_no": "E1", "uscc": uscc(1), "person_id": ric(1), "name": "甲", "exam_date": "2024/2/3",
             "exam_type": "上岗前", "items": "2"},
            {"exam_no": "E2", "uscc": uscc(2), "person_id": ric(2), "name": "乙", "exam_date": "2024-02-04",
             "exam_type": "在岗期间", "items": "31"},
            {"exam_no": "E3", "uscc": uscc(3), "person_id": ric(3), "name": "丙", "exam_date": "2024-02-05",
             "exam_type": "复查", "items": "0"}]
    header = ["体检编号", "统一社会信用代码", "公民身份号码", "姓名", "体检日期", "检查类别", "异常项目数"]
    write_delivery(landing, "nhc_health_checks", rows, period="202402", header_row=header, columns=list(rows[0]))
    con = duckdb.connect(str(warehouse))
    results = ingest_landing(con, landing, {"nhc_health_checks": contract},
                             IngestContext(tmp_path / "archive", b"\x03" * 32, HmacPads.from_key(b"k"), "scaffold"))
    con.close()
    assert [(r.status, r.loaded, r.rejected, r.flagged) for r in results] == [("loaded", 2, 1, 1)]

    project = repo / "dbt_project"
    dbt = Path(sys.executable).parent / "dbt"
    env = {"IPX_WAREHOUSE": str(warehouse), "PATH": str(dbt.parent), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    done = subprocess.run([str(dbt), "build", "--select", "stg_nhc_health_checks", "--project-dir", str(project),
                           "--profiles-dir", str(project), "--target-path", str(tmp_path / "target"),
                           "--log-path", str(tmp_path / "logs")], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("SELECT exam_no, exam_type, items, period FROM staging.stg_nhc_health_checks ORDER BY 1").fetchall() \
        == [("E1", "上岗前", 2, "202402"), ("E2", "在岗期间", None, "202402")]


def test_scaffold_refuses_an_invalid_description_or_an_existing_feed(repo):
    before = sorted(p for p in repo.rglob("*") if p.is_file())
    with pytest.raises(ContractError, match="first_period"):
        scaffold_feed("toy", "玩具", "em", "quarterly", ["a"], ["a:甲:text:required"], repo, first_period="202401")
    with pytest.raises(ContractError, match="key column"):
        scaffold_feed("toy", "玩具", "em", "quarterly", ["b"], ["a:甲:text:required"], repo, first_period="2024Q1")
    with pytest.raises(FileExistsError, match="hrss_training"):
        scaffold_feed("hrss_training", "培训", "hrss", "monthly", ["a"], ["a:甲:text:required"], repo,
                      first_period="202401")
    assert sorted(p for p in repo.rglob("*") if p.is_file()) == before


def test_the_feed_new_command(repo, capsys):
    import argparse

    from ipx.contracts.scaffold import add_feed_parser

    parser = argparse.ArgumentParser(prog="ipx")
    add_feed_parser(parser.add_subparsers(dest="command", required=True))
    argv = ["feed", "new", "em_permits", "--title", "安全生产许可", "--agency", "em", "--cadence", "quarterly",
            "--first-period", "2026Q1", "--key", "uscc", "--snapshot", "--repo-root", str(repo),
            "--column", "uscc:统一社会信用代码:uscc:required", "--column", "level:许可等级:grade:min=1:max=3"]
    args = parser.parse_args(argv)
    assert args.func(args) == 0
    assert "wrote " in capsys.readouterr().out
    contract = load_contracts(repo / "orchestration" / "ipx" / "contracts" / "feeds")["em_permits"]
    assert (contract.snapshot, contract.key, contract.first_period, contract.column("level").max) == \
        (True, ("uscc",), "2026Q1", 3)
    yml = (repo / "dbt_project/models/staging/stg_em_permits.yml").read_text(encoding="utf-8")
    assert "columns: [province_code, period, uscc]" in yml
    sql = (repo / "dbt_project/models/staging/stg_em_permits.sql").read_text(encoding="utf-8")
    assert "latest_period_per_key" not in sql and "from current_records" in sql
    args = parser.parse_args(argv)
    assert args.func(args) == 2
    assert "already has files" in capsys.readouterr().err
