"""The generated worlds give premium-rate floating (spec section 6) something to show: in every
province, employers of every status (新参保, 未分类, grades -2..+2), employers whose deaths,
grade 1-4 disabilities, occupational-disease reports or overdue rectification items move their
grade, and class-1 employers; in realistic proportions, with premium rates that follow the class
base rates and benefits/premium ratios of a plausible size.

Computed here, compactly, over the generator's canonical records (what the exports carry before
any injected defect); tests/pipeline/test_floating_and_evaluation.py checks the built warehouse."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from ipx.contracts import load_contracts
from ipx.generator import industries as ind
from ipx.generator.delivery import guarantee_delivery_kinds, plan_province_feed
from ipx.generator.feeds import build_feed_rows
from ipx.generator.profiles import province_profiles
from ipx.generator.scales import get_scale
from ipx.generator.world import build_world
from ipx.reference import exposure_limits

RECOGNISED = ("认定工伤", "视同工伤")


def _rows(scale_name: str, seed: int, provinces: list[str]) -> dict[str, dict]:
    scale = get_scale(scale_name)
    contracts = load_contracts()
    profiles = province_profiles(scale, seed)
    plans = {(f, p): plan_province_feed(scale, seed, contracts[f], profiles[p])
             for f in contracts for p in scale.provinces}
    guarantee_delivery_kinds(scale, seed, plans)
    out = {}
    for p in provinces:
        world = build_world(scale, seed, p, profiles[p])
        out[p] = build_feed_rows(world, {f: plans[(f, p)] for f in contracts})
    return out


def _cycle(rows: dict, province: str, year: int) -> list[dict]:
    """Per employer of the cycle's last snapshot: its figures and grade (spec section 6)."""
    window = [f"{y}Q{q}" for y in (year - 2, year - 1, year) for q in range(1, 5)]
    e = rows["hrss_employers"]
    in_window = np.isin(e.period, window)
    last = max(p for p in e.period[in_window].tolist())
    lo, hi = np.datetime64(f"{year - 2}-01-01"), np.datetime64(f"{year}-12-31")

    c = rows["hrss_injury_claims"].columns
    recognised = np.isin(c["decision"], RECOGNISED) & (c["decision_date"] >= lo) & (c["decision_date"] <= hi)
    claims: dict[str, list[int]] = {}
    for u, paid, fatal, grade in zip(c["uscc"][recognised].tolist(), c["fund_paid_yuan"][recognised].tolist(),
                                     c["fatal"][recognised].tolist(), c["disability_grade"][recognised].tolist()):
        agg = claims.setdefault(u, [0, 0.0, 0, 0])
        agg[0] += 1
        agg[1] += paid
        agg[2] += fatal == "是"
        agg[3] += 1 <= grade <= 4
    od = rows["nhc_occupational_disease"].columns
    od_in = (od["diagnosis_date"] >= lo) & (od["diagnosis_date"] <= hi)
    od_count = Counter(od["uscc"][od_in].tolist())
    overdue = Counter(_overdue_items(rows, lo, hi))

    ec = e.columns
    by_uscc: dict[str, list[int]] = {}
    for i in np.flatnonzero(in_window).tolist():
        by_uscc.setdefault(ec["uscc"][i], []).append(i)
    out = []
    for i in np.flatnonzero(e.period == last).tolist():
        u = ec["uscc"][i]
        cls = int(ec["risk_class"][i])
        recs = by_uscc[u]
        base = ind.base_rates(province)[cls - 1] if 1 <= cls <= 8 else None
        premium = sum(ec["payroll_yuan"][j] * (ec["premium_rate_pct"][j] if 0 < ec["premium_rate_pct"][j] <= 3
                                                 else base) / 100 for j in recs)
        n, benefits, deaths, severe = claims.get(u, [0, 0.0, 0, 0])
        row = {"uscc": u, "risk_class": cls, "quarters": len(recs), "premium": premium, "claims": n,
               "benefits": benefits, "deaths": deaths, "severe": severe, "od": od_count[u], "overdue": overdue[u]}
        if base is None:
            row.update(status="未分类", grade=None, record_grade=None)
        elif len(recs) < 4:
            row.update(status="新参保", grade=0, record_grade=None)
        else:
            g = (0 if n == 0 else 2) if premium == 0 else -2 if n == 0 else -1 if benefits <= 0.5 * premium \
                else 0 if benefits <= premium else 1 if benefits <= 1.5 * premium else 2
            row["record_grade"] = g
            if deaths or severe or od_count[u]:
                g = max(g, 0)
            if deaths >= 2:
                g = max(g, 1)
            row["severity_grade"] = g
            g += overdue[u] >= 1
            row["prevention_grade"] = g
            g = min(2, max(0 if cls == 1 else -2, g))
            row.update(grade=g, status={-2: "下浮", -1: "下浮", 0: "不浮动", 1: "上浮", 2: "上浮"}[g])
        out.append(row)
    return out


def _overdue_items(rows: dict, lo, hi) -> list[str]:
    limits = {(lim.factor, lim.metric): lim.limit_value for lim in exposure_limits()}
    s = rows["nhc_hazard_monitoring"].columns
    out = []
    for u, f, m, v, d, day, r in zip(s["uscc"].tolist(), s["factor"].tolist(), s["metric"].tolist(),
                                     s["value"].tolist(), s["deadline"], s["sample_date"], s["rectified_date"]):
        limit = limits.get((f, m))
        if limit is None or not v > limit:
            continue
        deadline = day + np.timedelta64(30, "D") if np.isnat(d) else d
        if lo <= deadline <= hi and (np.isnat(r) or r > deadline):
            out.append(u)
    h = rows["em_hazards"]
    current: dict[str, int] = {}
    for i, (no, period) in enumerate(zip(h.columns["hazard_no"].tolist(), h.period.tolist())):
        if no not in current or period >= h.period[current[no]]:
            current[no] = i
    for i in current.values():
        c = h.columns
        if c["level"][i] == "重大隐患" and lo <= c["deadline"][i] <= hi \
                and (np.isnat(c["rectified_date"][i]) or c["rectified_date"][i] > c["deadline"][i]):
            out.append(c["uscc"][i])
    return out


def _movers(employers: list[dict]) -> Counter:
    """How many graded employers each modifier of steps 3-5 moved."""
    out = Counter()
    for r in employers:
        g = r["record_grade"]
        if g is None:
            continue
        out["deaths"] += g < 0 and r["deaths"] >= 1
        out["two_deaths"] += g < 1 and r["deaths"] >= 2
        out["severe"] += g < 0 and r["severe"] >= 1
        out["od"] += g < 0 and r["od"] >= 1
        out["overdue"] += r["overdue"] >= 1 and r["grade"] > min(2, max(0 if r["risk_class"] == 1 else -2,
                                                                        r["severity_grade"]))
        out["class_1"] += r["risk_class"] == 1 and r["prevention_grade"] < 0
    return +out


def _check_cycle(employers: list[dict], where: str) -> Counter:
    statuses = Counter(r["status"] for r in employers)
    grades = Counter(r["grade"] for r in employers if r["status"] not in ("新参保", "未分类"))
    assert {"新参保", "未分类", "下浮", "不浮动", "上浮"} <= set(statuses), (where, statuses)
    assert set(grades) == {-2, -1, 0, 1, 2}, (where, grades)
    n = len(employers)
    # the rarer statuses are present, not dominant
    assert statuses["未分类"] <= max(4, 0.03 * n) and statuses["新参保"] <= 0.1 * n, (where, statuses)
    assert max(grades.values()) < 0.5 * n, (where, grades)
    for figure in ("deaths", "severe", "od", "overdue"):
        assert any(r[figure] for r in employers), (where, figure)
    assert any(r["risk_class"] == 1 for r in employers), where
    graded = [r for r in employers if r["record_grade"] is not None]
    # benefits / premium over the three years: of the order of the real fund's (below 1, not negligible)
    ratio = sum(r["benefits"] for r in graded) / sum(r["premium"] for r in graded)
    assert 0.3 < ratio < 1.2, (where, ratio)
    return _movers(employers)


def _check_rates(rows: dict, province: str) -> None:
    c = rows["hrss_employers"].columns
    rate, cls = c["premium_rate_pct"], c["risk_class"]
    assert ((rate > 0) & (rate <= 3)).mean() > 0.99, province
    known = (cls >= 1) & (cls <= 8)
    base = np.array(ind.base_rates(province))[cls[known] - 1]
    assert np.isin(np.round(rate[known] / base, 4), [0.5, 0.8, 1.0, 1.2, 1.5]).all(), province


MODIFIERS = {"deaths", "two_deaths", "severe", "od", "overdue", "class_1"}


def test_small_floating_cycle_has_every_status_in_every_province():
    movers = Counter()
    for province, rows in _rows("small", 7, ["440000", "510000", "660000"]).items():
        _check_rates(rows, province)
        movers += _check_cycle(_cycle(rows, province, 2022), f"small {province} 2022")
    assert set(movers) == MODIFIERS, movers    # each modifier moves some employer's grade


@pytest.mark.slow
def test_demo_floating_cycles_have_every_status():
    """Three provinces of the demo (a large one, one with its own key industries, a small one),
    every cycle the demo years allow."""
    movers = Counter()
    for province, rows in _rows("demo", 20250101, ["440000", "330000", "640000"]).items():
        _check_rates(rows, province)
        for year in (2022, 2023, 2024, 2025):
            movers += _check_cycle(_cycle(rows, province, year), f"demo {province} {year}")
    assert set(movers) == MODIFIERS, movers


def test_unclassified_employers_are_blank_in_every_snapshot_and_few():
    rows = _rows("small", 7, ["660000"])["660000"]
    c = rows["hrss_employers"].columns
    blank = set(c["uscc"][c["risk_class"] < 0].tolist())
    assert 1 <= len(blank) <= 5
    assert all(c["risk_class"][c["uscc"] == u].max() < 0 for u in blank)
