"""The watchlist as the page shows and downloads it: filters over ``marts.mart_watchlist`` rows
(order kept: ``priority_rank``, worst first), the displayed columns, and the XLSX download."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from dashboards.table_format import MISSING, count
from ipx.exports.labels import label
from ipx.exports.writers import write_xlsx

NOT_KEY_INDUSTRY = "（非重点行业）"
# The industry filter's code for employers outside the key industries (URL ``industry=non_key``);
# ``key_all`` stands for every key industry, as mart_hotspots' industry_group does.
NOT_KEY_INDUSTRY_CODE = "non_key"
ALL_KEY_INDUSTRIES_CODE = "key_all"
PROFILE_LINK = "profile_link"

SHOWN_COLUMNS = [
    "priority_rank", "priority_tier", "province_name", "employer_name", PROFILE_LINK, "listing_reasons",
    "key_industry_name",
    "exceeded_factors", "overdue_items", "open_items", "max_days_overdue", "worst_exceedance_ratio",
    "exceedances_12m", "linked_injuries_12m", "od_cases_12m", "union_complaints_12m", "uscc",
]
# The download carries every column of the mart.
DOWNLOAD_COLUMNS = [
    "priority_rank", "priority_tier", "province_code", "province_name", "uscc", "employer_name", "industry_code",
    "key_industry_code", "key_industry_name", "worst_exceedance_ratio", "exceedances_12m",
    "repeat_exceedance_factors", "repeat_exceedances", "exceeded_factors", "open_items", "overdue_items",
    "open_exceedances", "overdue_exceedances", "open_major_hazards", "overdue_major_hazards", "open_general_hazards",
    "overdue_general_hazards", "max_days_overdue", "linked_injuries_12m", "od_cases_12m", "union_complaints_12m",
    "listing_reasons",
]


# How the table's numbers read: counts and ranks as whole numbers with separators (a column with a
# missing value arrives as floats), the worst ratio to its limit with four decimals.
DISPLAY_FORMATS = {
    **{label(c): count for c in ("priority_rank", "priority_tier", "overdue_items", "open_items", "max_days_overdue",
                                 "exceedances_12m", "linked_injuries_12m", "od_cases_12m", "union_complaints_12m")},
    label("worst_exceedance_ratio"): "{:.4f}",
}


def factor_options(rows: pd.DataFrame) -> list[str]:
    """Every hazard factor some row exceeded, sorted (vectorised: one explode, not a row loop)."""
    return sorted({str(f) for f in rows["exceeded_factors"].explode().dropna().unique()})


def factors_of(value) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    return [str(v) for v in list(value)]


def industry_of(value) -> str:
    return NOT_KEY_INDUSTRY if value is None or pd.isna(value) else str(value)


def industry_code_of(value) -> str:
    return NOT_KEY_INDUSTRY_CODE if value is None or pd.isna(value) else str(value)


def industry_options(rows: pd.DataFrame) -> dict[str, str]:
    """Key-industry code -> name of the rows, the key industries first by name, then the employers
    outside them."""
    pairs = rows[["key_industry_code", "key_industry_name"]].drop_duplicates()
    options = {industry_code_of(c): industry_of(n) for c, n in zip(pairs["key_industry_code"],
                                                                     pairs["key_industry_name"])}
    return dict(sorted(options.items(), key=lambda kv: (kv[0] == NOT_KEY_INDUSTRY_CODE, kv[1], kv[0])))


def profile_link(uscc: str) -> str:
    """The employer profile page's address, relative to the app (``employer?uscc=...``)."""
    return f"employer?uscc={uscc}"


def watchlist_mask(rows: pd.DataFrame, *, provinces: Iterable[str] = (), industries: Iterable[str] = (),
                   factors: Iterable[str] = (), overdue_only: bool = False) -> np.ndarray:
    """Which rows match every non-empty filter (a boolean array in the rows' order).
    ``industries`` holds key-industry codes (``NOT_KEY_INDUSTRY_CODE`` for employers outside the key
    industries); ``factors`` matches when the employer has any of them. Vectorised: the national
    watchlist has 265,000 rows and the page filters them on every rerun."""
    provinces, industries, factors = set(provinces), set(industries), set(factors)
    keep = np.ones(len(rows), dtype=bool)
    if provinces:
        keep &= rows["province_code"].isin(provinces).to_numpy(dtype=bool)
    if industries:
        codes = rows["key_industry_code"].astype(object).where(rows["key_industry_code"].notna(), NOT_KEY_INDUSTRY_CODE)
        keep &= codes.isin(industries).to_numpy(dtype=bool)
    if factors:
        exploded = rows["exceeded_factors"].reset_index(drop=True).explode()
        hit = exploded.isin(factors).groupby(level=0).any()
        keep &= hit.reindex(range(len(rows)), fill_value=False).to_numpy(dtype=bool)
    if overdue_only:
        keep &= (rows["overdue_items"].fillna(0) > 0).to_numpy(dtype=bool)
    return keep


def filter_watchlist(rows: pd.DataFrame, *, provinces: Iterable[str] = (), industries: Iterable[str] = (),
                     factors: Iterable[str] = (), overdue_only: bool = False) -> pd.DataFrame:
    """Rows matching every non-empty filter (``watchlist_mask``), worst first."""
    keep = watchlist_mask(rows, provinces=provinces, industries=industries, factors=factors,
                          overdue_only=overdue_only)
    return rows[keep].sort_values("priority_rank")


def for_display(rows: pd.DataFrame) -> pd.DataFrame:
    shown = rows[[c for c in SHOWN_COLUMNS if c != PROFILE_LINK]].copy()
    shown[PROFILE_LINK] = shown["uscc"].map(profile_link)
    shown = shown[SHOWN_COLUMNS]
    # "—" when no factor was exceeded in 12 months or is still open (listed for hazards alone)
    shown["exceeded_factors"] = shown["exceeded_factors"].map(lambda v: "、".join(factors_of(v)) or MISSING)
    shown["key_industry_name"] = shown["key_industry_name"].map(industry_of)
    return shown.rename(columns=label)


def _cell(value):
    """A spreadsheet cell: lists joined, missing values empty, numpy scalars as Python numbers."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return "、".join(factors_of(value))
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def xlsx_bytes(rows: pd.DataFrame) -> bytes:
    """The rows as an XLSX file (Chinese headers); formula-like text is neutralised by write_xlsx."""
    columns = [c for c in DOWNLOAD_COLUMNS if c in rows.columns]
    body = [[_cell(v) for v in record] for record in rows[columns].itertuples(index=False, name=None)]
    with tempfile.TemporaryDirectory(prefix="ipx-watchlist-") as tmp:
        out = Path(tmp) / "watchlist.xlsx"
        write_xlsx(out, [("超标与隐患整改", [label(c) for c in columns], body)])
        return out.read_bytes()
