"""``nhc_occupational_disease`` and ``nhc_hazard_monitoring``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ipx.generator import industries as ind
from ipx.generator.feeds.table import Rows, events_by_month, month_label, numbered, random_days_in_months
from ipx.generator.people import People, make_people
from ipx.generator.world import World
from ipx.reference import exposure_limits

DUST = "职业性尘肺病及其他呼吸系统疾病"
CATEGORY_MIX: dict[str, dict[str, float]] = {
    "dust": {DUST: 0.92, "职业性耳鼻喉口腔疾病": 0.05, "物理因素所致职业病": 0.03},
    "chemical": {DUST: 0.25, "职业性化学中毒": 0.40, "职业性皮肤病": 0.15, "职业性眼病": 0.05,
                 "职业性肿瘤": 0.05, "职业性耳鼻喉口腔疾病": 0.10},
    "machinery": {DUST: 0.55, "职业性耳鼻喉口腔疾病": 0.35, "物理因素所致职业病": 0.05, "职业性化学中毒": 0.05},
    "other": {DUST: 0.30, "职业性耳鼻喉口腔疾病": 0.40, "职业性化学中毒": 0.10, "物理因素所致职业病": 0.10,
              "职业性传染病": 0.03, "职业性放射性疾病": 0.02, "其他职业病": 0.05},
}
DISEASES = {
    DUST: ("矽肺", "煤工尘肺", "水泥尘肺", "电焊工尘肺", "石墨尘肺"),
    "职业性皮肤病": ("接触性皮炎", "化学性皮肤灼伤"),
    "职业性眼病": ("化学性眼部灼伤", "白内障"),
    "职业性耳鼻喉口腔疾病": ("噪声聋",),
    "职业性化学中毒": ("苯中毒", "一氧化碳中毒", "硫化氢中毒", "氯气中毒"),
    "物理因素所致职业病": ("中暑", "手臂振动病"),
    "职业性放射性疾病": ("放射性皮肤疾病",),
    "职业性传染病": ("布鲁氏菌病",),
    "职业性肿瘤": ("苯所致白血病", "石棉所致肺癌"),
    "其他职业病": ("金属烟热",),
}
DUST_DISEASE_BY_PROFILE = {"coal": ("煤工尘肺", "矽肺"), "ore": ("矽肺",), "construction": ("水泥尘肺", "矽肺", "电焊工尘肺"),
                           "machinery": ("电焊工尘肺",)}


@dataclass
class DiseaseFacts:
    """Who was diagnosed, where and when: some of them also file an injury claim."""

    people: People
    employer: np.ndarray
    diagnosed: np.ndarray
    disease_name: np.ndarray


def _mix_of(profile: str) -> str:
    if profile in ("coal", "ore", "construction"):
        return "dust"
    if profile in ("chemical", "machinery"):
        return profile
    return "other"


def occupational_disease(world: World) -> tuple[Rows, DiseaseFacts]:
    rng = world.rng("occupational_disease")
    e = world.employers
    dust = np.array([ind.PROFILE_DUST_WEIGHT[p] for p in e.profile.tolist()])

    def draw(i: int) -> tuple[float, np.ndarray]:
        q, year = i // 3, world.years[i // 12]
        rate = world.profile.od_rate * world.scale.od_rate_scale * max(0.5, 1.0 - 0.05 * (year - 2020))
        return e.workers[:, q].sum() * rate / 100_000 / 12, e.workers[:, q] * dust

    emp, month = events_by_month(rng, world.months(), draw)
    n = len(emp)
    diagnosed = random_days_in_months(rng, month)
    order = np.argsort(diagnosed, kind="stable")
    emp, diagnosed = emp[order], diagnosed[order]
    category = np.empty(n, dtype=object)
    disease = np.empty(n, dtype=object)
    for i in range(n):
        prof = e.profile[emp[i]]
        mix = CATEGORY_MIX[_mix_of(prof)]
        cat = list(mix)[rng.choice(len(mix), p=np.array(list(mix.values())) / sum(mix.values()))]
        names = DUST_DISEASE_BY_PROFILE.get(prof, DISEASES[cat]) if cat == DUST else DISEASES[cat]
        category[i] = cat
        disease[i] = names[rng.integers(0, len(names))]
    people = make_people(rng, world.province, n, "1960-01-01", "1985-12-31", male_share=0.9)
    age = (diagnosed - people.birth).astype(np.int64) / 365.25
    exposure = np.round(np.minimum(rng.uniform(1.0, 35.0, n), np.maximum(age - 18.0, 1.0)), 1)
    labels = month_label(diagnosed)
    rows = Rows(
        {
            "report_no": numbered(f"ZYB{world.province}", labels, 4),
            "uscc": e.uscc[emp],
            "person_id": people.person_id,
            "name": people.name,
            "disease_category": category.astype(str),
            "disease_name": disease.astype(str),
            "diagnosis_date": diagnosed,
            "exposure_years": exposure,
        },
        labels,
    )
    return rows, DiseaseFacts(people, emp, diagnosed, disease.astype(str))


def _limits_by_factor() -> dict[str, list[tuple[str, float, str]]]:
    out: dict[str, list[tuple[str, float, str]]] = {}
    for lim in exposure_limits():
        out.setdefault(lim.factor, []).append((lim.metric, lim.limit_value, lim.unit))
    return out


def _post_group(factor: str) -> str:
    if factor == "噪声":
        return "noise"
    if factor == "电焊烟尘":
        return "weld"
    if "尘" in factor:
        return "dust"
    return "chem"


def hazard_monitoring(world: World, export_day: Callable[[str], np.datetime64]) -> Rows:
    """Workplace samples; ``export_day(YYYYMM)`` bounds the rectification dates a file can show."""
    rng = world.rng("hazard_monitoring")
    e = world.employers
    limits = _limits_by_factor()
    sampling = np.array([ind.PROFILE_SAMPLING_WEIGHT[p] for p in e.profile.tolist()]) * np.where(e.chronic, 2.0, 1.0)

    def draw(i: int) -> tuple[float, np.ndarray]:
        q = i // 3
        weight = np.where(e.active[:, q], sampling * np.power(np.maximum(e.workers[:, q], 1), 0.3), 0.0)
        return e.active[:, q].sum() * world.scale.samples_per_employer_year / 12, weight

    emp, month = events_by_month(rng, world.months(), draw)
    n = len(emp)
    sample_date = random_days_in_months(rng, month)
    order = np.argsort(sample_date, kind="stable")
    emp, sample_date = emp[order], sample_date[order]

    chronic = e.chronic[emp]
    u = rng.random((n, 4))
    profile = e.profile[emp]
    factor = np.empty(n, dtype=object)
    for prof, factors in ind.PROFILE_FACTORS.items():
        sel = profile == prof
        if sel.any():
            # A chronic employer keeps measuring (and exceeding) its main factor.
            main = emp[sel] % len(factors)
            anyone = (u[sel, 1] * len(factors)).astype(np.int64)
            factor[sel] = np.array(factors)[np.where(chronic[sel] & (u[sel, 0] < 0.7), main, anyone)]
    metric = np.empty(n, dtype=object)
    unit = np.empty(n, dtype=object)
    limit = np.zeros(n)
    post = np.empty(n, dtype=object)
    for f, options in limits.items():
        sel = factor == f
        if not sel.any():
            continue
        second = (u[sel, 2] >= 0.75) & (len(options) > 1)
        chosen = np.where(second, 1, 0)
        metric[sel] = np.array([o[0] for o in options])[chosen]
        limit[sel] = np.array([o[1] for o in options])[chosen]
        unit[sel] = np.array([o[2] for o in options])[chosen]
        posts = ind.POSTS[_post_group(f)]
        post[sel] = np.array(posts)[(u[sel, 3] * len(posts)).astype(np.int64)]
    ratio = rng.lognormal(np.where(chronic, np.log(0.85), np.log(0.33)), 0.55)
    noise = np.round(np.maximum(rng.normal(np.where(chronic, 85.5, 78.5), np.where(chronic, 3.0, 3.5)), 60.0), 1)
    raw = ratio * limit
    value = np.where(factor == "噪声", noise, np.where(limit < 1, np.round(raw, 3), np.round(raw, 2)))
    exceeds = value > limit
    labels = month_label(sample_date)
    uniq, inverse = np.unique(labels, return_inverse=True)
    # A file can only show rectifications done by the day it was exported.
    bound = np.array([export_day(lab) for lab in uniq.tolist()], dtype="datetime64[D]")[inverse] \
        if n else np.array([], dtype="datetime64[D]")
    given = exceeds & (rng.random(n) < 0.45)
    allowed = rng.integers(7, 31, n)
    deadline = np.where(given, sample_date + allowed, np.datetime64("NaT")).astype("datetime64[D]")
    effective = np.where(given, sample_date + allowed, sample_date + 30).astype("datetime64[D]")
    outcome = rng.choice(3, size=n, p=[0.78, 0.12, 0.10])      # on time, late, not (yet) rectified
    on_time_end = np.minimum(effective, np.maximum(bound, sample_date + 1))
    span = np.maximum((on_time_end - sample_date).astype(np.int64), 1)
    on_time = sample_date + 1 + (rng.random(n) * span).astype(np.int64)
    late = effective + rng.integers(1, 31, n)
    rectified = np.where(outcome == 0, on_time, np.where(outcome == 1, late, np.datetime64("NaT")))
    rectified = np.where(exceeds & (rectified <= bound), rectified, np.datetime64("NaT")).astype("datetime64[D]")
    return Rows(
        {
            "sample_no": numbered(f"JC{world.province}", labels, 5),
            "uscc": e.uscc[emp],
            "sample_date": sample_date,
            "post": post.astype(str),
            "factor": factor.astype(str),
            "metric": metric.astype(str),
            "value": value,
            "unit": unit.astype(str),
            "deadline": deadline,
            "rectified_date": rectified,
        },
        labels,
    )

