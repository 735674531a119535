"""The measures of ``marts.mart_hotspots`` the hotspot page can show, with their Chinese labels,
units and the published column of their change from the previous year."""

from __future__ import annotations

from dataclasses import dataclass

from ipx.exports.labels import label


@dataclass(frozen=True)
class Measure:
    key: str
    column: str
    label: str
    decimals: int
    unit: str = ""  # written after a figure in tooltips and table cells ("‰", "人", ...)
    has_target: bool = False  # the plan sets a target path for it (the map then shows the gap)

    @property
    def change_column(self) -> str:
        """The mart's change of this measure from the previous year (null when either year has no data)."""
        return f"{self.column}_change"


MEASURES = {
    m.key: m
    for m in (
        Measure("injury_rate", "injury_rate_per_1000", "工伤事故发生率(‰)", 4, "‰", has_target=True),
        Measure("fatalities", "fatalities", label("fatalities"), 0, " 人"),
        Measure("accidents", "accidents", label("accidents"), 0, " 起"),
        Measure("od_rate", "od_rate_per_100k", label("od_rate_per_100k"), 4, " /10万人"),
        Measure("exceedances", "exceedances", label("exceedances"), 0, " 个"),
    )
}
INJURY_RATE = MEASURES["injury_rate"]

KEY_ALL = "key_all"  # all key industries of the province (national list plus its additions)
ALL_INDUSTRIES = "all"
NATIONAL = "000000"
XPCC = "660000"

# target_status of marts.mart_hotspots in Chinese.
STATUS_LABELS = {"behind": "劣于目标", "on_track": "优于目标"}

# Columns of the province detail table, in order.
DETAIL_COLUMNS = [
    "industry_group_name", "insured_workers", "injuries", "injury_rate_per_1000", "target_injury_rate_per_1000",
    "injury_rate_gap_pct", "target_status", "injury_rate_per_1000_change", "fatalities", "accidents",
    "od_rate_per_100k", "exceedances",
]
# Shorter headers of the detail table than the export labels, so it fits the page.
DETAIL_HEADERS = {
    "injury_rate_per_1000": "发生率(‰)", "target_injury_rate_per_1000": "目标路径值(‰)",
    "injury_rate_gap_pct": "差距(%)", "target_status": "目标进度", "injury_rate_per_1000_change": "较上年(‰)",
    "baseline_injury_rate_per_1000": "基期(‰)", "od_rate_per_100k": "职业病(1/10万)", "accidents": "事故数",
    "od_cases": "职业病数",
}
