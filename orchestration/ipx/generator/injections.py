"""Record-level defects injected at known small rates: each breaks exactly one rule of the
contract (R: the record is rejected; W: it is loaded and flagged) and is recorded in the
ground truth with its file, 1-based record number and field."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

import numpy as np

from ipx.contracts import FeedContract
from ipx.generator.feeds.table import Rows
from ipx.generator.geography import foreign_area_code
from ipx.generator.rendering import date_strings
from ipx.generator.untidiness import FileStyle
from ipx.identifiers import USCC_CHARSET, ric_check_char
from ipx.reference import divisions, exposure_limits

ALL_USCC_FEEDS = ("hrss_employers", "hrss_injury_claims", "hrss_key_positions", "hrss_training",
                  "em_accidents", "em_hazards", "nhc_occupational_disease", "nhc_hazard_monitoring",
                  "acftu_supervision")
PERSON_FEEDS = ("hrss_injury_claims", "hrss_key_positions", "hrss_training", "nhc_occupational_disease")

# kind -> feed -> candidate fields (the field named in the ground truth)
R_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "invalid_uscc_check": dict.fromkeys(ALL_USCC_FEEDS, ("uscc",)),
    "invalid_ric_check": dict.fromkeys(PERSON_FEEDS, ("person_id",)),
    "impossible_birth_date": dict.fromkeys(PERSON_FEEDS, ("person_id",)),
    "missing_required": {
        "hrss_employers": ("employer_name", "area_code", "insured_workers"),
        "hrss_injury_claims": ("person_id", "incident_date", "decision_date", "decision", "harm_type",
                               "accident_category"),
        "hrss_key_positions": ("role",),
        "hrss_training": ("uscc", "training_date", "result"),
        "hrss_prevention_projects": ("project_name", "budget_yuan"),
        "em_accidents": ("employer_name", "area_code", "occurred_at", "accident_category"),
        "em_hazards": ("found_date", "level", "deadline"),
        "nhc_occupational_disease": ("person_id", "disease_category", "disease_name", "diagnosis_date"),
        "nhc_hazard_monitoring": ("sample_date", "value"),
        "acftu_supervision": ("uscc", "inspection_date"),
        "province_reports": ("submitted_date",),
    },
    "bad_date": {
        "hrss_injury_claims": ("incident_date", "decision_date"),
        "hrss_training": ("training_date",),
        "em_accidents": ("occurred_at",),
        "em_hazards": ("found_date", "deadline", "rectified_date"),
        "nhc_occupational_disease": ("diagnosis_date",),
        "nhc_hazard_monitoring": ("sample_date", "rectified_date"),
        "acftu_supervision": ("inspection_date",),
        "province_reports": ("submitted_date",),
    },
    "bad_number": {
        "hrss_employers": ("insured_workers", "payroll_yuan"),
        "hrss_injury_claims": ("fund_paid_yuan",),
        "hrss_training": ("hours",),
        "hrss_prevention_projects": ("budget_yuan", "spent_yuan"),
        "nhc_occupational_disease": ("exposure_years",),
        "nhc_hazard_monitoring": ("value",),
        "acftu_supervision": ("issues_found", "worker_complaints"),
        "province_reports": ("report_year",),
    },
    "bad_enum": {
        "hrss_injury_claims": ("sex", "decision", "fatal", "accident_category"),
        "hrss_key_positions": ("role",),
        "hrss_training": ("mode", "result", "role"),
        "hrss_prevention_projects": ("category", "acceptance"),
        "em_accidents": ("accident_category",),
        "em_hazards": ("level",),
        "nhc_occupational_disease": ("disease_category",),
        "province_reports": ("report_type",),
    },
    "negative_value": {
        "hrss_employers": ("insured_workers", "payroll_yuan"),
        "hrss_injury_claims": ("fund_paid_yuan",),
        "hrss_prevention_projects": ("spent_yuan",),
        "nhc_occupational_disease": ("exposure_years",),
        "nhc_hazard_monitoring": ("value",),
        "acftu_supervision": ("issues_found", "worker_complaints"),
    },
    "decision_before_incident": {"hrss_injury_claims": ("decision_date",)},
    "deadline_before_found": {"em_hazards": ("deadline",)},
    "area_other_province": {"hrss_employers": ("area_code",), "em_accidents": ("area_code",)},
    "grade_out_of_range": {"hrss_injury_claims": ("disability_grade",)},
    "hours_not_positive": {"hrss_training": ("hours",)},
}
W_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "risk_class_out_of_range": {"hrss_employers": ("risk_class",)},
    "premium_rate_out_of_range": {"hrss_employers": ("premium_rate_pct",)},
    "unknown_industry_division": {"hrss_employers": ("industry_code",), "em_accidents": ("industry_code",)},
    "industry_section_mismatch": {"hrss_employers": ("industry_code",), "em_accidents": ("industry_code",)},
    "severity_mismatch": {"em_accidents": ("severity",)},
    "unknown_factor": {"nhc_hazard_monitoring": ("factor",)},
    "metric_without_limit": {"nhc_hazard_monitoring": ("factor",)},
    "unit_mismatch": {"nhc_hazard_monitoring": ("unit",)},
    "resolved_gt_suggestions": {"acftu_supervision": ("resolved",)},
}
DUPLICATE = "duplicate_key_in_file"
R_KINDS = tuple(R_FIELDS) + (DUPLICATE,)
W_KINDS = tuple(W_FIELDS)

BAD_ENUM_VALUES = {
    "sex": ("男性", "未知"), "decision": ("待定", "撤销认定"), "fatal": ("Y", "死亡"),
    "accident_category": ("交通事故", "工伤事故"), "role": ("总经理", "安全员", "项目经理"),
    "mode": ("混合", "面授"), "result": ("良好", "通过"), "category": ("科研", "奖励"),
    "acceptance": ("进行中", "已验收"), "level": ("较大隐患", "重大"), "disease_category": ("尘肺病", "噪声聋"),
    "report_type": ("年度总结", "实施方案"),
}
UNKNOWN_FACTORS = ("石棉粉尘", "木粉尘", "铅烟", "锰及其化合物")


# Kinds only a contract's rules call for (feeds without a builder of their own); they are not
# required to occur, since the eleven feeds have none of these rules in generic form.
GENERIC_R_KINDS = ("date_before_reference", "value_above_max")
GENERIC_W_KINDS = ("value_out_of_range",)
GENERIC_BAD_ENUM = ("待定", "不详", "其它情况", "N/A")


def _builtin(feed: str) -> bool:
    from ipx.generator.feeds import BUILTIN_FEEDS

    return feed in BUILTIN_FEEDS


def generic_fields(contract: FeedContract) -> dict[str, tuple[str, ...]]:
    """kind -> fields of a contract without a builder of its own, derived from its rules: each
    kind breaks exactly one rule of the field (and no other rule of the record)."""
    referenced = {r for c in contract.columns for r in (c.not_before, c.not_above, *c.required_when) if r}
    out: dict[str, list[str]] = {}

    def add(kind: str, name: str) -> None:
        out.setdefault(kind, []).append(name)

    for col in contract.columns:
        if col.pii == "drop" or col.name in contract.key:
            continue
        t = col.type
        if t == "uscc":
            add("invalid_uscc_check", col.name)
        elif t == "resident_id":
            add("invalid_ric_check", col.name)
            add("impossible_birth_date", col.name)
        elif t == "area_code":
            add("area_other_province", col.name)
        elif t == "industry_code":
            add("unknown_industry_division", col.name)
            add("industry_section_mismatch", col.name)
        if col.required and not col.required_when:
            add("missing_required", col.name)
        if col.name in referenced:
            continue      # breaking it would change what another column's rule sees
        if t in ("date", "datetime"):
            add("bad_date", col.name)
            if t == "date" and col.not_before and contract.column(col.not_before).type == "date":
                add("date_before_reference", col.name)
        elif t in ("int", "dec", "amount"):
            add("bad_number", col.name)
        elif t == "enum":
            add("bad_enum", col.name)
        if t in ("int", "dec", "amount", "percent") and not col.not_above:
            low = col.min if col.min is not None else col.min_exclusive
            if col.range_severity == "R":
                if low is not None and low >= 0:
                    add("negative_value", col.name)
                if col.max is not None:
                    add("value_above_max", col.name)
            elif col.has_range:
                add("value_out_of_range", col.name)
    return {kind: tuple(names) for kind, names in out.items()}


def is_reject_kind(kind: str) -> bool:
    """Whether a record defect is an R defect (the record is rejected) rather than a W one."""
    return kind in R_FIELDS or kind in GENERIC_R_KINDS


def kinds_for(feed: str, contract: FeedContract | None = None) -> tuple[list[str], list[str]]:
    """The R and W kinds (other than in-file duplicates) that apply to a feed."""
    if contract is not None and not _builtin(feed):
        table = generic_fields(contract)
        r = [k for k in (*R_FIELDS, *GENERIC_R_KINDS) if k in table]
        w = [k for k in (*W_FIELDS, *GENERIC_W_KINDS) if k in table]
        return r, w
    r = [k for k, by_feed in R_FIELDS.items() if feed in by_feed]
    w = [k for k, by_feed in W_FIELDS.items() if feed in by_feed]
    return r, w


def fields_for(kind: str, feed: str, contract: FeedContract | None = None) -> tuple[str, ...]:
    if contract is not None and not _builtin(feed):
        return generic_fields(contract).get(kind, ())
    table = R_FIELDS.get(kind) or W_FIELDS.get(kind) or {}
    return table.get(feed, ())


def _present(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind in "Mm":
        return ~np.isnat(values)
    if values.dtype.kind == "f":
        return ~np.isnan(values)
    if values.dtype.kind in "iu":
        return values >= 0
    return values.astype(str) != ""


def eligible(kind: str, feed: str, field: str, rows: Rows) -> np.ndarray:
    """Records of ``rows`` that can carry this defect in this field."""
    cols = rows.columns
    n = len(rows)
    ok = np.ones(n, dtype=bool)
    if kind in ("invalid_uscc_check", "invalid_ric_check", "impossible_birth_date", "missing_required",
                "bad_number"):
        ok &= _present(cols[field])
    if kind == "missing_required" and field == "accident_category" and feed == "hrss_injury_claims":
        ok &= cols["harm_type"] == "事故伤害"
    if kind == "negative_value":
        ok &= _present(cols[field]) & (np.nan_to_num(cols[field].astype(float)) > 0)
    if kind == "unknown_factor":
        ok &= cols["unit"] == "mg/m³"
    if kind in ("date_before_reference", "value_above_max", "value_out_of_range", "bad_enum",
                "unknown_industry_division", "industry_section_mismatch", "area_other_province", "bad_date"):
        ok &= _present(cols[field]) if field in cols else False
    return ok


@dataclass
class CellContext:
    """What a defect needs to rewrite one record's cells."""

    contract: FeedContract
    style: FileStyle
    rows: Rows                 # canonical rows in file order
    cells: dict[str, np.ndarray]
    province: str
    rng: np.random.Generator

    @property
    def xlsx(self) -> bool:
        return self.style.fmt == "xlsx"

    def date_cell(self, day: np.datetime64) -> object:
        if self.xlsx and self.style.date_cells:
            d = day.astype(object)
            return dt.datetime(d.year, d.month, d.day)
        return date_strings(np.array([day], dtype="datetime64[D]"), self.style.date_forms[0])[0]

    def number_cell(self, text: str) -> object:
        if self.xlsx:
            try:
                return int(text)
            except ValueError:
                return float(text)
        return text


def _row_date(ctx: CellContext, i: int) -> dt.date:
    for _name, values in ctx.rows.columns.items():
        if values.dtype.kind == "M" and not np.isnat(values[i]):
            return values[i].astype("datetime64[D]").astype(object)
    return dt.date(2021, 6, 1)


def _pick(ctx: CellContext, options: tuple) -> object:
    return options[int(ctx.rng.integers(0, len(options)))]


def _mutate(kind: str, field: str, ctx: CellContext, i: int) -> None:
    cells, cols, rng = ctx.cells, ctx.rows.columns, ctx.rng
    value = cols[field][i] if field in cols else None
    if kind == "invalid_uscc_check":
        right = str(value)
        wrong = _pick(ctx, tuple(c for c in USCC_CHARSET if c != right[-1]))
        cells[field][i] = right[:-1] + wrong
    elif kind == "invalid_ric_check":
        right = str(value)
        cells[field][i] = right[:-1] + _pick(ctx, tuple(c for c in "0123456789X" if c != right[-1]))
    elif kind == "impossible_birth_date":
        right = str(value)
        body = right[:10] + _pick(ctx, ("0230", "1301", "0431", "0000", "1232", "0229" if int(right[6:10]) % 4 else "0931")) + right[14:17]
        cells[field][i] = body + ric_check_char(body)
    elif kind == "missing_required":
        cells[field][i] = None if ctx.xlsx else _pick(ctx, ("", "", " "))
    elif kind == "bad_date":
        d = _row_date(ctx, i)
        if ctx.contract.column(field).type == "datetime":
            options = (f"{d.year}-{d.month:02d}-32 10:00", f"{d.year}-13-01 08:30", "待定", f"{d.year}年{d.month}月")
        else:
            options = (f"{d.year}-02-30", f"{d.year}-13-{d.day:02d}", f"{d.year}年{d.month}月", "待定",
                       f"{d.year}/{d.month}/32", f"{d.year}{d.month:02d}")
        cells[field][i] = _pick(ctx, options)
    elif kind == "bad_number":
        shown = str(cells[field][i]).strip() or "1"
        if field == "hours":
            options = ("两小时", f"{shown}学时")
        elif field == "report_year":
            options = (f"{shown}年度", "二〇二一")
        elif ctx.contract.column(field).type == "int":
            options = (f"约{shown}", f"{shown}人", "若干")
        else:
            options = (f"{shown}元", "1.2.3", f"约{shown}", "待核定")
        cells[field][i] = _pick(ctx, options)
    elif kind == "bad_enum":
        col = ctx.contract.column(field)
        allowed = {unicodedata.normalize("NFKC", v).strip() for v in (*col.values, *col.synonyms)}
        options = (BAD_ENUM_VALUES.get(field) if _builtin(ctx.contract.feed) else None) or \
            tuple(v for v in GENERIC_BAD_ENUM if v not in allowed)
        cells[field][i] = _pick(ctx, options)
    elif kind == "date_before_reference":
        ref = ctx.contract.column(field).not_before
        cells[field][i] = ctx.date_cell(cols[ref][i].astype("datetime64[D]") - int(rng.integers(1, 31)))
    elif kind == "value_above_max":
        col = ctx.contract.column(field)
        cells[field][i] = ctx.number_cell(_number_text(float(col.max) + _pick(ctx, (1, 2, 10)), col.type))
    elif kind == "value_out_of_range":
        col = ctx.contract.column(field)
        if col.max is not None:
            wrong = float(col.max) + _pick(ctx, (1, 2, 10))
        else:
            wrong = float(col.min if col.min is not None else col.min_exclusive) - _pick(ctx, (1, 2, 10))
        cells[field][i] = ctx.number_cell(_number_text(wrong, col.type))
    elif kind == "negative_value":
        shown = cells[field][i]
        cells[field][i] = -shown if isinstance(shown, (int, float)) else "-" + str(shown).strip()
    elif kind == "decision_before_incident":
        cells[field][i] = ctx.date_cell(cols["incident_date"][i] - int(rng.integers(1, 31)))
    elif kind == "deadline_before_found":
        cells[field][i] = ctx.date_cell(cols["found_date"][i] - int(rng.integers(1, 16)))
    elif kind == "area_other_province":
        code = foreign_area_code(ctx.province, int(rng.integers(0, 1000)))
        cells[field][i] = int(code) if (ctx.xlsx and ctx.style.numeric_codes) else code
    elif kind == "grade_out_of_range":
        cells[field][i] = ctx.number_cell(_pick(ctx, ("11", "0", "12")))
    elif kind == "hours_not_positive":
        cells[field][i] = ctx.number_cell(_pick(ctx, ("0", "-2", "0.0")))
    elif kind == "risk_class_out_of_range":
        cells[field][i] = ctx.number_cell(_pick(ctx, ("0", "9", "10")))
    elif kind == "premium_rate_out_of_range":
        cells[field][i] = _pick(ctx, ("0", "3.5", "4.20%", "0.00%", "3.6"))
    elif kind == "unknown_industry_division":
        cells[field][i] = _pick(ctx, ("99", "9910", "98", "9821"))
    elif kind == "industry_section_mismatch":
        code = str(value)
        digits = code[1:] if code[:1].isalpha() else code
        right = divisions()[digits[:2]]
        letters = sorted(set(divisions().values()) - {right})
        cells[field][i] = _pick(ctx, tuple(letters)) + digits
    elif kind == "severity_mismatch":
        cells[field][i] = _pick(ctx, tuple(s for s in ("一般", "较大", "重大") if s != value))
    elif kind == "unknown_factor":
        cells[field][i] = _pick(ctx, UNKNOWN_FACTORS)
    elif kind == "metric_without_limit":
        factor = str(value)
        have = {lim.metric for lim in exposure_limits() if lim.factor == factor}
        options = tuple(m for m in ("C_ME", "C_STEL", "C_TWA") if m not in have)
        cells["metric"][i] = options[0] if "C_ME" in options else _pick(ctx, options)
    elif kind == "unit_mismatch":
        cells[field][i] = "dB(A)" if str(value) == "mg/m³" else "mg/m³"
    elif kind == "resolved_gt_suggestions":
        cells[field][i] = ctx.number_cell(str(int(cols["suggestions"][i]) + int(rng.integers(1, 4))))
    else:
        raise ValueError(f"unknown defect kind {kind!r}")


def _number_text(value: float, col_type: str) -> str:
    if col_type == "int" or float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}"


def apply_defect(kind: str, field: str, ctx: CellContext, i: int) -> None:
    _mutate(kind, field, ctx, i)

