"""R rules reject a record alone; W rules load it flagged (spec sections 1-3)."""

import pytest

from ipx.identifiers import RIC_CHECK, USCC_CHARSET
from support.deliveries import accident, bad_check, claim, employer, ric, sample, training, uscc, write_delivery


def _one(ingest, query, feed):
    result = ingest()[0]
    assert result.status == "loaded", result
    rejects = query("SELECT record_no, field, rule FROM ingest.rejected_records ORDER BY record_no")
    flags = query(f"SELECT _record_no, _flags, _flag_rules FROM raw.{feed} WHERE len(_flags) > 0 ORDER BY 1")
    return result, rejects, flags


REJECTIONS = [
    ("hrss_injury_claims", claim(2, uscc=bad_check(uscc(2), USCC_CHARSET)), "uscc", "uscc_check"),
    ("hrss_injury_claims", claim(2, uscc="91440300MA5"), "uscc", "uscc_format"),
    ("hrss_injury_claims", claim(2, person_id=bad_check(ric(2), RIC_CHECK)), "person_id", "ric_check"),
    ("hrss_injury_claims", claim(2, person_id=ric(2, birth="19850230")), "person_id", "ric_birth_date"),
    ("hrss_injury_claims", claim(2, decision=""), "decision", "required"),
    ("hrss_injury_claims", claim(2, decision_date="2024-02-01"), "decision_date", "not_before"),
    ("hrss_injury_claims", claim(2, incident_date="2024-02-31"), "incident_date", "date"),
    ("hrss_injury_claims", claim(2, harm_type="轻伤"), "harm_type", "enum"),
    ("hrss_injury_claims", claim(2, disability_grade="11"), "disability_grade", "range_max"),
    ("hrss_injury_claims", claim(2, fund_paid_yuan="-5"), "fund_paid_yuan", "range_min"),
    ("hrss_injury_claims", claim(2, accident_category=""), "accident_category", "required_when"),
    ("hrss_training", training(2, hours="0"), "hours", "range_min"),
    ("hrss_training", training(2, hours="八"), "hours", "dec"),
    ("em_accidents", accident(2, area_code="510104"), "area_code", "area_province"),
    ("em_accidents", accident(2, industry_code="2A"), "industry_code", "industry_format"),
    ("em_accidents", accident(2, deaths="1.5"), "deaths", "int"),
]


@pytest.mark.parametrize("feed,bad,field,rule", REJECTIONS)
def test_r_rule_rejects_the_record_alone(landing, ingest, query, feed, bad, field, rule):
    good = {"hrss_injury_claims": claim, "hrss_training": training, "em_accidents": accident}[feed]
    write_delivery(landing, feed, [good(1), bad, good(3)])
    result, rejects, _ = _one(ingest, query, feed)
    assert (result.loaded, result.rejected) == (2, 1)
    assert rejects == [(2, field, rule)]


def test_occupational_disease_claim_needs_no_accident_class(landing, ingest, query):
    write_delivery(landing, "hrss_injury_claims", [claim(1, harm_type="职业病", accident_category="",
                                                         disease_name="矽肺")])
    result, rejects, _ = _one(ingest, query, "hrss_injury_claims")
    assert (result.loaded, rejects) == (1, [])


def test_duplicate_key_rejects_the_later_records(landing, ingest, query):
    write_delivery(landing, "hrss_training", [training(1), training(2), training(1, hours="4"), training(1)])
    result, rejects, _ = _one(ingest, query, "hrss_training")
    assert rejects == [(3, "record_no", "duplicate_key"), (4, "record_no", "duplicate_key")]
    assert query("SELECT hours FROM raw.hrss_training WHERE record_no = 'PX000001'") == [(8,)]


def test_composite_key_of_the_roster(landing, ingest, query):
    rows = [{"uscc": uscc(1), "person_id": ric(1), "name": "王五", "role": "分管负责人"},
            {"uscc": uscc(1), "person_id": ric(1).lower(), "name": "王五", "role": "一线班组长"},
            {"uscc": uscc(2), "person_id": ric(1), "name": "王五", "role": "一线班组长"}]
    write_delivery(landing, "hrss_key_positions", rows, period="2024", exported_at="2025-01-05T09:00:00+08:00")
    _, rejects, _ = _one(ingest, query, "hrss_key_positions")
    assert rejects == [(2, "uscc", "duplicate_key")]


FLAGS = [
    ("hrss_employers", employer(2, risk_class="9"), "risk_class", "range_max"),
    ("hrss_employers", employer(2, premium_rate_pct="3.5%"), "premium_rate_pct", "range_max"),
    ("hrss_employers", employer(2, premium_rate_pct="0"), "premium_rate_pct", "range_min"),
    ("hrss_employers", employer(2, industry_code="99"), "industry_code", "industry_division"),
    ("hrss_employers", employer(2, industry_code="B2614"), "industry_code", "industry_section"),
    ("em_accidents", accident(2, deaths="3", severity="一般"), "severity", "severity_mismatch"),
    ("nhc_hazard_monitoring", sample(2, factor="石棉粉尘"), "factor", "factor_unknown"),
    ("nhc_hazard_monitoring", sample(2, factor="苯", metric="C_ME"), "factor", "metric_without_limit"),
    ("nhc_hazard_monitoring", sample(2, unit="dB(A)"), "unit", "unit_mismatch"),
]


@pytest.mark.parametrize("feed,bad,field,rule", FLAGS)
def test_w_rule_loads_the_record_flagged(landing, ingest, query, feed, bad, field, rule):
    good = {"hrss_employers": employer, "em_accidents": accident, "nhc_hazard_monitoring": sample}[feed]
    period = "2024Q1" if feed == "hrss_employers" else "202403"
    write_delivery(landing, feed, [good(1), bad, good(3)], period=period)
    result, rejects, flags = _one(ingest, query, feed)
    assert (result.loaded, result.rejected, result.flagged) == (3, 0, 1)
    assert flags == [(2, [field], [rule])]


def test_resolved_above_suggestions_is_flagged(landing, ingest, query):
    base = {"inspection_no": "JD1", "uscc": uscc(1), "inspection_date": "2024-02-02", "issues_found": "3",
            "suggestions": "2", "resolved": "2", "worker_complaints": "0"}
    write_delivery(landing, "acftu_supervision", [base, {**base, "inspection_no": "JD2", "resolved": "3"}],
                   period="2024Q1")
    _, _, flags = _one(ingest, query, "acftu_supervision")
    assert flags == [(2, ["resolved"], ["not_above"])]


def test_severity_that_matches_the_counts_is_not_flagged(landing, ingest, query):
    rows = [accident(1, deaths="3", severity="较大"), accident(2, serious_injuries="50", severity="重大"),
            accident(3, direct_loss_10k_yuan="10000", severity="特别重大"), accident(4)]
    write_delivery(landing, "em_accidents", rows)
    result, _, flags = _one(ingest, query, "em_accidents")
    assert (result.loaded, flags) == (4, [])


def test_factor_written_with_half_width_brackets_matches_the_limit_table(landing, ingest, query):
    write_delivery(landing, "nhc_hazard_monitoring", [sample(1, factor="矽尘(总尘)"), sample(2, unit="mg/m3")])
    _, _, flags = _one(ingest, query, "nhc_hazard_monitoring")
    assert flags == []
    assert query("SELECT DISTINCT factor, unit FROM raw.nhc_hazard_monitoring") == [("矽尘（总尘）", "mg/m³")]


def test_rejected_record_keeps_reasons_but_no_personal_data(landing, ingest, query):
    person = ric(5)
    write_delivery(landing, "hrss_injury_claims", [claim(5, uscc="BAD", decision_date="2024-01-01", name="赵六")])
    _, rejects, _ = _one(ingest, query, "hrss_injury_claims")
    assert rejects == [(1, "uscc", "uscc_format")]
    reason, record = query("SELECT reason, CAST(record AS VARCHAR) FROM ingest.rejected_records")[0]
    assert "uscc_format" in reason and "not_before" in reason
    assert person not in record and "赵六" not in record and '"person_id"' in record
