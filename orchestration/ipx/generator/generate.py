"""``generate()``: write a landing folder as agencies deliver it, plus its ground truth."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path

import numpy as np

from ipx.contracts import load_contracts
from ipx.generator import ground_truth
from ipx.generator.assembly import write_province
from ipx.generator.delivery import DELIVERY_KINDS, SlicePlan, guarantee_delivery_kinds, plan_province_feed
from ipx.generator.feeds import BUILTIN_FEEDS, build_feed_rows
from ipx.generator.file_plans import ProvinceContext
from ipx.generator.forcing import CROSS_DUP
from ipx.generator.geography import PROVINCE_WEIGHTS
from ipx.generator.injections import R_KINDS, W_KINDS
from ipx.generator.profiles import ProvinceProfile, province_profiles
from ipx.generator.scales import Scale, get_scale
from ipx.generator.seeding import rng_for
from ipx.generator.untidiness import FORCED_STYLE_KINDS, STYLE_KINDS
from ipx.generator.world import build_world

# Every kind that must occur at least once (at any scale).
REQUIRED_KINDS = (set(R_KINDS) | set(W_KINDS) | set(STYLE_KINDS) | set(DELIVERY_KINDS)
                  | {CROSS_DUP, "stale_lower_seq"})


def _forced_kinds(scale: Scale, seed: int) -> dict[str, list[str]]:
    """Assign every record-level and style kind to a province that must contain it: one
    drawn by size and, as a safety net, the largest province."""
    rng = rng_for(seed, scale.name, "forced-kinds")
    provinces = list(scale.provinces)
    weights = np.array([PROVINCE_WEIGHTS[p] for p in provinces])
    largest = provinces[int(np.argmax(weights))]
    out: dict[str, list[str]] = {p: [] for p in provinces}
    for kind in list(R_KINDS) + list(W_KINDS) + [CROSS_DUP] + list(FORCED_STYLE_KINDS):
        drawn = provinces[int(rng.choice(len(provinces), p=weights / weights.sum()))]
        out[drawn].append(kind)
        if drawn != largest:
            out[largest].append(kind)
    return out


def _province_job(args: tuple) -> tuple[list[dict], list[dict], list[str]]:
    scale, seed, province, profile, plans, forced, out_dir = args
    contracts = load_contracts()
    world = build_world(scale, seed, province, profile)
    rows = build_feed_rows(world, plans, contracts)
    ctx = ProvinceContext(scale, seed, province, profile, contracts, out_dir)
    return write_province(ctx, plans, rows, forced)


def generate(out_dir: Path, scale: str = "demo", seed: int = 20250101, years: list[int] | None = None) -> dict:
    """Write ``<out>/<feed>/<province>_<period>_<seq>.<csv|xlsx>`` with manifests and
    ``<out>/_meta/ground_truth.json``; return the ground truth. Deterministic for a given
    (scale, seed, years). Earlier output of the generator under ``out_dir`` (the feed folders
    and ``_meta``) is replaced; nothing else there is touched. Provinces are generated in
    parallel processes at the larger scales (``IPX_GENERATOR_WORKERS`` overrides the number;
    the output does not depend on it).

    Every contract is generated (``IPX_CONTRACTS_DIR`` included): a feed without a builder of
    its own gets rows from its contract alone (``feeds.generic``), inside its life span. Adding
    such a feed leaves the other feeds' files byte for byte as they were."""
    out_dir = Path(out_dir)
    sc = get_scale(scale, years)
    contracts = load_contracts()
    for name in list(contracts) + ["_meta"]:
        if (out_dir / name).exists():
            shutil.rmtree(out_dir / name)
    out_dir.mkdir(parents=True, exist_ok=True)
    profiles: dict[str, ProvinceProfile] = province_profiles(sc, seed)
    plans: dict[tuple[str, str], list[SlicePlan]] = {
        (feed, p): plan_province_feed(sc, seed, contracts[feed], profiles[p])
        for feed in contracts for p in sc.provinces
    }
    guarantee_delivery_kinds(sc, seed, plans, BUILTIN_FEEDS)
    forced = _forced_kinds(sc, seed)
    jobs = [(sc, seed, p, profiles[p], {feed: plans[(feed, p)] for feed in contracts}, forced[p], out_dir)
            for p in sc.provinces]
    workers = int(os.environ.get("IPX_GENERATOR_WORKERS", sc.workers))
    if workers > 1 and len(jobs) > 1:
        with multiprocessing.get_context("fork").Pool(min(workers, len(jobs)), maxtasksperchild=4) as pool:
            results = pool.map(_province_job, jobs, chunksize=1)
    else:
        results = [_province_job(job) for job in jobs]
    files = [e for r in results for e in r[0]]
    injections = [i for r in results for i in r[1]]
    first_year, last_year = min(sc.years), max(sc.years)
    truth = ground_truth.build(sc.name, seed, list(sc.provinces), f"{first_year}-01", f"{last_year}-12",
                               files, injections)
    present = {i["kind"] for i in truth["injections"]}
    missing = sorted(REQUIRED_KINDS - present)
    if missing:
        raise RuntimeError(f"generator could not place injection kinds {missing} (scale {sc.name}, seed {seed})")
    ground_truth.write(out_dir / "_meta" / "ground_truth.json", truth)
    return truth
