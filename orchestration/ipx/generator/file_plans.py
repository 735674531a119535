"""What each planned submission of a province will contain: ``FilePlan`` (the submission,
its canonical records, and the kinds forced onto it) and the province's context."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ipx.contracts import FeedContract
from ipx.generator.delivery import SlicePlan, Submission
from ipx.generator.feeds.table import Rows
from ipx.generator.profiles import ProvinceProfile
from ipx.generator.scales import Scale
from ipx.generator.seeding import rng_for


@dataclass
class ProvinceContext:
    scale: Scale
    seed: int
    province: str
    profile: ProvinceProfile
    contracts: dict[str, FeedContract]
    out_dir: Path

    def rng(self, *labels: object) -> np.random.Generator:
        return rng_for(self.seed, self.scale.name, self.province, "files", *labels)


@dataclass
class FilePlan:
    sub: Submission
    rows: Rows
    forced_defects: list[tuple[str, str, int]] = field(default_factory=list)   # kind, field, record
    forced_dups: list[int] = field(default_factory=list)
    forced_styles: set[str] = field(default_factory=set)
    forced_cross_dup: bool = False

    @property
    def loaded(self) -> bool:
        return self.sub.fate == "loaded"

    @property
    def plain(self) -> bool:
        return self.sub.seq == 1 and self.loaded and self.sub.superseded_by is None

    def taken(self) -> set[int]:
        return {i for _, _, i in self.forced_defects} | set(self.forced_dups)


def prepare_files(ctx: ProvinceContext, contract: FeedContract, plans: list[SlicePlan], rows: Rows) -> list[FilePlan]:
    """The canonical records of every submission (a first version may lack a few records
    that its resubmission adds)."""
    slices = rows.by_period()
    empty = rows.take(np.array([], dtype=np.int64))
    rng = ctx.rng(contract.feed, "content")
    out = []
    for sp in plans:
        base = slices.get(sp.period.label, empty)
        for sub in sp.submissions:
            content = base
            if sub.first_misses_records and len(base) >= 3:
                k = max(1, round(0.03 * len(base)))
                drop = rng.choice(len(base), size=k, replace=False)
                content = base.take(np.setdiff1d(np.arange(len(base)), drop))
            out.append(FilePlan(sub, content))
    return out
