"""The three generator scales: sizes, event rates and untidiness/injection rates."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ipx.generator.geography import PROVINCE_WEIGHTS

ALL_PROVINCES = tuple(sorted(PROVINCE_WEIGHTS))


@dataclass(frozen=True)
class Scale:
    name: str
    provinces: tuple[str, ...]
    years: tuple[int, ...]                 # the years whose periods are delivered
    # population
    employer_count: str                    # "band": 100..300 by size; "national": share of total
    national_employers: int = 2_000_000
    workers_median: float = 450.0
    workers_sigma: float = 0.8
    workers_max: int = 6000
    # events per employer and year (injury and disease rates come from the province profiles)
    hazards_per_employer_year: float = 2.0
    samples_per_employer_year: float = 1.5
    accidents_per_employer_year: float = 0.2
    accident_death_share: float = 0.35
    inspections_per_employer_year: float = 1.0
    od_rate_scale: float = 1.0             # multiplies the provinces' occupational-disease rates
    other_staff_training_share: float = 0.15
    travellers_per_province: int = 2
    # delivery and file variety
    xlsx_share: float = 0.2
    xlsx_max_rows: int = 100_000
    # per-record defect rates (a "sloppy" province multiplies them)
    reject_rate: float = 0.003
    flag_rate: float = 0.002
    cross_slice_dup_rate: float = 0.01     # per eligible file
    orphan_claim_rate: float = 0.005
    # per-slice delivery event rates
    missing_slice_rate: float = 0.004
    quarantine_rate: float = 0.0015        # per quarantine kind
    missing_manifest_rate: float = 0.002
    resubmission_rate: float = 0.01
    late_rate: float = 0.03
    workers: int = 1                       # worker processes

    @property
    def first_year(self) -> int:
        return min(self.years)

    @property
    def last_year(self) -> int:
        return max(self.years)


def employers_in(scale: Scale, province: str) -> int:
    """How many employers a province starts with."""
    weight = PROVINCE_WEIGHTS[province]
    if scale.employer_count == "national":
        return max(50, round(scale.national_employers * weight / sum(PROVINCE_WEIGHTS.values())))
    low, high = min(PROVINCE_WEIGHTS.values()), max(PROVINCE_WEIGHTS.values())
    return round(100 + 200 * (weight - low) / (high - low))


SCALES: dict[str, Scale] = {
    "small": Scale(
        name="small", provinces=("440000", "510000", "660000"), years=(2020, 2021, 2022),
        employer_count="band", reject_rate=0.004, flag_rate=0.003, cross_slice_dup_rate=0.02,
        missing_slice_rate=0.006, quarantine_rate=0.002, missing_manifest_rate=0.003,
        resubmission_rate=0.015,
    ),
    "demo": Scale(
        name="demo", provinces=ALL_PROVINCES, years=(2020, 2021, 2022, 2023, 2024, 2025),
        employer_count="band", workers=2,
    ),
    "national": Scale(
        name="national", provinces=ALL_PROVINCES, years=(2024,), employer_count="national",
        workers_median=80.0, workers_sigma=1.05, workers_max=20000, od_rate_scale=0.6,
        hazards_per_employer_year=0.35, samples_per_employer_year=0.5,
        accidents_per_employer_year=0.0125, accident_death_share=0.75,
        inspections_per_employer_year=0.25, travellers_per_province=40,
        xlsx_share=0.15, xlsx_max_rows=3000,
        reject_rate=0.0005, flag_rate=0.0003, cross_slice_dup_rate=0.05, orphan_claim_rate=0.005,
        missing_slice_rate=0.004, quarantine_rate=0.003, missing_manifest_rate=0.003,
        resubmission_rate=0.01, workers=2,
    ),
}


def get_scale(name: str, years: list[int] | None = None) -> Scale:
    if name not in SCALES:
        raise ValueError(f"unknown scale {name!r}; expected one of {sorted(SCALES)}")
    scale = SCALES[name]
    if years:
        scale = replace(scale, years=tuple(sorted({int(y) for y in years})))
    return scale
