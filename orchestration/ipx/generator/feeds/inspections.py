"""``acftu_supervision``: quarterly labour-protection inspections by the trade unions."""

from __future__ import annotations

import numpy as np

from ipx.generator.feeds.table import Rows, numbered, quarter_label
from ipx.generator.world import World


def union_inspections(world: World) -> Rows:
    rng = world.rng("union_inspections")
    e = world.employers
    emp_parts, day_parts = [], []
    for q in range(world.n_quarters):
        year, quarter = world.years[q // 4], q % 4 + 1
        weight = np.where(e.active[:, q], np.sqrt(e.workers[:, q]) * np.where(e.key, 2.0, 1.0), 0.0)
        k = int(rng.poisson(e.active[:, q].sum() * world.scale.inspections_per_employer_year / 4))
        if k and weight.sum() > 0:
            emp_parts.append(rng.choice(len(e), size=k, p=weight / weight.sum()))
            start = np.datetime64(f"{year}-{3 * quarter - 2:02d}-01")
            end = (np.datetime64(f"{year}-{3 * quarter:02d}") + 1).astype("datetime64[D]")
            day_parts.append(start + rng.integers(0, (end - start).astype(np.int64), k))
    emp = np.concatenate(emp_parts) if emp_parts else np.array([], dtype=np.int64)
    day = np.concatenate(day_parts).astype("datetime64[D]") if day_parts else np.array([], dtype="datetime64[D]")
    order = np.argsort(day, kind="stable")
    emp, day = emp[order], day[order]
    n = len(emp)
    issues = rng.poisson(np.where(e.key[emp], 4.5, 2.5))
    suggestions = issues - rng.binomial(issues, 0.15)
    resolved = rng.binomial(suggestions, 0.72)
    labels = quarter_label(day)
    return Rows(
        {
            "inspection_no": numbered(f"JD{world.province}", labels, 5),
            "uscc": e.uscc[emp],
            "inspection_date": day,
            "issues_found": issues.astype(np.int64),
            "suggestions": suggestions.astype(np.int64),
            "resolved": resolved.astype(np.int64),
            "worker_complaints": rng.poisson(0.6, n).astype(np.int64),
        },
        labels,
    )
