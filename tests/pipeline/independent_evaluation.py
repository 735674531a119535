"""A second, independent computation of plan progress and the final evaluation (spec section 7)
and of which provinces are assessed (spec section 5, v1.1), written from the spec's text in plain
Python over the raw layer (``independent_figures.RawLayer``), sharing no code with the dbt models.

Rates are exact fractions (numerators and mean insured workers), so statuses are decided on the
unrounded figures and boundary cases land where the spec says; published values are rounded
half-up (rates 4 decimals, change_pct and the mean score 2).

Readings (the lead's, where the spec is silent): b = 0 -> change_pct null and, in the final year,
达成 if r = 0 else 未达成 (earlier years: 进度正常 if r <= t); a null r or b -> 无数据; the national
row (000000 全国) sums the numerators and insured workers of the provinces assessed in Y, its
baseline the same provinces' 2020 figures; national group rows only for the five national key
industries; od_status follows the occupational-disease rate (all categories)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import numpy as np
from independent_figures import KEY_ROLES, Figures, RawLayer

from ipx import reference

PLAN_FIRST, PLAN_LAST, BASELINE_YEAR = 2021, 2025, 2020
DUST = "职业性尘肺病及其他呼吸系统疾病"
NATIONAL = ("000000", "全国")

PROVINCE_COLUMNS = [
    "province_code", "province_name", "year", "injury_rate_baseline", "injury_rate", "injury_target_rate",
    "injury_change_pct", "injury_status", "od_rate_baseline", "od_rate", "od_change_pct",
    "pneumoconiosis_rate_baseline", "pneumoconiosis_rate", "pneumoconiosis_change_pct", "od_status",
    "training_coverage", "training_target", "mean_total_score", "years_excellent", "years_good", "years_pass",
    "years_fail",
]
GROUP_COLUMNS = ["province_code", "province_name", "year", "industry_group", "injury_rate_baseline", "injury_rate",
                 "injury_target_rate", "injury_change_pct", "injury_status"]


def fq(value: Fraction | int | None, digits: int) -> Decimal | None:
    """Exact half-up rounding of a fraction."""
    if value is None:
        return None
    value = Fraction(value)
    scaled = abs(value) * 10 ** digits
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    sign = -1 if value < 0 else 1
    return Decimal(sign * whole).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def grade_of(total: Decimal) -> str:
    return "优秀" if total >= 90 else "良好" if total >= 75 else "合格" if total >= 60 else "不合格"


def target_factor(year: int) -> Fraction:
    return 1 - Fraction(4, 100) * (year - BASELINE_YEAR)


def injury_status(r: Fraction | None, b: Fraction | None, year: int) -> str:
    if r is None or b is None:
        return "无数据"
    if year == PLAN_LAST:
        if b == 0:
            return "达成" if r == 0 else "未达成"
        # change_pct <= -20  <=>  r <= 0.8 b ; -20 < change_pct <= -15  <=>  r <= 0.85 b (b > 0)
        if r <= Fraction(8, 10) * b:
            return "达成"
        if r <= Fraction(85, 100) * b:
            return "基本达成"
        return "未达成"
    return "进度正常" if r <= b * target_factor(year) else "进度滞后"


def change_pct(r: Fraction | None, b: Fraction | None) -> Fraction | None:
    if r is None or b is None or b == 0:
        return None
    return (r - b) / b * 100


class Evaluation:
    def __init__(self, raw: RawLayer, figures: Figures | None = None):
        self.raw = raw
        self.fig = figures or Figures(raw)
        self._cache: dict = {}

    # ------------------------------------------------------------ spec 5 v1.1
    def assessed(self, province: str, year: int) -> bool:
        f = self.raw.files
        return bool(((f.province == province) & (f.status == "loaded") & f.period.str.startswith(str(year))).any())

    def assessed_provinces(self, year: int) -> list[str]:
        return [p for p in sorted(reference.provinces()) if self.assessed(p, year)]

    # ------------------------------------------------------------ exact numerators and denominators
    def workers(self, province: str, year: int, group: str) -> Fraction | None:
        """Insured workers (spec 5) as an exact mean over the year's snapshot quarters."""
        key = ("w", province, year, group)
        if key not in self._cache:
            files = self.raw.files
            snapshots = files[(files.feed == "hrss_employers") & (files.status == "loaded")
                              & (files.province == province) & files.period.str.startswith(str(year))]
            quarters = sorted(set(snapshots.period))
            if not quarters:
                self._cache[key] = None
            else:
                emp = self.fig.employers
                total = 0
                for q in quarters:
                    snap = emp[(emp._province == province) & (emp._period == q)]
                    total += sum(int(w) for w, d in zip(snap.insured_workers, snap.division)
                                 if self.fig.in_group(self.fig.key_industry(province, d), group))
                self._cache[key] = Fraction(total, len(quarters))
        return self._cache[key]

    def injuries(self, province: str, year: int, group: str) -> int:
        key = ("i", province, year, group)
        if key not in self._cache:
            self._cache[key] = self.fig.injuries(province, year, group)
        return self._cache[key]

    def od_reports(self, province: str, year: int, category: str | None = None) -> int:
        o = self.fig.od[self.fig.od._province == province]
        keep = np.array([d.year == year for d in o.diagnosis_date], dtype=bool)
        if category is not None:
            keep &= (o.disease_category == category).to_numpy(dtype=bool)
        return int(keep.sum())

    def training_counts(self, province: str, year: int) -> tuple[int, int]:
        """(covered persons, roster persons) of spec 5's training coverage."""
        roster = self.raw.current("hrss_key_positions")
        roster = roster[(roster._province == province) & (roster._period == str(year)) & roster.role.isin(KEY_ROLES)]
        persons = set(roster.person_pseudonym)
        training = self.raw.current("hrss_training")
        in_window = np.array([dt.date(2021, 1, 1) <= d <= dt.date(year, 12, 31) for d in training.training_date],
                             dtype=bool)
        passed = set(training[(training.result == "合格").to_numpy(dtype=bool) & in_window].person_pseudonym)
        return len(persons & passed), len(persons)

    # ------------------------------------------------------------ rates over a set of provinces
    @staticmethod
    def _rate(numerator: int, workers: Fraction | None, per: int) -> Fraction | None:
        return None if not workers else Fraction(numerator * per) / workers

    def _sum_workers(self, provinces: list[str], year: int, group: str) -> Fraction | None:
        values = [self.workers(p, year, group) for p in provinces]
        values = [v for v in values if v is not None]
        return sum(values, Fraction(0)) if values else None

    def injury_rate(self, provinces: list[str], year: int, group: str = "key_all") -> Fraction | None:
        return self._rate(sum(self.injuries(p, year, group) for p in provinces),
                          self._sum_workers(provinces, year, group), 1000)

    def od_rate(self, provinces: list[str], year: int, category: str | None = None) -> Fraction | None:
        return self._rate(sum(self.od_reports(p, year, category) for p in provinces),
                          self._sum_workers(provinces, year, "all"), 100_000)

    # ------------------------------------------------------------ the two tables
    def _assessment_record(self, province: str, year: int) -> dict:
        totals = [self.fig.assessment(province, y)["total_score"] for y in range(PLAN_FIRST, year + 1)
                  if self.assessed(province, y)]
        grades = [grade_of(t) for t in totals]
        mean = sum((Fraction(t) for t in totals), Fraction(0)) / len(totals) if totals else None
        return {
            "mean_total_score": fq(mean, 2),
            "years_excellent": grades.count("优秀"), "years_good": grades.count("良好"),
            "years_pass": grades.count("合格"), "years_fail": grades.count("不合格"),
        }

    def _trend(self, r, b, year) -> dict:
        return {"injury_rate_baseline": fq(b, 4), "injury_rate": fq(r, 4),
                "injury_target_rate": fq(None if b is None else b * target_factor(year), 4),
                "injury_change_pct": fq(change_pct(r, b), 2), "injury_status": injury_status(r, b, year),
                "_r": r, "_b": b}

    def province_rows(self, year: int) -> list[dict]:
        assessed = self.assessed_provinces(year)
        if not assessed:
            return []
        out = []
        for code, name, members, national in ([(p, reference.provinces()[p], [p], False) for p in assessed]
                                              + [(*NATIONAL, assessed, True)]):
            r = self.injury_rate(members, year)
            b = self.injury_rate(members, BASELINE_YEAR)
            odr, odb = self.od_rate(members, year), self.od_rate(members, BASELINE_YEAR)
            pr, pb = self.od_rate(members, year, DUST), self.od_rate(members, BASELINE_YEAR, DUST)
            covered = sum(self.training_counts(p, year)[0] for p in members)
            roster = sum(self.training_counts(p, year)[1] for p in members)
            row = {"province_code": code, "province_name": name, "year": year, **self._trend(r, b, year),
                   "od_rate_baseline": fq(odb, 4), "od_rate": fq(odr, 4), "od_change_pct": fq(change_pct(odr, odb), 2),
                   "pneumoconiosis_rate_baseline": fq(pb, 4), "pneumoconiosis_rate": fq(pr, 4),
                   "pneumoconiosis_change_pct": fq(change_pct(pr, pb), 2),
                   "od_status": "无数据" if odr is None or odb is None else "下降" if odr < odb else "未下降",
                   "training_coverage": fq(Fraction(covered, roster) if roster else None, 4),
                   "training_target": fq(min(Fraction(1), Fraction(2, 10) * (year - BASELINE_YEAR)), 4)}
            if national:
                row.update(mean_total_score=None, years_excellent=None, years_good=None, years_pass=None,
                           years_fail=None)
            else:
                row.update(self._assessment_record(code, year))
            row["_provinces"] = len(members)
            out.append(row)
        return out

    def group_rows(self, year: int) -> list[dict]:
        assessed = self.assessed_provinces(year)
        if not assessed:
            return []
        national_groups = {r["key_industry_code"]: r["key_industry_name"]
                           for r in reference.read_seed("key_industries")}
        additions = reference.read_seed("province_key_industry_additions")
        out = []
        for p in assessed:
            groups = dict(national_groups)
            groups.update({r["key_industry_code"]: r["key_industry_name"] for r in additions
                           if r["province_code"] == p and r["key_industry_code"] not in groups})
            for code, name in groups.items():
                r, b = self.injury_rate([p], year, code), self.injury_rate([p], BASELINE_YEAR, code)
                out.append({"province_code": p, "province_name": reference.provinces()[p], "year": year,
                            "industry_group": name, "_group_code": code, **self._trend(r, b, year)})
        for code, name in national_groups.items():
            r, b = self.injury_rate(assessed, year, code), self.injury_rate(assessed, BASELINE_YEAR, code)
            out.append({"province_code": NATIONAL[0], "province_name": NATIONAL[1], "year": year,
                        "industry_group": name, "_group_code": code, **self._trend(r, b, year)})
        return out
