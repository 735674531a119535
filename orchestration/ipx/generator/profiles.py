"""Per-province behaviour: injury and disease levels and trends, training pace, and how
punctual and careful the province's agencies are when they export."""

from __future__ import annotations

from dataclasses import dataclass

from ipx.generator.geography import MINING_FACTOR
from ipx.generator.scales import Scale
from ipx.generator.seeding import rng_for


@dataclass(frozen=True)
class ProvinceProfile:
    province: str
    injury_rate: float          # recognised accident injuries per 1,000 insured workers in 2020
    injury_trend: float         # relative change of the rate from 2020 to 2025 (-0.2 = down 20 %)
    od_rate: float              # occupational-disease reports per 100,000 insured workers in 2020
    mining: float               # mining / dust weight relative to the average province
    slow_training: bool         # training coverage rises slowly
    late: bool                  # exports often miss the due time
    sloppy: bool                # more missing slices, more rejected records, more broken files
    major_hazard_share: float   # share of 重大隐患 among hazards found
    trained_share_2025: float


def province_profiles(scale: Scale, seed: int) -> dict[str, ProvinceProfile]:
    rng = rng_for(seed, "profiles", scale.name)
    provinces = list(scale.provinces)
    n = len(provinces)
    # A few provinces are persistently late or sloppy; small scales still get one of each.
    n_late = max(1, round(n * 0.1))
    n_sloppy = max(1, round(n * 0.1))
    n_flat = max(1, round(n * 0.15))
    n_slow = max(1, round(n * 0.15))
    late = set(rng.choice(provinces, n_late, replace=False).tolist())
    sloppy = set(rng.choice(provinces, n_sloppy, replace=False).tolist())
    flat = set(rng.choice(provinces, n_flat, replace=False).tolist())
    slow = set(rng.choice(provinces, n_slow, replace=False).tolist())
    out = {}
    for p in provinces:
        mining = MINING_FACTOR.get(p, 0.8)
        trend = float(rng.uniform(-0.02, 0.08)) if p in flat else float(rng.uniform(-0.26, -0.15))
        out[p] = ProvinceProfile(
            province=p,
            injury_rate=float(rng.uniform(2.2, 3.8)) * (1.0 + 0.1 * (mining - 1.0)),
            injury_trend=trend,
            od_rate=float(rng.uniform(6.0, 14.0)) * mining,
            mining=mining,
            slow_training=p in slow,
            late=p in late,
            sloppy=p in sloppy,
            major_hazard_share=float(rng.uniform(0.10, 0.18)) + (0.04 if p in sloppy else 0.0),
            trained_share_2025=float(rng.uniform(0.62, 0.78)) if p in slow else float(rng.uniform(0.96, 0.995)),
        )
    return out


def trend_factor(profile: ProvinceProfile, year: int) -> float:
    """The injury-rate multiplier of a calendar year relative to 2020 (linear to 2025)."""
    return 1.0 + profile.injury_trend * (year - 2020) / 5.0
