"""``em_accidents`` and ``em_hazards``: production-safety accidents and hidden hazards."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ipx.generator import industries as ind
from ipx.generator.feeds.table import Rows, concat, events_by_month, month_label, numbered, random_days_in_months
from ipx.generator.geography import city_of_area
from ipx.generator.profiles import trend_factor
from ipx.generator.world import World
from ipx.reference import severity_tiers


@dataclass
class AccidentFacts:
    """What injury claims need to know about the accidents (aligned with the accident rows)."""

    employer: np.ndarray      # employer index, -1 for an unregistered operator
    day: np.ndarray           # datetime64[D]
    deaths: np.ndarray
    serious: np.ndarray
    accident_no: np.ndarray
    category: np.ndarray


def severities(deaths: np.ndarray, serious: np.ndarray, loss: np.ndarray) -> np.ndarray:
    """Vectorised ``reference.severity_for``: the highest tier any count reaches."""
    tiers = severity_tiers()               # highest first
    out = np.full(len(deaths), tiers[-1][0], dtype=object)
    for name, d, s, money in reversed(tiers[:-1]):
        hit = np.zeros(len(deaths), dtype=bool)
        if d:
            hit |= deaths >= d
        if s:
            hit |= serious >= s
        if money:
            hit |= loss >= money
        out[hit] = name
    return out.astype(str)


def _categories(rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
    out = np.empty(len(groups), dtype=object)
    for group, table in ind.ACCIDENT_CLASSES_BY_GROUP.items():
        sel = groups == group
        if sel.any():
            names = np.array(list(table))
            w = np.array(list(table.values()), dtype=float)
            out[sel] = names[rng.choice(len(names), size=int(sel.sum()), p=w / w.sum())]
    return out.astype(str)


# Unregistered operators (no USCC): small construction crews, brickworks, haulers, quarries.
# kind -> [(industry code as written, its division)]
UNREGISTERED = {
    "个体施工队": (("E48", "48"), ("4790", "47"), ("50", "50")),
    "砖厂": (("C3031", "30"), ("3031", "30")),
    "运输队": (("5430", "54"), ("G54", "54")),
    "采石场": (("B1011", "10"), ("1011", "10")),
}


def _unregistered_operator(rng: np.random.Generator, province: str) -> tuple[str, str, str, str]:
    """(area code, name, industry code, division) of an operator with no registration."""
    cities = city_of_area(province)
    area = list(cities)[int(rng.integers(0, len(cities)))]
    kind = list(UNREGISTERED)[int(rng.integers(0, len(UNREGISTERED)))]
    code, division = UNREGISTERED[kind][int(rng.integers(0, len(UNREGISTERED[kind])))]
    name = cities[area] + ind.BRANDS[int(rng.integers(0, len(ind.BRANDS)))] + kind
    return area, name, code, division


def accidents(world: World) -> tuple[Rows, AccidentFacts]:
    rng = world.rng("accidents")
    e = world.employers
    scale = world.scale
    months = world.months()

    def draw(i: int) -> tuple[float, np.ndarray]:
        q, year = i // 3, world.years[i // 12]
        expected = e.active[:, q].sum() * scale.accidents_per_employer_year / 12 * trend_factor(world.profile, year)
        return expected, e.workers[:, q] * np.where(e.key, 5.0, 1.0)

    emp, month = events_by_month(rng, months, draw)
    n = len(emp)
    unregistered = rng.random(n) < 0.08
    emp = np.where(unregistered, -1, emp)
    seconds = (rng.random(n) * ((month + 1).astype("datetime64[s]") - month.astype("datetime64[s]")).astype(np.int64)).astype(np.int64)
    occurred = (month.astype("datetime64[s]") + seconds).astype("datetime64[m]").astype("datetime64[s]")
    order = np.argsort(occurred, kind="stable")
    emp, month, occurred, unregistered = emp[order], month[order], occurred[order], unregistered[order]

    # Registered operators: the employer's own attributes.
    safe = np.maximum(emp, 0)
    uscc = np.where(unregistered, "", e.uscc[safe])
    name = e.name[safe].astype(object)
    area = e.area[safe].astype(object)
    industry = e.industry_code[safe].astype(object)
    division = e.division[safe].astype(object)
    for i in np.flatnonzero(unregistered).tolist():
        area[i], name[i], industry[i], division[i] = _unregistered_operator(rng, world.province)
    fatal = rng.random(n) < scale.accident_death_share
    size = rng.choice(4, size=n, p=[0.85, 0.10, 0.045, 0.005])
    deaths = np.where(size == 0, 1, np.where(size == 1, 2, np.where(size == 2, rng.integers(3, 10, n), rng.integers(10, 30, n))))
    deaths = np.where(fatal, deaths, 0)
    sev = rng.choice(3, size=n, p=[0.6, 0.39, 0.01])
    serious = np.where(sev == 0, 0, np.where(sev == 1, rng.integers(1, 4, n), rng.integers(10, 21, n)))
    serious = np.where((deaths == 0) & (serious == 0), 1, serious)   # every accident hurts someone
    loss = np.round(np.clip(rng.lognormal(np.log(60.0), 1.0, n) + deaths * 150.0 + serious * 20.0, 3.0, 9500.0), 2)
    categories = _categories(rng, np.array([ind.accident_group(d) for d in division.tolist()]))
    labels = month_label(month)
    accident_no = numbered(f"SG{world.province}", labels, 3)
    rows = Rows(
        {
            "accident_no": accident_no,
            "uscc": uscc.astype(str),
            "employer_name": name.astype(str),
            "area_code": area.astype(str),
            "industry_code": industry.astype(str),
            "occurred_at": occurred,
            "accident_category": categories,
            "deaths": deaths.astype(np.int64),
            "serious_injuries": serious.astype(np.int64),
            "direct_loss_10k_yuan": loss,
            "severity": severities(deaths, serious, loss),
        },
        labels,
    )
    facts = AccidentFacts(emp, occurred.astype("datetime64[D]"), deaths, serious, accident_no, categories)
    return rows, facts


def hazards(world: World) -> Rows:
    """Hazards found each month, reported again in the month their state changes."""
    rng = world.rng("hazards")
    e = world.employers
    months = world.months()

    def draw(i: int) -> tuple[float, np.ndarray]:
        q = i // 3
        weight = np.where(e.active[:, q], np.where(e.key, 3.0, 1.0) * np.sqrt(e.workers[:, q]), 0.0)
        return e.active[:, q].sum() * world.scale.hazards_per_employer_year / 12, weight

    emp, month = events_by_month(rng, months, draw)
    n = len(emp)
    found = random_days_in_months(rng, month)
    order = np.argsort(found, kind="stable")
    emp, month, found = emp[order], month[order], found[order]
    major = rng.random(n) < world.profile.major_hazard_share
    allowed = np.where(major, rng.integers(30, 121, n), rng.integers(3, 31, n))
    deadline = found + allowed
    late_share = 0.2 if world.profile.sloppy else 0.12
    outcome = rng.choice(3, size=n, p=[0.90 - late_share, late_share, 0.10])   # on time, late, open
    on_time = found + (rng.random(n) * (allowed + 1)).astype(np.int64)
    late = deadline + rng.integers(1, 91, n)
    rectified = np.where(outcome == 0, on_time, np.where(outcome == 1, late, np.datetime64("NaT")))
    rectified = rectified.astype("datetime64[D]")

    labels = month_label(found)
    hazard_no = numbered(f"YH{world.province}", labels, 5)
    found_month_end = (month + 1).astype("datetime64[D]") - 1
    shown_first = np.where(rectified <= found_month_end, rectified, np.datetime64("NaT"))
    last_month = months[-1]
    rereport = ~np.isnat(rectified) & (rectified > found_month_end) & (rectified.astype("datetime64[M]") <= last_month)

    def _rows(idx: np.ndarray, rect: np.ndarray, period: np.ndarray) -> Rows:
        return Rows(
            {
                "hazard_no": hazard_no[idx],
                "uscc": e.uscc[emp[idx]],
                "found_date": found[idx],
                "level": np.where(major[idx], "重大隐患", "一般隐患"),
                "deadline": deadline[idx],
                "rectified_date": rect,
            },
            period,
        )

    first = _rows(np.arange(n), shown_first, labels)
    idx = np.flatnonzero(rereport)
    again = _rows(idx, rectified[idx], month_label(rectified[idx]))
    return concat([first, again])
