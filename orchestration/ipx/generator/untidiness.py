"""The variety of real exports (spec "What real exports look like"): each delivered file
gets a ``FileStyle`` — format, encoding, column order, extra columns, date forms, numeric
habits — and a little cell-level mess (padding, full-width characters). None of it is a
defect: every variant must load."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ipx.contracts import FeedContract
from ipx.generator.rendering import DATE_FORM_LABELS, DATE_FORMS

# Style kinds recorded in the ground truth (expect "load").
STYLE_KINDS = (
    "gb18030", "utf8_bom", "xlsx_title_total_rows", "shuffled_columns", "extra_column",
    "amount_in_10k_yuan", "date_format_variant", "full_width_digits", "padded_values",
    "thousands_separator", "percent_sign", "chinese_grade_numeral", "qita_alias",
)
# Forced occurrences: each non-canonical date form at least once.
FORCED_STYLE_KINDS = tuple(k for k in STYLE_KINDS if k != "date_format_variant") + tuple(
    f"date_format_variant:{form}" for form in DATE_FORMS if form != "iso")

EXTRA_COLUMNS = ("序号", "所属省份", "备注")
REMARKS = ("已核实", "补录", "系统导入", "复核", "更正")
FULL_WIDTH = str.maketrans(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ",
)
# Column types whose cells may carry full-width digits/letters (all normalise under NFKC).
FULL_WIDTH_TYPES = {"uscc", "resident_id", "area_code", "industry_code", "int"}
AMOUNT_WAN_FEEDS = {"hrss_prevention_projects", "hrss_employers"}


@dataclass
class FileStyle:
    fmt: str = "csv"                  # csv | xlsx
    encoding: str = "UTF-8"           # UTF-8 | UTF-8-BOM | GB18030 (CSV only)
    line_end: str = "\r\n"
    column_order: list[str] = field(default_factory=list)   # contract column names in file order
    shuffled: bool = False
    extras: tuple[str, ...] = ()      # extra (unknown) columns
    date_forms: tuple[str, ...] = ("iso",)
    datetime_seconds: bool = True
    thousands: bool = False
    percent: str = "none"             # none | all | mixed
    cn_grade: str = "none"            # none | all | mixed
    qita: bool = False
    wan_columns: tuple[str, ...] = ()
    pad_share: float = 0.0
    full_width_share: float = 0.0
    unit_alias: bool = False
    halfwidth_parens: bool = False
    # XLSX only
    title_rows: int = 1
    total_label: str = "总计"
    date_cells: bool = True
    numeric_codes: bool = True
    sheet_name: str = "明细"

    @property
    def manifest_encoding(self) -> str:
        return "GB18030" if self.encoding == "GB18030" else "UTF-8"

    @property
    def python_encoding(self) -> str:
        return {"UTF-8": "utf-8", "UTF-8-BOM": "utf-8-sig", "GB18030": "gb18030"}[self.encoding]


def _has(contract: FeedContract, type_: str) -> bool:
    return any(c.type == type_ for c in contract.columns)


def choose_style(rng: np.random.Generator, contract: FeedContract, fmt: str, forced: set[str]) -> FileStyle:
    """A random style for one file; ``forced`` style kinds are switched on when they apply."""
    s = FileStyle(fmt=fmt)
    u = rng.random(16)
    names = [c.name for c in contract.columns]
    if fmt == "csv":
        s.encoding = "UTF-8" if u[0] < 0.55 else ("UTF-8-BOM" if u[0] < 0.75 else "GB18030")
        if "gb18030" in forced:
            s.encoding = "GB18030"
        elif "utf8_bom" in forced:
            s.encoding = "UTF-8-BOM"
        s.line_end = "\n" if u[1] < 0.25 else "\r\n"
    s.shuffled = bool(u[2] < 0.3) or "shuffled_columns" in forced
    order = list(names)
    if s.shuffled:
        for _ in range(5):
            rng.shuffle(order)
            if order != names:
                break
    s.column_order = order
    if u[3] < 0.2 or "extra_column" in forced:
        picked = [x for x in EXTRA_COLUMNS if rng.random() < 0.5] or ["所属省份"]
        s.extras = tuple(picked)
    if fmt == "xlsx" and "序号" not in s.extras and u[4] < 0.5:
        s.extras = ("序号",) + s.extras
    forms = list(DATE_FORMS)
    forced_forms = [k.split(":", 1)[1] for k in forced if k.startswith("date_format_variant:")]
    if forced_forms:
        s.date_forms = tuple(forced_forms)
    elif u[5] < 0.5:
        s.date_forms = ("iso",)
    elif u[5] < 0.9:
        s.date_forms = (forms[1 + int(rng.integers(0, 4))],)
    else:
        s.date_forms = tuple(rng.choice(forms, size=2, replace=False).tolist())
    s.datetime_seconds = bool(u[6] < 0.6)
    s.thousands = bool(u[7] < 0.3) or "thousands_separator" in forced
    if contract.feed == "hrss_employers":
        s.percent = "all" if u[8] < 0.3 else ("mixed" if u[8] < 0.4 else "none")
        if "percent_sign" in forced and s.percent == "none":
            s.percent = "all"
    if _has(contract, "grade"):
        s.cn_grade = "all" if u[9] < 0.2 else ("mixed" if u[9] < 0.3 else "none")
        if "chinese_grade_numeral" in forced and s.cn_grade == "none":
            s.cn_grade = "all"
    if "accident_category" in names:
        s.qita = bool(u[10] < 0.3) or "qita_alias" in forced
    if contract.feed in AMOUNT_WAN_FEEDS:
        amounts = tuple(c.name for c in contract.columns if c.type == "amount")
        if u[11] < (0.25 if contract.feed == "hrss_prevention_projects" else 0.05) or "amount_in_10k_yuan" in forced:
            s.wan_columns = amounts
    # A forced variant is made frequent enough to show up even in a short file.
    s.pad_share = 0.2 if "padded_values" in forced else (0.03 if u[12] < 0.25 else 0.0)
    s.full_width_share = 0.25 if "full_width_digits" in forced else (0.04 if u[13] < 0.2 else 0.0)
    s.unit_alias = "unit" in names and bool(u[14] < 0.3)
    s.halfwidth_parens = bool(u[15] < 0.1)
    if fmt == "xlsx":
        s.title_rows = 1 + int(rng.integers(0, 2))
        s.total_label = "总计" if rng.random() < 0.5 else "合计"
        s.date_cells = bool(rng.random() < 0.8)
        s.numeric_codes = bool(rng.random() < 0.7)
        s.sheet_name = ("明细", "Sheet1", "数据")[int(rng.integers(0, 3))]
    return s


def header_of(contract: FeedContract, name: str, style: FileStyle) -> str:
    header = contract.column(name).header
    if name in style.wan_columns:
        header = header + "（万元）"
    if style.halfwidth_parens:
        header = header.replace("（", "(").replace("）", ")")
    return header


def full_width(text: str) -> str:
    return text.translate(FULL_WIDTH)


def pad(text: str, pick: float) -> str:
    if pick < 0.4:
        return "  " + text
    if pick < 0.7:
        return text + " "
    if pick < 0.85:
        return "\t" + text + " "
    return " " + text + "  "


def mess_up_cells(rng: np.random.Generator, contract: FeedContract, cells: dict[str, np.ndarray],
                  style: FileStyle) -> set[str]:
    """Pad some text cells and write some digits/letters full-width, in place. Returns the
    style kinds that actually occurred."""
    happened: set[str] = set()
    for col in contract.columns:
        arr = cells[col.name]
        n = len(arr)
        if not n:
            continue
        if style.full_width_share and col.type in FULL_WIDTH_TYPES:
            for i in np.flatnonzero(rng.random(n) < style.full_width_share).tolist():
                value = arr[i]
                if isinstance(value, str) and value:
                    new = full_width(value)
                    if new != value:
                        arr[i] = new
                        happened.add("full_width_digits")
        if style.pad_share:
            hit = np.flatnonzero(rng.random(n) < style.pad_share)
            picks = rng.random(len(hit))
            for i, p in zip(hit.tolist(), picks.tolist()):
                value = arr[i]
                if isinstance(value, str) and value:
                    arr[i] = pad(value, p)
                    happened.add("padded_values")
    return happened


def style_report(contract: FeedContract, style: FileStyle, cells: dict[str, np.ndarray], messed: set[str],
                 n: int) -> list[dict]:
    """The style kinds that actually occur in a written file (for the ground truth)."""
    out: list[dict] = []
    if style.fmt == "csv" and style.encoding == "GB18030":
        out.append({"kind": "gb18030"})
    if style.fmt == "csv" and style.encoding == "UTF-8-BOM":
        out.append({"kind": "utf8_bom"})
    if style.fmt == "xlsx":
        out.append({"kind": "xlsx_title_total_rows", "title_rows": style.title_rows, "total_label": style.total_label})
    if style.shuffled:
        out.append({"kind": "shuffled_columns"})
    if style.extras:
        out.append({"kind": "extra_column", "columns": list(style.extras)})
    if n == 0:
        return out
    if style.wan_columns:
        out.append({"kind": "amount_in_10k_yuan", "columns": list(style.wan_columns)})
    text_dates = style.fmt == "csv" or not style.date_cells
    dated = [c.name for c in contract.columns if c.type == "date" and any(isinstance(v, str) and v for v in cells[c.name].tolist())]
    if text_dates and dated and any(f != "iso" for f in style.date_forms):
        out.append({"kind": "date_format_variant", "forms": [DATE_FORM_LABELS[f] for f in style.date_forms]})
    for kind in sorted(messed):
        out.append({"kind": kind})
    amounts = [c.name for c in contract.columns if c.type == "amount" and c.name not in style.wan_columns]
    if style.thousands and any("," in str(v) for a in amounts for v in cells[a].tolist()):
        out.append({"kind": "thousands_separator"})
    if "premium_rate_pct" in cells and any(isinstance(v, str) and "%" in v for v in cells["premium_rate_pct"].tolist()):
        out.append({"kind": "percent_sign"})
    if "disability_grade" in cells and any(isinstance(v, str) and "级" in v for v in cells["disability_grade"].tolist()):
        out.append({"kind": "chinese_grade_numeral"})
    if "accident_category" in cells and any(isinstance(v, str) and v.startswith("其他") for v in cells["accident_category"].tolist()):
        out.append({"kind": "qita_alias"})
    if "unit" in cells and any(v == "mg/m3" for v in cells["unit"].tolist()):
        out.append({"kind": "unit_alias"})
    if style.halfwidth_parens and any("（" in c.header for c in contract.columns):
        out.append({"kind": "halfwidth_header_parens"})
    return out
