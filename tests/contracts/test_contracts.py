"""Feed contracts: consistent, the single source of the raw schema and the expectation suites."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from ipx.contracts import load_contracts
from ipx.contracts.model import ContractError, parse_contract
from ipx.ingestion.loader import IngestContext, ingest_landing
from ipx.ingestion.pseudonym import HmacPads
from ipx.ingestion.warehouse import raw_columns
from ipx.paths import CONTRACTS_DIR, DBT_PROJECT_DIR, EXPECTATIONS_DIR
from ipx.quality.suites import render, suite_path, suite_spec
from support.deliveries import ric, uscc, write_delivery

TOY = {
    "feed": "toy_inspections", "title_zh": "玩具检查", "agency": "em", "cadence": "quarterly", "first_period": "2024Q1",
    "columns": [
        {"name": "toy_no", "header": "编号", "type": "text", "required": True},
        {"name": "uscc", "header": "统一社会信用代码", "type": "uscc", "required": True},
        {"name": "person_id", "header": "公民身份号码", "type": "resident_id", "pii": "pseudonymise"},
        {"name": "name", "header": "姓名", "type": "text", "pii": "drop"},
        {"name": "score", "header": "得分", "type": "int", "min": 0, "max": 100, "range_severity": "W"},
        {"name": "checked_on", "header": "检查日期", "type": "date", "required": True},
    ],
}


SPEC_FEEDS = {  # section 3 of the spec, with the cadence it gives
    "hrss_employers": "quarterly", "hrss_injury_claims": "monthly", "hrss_key_positions": "annual",
    "hrss_training": "monthly", "hrss_prevention_projects": "annual", "em_accidents": "monthly",
    "em_hazards": "monthly", "nhc_occupational_disease": "monthly", "nhc_hazard_monitoring": "monthly",
    "acftu_supervision": "quarterly", "province_reports": "annual",
}
BASELINE_PERIOD = {"monthly": "202001", "quarterly": "2020Q1", "annual": "2020"}


def test_the_eleven_feeds_of_the_spec_and_their_spans():
    """The spec's eleven feeds are there with their cadence and are expected from the baseline
    year on (so their figures are what they were before spans existed). Feeds added later are
    not pinned here: each must state its own span, which the loader enforces."""
    contracts = load_contracts()
    assert {feed: contracts[feed].cadence for feed in SPEC_FEEDS if feed in contracts} == SPEC_FEEDS
    for feed, cadence in SPEC_FEEDS.items():
        assert (contracts[feed].first_period, contracts[feed].last_period) == (BASELINE_PERIOD[cadence], None), feed
    for contract in contracts.values():
        assert contract.first_period and contract.in_span(contract.first_period)
    claims = contracts["hrss_injury_claims"]
    assert claims.column("person_id").pii == "pseudonymise" and not claims.column("name").loaded
    assert contracts["hrss_key_positions"].key == ("uscc", "person_id")
    assert contracts["province_reports"].key == ("report_type", "report_year")
    assert not contracts["province_reports"].expected_in_delivery_share


@pytest.mark.parametrize("broken", [
    {"type": "money"}, {"range_severity": "X"}, {"not_before": "nowhere"}, {"values": ["a"]},
])
def test_inconsistent_contracts_are_refused(broken):
    data = json.loads(json.dumps(TOY))
    parse_contract(data)
    data["columns"][0].update(broken)
    with pytest.raises(ContractError):
        parse_contract(data)


@pytest.mark.parametrize("change, message", [
    ({"first_period": None}, "'first_period' is missing"),
    ({"first_period": "202401"}, "is not a quarterly period (write it like '2024Q1')"),
    ({"first_period": "2024Q5"}, "is not a quarterly period"),
    ({"last_period": "2023Q4"}, "last_period 2023Q4 is before first_period 2024Q1"),
    ({"agency": "mof"}, "agency must be one of"),
    ({"first_periods": "2024Q1"}, "unknown keys ['first_periods']"),
    ({"snapshot": True, "latest_period_is_current": True}, "latest_period_is_current applies to the other feeds"),
])
def test_a_span_and_the_top_level_keys_are_checked_with_a_clear_message(change, message):
    data = json.loads(json.dumps(TOY))
    for key, value in change.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    with pytest.raises(ContractError) as caught:
        parse_contract(data)
    assert message in str(caught.value)


def test_a_span_says_which_periods_a_feed_is_expected_in():
    data = json.loads(json.dumps(TOY))
    data["last_period"] = "2025Q2"
    contract = parse_contract(data)
    assert [p for p in ("2023Q4", "2024Q1", "2024Q4", "2025Q2", "2025Q3") if contract.in_span(p)] == \
        ["2024Q1", "2024Q4", "2025Q2"]


def test_ipx_contracts_dir_adds_feeds_and_refuses_a_feed_defined_twice(tmp_path, monkeypatch):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "toy_inspections.yaml").write_text(yaml.safe_dump(TOY, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("IPX_CONTRACTS_DIR", str(extra))
    contracts = load_contracts()
    assert list(contracts)[-1] == "toy_inspections" and set(SPEC_FEEDS) < set(contracts)
    (extra / "hrss_employers.yaml").write_text((CONTRACTS_DIR / "hrss_employers.yaml").read_text(encoding="utf-8"),
                                                encoding="utf-8")
    with pytest.raises(ContractError, match="defined twice"):
        load_contracts()
    monkeypatch.setenv("IPX_CONTRACTS_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(ContractError, match="does not exist"):
        load_contracts()


def test_expectation_suites_in_the_repository_match_the_contracts():
    for feed, contract in load_contracts().items():
        assert suite_path(EXPECTATIONS_DIR, feed).read_text(encoding="utf-8") == render(suite_spec(contract)), \
            f"expectations/{feed}.json is stale: run `ipx expectations`"


def test_a_twelfth_feed_is_one_contract_file_plus_its_staging_model(tmp_path):
    """Adding a feed: a contract YAML gives parsing, validation, the raw table and the suite; a
    staging model (SQL + YAML) brings it into dbt. Nothing else changes."""
    contracts_dir = tmp_path / "contracts"
    shutil.copytree(CONTRACTS_DIR, contracts_dir)
    (contracts_dir / "toy_inspections.yaml").write_text(yaml.safe_dump(TOY, allow_unicode=True), encoding="utf-8")
    contracts = load_contracts(contracts_dir)
    assert "toy_inspections" in contracts

    landing, warehouse = tmp_path / "landing", tmp_path / "wh.duckdb"
    rows = [{"toy_no": "T1", "uscc": uscc(1), "person_id": ric(1), "name": "甲", "score": "88", "checked_on": "2024/2/3"},
            {"toy_no": "T2", "uscc": uscc(2), "person_id": ric(2), "name": "乙", "score": "120", "checked_on": "2024-02-04"},
            {"toy_no": "", "uscc": uscc(3), "person_id": ric(3), "name": "丙", "score": "1", "checked_on": "2024-02-05"}]
    write_delivery(landing, "toy_inspections", rows, period="2024Q1", header_row=["编号", "统一社会信用代码",
                   "公民身份号码", "姓名", "得分", "检查日期"], columns=list(rows[0]))
    con = duckdb.connect(str(warehouse))
    results = ingest_landing(con, landing, {"toy_inspections": contracts["toy_inspections"]},
                             IngestContext(tmp_path / "archive", b"\x03" * 32, HmacPads.from_key(b"k"), "toy"))
    assert [(r.status, r.loaded, r.rejected, r.flagged) for r in results] == [("loaded", 2, 1, 1)]
    columns = [r[0] for r in con.execute("DESCRIBE raw.toy_inspections").fetchall()]
    assert columns == [name for name, _ in raw_columns(contracts["toy_inspections"])]
    assert "name" not in columns and "person_pseudonym" in columns
    assert any(e["type"] == "expect_column_values_to_not_be_null" and e["kwargs"]["column"] == "toy_no"
               for e in suite_spec(contracts["toy_inspections"])["expectations"])
    con.close()

    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    staging = project / "models" / "staging"
    (staging / "stg_toy_inspections.sql").write_text(
        "with current_records as (\n    {{ current_version('toy_inspections') }}\n)\n\n"
        "select toy_no, uscc, person_pseudonym, {{ unflagged('score') }} as score, checked_on,\n"
        "    {{ lineage_columns() }}\nfrom current_records\n", encoding="utf-8")
    (staging / "stg_toy_inspections.yml").write_text(
        "version: 2\n\nsources:\n  - name: raw\n    schema: raw\n    tables:\n      - name: toy_inspections\n\n"
        "models:\n  - name: stg_toy_inspections\n    columns:\n      - name: toy_no\n        data_tests: [not_null]\n",
        encoding="utf-8")
    dbt = Path(sys.executable).parent / "dbt"
    env = {"IPX_WAREHOUSE": str(warehouse), "PATH": str(dbt.parent), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    done = subprocess.run([str(dbt), "build", "--select", "stg_toy_inspections", "--project-dir", str(project),
                           "--profiles-dir", str(project)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("SELECT toy_no, score FROM staging.stg_toy_inspections ORDER BY 1").fetchall() == \
        [("T1", 88), ("T2", None)]
