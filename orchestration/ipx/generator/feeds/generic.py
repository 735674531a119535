"""Plausible records for ANY feed contract, from its column types and rules alone.

The eleven feeds of the spec have their own, richer builders (``feeds/__init__.py``); a feed
added later by a contract file gets its records here, so ``ipx generate`` never needs code for
a new feed. What the rows respect, so that every record not injected with a defect passes
every rule of the contract:

- records fall on the planned periods (the feed's life span within the generated years), a
  Poisson number per slice in proportion to the province's active employers;
- ``uscc``, ``area_code``, ``industry_code``: those of an employer of the simulated world
  insured in the record's quarter (valid check characters, area in the province);
- ``resident_id``: a fresh person with a valid GB 11643 ID issued in the province; a dropped
  (``pii: drop``) text column holds that person's name;
- dates and date-times inside the record's period; a ``not_before`` date 0..30 days after its
  reference; numbers inside ``min``/``max``/``min_exclusive``, ``not_above`` respected;
- enumerations from ``values`` (or the ``reference`` seed); optional columns sometimes blank,
  except where ``required_when`` asks for them;
- keys unique: a text key is numbered (``<initials><province><period><n>``); records repeating
  a key (within a slice for snapshot feeds, anywhere otherwise) are dropped.

Defects (``injections.generic_fields``), untidiness and the ground truth are the same machinery
as for the eleven feeds.
"""

from __future__ import annotations

import numpy as np

from ipx.contracts import Column, FeedContract
from ipx.generator.delivery import SlicePlan
from ipx.generator.feeds.table import BLANK_INT, Rows
from ipx.generator.people import make_people
from ipx.generator.world import World
from ipx.reference import reference_enum

RECORDS_PER_EMPLOYER_YEAR = 0.6     # events of a non-snapshot feed
SNAPSHOT_SHARE = 0.3                 # employers listed in each slice of a snapshot feed
BLANK_SHARE = 0.08                   # optional cells left blank
PER_YEAR = {"monthly": 12, "quarterly": 4, "annual": 1}


def key_prefix(feed: str) -> str:
    """``nhc_health_exams`` -> ``NHE``: the first letter of each part of the feed id."""
    return "".join(part[0] for part in feed.split("_") if part).upper() or "K"


def enum_values(col: Column) -> tuple[str, ...]:
    if col.values:
        return col.values
    return reference_enum(col.reference)[0]


def _order(contract: FeedContract) -> list[Column]:
    """Columns in an order where every column comes after those its rules refer to."""
    done: list[Column] = []
    names: set[str] = set()
    pending = list(contract.columns)
    while pending:
        progressed = False
        for col in list(pending):
            refs = {r for r in (col.not_before, col.not_above, *col.required_when) if r}
            if refs <= names:
                done.append(col)
                names.add(col.name)
                pending.remove(col)
                progressed = True
        if not progressed:     # a cycle of references: take the rest as they come
            done.extend(pending)
            break
    return done


def _bounds(col: Column, default_hi: float) -> tuple[float, float]:
    lo = 0.0
    if col.min is not None:
        lo = float(col.min)
    if col.min_exclusive is not None:
        lo = max(lo, float(col.min_exclusive))
    hi = float(col.max) if col.max is not None else max(lo, 0.0) + default_hi
    return lo, max(hi, lo)


def _record_slots(world: World, contract: FeedContract, plans: list[SlicePlan], rng: np.random.Generator
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(employer index, period label, period first day, period last day) of every record."""
    emp = world.employers
    employers, labels, firsts, lasts = [], [], [], []
    for sp in plans:
        period = sp.period
        q = world.quarter_of(period.year, period.first_day.month)
        q = int(min(max(q, 0), world.n_quarters - 1))
        active = np.flatnonzero(emp.active[:, q])
        if not len(active):
            continue
        if contract.snapshot:
            k = int(rng.binomial(len(active), SNAPSHOT_SHARE))
            chosen = np.sort(rng.choice(active, size=k, replace=False))
        else:
            k = int(rng.poisson(len(active) * RECORDS_PER_EMPLOYER_YEAR / PER_YEAR[contract.cadence]))
            weight = emp.workers[active, q].astype(float)
            chosen = rng.choice(active, size=k, p=weight / weight.sum()) if k and weight.sum() > 0 else active[:0]
        employers.append(chosen.astype(np.int64))
        labels.append(np.full(len(chosen), period.label, dtype="<U6"))
        firsts.append(np.full(len(chosen), np.datetime64(period.first_day.isoformat(), "D")))
        lasts.append(np.full(len(chosen), np.datetime64(period.last_day.isoformat(), "D")))
    if not employers:
        empty = np.array([], dtype="datetime64[D]")
        return np.array([], dtype=np.int64), np.array([], dtype="<U6"), empty, empty
    return (np.concatenate(employers), np.concatenate(labels), np.concatenate(firsts), np.concatenate(lasts))


def _blank(col: Column, values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    if not mask.any():
        return values
    values = values.copy()
    if values.dtype.kind == "M":
        values[mask] = np.datetime64("NaT")
    elif values.dtype.kind == "f":
        values[mask] = np.nan
    elif values.dtype.kind in "iu":
        values[mask] = BLANK_INT
    else:
        values[mask] = ""
    return values


def generic_rows(world: World, contract: FeedContract, plans: list[SlicePlan]) -> Rows:
    """The canonical records of ``contract``'s feed for one province over its planned slices."""
    rng = world.rng("generic", contract.feed)
    emp = world.employers
    who, period, first_day, last_day = _record_slots(world, contract, plans, rng)
    n = len(who)
    span_days = (last_day - first_day).astype(np.int64) + 1
    person_cols = [c for c in contract.columns if c.type == "resident_id"]
    people = make_people(rng, world.province, n) if person_cols or any(c.pii == "drop" for c in contract.columns) \
        else None
    key_text = next((c.name for c in contract.columns if c.name in contract.key and c.type == "text"), None)
    cols: dict[str, np.ndarray] = {}
    first_uscc = True
    for col in _order(contract):
        t = col.type
        if t == "text":
            if col.name == key_text:
                seq = np.arange(1, n + 1)
                values = np.char.add(np.char.add(f"{key_prefix(contract.feed)}{world.province}", period),
                                     np.char.zfill(seq.astype(str), 6)) if n else np.array([], dtype=str)
            elif col.pii == "drop" and people is not None:
                values = people.name
            elif "name" in col.name and "employer" in col.name or col.name == "employer_name":
                values = emp.name[who]
            else:
                values = np.char.add(col.header.split("（")[0][:6], (rng.integers(1, 40, n)).astype(str)) if n \
                    else np.array([], dtype=str)
            values = np.asarray(values, dtype=str)
        elif t == "uscc":
            values = emp.uscc[who] if first_uscc else emp.uscc[rng.integers(0, len(emp), n)]
            first_uscc = False
        elif t == "resident_id":
            values = people.person_id if people is not None else np.array([], dtype=str)
            if col is not person_cols[0]:
                values = make_people(rng, world.province, n).person_id
        elif t == "area_code":
            values = emp.area[who].astype(str)
        elif t == "industry_code":
            values = emp.industry_code[who].astype(str)
        elif t in ("int", "grade"):
            lo, hi = _bounds(col, 9 if t == "grade" else 50)
            if t == "grade":
                lo, hi = max(lo, 1), min(hi, 10)
            lo_i = int(np.floor(lo)) + (1 if col.min_exclusive is not None and float(lo).is_integer() else 0)
            lo_i = max(lo_i, int(np.ceil(lo)))
            top = np.full(n, int(np.floor(hi)), dtype=np.int64)
            if col.not_above and col.not_above in cols:
                other = cols[col.not_above]
                top = np.where(other >= 0, np.minimum(top, other.astype(np.int64)), top)
            top = np.maximum(top, lo_i)
            values = lo_i + np.floor(rng.random(n) * (top - lo_i + 1)).astype(np.int64)
        elif t in ("dec", "percent", "amount"):
            if t == "amount":
                lo, hi = _bounds(col, 1_000_000.0)
                values = np.clip(np.round(rng.lognormal(np.log(20_000.0), 1.0, n), 2), lo, hi)
            else:
                lo, hi = _bounds(col, 100.0)
                values = np.round(lo + rng.random(n) * (hi - lo), 2)
            if col.min_exclusive is not None:
                floor = float(col.min_exclusive) + 0.01
                values = np.where(values <= col.min_exclusive, min(floor, hi), values)
            if col.not_above and col.not_above in cols:
                other = cols[col.not_above].astype(float)
                values = np.where(np.isnan(other), values, np.minimum(values, np.floor(other * 100) / 100))
            values = values.astype(float)
        elif t == "date":
            values = first_day + np.floor(rng.random(n) * span_days).astype(np.int64)
            if col.not_before and col.not_before in cols:
                ref = cols[col.not_before].astype("datetime64[D]")
                later = ref + rng.integers(0, 31, n)
                values = np.where(np.isnat(ref), values, later)
            values = values.astype("datetime64[D]")
        elif t == "datetime":
            seconds = np.floor(rng.random(n) * span_days * 86400).astype(np.int64)
            values = first_day.astype("datetime64[s]") + seconds.astype("timedelta64[s]")
            if col.not_before and col.not_before in cols:
                ref = cols[col.not_before].astype("datetime64[s]")
                later = ref + rng.integers(0, 30 * 86400, n).astype("timedelta64[s]")
                values = np.where(np.isnat(ref), values, later)
        elif t == "enum":
            options = np.array(enum_values(col))
            weights = 1.0 / (np.arange(len(options)) + 1.5)
            values = options[rng.choice(len(options), size=n, p=weights / weights.sum())] if n \
                else np.array([], dtype=str)
        else:  # pragma: no cover - the contract model refuses unknown types
            raise ValueError(f"{contract.feed}.{col.name}: no generator for type {t!r}")
        if not col.required and col.name not in contract.key and col.pii != "drop":
            must = np.zeros(n, dtype=bool)
            for other, wanted in col.required_when.items():
                must |= np.asarray(cols[other]).astype(str) == wanted
            values = _blank(col, values, (rng.random(n) < BLANK_SHARE) & ~must)
        cols[col.name] = values
    ordered = {c.name: cols[c.name] for c in contract.columns}
    rows = Rows(ordered, period)
    return _unique_keys(contract, rows)


def _unique_keys(contract: FeedContract, rows: Rows) -> Rows:
    """Drop records repeating a key: within their slice for snapshot feeds, anywhere otherwise."""
    if len(rows) == 0:
        return rows
    parts = [rows.columns[k].astype(str) for k in contract.key]
    if contract.snapshot:
        parts.append(rows.period.astype(str))
    seen: set[tuple] = set()
    keep = np.zeros(len(rows), dtype=bool)
    for i, key in enumerate(zip(*parts)):
        if key not in seen:
            seen.add(key)
            keep[i] = True
    return rows.take(np.flatnonzero(keep))
