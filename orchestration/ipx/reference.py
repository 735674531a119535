"""Reference data of spec sections 4 and 6, read from the dbt seeds (the single copy).

Ingestion needs a few of these tables (enumerations, divisions, limits) to apply W rules;
the warehouse loads the same files as dbt seeds.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from ipx.paths import SEEDS_DIR


def read_seed(name: str, seeds_dir: Path | None = None) -> list[dict[str, str]]:
    path = (seeds_dir or SEEDS_DIR) / f"{name}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class ExposureLimit:
    factor: str
    metric: str
    limit_value: float
    unit: str


@functools.cache
def provinces() -> dict[str, str]:
    """Province code -> name (31 mainland units and 660000 XPCC)."""
    return {r["province_code"]: r["province_name"] for r in read_seed("provinces")}


@functools.cache
def province_short_names() -> dict[str, str]:
    return {r["province_code"]: r["province_short"] for r in read_seed("provinces")}


@functools.cache
def divisions() -> dict[str, str]:
    """GB/T 4754-2017 division (2 digits) -> section letter."""
    return {r["division"]: r["section"] for r in read_seed("gb4754_divisions")}


@functools.cache
def reference_enum(name: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """The allowed values and aliases of an enumeration kept as a seed."""
    if name == "gb6441_classes":
        rows = read_seed("gb6441_accident_classes")
        return (
            tuple(r["class_name"] for r in rows),
            {r["alias"]: r["class_name"] for r in rows if r["alias"]},
        )
    if name == "disease_categories":
        return tuple(r["category_name"] for r in read_seed("occupational_disease_categories")), {}
    raise KeyError(f"unknown reference enumeration {name!r}")


@functools.cache
def exposure_limits() -> tuple[ExposureLimit, ...]:
    return tuple(
        ExposureLimit(r["factor"], r["metric"], float(r["limit_value"]), r["unit"])
        for r in read_seed("exposure_limits")
    )


@functools.cache
def severity_tiers() -> tuple[tuple[str, int, int, float], ...]:
    """(severity, min_deaths, min_serious_injuries, min_loss_10k_yuan), highest tier first."""
    rows = sorted(read_seed("accident_severity_tiers"), key=lambda r: -int(r["tier_rank"]))
    return tuple(
        (r["severity"], int(r["min_deaths"]), int(r["min_serious_injuries"]),
         float(r["min_direct_loss_10k_yuan"]))
        for r in rows
    )


def severity_for(deaths: int, serious_injuries: int, loss_10k_yuan: float) -> str:
    """The tier of 生产安全事故报告和调查处理条例 art. 3 that the highest count reaches."""
    for name, d, s, loss in severity_tiers():
        if (d and deaths >= d) or (s and serious_injuries >= s) or (loss and loss_10k_yuan >= loss):
            return name
    return severity_tiers()[-1][0]


@functools.cache
def key_industry_divisions(province: str | None = None) -> dict[str, str]:
    """Division -> key industry code: the national list plus a province's own additions."""
    out = {r["division"]: r["key_industry_code"] for r in read_seed("key_industries")}
    if province:
        for r in read_seed("province_key_industry_additions"):
            if r["province_code"] == province:
                out.setdefault(r["division"], r["key_industry_code"])
    return out
