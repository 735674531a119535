"""A second, independent computation of the published figures, written from the spec (section 5)
in pandas over the raw layer (raw.* and the ingestion ledger), sharing no code with the dbt
models. The pipeline tests compare the marts with it column by column."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from ipx import reference
from ipx.contracts import load_contracts

RECOGNISED = {"认定工伤", "视同工伤"}
KEY_ROLES = {"分管负责人", "安全管理部门主要负责人", "一线班组长"}
CADENCE_PERIODS = {"monthly": [f"{m:02d}" for m in range(1, 13)], "quarterly": [f"Q{q}" for q in range(1, 5)],
                   "annual": [""]}
SPEC_SHARING_FEEDS = {  # every feed of section 3 but province_reports, with its cadence
    "hrss_employers": "quarterly", "hrss_injury_claims": "monthly", "hrss_key_positions": "annual",
    "hrss_training": "monthly", "hrss_prevention_projects": "annual", "em_accidents": "monthly",
    "em_hazards": "monthly", "nhc_occupational_disease": "monthly", "nhc_hazard_monitoring": "monthly",
    "acftu_supervision": "quarterly",
}
# ... plus any feed added since (a contract counted in the delivery share), inside its life span
_CONTRACTS = load_contracts()
SHARING_FEEDS = {**SPEC_SHARING_FEEDS, **{f: c.cadence for f, c in _CONTRACTS.items()
                                          if c.expected_in_delivery_share and f not in SPEC_SHARING_FEEDS}}
SNAPSHOT_FEEDS = {"hrss_employers", "hrss_key_positions", "province_reports"}
KEYS = {"hrss_injury_claims": "decision_no", "hrss_training": "record_no", "hrss_prevention_projects": "project_no",
        "em_accidents": "accident_no", "em_hazards": "hazard_no", "nhc_occupational_disease": "report_no",
        "nhc_hazard_monitoring": "sample_no", "acftu_supervision": "inspection_no"}


def half_up(value, digits: int):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def quarter_index(d: dt.date) -> int:
    return d.year * 4 + (d.month - 1) // 3


def due_at(period: str, cadence: str) -> dt.datetime:
    year = int(period[:4])
    if cadence == "monthly":
        month = int(period[4:6])
        y, m = (year + 1, 1) if month == 12 else (year, month + 1)
        return dt.datetime(y, m, 15, 23, 59, 59)
    if cadence == "quarterly":
        last = int(period[-1]) * 3
        y, m = (year + 1, 1) if last == 12 else (year, last + 1)
        return dt.datetime(y, m, 20, 23, 59, 59)
    return dt.datetime(year + 1, 1, 31, 23, 59, 59)


@dataclass
class RawLayer:
    files: pd.DataFrame
    tables: dict[str, pd.DataFrame]

    @classmethod
    def read(cls, build) -> RawLayer:
        feeds = list(SHARING_FEEDS) + ["province_reports"]
        return cls(build.frame("SELECT * FROM ingest.files"),
                   {f: build.frame(f"SELECT * FROM raw.{f}") for f in feeds})

    def current(self, feed: str) -> pd.DataFrame:
        """Records of the highest accepted seq of each slice; non-snapshot keys: latest period."""
        loaded = self.files[(self.files.feed == feed) & (self.files.status == "loaded")]
        best = loaded.groupby(["province", "period"], as_index=False).seq.max()
        df = self.tables[feed].merge(best, left_on=["_province", "_period", "_seq"],
                                     right_on=["province", "period", "seq"])
        if feed not in SNAPSHOT_FEEDS:
            df = (df.sort_values(["_period", "_record_no"], ascending=False)
                    .drop_duplicates(["_province", KEYS[feed]]))
        return df


class Figures:
    def __init__(self, raw: RawLayer):
        self.raw = raw
        self.employers = raw.current("hrss_employers").copy()
        self.employers["qidx"] = [int(p[:4]) * 4 + int(p[-1]) - 1 for p in self.employers._period]
        self.employers["division"] = self.employers.industry_code.str.extract(r"(\d{2})", expand=False)
        self.claims = raw.current("hrss_injury_claims")
        self.od = raw.current("nhc_occupational_disease")
        self.samples = raw.current("nhc_hazard_monitoring")
        self.hazards = raw.current("em_hazards")
        self.accidents = raw.current("em_accidents")
        self.by_employer = {k: g.sort_values("qidx") for k, g in self.employers.groupby(["_province", "uscc"])}

    # ---------------------------------------------------------------- attribution
    def key_industry(self, province: str, division) -> str | None:
        if division is None or pd.isna(division):
            return None
        return reference.key_industry_divisions(province).get(division)

    def employer_key_industry(self, province: str, uscc, day: dt.date):
        """(in_snapshot, key industry) of the employer's snapshot for the quarter of ``day``."""
        snaps = self.by_employer.get((province, uscc))
        if snaps is None:
            return False, None
        before = snaps[snaps.qidx <= quarter_index(day)]
        row = before.iloc[-1] if len(before) else snaps.iloc[0]
        return True, self.key_industry(province, row.division)

    def in_group(self, key_industry, group: str) -> bool:
        return group == "all" or (group == "key_all" and key_industry is not None) or key_industry == group

    # ---------------------------------------------------------------- denominators
    def insured_workers(self, province: str, year: int, group: str):
        files = self.raw.files
        quarters = sorted(set(files[(files.feed == "hrss_employers") & (files.status == "loaded")
                                    & (files.province == province)
                                    & files.period.str.startswith(str(year))].period))
        if not quarters:
            return None
        total = 0.0
        for q in quarters:
            snap = self.employers[(self.employers._province == province) & (self.employers._period == q)]
            total += sum(w for w, d in zip(snap.insured_workers, snap.division)
                         if self.in_group(self.key_industry(province, d), group))
        return total / len(quarters)

    # ---------------------------------------------------------------- numerators
    def injuries(self, province: str, year: int, group: str, fatal: bool = False) -> int:
        n = 0
        c = self.claims[(self.claims._province == province) & self.claims.decision.isin(RECOGNISED)]
        for row in c.itertuples():
            if row.incident_date.year != year:
                continue
            if fatal and row.fatal != "是":
                continue
            if not fatal and row.harm_type != "事故伤害":
                continue
            found, key = self.employer_key_industry(province, row.uscc, row.incident_date)
            n += found and self.in_group(key, group)
        return n

    def accident_counts(self, province: str, year: int, group: str) -> tuple[int, int]:
        a = self.accidents[(self.accidents._province == province)]
        a = a[[t.year == year for t in a.occurred_at]]
        keep = [self.in_group(self.key_industry(province, d), group)
                for d in a.industry_code.str.extract(r"(\d{2})", expand=False)]
        a = a[keep]
        return len(a), int(a.deaths.fillna(0).sum())

    def od_cases(self, province: str, year: int, group: str) -> int:
        o = self.od[(self.od._province == province)]
        o = o[[d.year == year for d in o.diagnosis_date]]
        if group == "all":
            return len(o)
        return sum(self.in_group(self.employer_key_industry(province, u, d)[1], group) and
                   self.employer_key_industry(province, u, d)[0] for u, d in zip(o.uscc, o.diagnosis_date))

    def assessed_samples(self, province: str) -> pd.DataFrame:
        limits = {(lim.factor, lim.metric): lim for lim in reference.exposure_limits()}
        s = self.samples[self.samples._province == province].copy()
        out = []
        for row in s.to_dict("records"):
            lim = limits.get((row["factor"], row["metric"]))
            flags = set(row["_flags"]) if row["_flags"] is not None else set()
            unit = row["unit"]
            ok = lim is not None and (unit is None or unit == lim.unit) and not flags & {"unit", "factor"}
            exceeds = bool(ok and row["value"] > lim.limit_value)
            deadline = None
            if exceeds:
                deadline = row["deadline"] or row["sample_date"] + dt.timedelta(days=30)
            out.append((row["sample_no"], row["uscc"], row["sample_date"], exceeds, deadline, row["rectified_date"]))
        return pd.DataFrame(out, columns=["sample_no", "uscc", "sample_date", "exceeds", "deadline", "rectified_date"])

    def exceedances(self, province: str, year: int, group: str) -> int:
        s = self.assessed_samples(province)
        s = s[s.exceeds.to_numpy(dtype=bool) & np.array([d.year == year for d in s.sample_date], dtype=bool)]
        if group == "all":
            return len(s)
        return sum(found and self.in_group(key, group) for found, key in
                   (self.employer_key_industry(province, u, d) for u, d in zip(s.uscc, s.sample_date)))

    # ---------------------------------------------------------------- rates
    def injury_rate(self, province: str, year: int, group: str = "key_all"):
        workers = self.insured_workers(province, year, group)
        return None if not workers else self.injuries(province, year, group) * 1000 / workers

    def od_rate(self, province: str, year: int, group: str = "all"):
        workers = self.insured_workers(province, year, group)
        return None if not workers else self.od_cases(province, year, group) * 100000 / workers

    # ---------------------------------------------------------------- assessment figures
    def training_coverage(self, province: str, year: int):
        roster = self.raw.current("hrss_key_positions")
        roster = roster[(roster._province == province) & (roster._period == str(year)) & roster.role.isin(KEY_ROLES)]
        persons = set(roster.person_pseudonym)
        if not persons:
            return None
        training = self.raw.current("hrss_training")
        in_window = np.array([dt.date(2021, 1, 1) <= d <= dt.date(year, 12, 31) for d in training.training_date],
                             dtype=bool)
        passed = training[(training.result == "合格").to_numpy(dtype=bool) & in_window]
        return len(persons & set(passed.person_pseudonym)) / len(persons)

    def rectified_on_time_share(self, province: str, year: int) -> float:
        items = []
        for row in self.assessed_samples(province).itertuples():
            if row.exceeds and row.deadline.year == year:
                items.append((row.deadline, row.rectified_date))
        h = self.hazards[(self.hazards._province == province) & (self.hazards.level == "重大隐患")]
        items += [(d, r) for d, r in zip(h.deadline, h.rectified_date) if d.year == year]
        if not items:
            return 1.0
        on_time = sum(r is not None and not pd.isna(r) and r <= d for d, r in items)
        return on_time / len(items)

    def on_time_clean_share(self, province: str, year: int) -> float:
        files = self.raw.files[self.raw.files.province == province]
        counting = expected = 0
        for feed, cadence in SHARING_FEEDS.items():
            for suffix in CADENCE_PERIODS[cadence]:
                period = f"{year}{suffix}"
                if not _CONTRACTS[feed].in_span(period):
                    continue
                expected += 1
                accepted = files[(files.feed == feed) & (files.period == period) & (files.status == "loaded")]
                if accepted.empty:
                    continue
                first = accepted.sort_values("seq").iloc[0]
                current = accepted.sort_values("seq").iloc[-1]
                on_time = first.exported_at <= due_at(period, cadence)
                clean = current.records == 0 or current.records_rejected <= 0.01 * current.records
                counting += bool(on_time and clean)
        return counting / expected

    def fund_execution(self, province: str, year: int) -> float:
        p = self.raw.current("hrss_prevention_projects")
        p = p[(p._province == province) & (p._period == str(year))]
        budget = float(p.budget_yuan.astype(float).sum())
        return float(p.spent_yuan.astype(float).fillna(0).sum()) / budget if budget > 0 else 0.0

    def reporting_points(self, province: str, year: int) -> float:
        r = self.raw.current("province_reports")
        r = r[r._province == province]
        yearly = r[(r.report_type == "年度落实情况") & (r.report_year == year)].submitted_date
        plan = r[r.report_type == "实施方案备案"].submitted_date
        points = 3.0 if len(yearly) and min(yearly) <= dt.date(year, 12, 31) else 0.0
        return points + (2.0 if len(plan) and min(plan) <= dt.date(2021, 5, 31) else 0.0)

    def assessed(self, province: str, year: int) -> bool:
        """Spec 5 (v1.1): assessed in Y when some slice of Y of any feed has an accepted submission."""
        f = self.raw.files
        return bool(((f.status == "loaded") & (f.province == province)
                     & (f.period.astype(str).str[:4] == str(year))).any())

    def assessment(self, province: str, year: int) -> dict:
        def trend_score(rate_fn, weight):
            r, b = rate_fn(province, year), rate_fn(province, 2020)
            if r is None or b is None:
                return r, b, None, 0.0
            t = b * (1 - 0.04 * (year - 2020))
            if b == 0:
                return r, b, t, weight if r == 0 else 0.0
            return r, b, t, weight * min(1.0, max(0.0, (b - r) / (b - t)))

        r, b, t, a = trend_score(self.injury_rate, 30)
        odr, odb, _, bscore = trend_score(self.od_rate, 10)
        coverage = self.training_coverage(province, year)
        c = 0.0 if coverage is None else 20 * min(1.0, coverage / min(1.0, 0.2 * (year - 2020)))
        share_d = self.rectified_on_time_share(province, year)
        share_e = self.on_time_clean_share(province, year)
        execution = self.fund_execution(province, year)
        comps = [a, bscore, c, 15 * share_d, 10 * share_e, self.reporting_points(province, year),
                 10 * min(1.0, execution / 0.9)]
        return {
            "injury_rate_per_1000": half_up(r, 4), "baseline_injury_rate_per_1000": half_up(b, 4),
            "target_injury_rate_per_1000": half_up(t, 4), "od_rate_per_100k": half_up(odr, 4),
            "baseline_od_rate_per_100k": half_up(odb, 4), "training_coverage": half_up(coverage, 4),
            "rectified_on_time_share": half_up(share_d, 4), "on_time_clean_share": half_up(share_e, 4),
            "fund_execution_rate": half_up(execution, 4),
            **{name: half_up(v, 2) for name, v in zip(
                ["score_injury_rate", "score_occupational_disease", "score_training", "score_rectification",
                 "score_data_sharing", "score_reporting", "score_prevention_fund"], comps)},
            "total_score": half_up(sum(comps), 2),
        }
