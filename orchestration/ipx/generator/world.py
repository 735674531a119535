"""The simulated employer population of one province over the simulated quarters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ipx.generator import industries as ind
from ipx.generator.geography import PROVINCE_WEIGHTS, area_codes, city_of_area
from ipx.generator.id_numbers import uscc_batch
from ipx.generator.profiles import ProvinceProfile
from ipx.generator.scales import Scale, employers_in
from ipx.generator.seeding import rng_for
from ipx.reference import divisions, key_industry_divisions


@dataclass
class Employers:
    uscc: np.ndarray
    name: np.ndarray
    area: np.ndarray
    division: np.ndarray
    industry_code: np.ndarray     # as the agency writes it: C2614, 2614, 26 or E48
    risk_class: np.ndarray        # 71号文 class 1..8 (what the premium rate follows)
    unclassified: np.ndarray      # the HR system shows no risk class for it (blank in every snapshot)
    key: np.ndarray               # in a key industry of this province
    profile: np.ndarray           # occupational exposure profile
    chronic: np.ndarray           # repeatedly exceeds exposure limits
    active: np.ndarray            # (n, quarters) bool
    workers: np.ndarray           # (n, quarters) insured workers, 0 when inactive
    payroll: np.ndarray           # (n, quarters) yuan
    premium: np.ndarray           # (n, quarters) percent of payroll

    def __len__(self) -> int:
        return len(self.uscc)


@dataclass
class World:
    province: str
    profile: ProvinceProfile
    scale: Scale
    seed: int
    years: tuple[int, ...]        # simulated calendar years (continuous)
    employers: Employers

    @property
    def n_quarters(self) -> int:
        return 4 * len(self.years)

    def quarter_of(self, year: np.ndarray | int, month: np.ndarray | int):
        return (np.asarray(year) - self.years[0]) * 4 + (np.asarray(month) - 1) // 3

    def months(self) -> np.ndarray:
        """The simulated months (datetime64[M]); month i lies in quarter i // 3."""
        return np.arange(np.datetime64(f"{self.years[0]}-01"), np.datetime64(f"{self.years[-1] + 1}-01"))

    def rng(self, *labels: object) -> np.random.Generator:
        return rng_for(self.seed, self.scale.name, self.province, *labels)


def _weighted_choice(rng: np.random.Generator, table: dict[str, float], n: int) -> np.ndarray:
    keys = np.array(list(table))
    weights = np.array(list(table.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=weights / weights.sum())]


def _industry_codes(rng: np.random.Generator, division: np.ndarray) -> np.ndarray:
    sections = divisions()
    n = len(division)
    sub = np.array(["10", "11", "12", "13", "14", "19", "20", "21", "29", "31", "39", "41"])
    klass = np.char.add(division.astype(str), sub[rng.integers(0, len(sub), n)])
    letter = np.array([sections[d] for d in division.tolist()]) if n else np.array([], dtype=str)
    form = rng.choice(4, size=n, p=[0.35, 0.30, 0.15, 0.20])
    out = np.where(form == 0, np.char.add(letter, klass), klass)
    out = np.where(form == 2, division, out)
    out = np.where(form == 3, np.char.add(letter, division), out)
    return out.astype(str)


def _names(rng: np.random.Generator, province: str, area: np.ndarray, division: np.ndarray) -> np.ndarray:
    n = len(area)
    city = city_of_area(province)
    cities = np.array([city[a] for a in area.tolist()]) if n else np.array([], dtype=str)
    brands = np.array(ind.BRANDS)[rng.integers(0, len(ind.BRANDS), n)]
    words = np.array([ind.NAME_WORDS[d][k % len(ind.NAME_WORDS[d])]
                      for d, k in zip(division.tolist(), rng.integers(0, 6, n).tolist())])
    suffix = np.array(ind.SUFFIXES)[rng.choice(len(ind.SUFFIXES), size=n, p=ind.SUFFIX_WEIGHTS)]
    return np.char.add(np.char.add(np.char.add(cities, brands), words), suffix) if n else np.array([], dtype=str)


def _unclassified(rng: np.random.Generator, active: np.ndarray) -> np.ndarray:
    """A few employers (about 1 %, at least one per province) whose risk class the HR system never
    recorded: their snapshots leave 行业风险类别 blank, so premium-rate floating cannot grade them
    (spec section 6, 未分类). They are drawn among employers insured in every simulated quarter, so
    each cycle's last snapshot holds them. A separate random stream leaves the rest of the world
    as it was."""
    n = len(active)
    out = np.zeros(n, dtype=bool)
    always = np.flatnonzero(active.all(axis=1))
    if len(always):
        k = min(len(always), max(1, int(rng.binomial(n, 0.01))))
        out[rng.choice(always, size=k, replace=False)] = True
    return out


def build_world(scale: Scale, seed: int, province: str, profile: ProvinceProfile) -> World:
    years = tuple(range(scale.first_year, scale.last_year + 1))
    rng = rng_for(seed, scale.name, province, "employers")
    n_quarters = 4 * len(years)
    n0 = employers_in(scale, province)
    # Entrants: about 1 % of the initial population per quarter; exits: about 1 % per quarter.
    entrants = rng.poisson(0.01 * n0, size=n_quarters)
    entrants[0] = 0
    n = n0 + int(entrants.sum())
    entry_q = np.concatenate([np.zeros(n0, dtype=np.int64), np.repeat(np.arange(n_quarters), entrants)])
    exit_q = entry_q + 1 + rng.geometric(0.01, size=n)
    quarters = np.arange(n_quarters)
    active = (quarters[None, :] >= entry_q[:, None]) & (quarters[None, :] < exit_q[:, None])

    key_divs = key_industry_divisions(province)
    key_table = dict(ind.KEY_DIVISIONS)
    for d in ind.MINING_DIVISIONS:
        key_table[d] = key_table[d] * profile.mining
    other_table = {d: w for d, w in ind.OTHER_DIVISIONS.items() if d not in key_divs}
    national = key_industry_divisions(None)
    local_key = {d: 12.0 for d in key_divs if d not in national}   # provincial additions
    key_table.update(local_key)
    is_key = rng.random(n) < rng.uniform(0.40, 0.50)
    division = np.where(is_key, _weighted_choice(rng, key_table, n), _weighted_choice(rng, other_table, n))

    codes = np.array(area_codes(province))
    area = codes[rng.integers(0, len(codes), n)]
    uscc = uscc_batch(rng, area)
    # Make USCCs unique (collisions are astronomically rare but cheap to rule out).
    while len(np.unique(uscc)) < n:
        _, first = np.unique(uscc, return_index=True)
        dup = np.setdiff1d(np.arange(n), first)
        uscc[dup] = uscc_batch(rng, area[dup])

    risk = np.array([ind.RISK_CLASS.get(d, 3) for d in division.tolist()], dtype=np.int64)
    nudge = rng.random(n)
    risk = np.clip(risk + (nudge < 0.05) - ((nudge > 0.95) & (risk > 1)), 1, 8)

    # Key industries have many small firms: about a quarter of insured workers, not half.
    size_factor = np.where(is_key, 0.55, 1.3)
    size_factor[np.isin(division, ["47", "48", "49", "50"])] *= 1.4
    size_factor[np.isin(division, list(ind.MINING_DIVISIONS))] *= 1.5
    size_factor[np.isin(division, ["64", "65", "72", "74", "80"])] *= 0.7
    base_workers = np.clip(
        rng.lognormal(np.log(scale.workers_median), scale.workers_sigma, n) * size_factor,
        8, scale.workers_max,
    )
    drift = np.exp(np.cumsum(rng.normal(0.0, 0.035, size=(n, n_quarters)), axis=1))
    workers = np.where(active, np.maximum(3, np.rint(base_workers[:, None] * drift)), 0).astype(np.int64)

    wage_level = 5200 + 600 * PROVINCE_WEIGHTS[province] ** 0.5 + (3500 if province in ("110000", "310000") else 0)
    wage_factor = np.ones(n)
    wage_factor[np.isin(division, ["64", "65", "70", "74"])] = 1.6
    wage_factor[np.isin(division, list(ind.MINING_DIVISIONS))] = 1.2
    wage_factor[np.isin(division, ["51", "52", "61", "62", "80"])] = 0.75
    monthly_wage = wage_level * wage_factor * rng.uniform(0.85, 1.15, n)
    season = rng.uniform(0.95, 1.06, size=(n, n_quarters))
    payroll = np.round(workers * monthly_wage[:, None] * 3 * season, 2)

    # Premium-rate floats are reviewed on a 3-year cycle (2021-2023, 2024-2026).
    floats_other = np.array([0.5, 0.8, 1.0, 1.2, 1.5])
    cycles = sorted({(y - 2021) // 3 for y in years})
    cycle_of_quarter = np.array([(years[q // 4] - 2021) // 3 for q in range(n_quarters)])
    premium = np.zeros((n, n_quarters))
    base = np.array(ind.base_rates(province))[risk - 1]
    for c in cycles:
        f = floats_other[rng.choice(5, size=n, p=[0.08, 0.2, 0.5, 0.15, 0.07])]
        f = np.where(risk == 1, rng.choice([1.0, 1.2, 1.5], size=n, p=[0.8, 0.15, 0.05]), f)
        premium[:, cycle_of_quarter == c] = np.round(base * f, 2)[:, None]

    profile_names = np.array([ind.PROFILE_OF_DIVISION.get(d, "office") for d in division.tolist()])
    chronic = (rng.random(n) < 0.07) & (profile_names != "office")
    employers = Employers(
        uscc=uscc, name=_names(rng, province, area, division), area=area, division=division,
        industry_code=_industry_codes(rng, division), risk_class=risk,
        unclassified=_unclassified(rng_for(seed, scale.name, province, "unclassified"), active),
        key=np.isin(division, list(key_divs)), profile=profile_names, chronic=chronic,
        active=active, workers=workers, payroll=payroll, premium=premium,
    )
    return World(province, profile, scale, seed, years, employers)
