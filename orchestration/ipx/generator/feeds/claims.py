"""``hrss_injury_claims``: work-injury recognitions, monthly by decision date.

Ordinary accident injuries arise from each employer's workers at the province's rate (key
industries several times the average, trending over the years); accident deaths and
serious injuries come from ``em_accidents`` (usually linked by 事故编号, but not always);
occupational-disease claims come from the NHC reports (same persons); a few claims name an
employer that is in no snapshot (orphans).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ipx.generator import industries as ind
from ipx.generator.feeds.accidents import AccidentFacts
from ipx.generator.feeds.health import DiseaseFacts
from ipx.generator.feeds.roster import RosterFacts
from ipx.generator.feeds.table import Rows, month_label, numbered, random_days_in_months
from ipx.generator.geography import area_codes
from ipx.generator.id_numbers import uscc_batch
from ipx.generator.people import People, make_people
from ipx.generator.profiles import trend_factor
from ipx.generator.world import World

GRADE_WEIGHTS = np.array([0.5, 1, 1.5, 2, 3, 4, 8, 12, 18, 25], dtype=float)
KEY_MULTIPLIER = 7.0


@dataclass
class _Part:
    employer: np.ndarray
    people: People
    incident: np.ndarray
    lag: np.ndarray
    decision: np.ndarray
    harm: np.ndarray
    category: np.ndarray
    disease: np.ndarray
    grade: np.ndarray
    fatal: np.ndarray
    accident_no: np.ndarray

    def __len__(self) -> int:
        return len(self.employer)


def _grades(rng: np.random.Generator, n: int, blank_share: float) -> np.ndarray:
    g = rng.choice(10, size=n, p=GRADE_WEIGHTS / GRADE_WEIGHTS.sum()) + 1
    return np.where(rng.random(n) < blank_share, -1, g)


def _ordinary(rng: np.random.Generator, world: World) -> _Part:
    e = world.employers
    months = np.arange(np.datetime64(f"{world.years[0] - 1}-10"), np.datetime64(f"{world.years[-1] + 1}-01"))
    counts = []
    for month in months:
        year = int(str(month)[:4])
        q = max(0, (year - world.years[0]) * 4 + (int(str(month)[5:7]) - 1) // 3)
        workers = e.workers[:, q].astype(float)
        key_share = workers[e.key].sum() / max(workers.sum(), 1.0)
        non_key_rate = world.profile.injury_rate / (key_share * KEY_MULTIPLIER + 1 - key_share)
        rate = non_key_rate * np.where(e.key, KEY_MULTIPLIER, 1.0) * trend_factor(world.profile, year)
        counts.append(rng.poisson(workers * rate / 1000 / 12 / 0.92))
    counts = np.stack(counts, axis=1)                     # (employers, months)
    emp_idx, m_idx = np.nonzero(counts)
    reps = counts[emp_idx, m_idx]
    emp = np.repeat(emp_idx, reps)
    incident = random_days_in_months(rng, np.repeat(months[m_idx], reps))
    n = len(emp)
    decision = np.array(["认定工伤", "视同工伤", "不予认定"])[rng.choice(3, size=n, p=[0.905, 0.02, 0.075])]
    groups = np.array([ind.accident_group(d) for d in e.division[emp].tolist()]) if n else np.array([], dtype=str)
    category = np.empty(n, dtype=object)
    for group, table in ind.ACCIDENT_CLASSES_BY_GROUP.items():
        sel = groups == group
        if sel.any():
            names = np.array(list(table))
            w = np.array(list(table.values()), dtype=float)
            category[sel] = names[rng.choice(len(names), size=int(sel.sum()), p=w / w.sum())]
    grade = np.where(decision == "不予认定", -1, _grades(rng, n, 0.55))
    return _Part(
        employer=emp, people=make_people(rng, world.province, n, male_share=0.82), incident=incident,
        lag=rng.integers(5, 96, n), decision=decision, harm=np.full(n, "事故伤害"),
        category=category.astype(str), disease=np.full(n, ""), grade=grade,
        fatal=np.zeros(n, dtype=bool), accident_no=np.full(n, ""),
    )


def _from_accidents(rng: np.random.Generator, world: World, acc: AccidentFacts) -> _Part:
    reported = (acc.employer >= 0) & (rng.random(len(acc.employer)) < 0.92)
    idx = np.flatnonzero(reported)
    deaths, serious = acc.deaths[idx], acc.serious[idx]
    src = np.concatenate([np.repeat(idx, deaths), np.repeat(idx, serious)])
    fatal = np.concatenate([np.ones(int(deaths.sum()), bool), np.zeros(int(serious.sum()), bool)])
    n = len(src)
    linked = np.where(fatal, rng.random(n) < 0.95, rng.random(n) < 0.7)
    grade = np.where(fatal, np.where(rng.random(n) < 0.1, 1, -1), rng.integers(1, 7, n))
    return _Part(
        employer=acc.employer[src], people=make_people(rng, world.province, n, male_share=0.88),
        incident=acc.day[src], lag=rng.integers(15, 81, n), decision=np.full(n, "认定工伤"),
        harm=np.full(n, "事故伤害"), category=acc.category[src], disease=np.full(n, ""),
        grade=grade, fatal=fatal, accident_no=np.where(linked, acc.accident_no[src], ""),
    )


def _sudden_deaths(rng: np.random.Generator, world: World, ordinary: _Part) -> _Part:
    """Fatal claims with no accident record: sudden deaths at work (视同工伤) and a few
    accidents that never reached the emergency-management books."""
    n = max(1, int(round(len(ordinary) * 0.004)))
    pick = rng.integers(0, max(len(ordinary), 1), n) if len(ordinary) else np.zeros(0, np.int64)
    n = len(pick)
    decision = np.where(rng.random(n) < 0.6, "视同工伤", "认定工伤")
    category = np.where(decision == "视同工伤", "其它伤害", ordinary.category[pick])
    return _Part(
        employer=ordinary.employer[pick], people=make_people(rng, world.province, n, "1960-01-01", "1985-12-31", 0.85),
        incident=ordinary.incident[pick], lag=rng.integers(15, 81, n), decision=decision,
        harm=np.full(n, "事故伤害"), category=category, disease=np.full(n, ""),
        grade=np.full(n, -1), fatal=np.ones(n, bool), accident_no=np.full(n, ""),
    )


def _from_diseases(rng: np.random.Generator, world: World, od: DiseaseFacts) -> _Part:
    linked = np.flatnonzero(rng.random(len(od.employer)) < 0.4)
    n_extra = int(round(len(linked) * 0.15))
    extra_src = rng.integers(0, max(len(od.employer), 1), n_extra) if len(od.employer) else np.zeros(0, np.int64)
    n_extra = len(extra_src)
    extra_people = make_people(rng, world.province, n_extra, "1960-01-01", "1985-12-31", 0.9)
    people = People(
        np.concatenate([od.people.person_id[linked], extra_people.person_id]),
        np.concatenate([od.people.name[linked], extra_people.name]),
        np.concatenate([od.people.male[linked], extra_people.male]),
        np.concatenate([od.people.birth[linked], extra_people.birth]),
    )
    n = len(linked) + n_extra
    shift = np.concatenate([np.zeros(len(linked), np.int64), -rng.integers(0, 60, n_extra)])
    decision = np.where(rng.random(n) < 0.93, "认定工伤", "不予认定")
    grade = np.where(decision == "不予认定", -1, _grades(rng, n, 0.4))
    src = np.concatenate([linked, extra_src])
    return _Part(
        employer=od.employer[src], people=people, incident=od.diagnosed[src] + shift,
        lag=rng.integers(20, 101, n), decision=decision, harm=np.full(n, "职业病"),
        category=np.full(n, ""), disease=od.disease_name[src], grade=grade,
        fatal=np.zeros(n, bool), accident_no=np.full(n, ""),
    )


def _fund_paid(rng: np.random.Generator, part: _Part) -> np.ndarray:
    n = len(part)
    months_of_wage = np.array([0, 27, 25, 23, 21, 18, 16, 13, 11, 9, 7], dtype=float)
    grade = np.maximum(part.grade, 0)
    base = rng.lognormal(np.log(12000.0), 0.8, n)
    disability = months_of_wage[grade] * rng.uniform(5500, 8500, n)
    fatal = rng.uniform(850_000, 1_150_000, n)
    disease = np.where(part.harm == "职业病", rng.lognormal(np.log(60000.0), 0.7, n), 0.0)
    paid = np.where(part.fatal, fatal, base + disability + disease)
    return np.round(np.where(part.decision == "不予认定", 0.0, paid), 2)


def injury_claims(world: World, acc: AccidentFacts, od: DiseaseFacts, roster: RosterFacts) -> tuple[Rows, np.ndarray]:
    """The claims and the indices of the injected orphan claims (employer in no snapshot)."""
    rng = world.rng("injury_claims")
    e = world.employers
    ordinary = _ordinary(rng, world)
    # A few injured workers are on the key-position roster of their employer.
    if len(roster.employer):
        by_emp: dict[int, list[int]] = {}
        for p, emp in enumerate(roster.employer.tolist()):
            by_emp.setdefault(emp, []).append(p)
        ordinary.people.name = ordinary.people.name.astype(object)
        pick = np.flatnonzero((rng.random(len(ordinary)) < 0.01) & e.key[ordinary.employer])
        for i in pick.tolist():
            cands = by_emp.get(int(ordinary.employer[i]))
            if cands:
                p = cands[int(rng.integers(0, len(cands)))]
                ordinary.people.person_id[i] = roster.people.person_id[p]
                ordinary.people.name[i] = roster.people.name[p]
                ordinary.people.male[i] = roster.people.male[p]
    parts = [ordinary, _from_accidents(rng, world, acc), _sudden_deaths(rng, world, ordinary),
             _from_diseases(rng, world, od)]

    def cat(attr: str) -> np.ndarray:
        return np.concatenate([getattr(p, attr) for p in parts])

    def cat_people(attr: str) -> np.ndarray:
        return np.concatenate([getattr(p.people, attr) for p in parts])

    employer, incident = cat("employer"), cat("incident").astype("datetime64[D]")
    decided = incident + cat("lag")
    sim_lo = np.datetime64(f"{world.years[0]}-01-01")
    sim_hi = np.datetime64(f"{world.years[-1]}-12-31")
    # Incidents of the last simulated months are decided faster rather than dropped, so the
    # last year's incidence is not cut short by the end of the data.
    late = (decided > sim_hi) & (incident <= sim_hi)
    room = (sim_hi - incident[late]).astype(np.int64)
    decided[late] = incident[late] + (rng.random(int(late.sum())) * (room + 1)).astype(np.int64)
    fund = np.concatenate([_fund_paid(rng, p) for p in parts])
    keep = (decided >= sim_lo) & (decided <= sim_hi)
    order = np.flatnonzero(keep)[np.argsort(decided[keep], kind="stable")]
    n = len(order)
    uscc = e.uscc[employer[order]].astype("<U18")
    orphan = np.flatnonzero(rng.random(n) < world.scale.orphan_claim_rate)
    if len(orphan):
        codes = np.array(area_codes(world.province))
        fresh = uscc_batch(rng, codes[rng.integers(0, len(codes), len(orphan))])
        known = set(e.uscc.tolist())
        ok = np.array([u not in known for u in fresh.tolist()])
        orphan, fresh = orphan[ok], fresh[ok]
        uscc[orphan] = fresh
    labels = month_label(decided[order])
    male = cat_people("male")[order]
    rows = Rows(
        {
            "decision_no": numbered(f"GS{world.province}", labels, 5),
            "uscc": uscc,
            "person_id": cat_people("person_id")[order],
            "name": cat_people("name")[order].astype(str),
            "sex": np.where(male, "男", "女"),
            "incident_date": incident[order],
            "decision_date": decided[order],
            "decision": cat("decision")[order].astype(str),
            "harm_type": cat("harm")[order].astype(str),
            "accident_category": cat("category")[order].astype(str),
            "disease_name": cat("disease")[order].astype(str),
            "disability_grade": cat("grade")[order].astype(np.int64),
            "fatal": np.where(cat("fatal")[order], "是", "否"),
            "fund_paid_yuan": fund[order],
            "accident_no": cat("accident_no")[order].astype(str),
        },
        labels,
    )
    return rows, orphan

