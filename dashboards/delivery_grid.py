"""Delivery state of feeds for a period range, from the slices of ``marts.mart_feed_health``.

A period range is a span of months; a slice (``YYYYMM``, ``YYYYQn`` or ``YYYY``) is in the range
when its period overlaps it. Per province x feed the grid counts the slices by their published
status and takes the worst state for its colour; nothing is re-derived from raw deliveries.
"""

from __future__ import annotations

import re

import pandas as pd

_MONTH = re.compile(r"^(\d{4})(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")

STATUS_COUNTS = {"on_time": "按时", "late": "逾期", "quarantined": "被隔离", "missing": "缺报", "not_due": "未到期"}


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def month_label(index: int) -> str:
    return f"{index // 12}年{index % 12 + 1}月"


def period_months(period: str) -> tuple[int, int]:
    """First and last month (as month indexes) a period covers."""
    if m := _MONTH.match(period):
        i = month_index(int(m[1]), int(m[2]))
        return i, i
    if m := _QUARTER.match(period):
        first = month_index(int(m[1]), 3 * int(m[2]) - 2)
        return first, first + 2
    if m := _YEAR.match(period):
        return month_index(int(m[1]), 1), month_index(int(m[1]), 12)
    raise ValueError(f"not a period: {period!r}")


def in_range(periods: pd.Series, first: int, last: int) -> pd.Series:
    """Which periods overlap the months first..last (each distinct period is parsed once)."""
    bounds = {p: period_months(p) for p in periods.unique()}
    overlapping = {p for p, (start, end) in bounds.items() if start <= last and end >= first}
    return periods.isin(overlapping)


def summarise(slices: pd.DataFrame) -> pd.DataFrame:
    """One row per province x feed: slice counts by status, unclean slices, rejected records,
    the highest published rejected share, the worst state, and the cell's text and hover."""
    frame = slices.assign(
        unclean=slices["accepted"] & ~slices["clean"],
        **{f"n_{s}": slices["status"] == s for s in STATUS_COUNTS},
    )
    keys = ["province_code", "province_name", "feed", "feed_title"]
    grouped = frame.groupby(keys, sort=False, dropna=False).agg(
        slices=("period", "size"),
        **{f"n_{s}": (f"n_{s}", "sum") for s in STATUS_COUNTS},
        unclean=("unclean", "sum"),
        records=("records", "sum"),
        records_rejected=("records_rejected", "sum"),
        max_rejected_share=("rejected_share", "max"),
    ).reset_index()
    for column in ["slices", "unclean", "records", "records_rejected", *(f"n_{s}" for s in STATUS_COUNTS)]:
        grouped[column] = grouped[column].astype(int)

    def state(row: dict) -> str:
        for status in ("missing", "quarantined", "late"):
            if row[f"n_{status}"]:
                return status
        if row["unclean"]:
            return "unclean"
        return "on_time" if row["n_on_time"] else "not_due"

    def hover(row: dict) -> str:
        counts = "，".join(f"{name} {row[f'n_{s}']}" for s, name in STATUS_COUNTS.items() if row[f"n_{s}"])
        share = "—" if pd.isna(row["max_rejected_share"]) else f"{row['max_rejected_share']:.2%}"
        return (f"{row['slices']} 个数据片：{counts}<br>拒收超1%的数据片 {row['unclean']}，"
                f"拒收记录 {row['records_rejected']} / {row['records']}，最高拒收比例 {share}")

    rows = grouped.to_dict("records")
    grouped["state"] = [state(r) for r in rows]
    grouped["text"] = [f"{r['n_on_time']}/{r['slices'] - r['n_not_due']}" if r["slices"] > r["n_not_due"] else "—"
                       for r in rows]
    grouped["hover"] = [hover(r) for r in rows]
    return grouped


SUMMARY_LABELS = {
    "province_name": "省份", "feed_title": "数据项", "slices": "数据片", "n_on_time": "按时", "n_late": "逾期",
    "n_quarantined": "被隔离", "n_missing": "缺报", "n_not_due": "未到期", "unclean": "拒收超1%",
    "records": "记录数", "records_rejected": "拒收记录数", "max_rejected_share": "最高拒收比例",
}
