"""``hrss_employers``: one snapshot per quarter of every active insured employer."""

from __future__ import annotations

import numpy as np

from ipx.generator.feeds.table import BLANK_INT, Rows
from ipx.generator.world import World


def employer_snapshots(world: World) -> Rows:
    e = world.employers
    rng = world.rng("employer_snapshots")
    q_idx, emp = np.nonzero(e.active.T)          # ordered by quarter
    # Each snapshot lists employers in a stable but unsorted order (the HR system's own).
    shuffle_key = rng.random(len(e))
    order = np.lexsort((shuffle_key[emp], q_idx))
    q_idx, emp = q_idx[order], emp[order]
    years = np.array(world.years)[q_idx // 4]
    labels = np.char.add(np.char.add(years.astype(str), "Q"), (q_idx % 4 + 1).astype(str))
    return Rows(
        {
            "uscc": e.uscc[emp],
            "employer_name": e.name[emp],
            "area_code": e.area[emp],
            "industry_code": e.industry_code[emp],
            "risk_class": np.where(e.unclassified[emp], BLANK_INT, e.risk_class[emp]).astype(np.int64),
            "insured_workers": e.workers[emp, q_idx].astype(np.int64),
            "payroll_yuan": e.payroll[emp, q_idx],
            "premium_rate_pct": e.premium[emp, q_idx],
        },
        labels,
    )
