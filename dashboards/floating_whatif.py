"""The premium-floating what-if (spec 6): re-grade every employer of a cycle from the published
per-employer figures of ``marts.mart_premium_floating`` under other bands, multipliers and
modifiers, vectorised, in exact integer arithmetic. Pure pandas / numpy: no Streamlit, nothing
written anywhere.

The steps are those of spec 6 (and of ``int_floating_grades.sql``, which publishes the grades):

0. an employer without a configured risk class is 未分类 (no grade, no rate, no projection);
1. ``quarters`` < min_quarters: grade 0, 新参保, stop;
2. from the record: P = 0 → ``zero_premium_no_claim_grade`` (0) if N = 0 else
   ``zero_premium_claim_grade`` (+2); otherwise N = 0 → ``no_claim_grade`` (−2); otherwise the
   grade of the first ratio band with R ≤ its upper bound, compared as B ≤ upper × P (no
   division, exact);
3. severity: D ≥ 1, S ≥ 1 or K ≥ 1 → at least ``severity_floor_grade`` (0) when the severity
   block is on; D ≥ ``deaths_up_threshold`` (2) → at least ``deaths_floor_grade`` (+1) when
   "deaths up" is on;
4. prevention: O ≥ ``overdue_min_items`` (1) → ``overdue_grade_step`` (1) grade up when
   "overdue up" is on;
5. the class's limits (class 1 within [0, +2], classes 2–8 within [−2, +2]).

Then recommended rate = base rate × the grade's multiplier, half-up to 4 decimals, and projected
premium = effect payroll × recommended rate / 100, half-up to 2 decimals.

Money is handled in integer cents and rates in integer ten-thousandths of a percent, so results
equal the published decimals exactly. One caveat: the published P is rounded to 2 decimals,
while the pipeline compares B ≤ upper × P on the unrounded P; the two can disagree only when
B lies within upper × 0.005 元 of a band's boundary.

Configuration comes from the published seeds (``reference.floating_*``): rows of province
``000000`` are the defaults, a province's rows override them (parameters and multipliers per
item, class limits per class, ratio bands as a whole set), as in the dbt models. The what-if
changes a :class:`Settings`; each field the user changed replaces that field for every province.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

NATIONAL = "000000"
DOWN, UNCHANGED, UP, NEW, UNCLASSIFIED = "下浮", "不浮动", "上浮", "新参保", "未分类"
STATUSES = (DOWN, UNCHANGED, UP, NEW, UNCLASSIFIED)
GRADES = (-2, -1, 0, 1, 2)

# The columns the re-grading reads (all published in marts.mart_premium_floating).
INPUT_COLUMNS = (
    "province_code", "risk_class", "quarters", "premium_yuan", "benefits_yuan", "claims", "deaths", "severe",
    "od_reports", "overdue_items", "base_rate_pct", "effect_payroll_yuan",
)


@dataclass(frozen=True)
class Settings:
    """One set of floating rules (everything except the per-class base rates and limits).

    ``bands``: (ratio upper bound, grade) in order, the last bound ``None`` (open band);
    ``multipliers``: (grade, multiplier) for grades −2..+2."""

    bands: tuple[tuple[Decimal | None, int], ...] = (
        (Decimal("0.5"), -1), (Decimal("1.0"), 0), (Decimal("1.5"), 1), (None, 2))
    multipliers: tuple[tuple[int, Decimal], ...] = (
        (-2, Decimal("0.5")), (-1, Decimal("0.8")), (0, Decimal("1.0")), (1, Decimal("1.2")), (2, Decimal("1.5")))
    min_quarters: int = 4
    zero_premium_no_claim_grade: int = 0
    zero_premium_claim_grade: int = 2
    no_claim_grade: int = -2
    severity_block_enabled: bool = True
    severity_floor_grade: int = 0
    deaths_up_enabled: bool = True
    deaths_up_threshold: int = 2
    deaths_floor_grade: int = 1
    overdue_up_enabled: bool = True
    overdue_min_items: int = 1
    overdue_grade_step: int = 1

    def multiplier(self, grade: int) -> Decimal:
        return dict(self.multipliers)[grade]

    def problems(self) -> list[str]:
        """Why these settings cannot be applied (Chinese, for the page); empty when they can."""
        found = []
        uppers = [u for u, _ in self.bands]
        if not uppers or uppers[-1] is not None or any(u is None for u in uppers[:-1]):
            found.append("支缴率分档：最后一档须为开放档（无上限），其余各档须有上限。")
        bounded = [u for u in uppers if u is not None]
        if any(b <= a for a, b in zip(bounded, bounded[1:])):
            found.append("支缴率分档：各档上限须逐档递增。")
        if any(u < 0 for u in bounded):
            found.append("支缴率分档：上限不能为负数。")
        if sorted(g for g, _ in self.multipliers) != list(GRADES):
            found.append("费率倍数：须为 −2 至 +2 五个档次各给一个倍数。")
        if any(m < 0 for _, m in self.multipliers):
            found.append("费率倍数不能为负数。")
        return found


SPEC_DEFAULTS = Settings()

# Spec 6 defaults of the class limits (class 1 floats up only), used when no seed is published.
SPEC_LIMITS = pd.DataFrame({"risk_class": range(1, 9), "min_grade": [0] + [-2] * 7, "max_grade": [2] * 8})

_PARAMETERS = {  # seed parameter name -> Settings field (the others are not re-gradable here)
    "min_quarters": "min_quarters",
    "zero_premium_no_claim_grade": "zero_premium_no_claim_grade",
    "zero_premium_claim_grade": "zero_premium_claim_grade",
    "no_claim_grade": "no_claim_grade",
    "severity_block_enabled": "severity_block_enabled",
    "severity_floor_grade": "severity_floor_grade",
    "deaths_up_enabled": "deaths_up_enabled",
    "deaths_up_threshold": "deaths_up_threshold",
    "deaths_floor_grade": "deaths_floor_grade",
    "overdue_up_enabled": "overdue_up_enabled",
    "overdue_min_items": "overdue_min_items",
    "overdue_grade_step": "overdue_grade_step",
}
_SWITCHES = {"severity_block_enabled", "deaths_up_enabled", "overdue_up_enabled"}


def to_decimal(value) -> Decimal | None:
    """A seed or widget number as an exact Decimal (floats by their shortest repr: 0.1 → 0.1)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, np.integer)):
        return Decimal(int(value))
    return Decimal(repr(float(value)))


@dataclass(frozen=True)
class Rules:
    """The rules in force: the national settings, the provinces whose resolved settings differ,
    and each province's class limits (province_code, risk_class, min_grade, max_grade; province
    ``000000`` = default for provinces without rows of their own)."""

    default: Settings = SPEC_DEFAULTS
    provinces: Mapping[str, Settings] = field(default_factory=dict)
    limits: pd.DataFrame = field(default_factory=lambda: SPEC_LIMITS.assign(province_code=NATIONAL))

    def settings_of(self, province_code: str) -> Settings:
        return self.provinces.get(province_code, self.default)

    def with_changes(self, chosen: Settings) -> Rules:
        """The rules with every field in which ``chosen`` differs from the national settings
        replaced, for the nation and every province (fields not changed keep provincial values)."""
        changed = {f.name: getattr(chosen, f.name) for f in dataclasses.fields(Settings)
                   if getattr(chosen, f.name) != getattr(self.default, f.name)}
        if not changed:
            return self
        return Rules(default=dataclasses.replace(self.default, **changed),
                     provinces={p: dataclasses.replace(s, **changed) for p, s in self.provinces.items()},
                     limits=self.limits)


def _settings_from(parameters: pd.DataFrame | None, bands: pd.DataFrame | None,
                   multipliers: pd.DataFrame | None, base: Settings) -> Settings:
    changes: dict = {}
    if parameters is not None and not parameters.empty:
        for row in parameters.itertuples():
            name = _PARAMETERS.get(str(row.parameter))
            value = to_decimal(row.value)
            if name is None or value is None:
                continue
            changes[name] = (value != 0) if name in _SWITCHES else int(value)
    if bands is not None and not bands.empty:
        ordered = bands.sort_values("band_no")
        changes["bands"] = tuple((to_decimal(u), int(g)) for u, g in zip(ordered["ratio_upper"], ordered["grade"]))
    if multipliers is not None and not multipliers.empty:
        given = {int(g): to_decimal(m) for g, m in zip(multipliers["grade"], multipliers["multiplier"])
                 if to_decimal(m) is not None}
        changes["multipliers"] = tuple((g, given.get(g, m)) for g, m in base.multipliers)
    return dataclasses.replace(base, **changes)


def rules_from_seeds(parameters: pd.DataFrame | None, bands: pd.DataFrame | None, multipliers: pd.DataFrame | None,
                     base_rates: pd.DataFrame | None) -> Rules:
    """The published rules from the seed tables ``reference.floating_parameters`` (province_code,
    parameter, value), ``floating_ratio_bands`` (province_code, band_no, ratio_upper, grade),
    ``floating_grade_multipliers`` (province_code, grade, multiplier) and ``floating_base_rates``
    (province_code, risk_class, min_grade, max_grade). A missing table falls back to the spec's
    defaults."""

    def rows(frame, province):
        if frame is None:
            return None
        return frame[frame["province_code"].astype(str) == province]

    default = _settings_from(rows(parameters, NATIONAL), rows(bands, NATIONAL), rows(multipliers, NATIONAL),
                             SPEC_DEFAULTS)
    own = set()
    for frame in (parameters, bands, multipliers):
        if frame is not None:
            own |= set(frame["province_code"].astype(str)) - {NATIONAL}
    provinces = {}
    for code in sorted(own):
        settings = _settings_from(rows(parameters, code), rows(bands, code), rows(multipliers, code), default)
        if settings != default:
            provinces[code] = settings

    if base_rates is None or base_rates.empty:
        limits = SPEC_LIMITS.assign(province_code=NATIONAL)
    else:
        frame = base_rates[["province_code", "risk_class", "min_grade", "max_grade"]].copy()
        frame["province_code"] = frame["province_code"].astype(str)
        defaults = frame[frame["province_code"] == NATIONAL].set_index("risk_class")
        if defaults.empty:
            defaults = SPEC_LIMITS.set_index("risk_class")
        for column in ("min_grade", "max_grade"):  # a blank cell of a province's row inherits the default
            frame[column] = frame[column].fillna(frame["risk_class"].map(defaults[column]))
        limits = frame.dropna(subset=["min_grade", "max_grade"])
        if NATIONAL not in set(limits["province_code"]):
            limits = pd.concat([limits, defaults.reset_index().assign(province_code=NATIONAL)])
        limits = limits.astype({"risk_class": "int64", "min_grade": "int64", "max_grade": "int64"})
    return Rules(default=default, provinces=provinces, limits=limits.reset_index(drop=True))


# ------------------------------------------------------------------ exact arithmetic helpers


def _cents(series: pd.Series) -> np.ndarray:
    """2-decimal amounts as int64 cents (missing → 0)."""
    return np.rint(pd.to_numeric(series, errors="coerce").fillna(0).to_numpy(dtype=float) * 100).astype(np.int64)


def _ten_thousandths(series: pd.Series) -> np.ndarray:
    """4-decimal rates as int64 ten-thousandths (missing → 0)."""
    return np.rint(pd.to_numeric(series, errors="coerce").fillna(0).to_numpy(dtype=float) * 10_000).astype(np.int64)


def _round_half_up_div(numerator: np.ndarray, denominator: int | np.ndarray) -> np.ndarray:
    """round_half_up(numerator / denominator) for int64 arrays, away from zero at .5."""
    numerator = np.asarray(numerator, dtype=np.int64)
    denominator = np.asarray(denominator, dtype=np.int64)
    magnitude = (2 * np.abs(numerator) + denominator) // (2 * denominator)
    return np.sign(numerator) * magnitude


def _fraction(value: Decimal) -> tuple[int, int]:
    num, den = value.as_integer_ratio()
    return int(num), int(den)


# ------------------------------------------------------------------ re-grading


_FIGURES = ("claims", "deaths", "severe", "od_reports", "overdue_items")


def _grade_with(settings: Settings, p: np.ndarray, b: np.ndarray, figures: Mapping[str, np.ndarray]) -> np.ndarray:
    """Steps 2-4 for rows that are classified and not new: (record grade, grade before the class
    limits), from premium and benefits in cents and the other figures as int64 arrays."""
    claims, deaths, severe = figures["claims"], figures["deaths"], figures["severe"]
    od, overdue = figures["od_reports"], figures["overdue_items"]

    # step 2: the record
    band_conditions, band_grades = [], []
    for upper, grade in settings.bands:
        if upper is None:
            band_conditions.append(np.ones(len(p), dtype=bool))
        else:
            num, den = _fraction(upper)
            band_conditions.append(b * den <= p * num)  # R ≤ upper ⇔ B ≤ upper × P (P > 0)
        band_grades.append(grade)
    banded = np.select(band_conditions, band_grades, default=band_grades[-1] if band_grades else 0)
    grade = np.where(p == 0, np.where(claims == 0, settings.zero_premium_no_claim_grade,
                                      settings.zero_premium_claim_grade),
                     np.where(claims == 0, settings.no_claim_grade, banded)).astype(np.int64)
    record = grade.copy()

    # step 3: severity
    if settings.severity_block_enabled:
        grade = np.where((deaths >= 1) | (severe >= 1) | (od >= 1), np.maximum(grade, settings.severity_floor_grade),
                         grade)
    if settings.deaths_up_enabled:
        grade = np.where(deaths >= settings.deaths_up_threshold, np.maximum(grade, settings.deaths_floor_grade), grade)
    # step 4: prevention
    if settings.overdue_up_enabled:
        grade = np.where(overdue >= settings.overdue_min_items, grade + settings.overdue_grade_step, grade)
    return np.stack([record, grade])


def _class_limits(rules: Rules, provinces: pd.Index, province_codes: np.ndarray,
                  risk_class: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's class limits (min, max; NaN when the class has none: 未分类), the province's
    own rows else the defaults: a small province x class table, indexed per row."""
    limits = {(str(r.province_code), int(r.risk_class)): (float(r.min_grade), float(r.max_grade))
              for r in rules.limits.itertuples()}
    known = [c for _, c in limits]
    width = max(known, default=0) + 1
    classes = np.nan_to_num(risk_class, nan=-1).astype(np.int64)
    classes = np.where((classes >= 0) & (classes < width), classes, width)  # column `width`: no limits
    low = np.full((len(provinces), width + 1), np.nan)
    high = np.full((len(provinces), width + 1), np.nan)
    for i, code in enumerate(provinces):
        for cls in set(known):
            found = limits.get((code, cls)) or limits.get((NATIONAL, cls))
            if found:
                low[i, cls], high[i, cls] = found
    return low[province_codes, classes], high[province_codes, classes]


def regrade(employers: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Every employer re-graded under ``rules`` (same index as ``employers``): ``record_grade``
    (after step 2), ``grade`` (Int64, null for 未分类), ``status``, ``recommended_rate_pct`` and
    ``projected_premium_yuan`` (floats equal to the published decimals; null for 未分类), and
    ``status_code`` (index in ``STATUSES``) and ``projected_cents`` for the sums."""
    n = len(employers)
    province_codes, provinces = pd.factorize(employers["province_code"].astype(str), sort=True)
    risk_class = pd.to_numeric(employers["risk_class"], errors="coerce").to_numpy(dtype=float)
    min_grade, max_grade = _class_limits(rules, provinces, province_codes, risk_class)
    classified = ~np.isnan(risk_class) & ~np.isnan(min_grade)

    quarters = employers["quarters"].fillna(0).to_numpy(dtype=np.int64)
    p = _cents(employers["premium_yuan"])
    b = _cents(employers["benefits_yuan"])
    figures = {c: employers[c].fillna(0).to_numpy(dtype=np.int64) for c in _FIGURES}
    record = np.zeros(n, dtype=np.int64)
    raw = np.zeros(n, dtype=np.int64)
    new = np.zeros(n, dtype=bool)
    multiplier_num = np.ones(n, dtype=np.int64)
    multiplier_den = np.ones(n, dtype=np.int64)

    groups: dict[Settings, list[int]] = {}
    for i, code in enumerate(provinces):
        groups.setdefault(rules.settings_of(code), []).append(i)
    for settings, indices in groups.items():
        in_group = np.isin(province_codes, indices) if len(groups) > 1 else np.ones(n, dtype=bool)
        new |= in_group & classified & (quarters < settings.min_quarters)
        idx = np.flatnonzero(in_group & classified & ~new)
        if len(idx):
            steps = _grade_with(settings, p[idx], b[idx], {c: v[idx] for c, v in figures.items()})
            record[idx], raw[idx] = steps[0], steps[1]
        grade_here = np.where(new, 0, np.clip(raw, np.nan_to_num(min_grade, nan=0).astype(np.int64),
                                              np.nan_to_num(max_grade, nan=0).astype(np.int64)))
        for g, m in settings.multipliers:
            num, den = _fraction(m)
            hit = in_group & (grade_here == g)
            multiplier_num[hit], multiplier_den[hit] = num, den
    grade = np.where(new, 0, np.clip(raw, np.nan_to_num(min_grade, nan=0).astype(np.int64),
                                     np.nan_to_num(max_grade, nan=0).astype(np.int64)))

    base = _ten_thousandths(employers["base_rate_pct"])
    rate = _round_half_up_div(base * multiplier_num, multiplier_den)           # ten-thousandths of a percent
    payroll = _cents(employers["effect_payroll_yuan"])
    projected = _round_half_up_div(payroll * rate, 1_000_000)                  # cents: payroll × rate / 100

    code = {s: i for i, s in enumerate(STATUSES)}
    status_code = np.select([~classified, new, grade < 0, grade == 0],
                            [code[UNCLASSIFIED], code[NEW], code[DOWN], code[UNCHANGED]],
                            default=code[UP]).astype(np.int8)
    graded_rows = classified & ~new
    return pd.DataFrame({
        "record_grade": pd.Series(record, index=employers.index, dtype="Int64").where(graded_rows, pd.NA),
        "grade": pd.Series(grade, index=employers.index, dtype="Int64").where(classified, pd.NA),
        "status": pd.Categorical.from_codes(status_code, categories=list(STATUSES)),
        "status_code": status_code,
        "recommended_rate_pct": np.where(classified, rate / 10_000, np.nan),
        "projected_premium_yuan": np.where(classified, projected / 100, np.nan),
        "projected_cents": np.where(classified, projected, 0),
    }, index=employers.index)


# ------------------------------------------------------------------ what the panel shows


def status_counts(statuses: pd.Series) -> dict[str, int]:
    counts = pd.Series(statuses).value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


@dataclass(frozen=True)
class Comparison:
    """Published result and what-if result of one scope (a province or the nation)."""

    published_counts: dict[str, int]
    whatif_counts: dict[str, int]
    current_premium_yuan: float
    published_projected_yuan: float
    whatif_projected_yuan: float

    @property
    def published_change_yuan(self) -> float:
        return round(self.published_projected_yuan - self.current_premium_yuan, 2)

    @property
    def whatif_change_yuan(self) -> float:
        return round(self.whatif_projected_yuan - self.current_premium_yuan, 2)


def compare(employers: pd.DataFrame, regraded: pd.DataFrame, summary_row: Mapping | None = None) -> Comparison:
    """Counts by status and premium of ``employers`` as published and under the what-if.

    With ``summary_row`` (the published summary of the same scope), the published side is that
    row, and the what-if projection is its projected premium plus the sum of the employers'
    changes (what-if − published, in cents): with unchanged rules both sides are equal to the
    cent. Without it, both sides are sums of the published per-employer figures."""
    published_cents = _cents(employers["projected_premium_yuan"])
    delta = int((regraded["projected_cents"].to_numpy(dtype=np.int64) - published_cents).sum())
    if summary_row is not None:
        current = float(summary_row["current_premium_yuan"])
        projected = float(summary_row["projected_premium_yuan"])
        counts = {DOWN: summary_row["employers_down"], UNCHANGED: summary_row["employers_unchanged"],
                  UP: summary_row["employers_up"], NEW: summary_row["employers_new"],
                  UNCLASSIFIED: summary_row["employers_unclassified"]}
        counts = {k: int(v) for k, v in counts.items()}
    else:  # needs current_premium_yuan and status too
        has_projection = employers["projected_premium_yuan"].notna()
        current = int(_cents(employers.loc[has_projection, "current_premium_yuan"]).sum()) / 100
        projected = int(published_cents.sum()) / 100
        counts = status_counts(employers["status"])
    whatif = (int(round(projected * 100)) + delta) / 100
    return Comparison(counts, status_counts(regraded["status"]), current, projected, whatif)


SUMMARY_COUNTS = {DOWN: "employers_down", UNCHANGED: "employers_unchanged", UP: "employers_up",
                  NEW: "employers_new", UNCLASSIFIED: "employers_unclassified"}


def compare_by_province(employers: pd.DataFrame, regraded: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Per province (vectorised): the published counts by status, premium and change (from the
    province rows of the published ``summary``, indexed by province_code) beside the what-if's
    (counts of ``regraded``; projection = published + Σ employer changes in cents). Columns:
    province_code, ``published_<status>``, ``whatif_<status>``, current_premium_yuan,
    published_projected_yuan, whatif_projected_yuan, published_change_yuan, whatif_change_yuan."""
    codes, provinces = pd.factorize(employers["province_code"].astype(str), sort=True)
    n = len(provinces)
    status_index = {s: i for i, s in enumerate(STATUSES)}
    status = regraded["status_code"].to_numpy(dtype=np.int64)
    counts = np.bincount(codes * len(STATUSES) + status, minlength=n * len(STATUSES)).reshape(n, len(STATUSES))
    delta = regraded["projected_cents"].to_numpy(dtype=np.int64) - _cents(employers["projected_premium_yuan"])
    delta_cents = np.zeros(n, dtype=np.int64)
    np.add.at(delta_cents, codes, delta)

    rows = summary.reindex(provinces)
    out = pd.DataFrame({"province_code": provinces})
    for s, column in SUMMARY_COUNTS.items():
        out[f"published_{s}"] = rows[column].fillna(0).astype(int).to_numpy()
        out[f"whatif_{s}"] = counts[:, status_index[s]]
    current = _cents(rows["current_premium_yuan"])
    projected = _cents(rows["projected_premium_yuan"])
    out["current_premium_yuan"] = current / 100
    out["published_projected_yuan"] = projected / 100
    out["whatif_projected_yuan"] = (projected + delta_cents) / 100
    out["published_change_yuan"] = (projected - current) / 100
    out["whatif_change_yuan"] = (projected + delta_cents - current) / 100
    return out
