"""The measures of ``marts.mart_hotspots`` the hotspot page can show, with their Chinese labels."""

from __future__ import annotations

from dataclasses import dataclass

from ipx.exports.labels import label


@dataclass(frozen=True)
class Measure:
    key: str
    column: str
    label: str
    decimals: int


MEASURES = {
    m.key: m
    for m in (
        Measure("injury_rate", "injury_rate_per_1000", "工伤事故发生率(‰)", 4),
        Measure("fatalities", "fatalities", label("fatalities"), 0),
        Measure("accidents", "accidents", label("accidents"), 0),
        Measure("od_rate", "od_rate_per_100k", label("od_rate_per_100k"), 4),
        Measure("exceedances", "exceedances", label("exceedances"), 0),
    )
}

KEY_ALL = "key_all"  # all key industries of the province (national list plus its additions)
ALL_INDUSTRIES = "all"
NATIONAL = "000000"
XPCC = "660000"

# Columns of the province detail table, in order.
DETAIL_COLUMNS = [
    "industry_group_name", "insured_workers", "injuries", "injury_rate_per_1000", "baseline_injury_rate_per_1000",
    "target_injury_rate_per_1000", "fatalities", "accidents", "accident_deaths", "od_cases", "od_rate_per_100k",
    "exceedances",
]
