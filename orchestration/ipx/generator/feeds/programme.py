"""The province's own programme records: ``hrss_prevention_projects`` (prevention-fund
projects) and ``province_reports`` (plan filing and yearly progress reports)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ipx.generator.feeds.table import Rows
from ipx.generator.geography import PROVINCE_WEIGHTS
from ipx.generator.world import World

TOPICS = ("建筑施工企业", "危险化学品企业", "矿山企业", "交通运输企业", "机械制造企业", "重点行业中小微企业")
KINDS = {
    "宣传": ("工伤预防宣传", "工伤预防进企业宣传活动", "工伤预防主题宣传月"),
    "培训": ("关键岗位人员工伤预防培训", "一线班组长安全培训", "工伤预防线上培训平台"),
    "其他": ("工伤预防信息化建设", "职业健康检查", "安全生产标准化改造"),
}
BUDGET_RANGE = {"宣传": (200_000, 1_500_000), "培训": (500_000, 4_000_000), "其他": (200_000, 2_000_000)}


def prevention_projects(world: World) -> Rows:
    rng = world.rng("prevention_projects")
    rows: dict[str, list] = {k: [] for k in ("project_no", "project_name", "category", "budget_yuan",
                                              "spent_yuan", "acceptance")}
    period = []
    size = PROVINCE_WEIGHTS[world.province] / max(PROVINCE_WEIGHTS.values())
    for year in world.years:
        k = 2 + int(round(3 * size)) + int(rng.integers(0, 2))
        for j in range(k):
            cat = ("宣传", "培训", "其他")[rng.choice(3, p=[0.3, 0.5, 0.2])]
            lo, hi = BUDGET_RANGE[cat]
            budget = round(float(rng.uniform(lo, hi)) / 100) * 100.0
            rows["project_no"].append(f"GY{world.province}{year}{j + 1:03d}")
            names = KINDS[cat]
            rows["project_name"].append(f"{year}年度{TOPICS[rng.integers(0, len(TOPICS))]}{names[rng.integers(0, len(names))]}项目")
            rows["category"].append(cat)
            rows["budget_yuan"].append(budget)
            rows["spent_yuan"].append(round(budget * float(rng.uniform(0.6, 1.1)), 2))
            rows["acceptance"].append(("验收合格", "未验收", "验收不合格")[rng.choice(3, p=[0.75, 0.2, 0.05])])
            period.append(str(year))
    cols = {k: np.array(v) if k not in ("budget_yuan", "spent_yuan") else np.array(v, dtype=float)
            for k, v in rows.items()}
    return Rows(cols, np.array(period, dtype="<U4"))


def province_reports(world: World) -> Rows:
    """The 2021 plan filing and each year's progress report, in the file of the year they
    were submitted (a late yearly report lands in the next year's file)."""
    rng = world.rng("province_reports")
    late_share = 0.4 if world.profile.late else 0.08
    types, years, dates = [], [], []
    if 2021 in world.years:
        if rng.random() < (0.5 if world.profile.late else 0.1):
            day = dt.date(2021, 6, 1) + dt.timedelta(days=int(rng.integers(0, 120)))
        else:
            day = dt.date(2021, 2, 1) + dt.timedelta(days=int(rng.integers(0, 120)))
        types.append("实施方案备案"), years.append(2021), dates.append(day)
    for year in world.years:
        if year < 2021:
            continue
        if rng.random() < late_share:
            day = dt.date(year + 1, 1, 3) + dt.timedelta(days=int(rng.integers(0, 50)))
        else:
            day = dt.date(year, 11, 1) + dt.timedelta(days=int(rng.integers(0, 61)))
        types.append("年度落实情况"), years.append(year), dates.append(day)
    period = np.array([str(d.year) for d in dates], dtype="<U4")
    return Rows(
        {
            "report_type": np.array(types, dtype="<U8"),
            "report_year": np.array(years, dtype=np.int64),
            "submitted_date": np.array(dates, dtype="datetime64[D]"),
        },
        period,
    )
