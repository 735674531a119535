"""A second, independent computation of premium-rate floating (spec section 6), written from the
spec's text in plain Python over the raw layer (raw.* and the ingestion ledger, read through
``independent_figures.RawLayer``), sharing no code with the dbt models. Amounts are exact
decimals and bands are compared without dividing, so boundary cases land where the spec says.

``floating(raw, year)`` gives one dict per employer with the export's 25 columns (spec section 6
order, published rounding) plus a few unrounded figures the tests use."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pandas as pd
from independent_figures import Figures, RawLayer

from ipx import reference

RECOGNISED = {"认定工伤", "视同工伤"}
DEFAULT_BASE_RATES = {c: Decimal(r) for c, r in zip(range(1, 9), ["0.2", "0.4", "0.7", "0.9", "1.1", "1.3",
                                                                     "1.6", "1.9"])}
MULTIPLIERS = {-2: Decimal("0.5"), -1: Decimal("0.8"), 0: Decimal("1.0"), 1: Decimal("1.2"), 2: Decimal("1.5")}
STATUS_OF_GRADE = {-2: "下浮", -1: "下浮", 0: "不浮动", 1: "上浮", 2: "上浮"}

EXPORT_COLUMNS = [
    "province_code", "province_name", "cycle_end_year", "uscc", "employer_name", "industry_code", "risk_class",
    "quarters", "premium_yuan", "benefits_yuan", "ratio", "claims", "deaths", "severe", "od_reports",
    "overdue_items", "grade", "status", "current_rate_pct", "base_rate_pct", "recommended_rate_pct",
    "current_premium_yuan", "projected_premium_yuan", "change_yuan", "reasons",
]


def q(value, digits: int):
    """Half-up rounding of an exact Decimal (None stays None)."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _dec(value) -> Decimal | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return Decimal(str(value))


def base_rates(province: str) -> dict[int, Decimal]:
    """Base rates by class: the spec's defaults, or the province's own where the project's
    configuration has them (spec section 6: "per province where a province has its own")."""
    rows = reference.read_seed("floating_base_rates")
    rates = dict(DEFAULT_BASE_RATES)
    for code in ("000000", province):
        rates.update({int(r["risk_class"]): Decimal(r["base_rate_pct"]) for r in rows if r["province_code"] == code})
    return rates


def _qlabel(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def window_labels(year: int) -> list[str]:
    return [_qlabel(y, n) for y in (year - 2, year - 1, year) for n in range(1, 5)]


def valid_rate(rate: Decimal | None) -> bool:
    return rate is not None and Decimal(0) < rate <= Decimal(3)


def record_grade(premium: Decimal, claims: int, benefits: Decimal) -> tuple[int, str]:
    """Step 2 of the grade, with the Chinese reason (bands compared without dividing)."""
    if premium == 0:
        return (0, "缴费为0且无认定工伤：不浮动") if claims == 0 else (2, f"缴费为0但有认定工伤 {claims} 件：上浮两档")
    if claims == 0:
        return -2, "周期内无认定工伤：下浮两档"
    with localcontext() as ctx:
        ctx.prec = 60
        ratio = q(benefits / premium, 4)
    if benefits * 2 <= premium:
        return -1, f"支缴率 {ratio} ≤ 0.5：下浮一档"
    if benefits <= premium:
        return 0, f"支缴率 {ratio} ≤ 1.0：不浮动"
    if benefits * 2 <= premium * 3:
        return 1, f"支缴率 {ratio} ≤ 1.5：上浮一档"
    return 2, f"支缴率 {ratio} > 1.5：上浮两档"


def grade_employer(risk_class: int, premium: Decimal, claims: int, benefits: Decimal, deaths: int, severe: int,
                   od_reports: int, overdue: int) -> tuple[int, int, list[str]]:
    """Steps 2-5: (record grade, final grade, reasons)."""
    g, why = record_grade(premium, claims, benefits)
    first = g
    reasons = [why]
    if deaths >= 1 or severe >= 1 or od_reports >= 1:
        if g < 0:
            g = 0
        reasons.append(f"死亡 {deaths} 人、一至四级伤残 {severe} 人、职业病报告 {od_reports} 例：不下浮")
    if deaths >= 2 and g < 1:
        g = 1
        reasons.append(f"死亡 {deaths} 人：至少上浮一档")
    if overdue >= 1:
        g += 1
        reasons.append(f"逾期未整改 {overdue} 项：上浮一档")
    low = 0 if risk_class == 1 else -2
    if g < low or g > 2:
        g = min(2, max(low, g))
        reasons.append("一类行业只上浮不下浮" if risk_class == 1 and g == low else "浮动不超过两档")
    return first, g, reasons


class Floating:
    """Spec section 6 over the raw layer."""

    def __init__(self, raw: RawLayer, figures: Figures | None = None):
        self.raw = raw
        self.figures = figures or Figures(raw)      # for spec 4.1's exceedances (assessed_samples)
        self.employers = raw.current("hrss_employers")
        self.claims = raw.current("hrss_injury_claims")
        self.od = raw.current("nhc_occupational_disease")
        self.hazards = raw.current("em_hazards")

    def snapshot_quarters(self, province: str) -> list[str]:
        """Quarters with an accepted hrss_employers slice of the province."""
        f = self.raw.files
        sel = f[(f.feed == "hrss_employers") & (f.status == "loaded") & (f.province == province)]
        return sorted(set(sel.period))

    def cycle_computed(self, province: str, year: int) -> bool:
        quarters = self.snapshot_quarters(province)
        return any(p.startswith(str(year)) for p in quarters) and any(p.startswith(str(year - 2)) for p in quarters)

    def provinces(self) -> list[str]:
        f = self.raw.files
        return sorted(set(f[(f.feed == "hrss_employers") & (f.status == "loaded")].province))

    def overdue_items(self, province: str, start: dt.date, end: dt.date) -> dict[str, int]:
        """Items of "rectified on time" (exceeding samples; 重大隐患 in their current state) with the
        deadline in the window and not rectified on or before it, per USCC."""
        items = [(u, d, r) for u, e, d, r in self.figures.assessed_samples(province)[
            ["uscc", "exceeds", "deadline", "rectified_date"]].itertuples(index=False) if e]
        h = self.hazards[(self.hazards._province == province) & (self.hazards.level == "重大隐患")]
        items += list(zip(h.uscc, h.deadline, h.rectified_date))
        out: dict[str, int] = {}
        for uscc, deadline, rectified in items:
            if not (start <= deadline <= end):
                continue
            if rectified is None or pd.isna(rectified) or rectified > deadline:
                out[uscc] = out.get(uscc, 0) + 1
        return out

    def floating(self, province: str, year: int) -> list[dict]:
        if not self.cycle_computed(province, year):
            return []
        window = window_labels(year)
        in_window = [p for p in self.snapshot_quarters(province) if p in window]
        last = max(in_window)
        last_year_quarters = set(window[-4:])
        start, end = dt.date(year - 2, 1, 1), dt.date(year, 12, 31)
        rates = base_rates(province)
        emp = self.employers[(self.employers._province == province) & self.employers._period.isin(window)]
        records = {u: g for u, g in emp.groupby("uscc")}  # noqa: C416 (dict() would call GroupBy.keys)
        last_snap = emp[emp._period == last]

        c = self.claims[(self.claims._province == province) & self.claims.decision.isin(RECOGNISED)]
        c = c[[start <= d <= end for d in c.decision_date]]
        o = self.od[self.od._province == province]
        o = o[[start <= d <= end for d in o.diagnosis_date]]
        od_count = o.groupby("uscc").size().to_dict()
        overdue = self.overdue_items(province, start, end)
        claims_of = {u: g for u, g in c.groupby("uscc")}  # noqa: C416 (dict() would call GroupBy.keys)

        out = []
        for row in last_snap.sort_values("uscc").itertuples():
            uscc = row.uscc
            cls = int(row.risk_class) if row.risk_class is not None and not pd.isna(row.risk_class) else None
            classified = cls is not None and 1 <= cls <= 8
            base = rates[cls] if classified else None
            recs = records[uscc].to_dict("records")
            quarters = len({r["_period"] for r in recs})

            def premium_of(r, base=base) -> Decimal | None:
                rate = _dec(r["premium_rate_pct"])
                rate = rate if valid_rate(rate) else base
                if rate is None:
                    return None          # 未分类 with an invalid rate of its own: left out
                return (_dec(r["payroll_yuan"]) or Decimal(0)) * rate / 100

            premium = sum((p for p in (premium_of(r) for r in recs) if p is not None), Decimal(0))
            last4 = [r for r in recs if r["_period"] in last_year_quarters]
            current = sum((p for p in (premium_of(r) for r in last4) if p is not None), Decimal(0))
            payroll4 = sum(((_dec(r["payroll_yuan"]) or Decimal(0)) for r in last4), Decimal(0))

            cl = claims_of.get(uscc)
            n = 0 if cl is None else len(cl)
            benefits = Decimal(0) if cl is None else sum(((_dec(v) or Decimal(0)) for v in cl.fund_paid_yuan),
                                                         Decimal(0))
            deaths = 0 if cl is None else int((cl.fatal == "是").sum())
            severe = 0 if cl is None else sum(g is not None and not pd.isna(g) and 1 <= int(g) <= 4
                                              for g in cl.disability_grade)
            k = int(od_count.get(uscc, 0))
            ov = int(overdue.get(uscc, 0))
            with localcontext() as ctx:
                ctx.prec = 60
                ratio = None if premium == 0 else benefits / premium

            rec_grade = None
            if not classified:
                grade, status, reasons = None, "未分类", [f"行业风险类别为空或不在1至8类（{row.risk_class}）：不评级"]
            elif quarters < 4:
                grade, status, reasons = 0, "新参保", [f"周期内参保 {quarters} 个季度，不足4个：新参保，不浮动"]
            else:
                rec_grade, grade, reasons = grade_employer(cls, premium, n, benefits, deaths, severe, k, ov)
                status = STATUS_OF_GRADE[grade]
            recommended = None if grade is None else q(base * MULTIPLIERS[grade], 4)
            projected = None if recommended is None else payroll4 * recommended / 100
            out.append({
                "province_code": province,
                "province_name": reference.provinces()[province],
                "cycle_end_year": year,
                "uscc": uscc,
                "employer_name": row.employer_name,
                "industry_code": row.industry_code,
                "risk_class": cls if classified else None,
                "quarters": quarters,
                "premium_yuan": q(premium, 2),
                "benefits_yuan": q(benefits, 2),
                "ratio": q(ratio, 4),
                "claims": n,
                "deaths": deaths,
                "severe": severe,
                "od_reports": k,
                "overdue_items": ov,
                "grade": grade,
                "status": status,
                # the rate the employer pays now: its record's, or the class base rate when that is
                # not a valid rate (the rule for P; a W-flagged value is left out of figures)
                "current_rate_pct": q(_dec(row.premium_rate_pct) if valid_rate(_dec(row.premium_rate_pct))
                                      else base, 4),
                "base_rate_pct": q(base, 4),
                "recommended_rate_pct": recommended,
                "current_premium_yuan": q(current, 2),
                "projected_premium_yuan": q(projected, 2),
                "change_yuan": None if projected is None else q(projected - current, 2),
                "reasons": "；".join(reasons),
                # unrounded extras for the tests
                "_record_grade": rec_grade,
                "_effect_payroll": payroll4,
                "_premium": premium,
                "_benefits": benefits,
                "_current": current,
                "_projected": projected,
                "_last_snapshot": last,
            })
        return out

    def all_floating(self, year: int) -> list[dict]:
        return [r for p in self.provinces() for r in self.floating(p, year)]
