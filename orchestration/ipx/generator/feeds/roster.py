"""``hrss_key_positions`` (annual roster) and ``hrss_training`` (monthly training records).

Roster persons persist across years with some turnover; their training follows the
province's coverage curve. A few persons of each province (the "travellers") are trained
in another province: their identities are a pure function of (scale, seed, province), so
the other province can write their training records without seeing this province's data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ipx.generator.feeds.table import Rows, concat, month_label, numbered, year_of
from ipx.generator.people import People, make_people
from ipx.generator.scales import Scale
from ipx.generator.seeding import rng_for
from ipx.generator.world import World

ROLES = ("分管负责人", "安全管理部门主要负责人", "一线班组长")

# Cumulative share of roster persons first trained by the end of each year.
CURVE_NORMAL = {2020: 0.05, 2021: 0.30, 2022: 0.55, 2023: 0.75, 2024: 0.90}
CURVE_SLOW = {2020: 0.03, 2021: 0.15, 2022: 0.30, 2023: 0.45, 2024: 0.57}


@dataclass
class RosterFacts:
    people: People
    employer: np.ndarray       # employer index
    role: np.ndarray
    first_year: np.ndarray
    last_year: np.ndarray


def traveller_destination(scale: Scale, province: str) -> str:
    provinces = list(scale.provinces)
    return provinces[(provinces.index(province) + 1) % len(provinces)]


def travellers(scale: Scale, seed: int, province: str) -> tuple[People, np.ndarray]:
    """Roster persons of ``province`` who are trained in the next province, with the day
    of that training (inside the simulated years)."""
    rng = rng_for(seed, scale.name, province, "travellers")
    k = scale.travellers_per_province
    people = make_people(rng, province, k, "1965-01-01", "1995-12-31", male_share=0.8)
    lo = np.datetime64(f"{max(scale.first_year, 2021)}-01-01").astype(np.int64)
    hi = np.datetime64(f"{scale.last_year}-12-31").astype(np.int64)
    lo = min(lo, hi)
    day = rng.integers(lo, hi + 1, size=k).astype("datetime64[D]")
    return people, day


def key_positions(world: World) -> tuple[Rows, RosterFacts]:
    rng = world.rng("key_positions")
    e = world.employers
    years = np.array(world.years)
    ny = len(years)
    active_year = e.active.reshape(len(e), ny, 4).any(axis=2)
    key_emp = np.flatnonzero(e.key & active_year.any(axis=1))
    extra = rng.choice(4, size=len(key_emp), p=[0.30, 0.35, 0.25, 0.10])
    slots_per = 2 + extra
    slot_emp = np.repeat(key_emp, slots_per)
    within = np.arange(len(slot_emp)) - np.repeat(np.cumsum(slots_per) - slots_per, slots_per)
    slot_role = np.array(ROLES)[np.minimum(within, 2)]
    occupied = active_year[slot_emp]                                  # (slots, years)
    first = np.argmax(occupied, axis=1)
    turnover = (rng.random(occupied.shape) < 0.08) & occupied
    new_person = turnover.copy()
    new_person[np.arange(len(slot_emp)), first] = True
    new_person &= occupied
    base = np.cumsum(new_person.sum(axis=1)) - new_person.sum(axis=1)
    person_of = base[:, None] + np.cumsum(new_person, axis=1) - 1   # valid where occupied
    n_people = int(new_person.sum())
    people = make_people(rng, world.province, n_people, "1965-01-01", "1995-12-31", male_share=0.8)

    s_idx, y_idx = np.nonzero(occupied)
    pid = person_of[s_idx, y_idx]
    first_year = np.full(n_people, 10_000)
    last_year = np.full(n_people, 0)
    np.minimum.at(first_year, pid, years[y_idx])
    np.maximum.at(last_year, pid, years[y_idx])
    person_emp = np.zeros(n_people, dtype=np.int64)
    person_role = np.empty(n_people, dtype=object)
    person_emp[pid] = slot_emp[s_idx]
    person_role[pid] = slot_role[s_idx]

    # Travellers: extra team leaders at key employers of this province.
    trav, _ = travellers(world.scale, world.seed, world.province)
    t_rows = []
    if len(key_emp) and len(trav):
        t_emp = key_emp[rng.integers(0, len(key_emp), len(trav))]
        for j in range(len(trav)):
            yrs = np.flatnonzero(active_year[t_emp[j]])
            t_rows.append((t_emp[j], yrs))
    rows = Rows(
        {
            "uscc": e.uscc[slot_emp[s_idx]],
            "person_id": people.person_id[pid],
            "name": people.name[pid],
            "role": slot_role[s_idx].astype(str),
        },
        years[y_idx].astype(str),
    )
    if t_rows:
        t_emp_rep = np.concatenate([np.full(len(y), emp) for emp, y in t_rows])
        t_person = np.concatenate([np.full(len(y), j) for j, (_, y) in enumerate(t_rows)])
        t_years = np.concatenate([years[y] for _, y in t_rows])
        rows = concat([rows, Rows(
            {
                "uscc": e.uscc[t_emp_rep],
                "person_id": trav.person_id[t_person],
                "name": trav.name[t_person],
                "role": np.full(len(t_person), "一线班组长"),
            },
            t_years.astype(str),
        )])
    # Within a year's roster, order by employer as an HR system would list it.
    rows = rows.take(np.lexsort((rows.columns["uscc"], rows.period)))
    facts = RosterFacts(people, person_emp, person_role.astype(str), first_year, last_year)
    return rows, facts


def _first_training(rng: np.random.Generator, world: World, facts: RosterFacts) -> np.ndarray:
    """Day of each roster person's first training (NaT: not trained while on the roster)."""
    n = len(facts.people)
    curve = dict(CURVE_SLOW if world.profile.slow_training else CURVE_NORMAL)
    curve[2025] = world.profile.trained_share_2025
    last_curve_year = max(curve)
    for y in range(last_curve_year + 1, world.years[-1] + 1):
        curve[y] = curve[last_curve_year]
    knots_t = [np.datetime64("2020-01-01").astype(np.int64)] + [
        np.datetime64(f"{y}-12-31").astype(np.int64) for y in sorted(curve)]
    knots_v = [0.0] + [curve[y] for y in sorted(curve)]
    u = rng.random(n)
    t = np.interp(u, knots_v, knots_t).astype(np.int64)
    never = u > knots_v[-1]
    start = (facts.first_year - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    end = (facts.last_year - 1969).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64) - 1
    # Newcomers are trained within months of joining.
    t = np.where(t < start, start + rng.integers(0, 200, n), t)
    ok = ~never & (t <= end)
    return np.where(ok, t, np.iinfo(np.int64).min).astype("datetime64[D]")


def training(world: World, facts: RosterFacts, visitors: list[tuple[People, np.ndarray]]) -> Rows:
    """Training records of the roster, of other staff, and of visiting roster persons of
    other provinces (``visitors``: (people, training day) per source province)."""
    rng = world.rng("training")
    e = world.employers
    sim_lo = np.datetime64(f"{world.years[0]}-01-01")
    sim_hi = np.datetime64(f"{world.years[-1]}-12-31")
    n = len(facts.people)
    first = _first_training(rng, world, facts)
    trained = ~np.isnat(first)
    failed = trained & (rng.random(n) < 0.06)
    retake = first + rng.integers(20, 91, n)
    person_parts, day_parts, result_parts = [], [], []
    idx = np.flatnonzero(trained)
    person_parts.append(idx)
    day_parts.append(first[idx])
    result_parts.append(np.where(failed[idx], "不合格", "合格"))
    idx = np.flatnonzero(failed)
    person_parts.append(idx)
    day_parts.append(retake[idx])
    result_parts.append(np.full(len(idx), "合格"))
    # Yearly refreshers after the first training while on the roster.
    years = np.array(world.years)
    first_year = np.where(trained, year_of(np.where(trained, first, sim_lo)), 10_000)
    refresh = (years[None, :] > first_year[:, None]) & (years[None, :] <= facts.last_year[:, None]) \
        & (rng.random((n, len(years))) < 0.5)
    p_idx, y_idx = np.nonzero(refresh)
    ref_days = np.array([np.datetime64(f"{y}-01-01") for y in years], dtype="datetime64[D]")[y_idx] \
        + rng.integers(0, 365, len(p_idx))
    person_parts.append(p_idx)
    day_parts.append(ref_days)
    result_parts.append(np.where(rng.random(len(p_idx)) < 0.97, "合格", "不合格"))
    person = np.concatenate(person_parts)
    day = np.concatenate(day_parts).astype("datetime64[D]")
    result = np.concatenate(result_parts)
    role = facts.role[person]
    role = np.where(rng.random(len(person)) < 0.03, "", role)
    roster_rows = {
        "uscc": e.uscc[facts.employer[person]],
        "person_id": facts.people.person_id[person],
        "name": facts.people.name[person],
        "role": role,
        "training_date": day,
        "result": result,
    }
    # Other staff (role 其他) at any active employer.
    k = int(round(world.scale.other_staff_training_share * len(person)))
    others = make_people(rng, world.province, k, "1965-01-01", "2003-12-31", male_share=0.7)
    other_day = rng.integers(sim_lo.astype(np.int64), sim_hi.astype(np.int64) + 1, k).astype("datetime64[D]")
    month_of_year = other_day.astype("datetime64[M]").astype(np.int64) % 12
    q = np.clip((year_of(other_day) - world.years[0]) * 4 + month_of_year // 3, 0, world.n_quarters - 1)
    other_emp = np.zeros(k, dtype=np.int64)
    for qq in np.unique(q):
        sel = q == qq
        act = np.flatnonzero(e.active[:, qq])
        other_emp[sel] = act[rng.integers(0, len(act), int(sel.sum()))]
    parts = [roster_rows, {
        "uscc": e.uscc[other_emp],
        "person_id": others.person_id,
        "name": others.name,
        "role": np.where(rng.random(k) < 0.8, "其他", ""),
        "training_date": other_day,
        "result": np.where(rng.random(k) < 0.93, "合格", "不合格"),
    }]
    for people, days in visitors:
        act = np.flatnonzero(e.active.any(axis=1))
        parts.append({
            "uscc": e.uscc[act[rng.integers(0, len(act), len(people))]],
            "person_id": people.person_id,
            "name": people.name,
            "role": np.full(len(people), "一线班组长"),
            "training_date": days,
            "result": np.full(len(people), "合格"),
        })
    cols = {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
    keep = (cols["training_date"] >= sim_lo) & (cols["training_date"] <= sim_hi)
    cols = {c: v[keep] for c, v in cols.items()}
    order = np.argsort(cols["training_date"], kind="stable")
    cols = {c: v[order] for c, v in cols.items()}
    m = len(order)
    online = rng.random(m) < 0.6
    hours = np.where(online, np.array([2, 2.5, 3, 4, 6, 8])[rng.integers(0, 6, m)],
                     np.array([4, 6, 8, 12, 16, 24])[rng.integers(0, 6, m)]).astype(float)
    labels = month_label(cols["training_date"])
    return Rows(
        {
            "record_no": numbered(f"PX{world.province}", labels, 6),
            "uscc": cols["uscc"],
            "person_id": cols["person_id"],
            "name": cols["name"],
            "role": cols["role"].astype(str),
            "training_date": cols["training_date"],
            "mode": np.where(online, "线上", "线下"),
            "hours": hours,
            "result": cols["result"].astype(str),
        },
        labels,
    )
