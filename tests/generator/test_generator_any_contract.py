"""Any contract can be generated: a feed added by a contract file alone (here in an extra folder
named by ``IPX_CONTRACTS_DIR``) gets plausible records from its column types and rules, only
inside its life span, with the same untidiness, injected defects and ground truth as the
eleven feeds — and the eleven feeds' files stay byte for byte what they were."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml
from conftest import SMALL_SEED
from landing_checks import check_file, norm

from ipx.contracts import load_contracts
from ipx.generator import generate
from ipx.generator.feeds import BUILTIN_FEEDS

HEALTH_CHECKS = {   # the twelfth feed of issue 13
    "feed": "nhc_health_checks", "title_zh": "职业健康检查", "agency": "nhc", "cadence": "monthly",
    "first_period": "202201", "key": ["exam_no"],
    "columns": [
        {"name": "exam_no", "header": "体检编号", "type": "text", "required": True},
        {"name": "uscc", "header": "统一社会信用代码", "type": "uscc", "required": True},
        {"name": "person_id", "header": "公民身份号码", "type": "resident_id", "required": True, "pii": "pseudonymise"},
        {"name": "name", "header": "姓名", "type": "text", "pii": "drop"},
        {"name": "exam_date", "header": "体检日期", "type": "date", "required": True},
        {"name": "report_date", "header": "报告日期", "type": "date", "not_before": "exam_date"},
        {"name": "exam_type", "header": "检查类别", "type": "enum", "required": True,
         "values": ["上岗前", "在岗期间", "离岗时", "应急"]},
        {"name": "conclusion", "header": "体检结论", "type": "enum", "required": True,
         "values": ["目前未见异常", "复查", "疑似职业病", "职业禁忌证", "其他疾病或异常"]},
        {"name": "abnormal_items", "header": "异常项目数", "type": "int", "min": 0, "max": 30},
    ],
}
PERMITS = {   # a retired quarterly snapshot feed with the remaining types and a W range
    "feed": "em_safety_permits", "title_zh": "安全生产许可", "agency": "em", "cadence": "quarterly",
    "first_period": "2021Q3", "last_period": "2022Q2", "snapshot": True, "key": ["uscc"],
    "columns": [
        {"name": "uscc", "header": "统一社会信用代码", "type": "uscc", "required": True},
        {"name": "employer_name", "header": "单位名称", "type": "text", "required": True},
        {"name": "area_code", "header": "行政区划代码", "type": "area_code", "required": True},
        {"name": "industry_code", "header": "行业代码", "type": "industry_code", "required": True},
        {"name": "permit_level", "header": "许可等级", "type": "grade", "min": 1, "max": 3},
        {"name": "issued_at", "header": "发证时间", "type": "datetime", "required": True},
        {"name": "deposit_yuan", "header": "风险抵押金", "type": "amount", "min": 0},
        {"name": "staff", "header": "从业人数", "type": "int", "required": True, "min": 0},
        {"name": "certified_staff", "header": "持证人数", "type": "int", "min": 0, "not_above": "staff"},
        {"name": "score_pct", "header": "标准化得分", "type": "percent", "min": 60, "max": 100, "range_severity": "W"},
    ],
}
NEW = ("nhc_health_checks", "em_safety_permits")


def _digest(root: Path, feeds) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for feed in feeds for p in sorted((root / feed).iterdir())}


@pytest.fixture(scope="module")
def twelve(tmp_path_factory, small_landing):
    extra = tmp_path_factory.mktemp("extra_contracts")
    for spec in (HEALTH_CHECKS, PERMITS):
        (extra / f"{spec['feed']}.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    out = tmp_path_factory.mktemp("thirteen_feeds")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IPX_CONTRACTS_DIR", str(extra))
        contracts = load_contracts()
        truth = generate(out, scale="small", seed=SMALL_SEED)
    return out, truth, contracts


def test_the_eleven_feeds_are_unchanged_by_new_contracts(twelve, small_landing):
    out, truth, contracts = twelve
    base, base_truth = small_landing
    eleven = list(BUILTIN_FEEDS)
    assert len(eleven) == 11 and set(eleven) | set(NEW) <= set(contracts)
    assert _digest(out, eleven) == _digest(base, eleven)
    for part in ("files", "injections"):
        assert [x for x in truth[part] if x["feed"] in eleven] == [x for x in base_truth[part] if x["feed"] in eleven]


def test_new_feeds_are_delivered_only_inside_their_span(twelve):
    _, truth, _ = twelve
    periods = {feed: sorted({f["period"] for f in truth["files"] if f["feed"] == feed}
                            | {i["period"] for i in truth["injections"] if i["feed"] == feed
                               and i["kind"] == "missing_slice"}) for feed in NEW}
    assert periods["nhc_health_checks"] == [f"2022{m:02d}" for m in range(1, 13)]
    assert periods["em_safety_permits"] == ["2021Q3", "2021Q4", "2022Q1", "2022Q2"]
    assert {f["province"] for f in truth["files"] if f["feed"] in NEW} == set(truth["provinces"])


def test_every_record_of_the_new_feeds_has_the_fate_the_ground_truth_says(twelve):
    """The independent reading of the spec (``landing_checks``) agrees with the ground truth on
    every record: clean records pass every rule of the contract, each defect breaks exactly one."""
    out, truth, contracts = twelve
    checked = 0
    for f in truth["files"]:
        if f["feed"] not in NEW or f["outcome"] != "loaded":
            continue
        result = check_file(out / f["feed"] / f["file"], contracts[f["feed"]], f["encoding"])
        assert not result["problems"], (f["file"], result["problems"])
        assert (result["records"], result["rejected"], result["flagged"]) == \
            (f["records"], f["rejected"], f["flagged"]), f["file"]
        checked += result["records"]
    assert checked > 300


def test_new_feeds_carry_defects_untidiness_and_unique_keys(twelve):
    out, truth, contracts = twelve
    kinds = {feed: {(i["kind"], i.get("field")) for i in truth["injections"] if i["feed"] == feed} for feed in NEW}
    assert {("invalid_uscc_check", "uscc"), ("invalid_ric_check", "person_id"), ("impossible_birth_date", "person_id"),
            ("date_before_reference", "report_date"),
            ("value_above_max", "abnormal_items"), ("negative_value", "abnormal_items"),
            ("duplicate_key_in_file", "exam_no")} <= kinds["nhc_health_checks"]
    fields = {kind: {fld for k, fld in kinds["nhc_health_checks"] if k == kind} for kind in ("missing_required", "bad_enum")}
    assert fields["missing_required"] and fields["missing_required"] <= {"uscc", "person_id", "exam_date", "exam_type",
                                                                          "conclusion"}
    assert fields["bad_enum"] and fields["bad_enum"] <= {"exam_type", "conclusion"}
    assert {("value_out_of_range", "score_pct"), ("area_other_province", "area_code"),
            ("unknown_industry_division", "industry_code"), ("bad_date", "issued_at"),
            ("duplicate_key_in_file", "uscc")} <= kinds["em_safety_permits"]
    styles = {i["kind"] for i in truth["injections"] if i["feed"] in NEW and i["expect"] == "load"}
    assert {"shuffled_columns", "padded_values", "xlsx_title_total_rows", "gb18030"} <= styles
    # Keys: exam numbers never repeat across slices (but for the injected in-file duplicates);
    # a snapshot repeats its USCCs across slices by design, never within one.
    seen: dict[str, str] = {}
    for f in truth["files"]:
        if f["feed"] != "nhc_health_checks" or f["outcome"] != "loaded" or f["seq"] != "01":
            continue
        result = check_file(out / f["feed"] / f["file"], contracts[f["feed"]], f["encoding"])
        col = [norm(h) for h in result["headers"]].index("体检编号")
        for n, row in enumerate(result["rows"], start=1):
            if str(n) in f["rejected"]:
                continue
            key = norm(row[col])
            assert key not in seen, (key, f["file"], seen.get(key))
            seen[key] = f["file"]
    assert len(seen) > 200


def test_no_personal_data_of_new_feeds_in_the_ground_truth(twelve):
    out, truth, contracts = twelve
    text = json.dumps(truth, ensure_ascii=False)
    people = set()
    for f in truth["files"]:
        if f["feed"] != "nhc_health_checks" or f["outcome"] != "loaded":
            continue
        result = check_file(out / f["feed"] / f["file"], contracts[f["feed"]], f["encoding"])
        for header in ("公民身份号码", "姓名"):
            col = [norm(h) for h in result["headers"]].index(header)
            people.update(norm(r[col]) for r in result["rows"] if norm(r[col]))
    assert len(people) > 400
    assert not [p for p in people if p in text]
