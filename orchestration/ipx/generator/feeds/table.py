"""``Rows``: a feed's canonical records as aligned numpy columns, with each record's period.

Canonical values are typed and clean: text as str ('' = blank), ints as int64 (-1 = blank),
decimals as float64 (NaN = blank), dates as datetime64[D] and date-times as datetime64[s]
(NaT = blank). Rendering into the untidy text of real exports happens later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

BLANK_INT = -1


@dataclass
class Rows:
    columns: dict[str, np.ndarray]
    period: np.ndarray            # period label of each record (YYYYMM, YYYYQn or YYYY)

    def __len__(self) -> int:
        return len(self.period)

    def take(self, idx: np.ndarray) -> Rows:
        idx = np.asarray(idx, dtype=np.int64)
        return Rows({k: v[idx] for k, v in self.columns.items()}, self.period[idx])

    def by_period(self) -> dict[str, Rows]:
        """Split into slices, keeping the record order within each slice."""
        if len(self) == 0:
            return {}
        order = np.argsort(self.period, kind="stable")
        labels, starts = np.unique(self.period[order], return_index=True)
        bounds = list(starts[1:]) + [len(order)]
        return {str(lab): self.take(order[s:e]) for lab, s, e in zip(labels, starts, bounds)}

    def sorted_by(self, column: str) -> Rows:
        return self.take(np.argsort(self.columns[column], kind="stable"))


def concat(parts: list[Rows]) -> Rows:
    parts = [p for p in parts if p is not None]
    names = list(parts[0].columns)
    return Rows(
        {k: np.concatenate([p.columns[k] for p in parts]) for k in names},
        np.concatenate([p.period for p in parts]),
    )


def empty_like(columns: dict[str, np.ndarray]) -> Rows:
    return Rows({k: v[:0] for k, v in columns.items()}, np.array([], dtype="<U6"))


def month_label(dates: np.ndarray) -> np.ndarray:
    """``YYYYMM`` of each date (datetime64)."""
    months = np.asarray(dates).astype("datetime64[M]")
    y = months.astype(np.int64) // 12 + 1970
    m = months.astype(np.int64) % 12 + 1
    return np.char.add(y.astype(str), np.char.zfill(m.astype(str), 2))


def quarter_label(dates: np.ndarray) -> np.ndarray:
    months = np.asarray(dates).astype("datetime64[M]").astype(np.int64)
    y = months // 12 + 1970
    q = months % 12 // 3 + 1
    return np.char.add(np.char.add(y.astype(str), "Q"), q.astype(str))


def year_of(dates: np.ndarray) -> np.ndarray:
    return np.asarray(dates).astype("datetime64[Y]").astype(np.int64) + 1970


def month_of(dates: np.ndarray) -> np.ndarray:
    return np.asarray(dates).astype("datetime64[M]").astype(np.int64) % 12 + 1


def events_by_month(rng: np.random.Generator, months: np.ndarray,
                    draw: Callable[[int], tuple[float, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Events month by month: for month ``i``, ``draw(i)`` gives (expected events, weight of each
    employer); a Poisson number of events each falls on an employer in proportion to its weight.
    Returns (employer index, month) of every event, in month order."""
    employers, event_months = [np.array([], dtype=np.int64)], [np.array([], dtype="datetime64[M]")]
    for i, month in enumerate(months):
        expected, weight = draw(i)
        k = int(rng.poisson(expected))
        if k and weight.sum() > 0:
            employers.append(rng.choice(len(weight), size=k, p=weight / weight.sum()))
            event_months.append(np.full(k, month))
    return np.concatenate(employers).astype(np.int64), np.concatenate(event_months)


def random_days_in_months(rng: np.random.Generator, month_starts: np.ndarray) -> np.ndarray:
    """A uniformly random day in each given month (datetime64[M] or [D] month starts)."""
    starts = np.asarray(month_starts).astype("datetime64[M]")
    lengths = ((starts + 1).astype("datetime64[D]") - starts.astype("datetime64[D]")).astype(np.int64)
    return starts.astype("datetime64[D]") + (rng.random(len(starts)) * lengths).astype(np.int64)


def sequence_within(groups: np.ndarray) -> np.ndarray:
    """1-based running number of each element within its group, in the given order."""
    n = len(groups)
    if n == 0:
        return np.array([], dtype=np.int64)
    order = np.argsort(groups, kind="stable")
    g = groups[order]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    run = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
    out = np.empty(n, dtype=np.int64)
    out[order] = run + 1
    return out


def numbered(prefix: str, groups: np.ndarray, width: int) -> np.ndarray:
    """Keys like ``SG440000202101007``: prefix + group label + running number."""
    seq = sequence_within(groups)
    return np.char.add(np.char.add(prefix, groups.astype(str)), np.char.zfill(seq.astype(str), width))
