"""The delivery plan: for every (feed, province, period) slice, which submissions arrive —
format, export time, resubmissions, broken manifests and files, missing slices. The plan is
made before any data exists, from (scale, seed) alone, so provinces can be generated
independently."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from ipx.contracts import FeedContract
from ipx.generator.periods import BEIJING, Period, periods_for
from ipx.generator.profiles import ProvinceProfile
from ipx.generator.scales import Scale
from ipx.generator.seeding import rng_for

QUARANTINE_FATES = {
    "corrupt_manifest": "manifest_unreadable",
    "manifest_mismatch": "manifest_mismatch",
    "truncated_file": "sha256_mismatch",
    "row_count_mismatch": "row_count_mismatch",
}
# Feeds whose files stay CSV at national scale (they are large).
LARGE_FEEDS = {"hrss_employers", "hrss_injury_claims", "hrss_key_positions", "hrss_training",
               "em_hazards", "nhc_hazard_monitoring", "acftu_supervision"}


@dataclass
class Submission:
    feed: str
    province: str
    period: Period
    seq: int
    fmt: str
    exported_at: dt.datetime
    fate: str = "loaded"                 # loaded | missing_manifest | one of QUARANTINE_FATES
    mismatch_field: str | None = None    # for manifest_mismatch: feed | province | period
    superseded_by: int | None = None     # seq of a later submission of the same slice
    first_misses_records: bool = False   # a resubmitted slice's first version lacked records
    first_had_errors: bool = False       # ... or had more rejected records

    @property
    def file_name(self) -> str:
        return f"{self.province}_{self.period.label}_{self.seq:02d}.{self.fmt}"

    @property
    def manifest_name(self) -> str:
        return f"{self.province}_{self.period.label}_{self.seq:02d}.manifest.json"

    @property
    def late(self) -> bool:
        return self.exported_at > self.period.due

    @property
    def outcome(self) -> str:
        if self.fate == "loaded":
            return "loaded"
        if self.fate == "missing_manifest":
            return "pending"
        return "quarantined"


@dataclass
class SlicePlan:
    feed: str
    province: str
    period: Period
    submissions: list[Submission] = field(default_factory=list)

    @property
    def missing(self) -> bool:
        return not self.submissions

    @property
    def plain(self) -> bool:
        """Exactly one submission, loaded: the simple case other injections build on."""
        return len(self.submissions) == 1 and self.submissions[0].fate == "loaded"


def _export_time(rng: np.random.Generator, period: Period, late: bool) -> dt.datetime:
    end = dt.datetime.combine(period.last_day, dt.time(0, 0), tzinfo=BEIJING)
    if late:
        moment = period.due + dt.timedelta(hours=int(rng.integers(2, 24 * 40)))
    else:
        lo, hi = {"monthly": (1, 13), "quarterly": (3, 18), "annual": (5, 28)}[period.cadence]
        moment = end + dt.timedelta(days=int(rng.integers(lo, hi + 1)))
    seconds = int(rng.integers(8 * 3600, 21 * 3600))
    moment = moment.replace(hour=0, minute=0, second=0) + dt.timedelta(seconds=seconds)
    if not late and moment > period.due:
        moment = period.due - dt.timedelta(hours=int(rng.integers(1, 12)))
    return moment


def _fmt(rng: np.random.Generator, scale: Scale, feed: str) -> str:
    if scale.name == "national" and feed in LARGE_FEEDS:
        return "csv"
    return "xlsx" if rng.random() < scale.xlsx_share else "csv"


def plan_province_feed(scale: Scale, seed: int, contract: FeedContract, profile: ProvinceProfile) -> list[SlicePlan]:
    feed, province = contract.feed, profile.province
    rng = rng_for(seed, scale.name, province, feed, "delivery")
    sloppy = 3.0 if profile.sloppy else 1.0
    late_rate = 0.35 if profile.late else scale.late_rate
    plans = []
    # Only the feed's life span is delivered (contract first_period .. last_period).
    periods = [p for p in periods_for(contract.cadence, scale.years) if contract.in_span(p.label)]
    if feed == "province_reports":
        periods = [p for p in periods if p.year >= 2021]
    for period in periods:
        plan = SlicePlan(feed, province, period)
        plans.append(plan)
        u = rng.random(8)
        if contract.cadence == "monthly" and u[0] < scale.missing_slice_rate * sloppy * 1.5:
            continue
        first = Submission(feed, province, period, 1, _fmt(rng, scale, feed),
                           _export_time(rng, period, bool(u[1] < late_rate)))
        plan.submissions.append(first)
        threshold = 0.0
        for fate in QUARANTINE_FATES:
            threshold += scale.quarantine_rate * sloppy
            if u[2] < threshold:
                first.fate = fate
                break
        else:
            if u[2] < threshold + scale.missing_manifest_rate * sloppy:
                first.fate = "missing_manifest"
        if first.fate == "manifest_mismatch":
            first.mismatch_field = ("period", "period", "province", "feed")[int(rng.integers(0, 4))]
        if first.fate == "truncated_file":
            first.fmt = "csv"
        resubmit = (first.fate in QUARANTINE_FATES and u[3] < 0.7) or (
            first.fate == "loaded" and u[4] < scale.resubmission_rate * sloppy)
        if resubmit:
            _resubmit(rng, scale, plan, misses=bool(u[5] < 0.5))
    return plans


def _resubmit(rng: np.random.Generator, scale: Scale, plan: SlicePlan, misses: bool) -> None:
    first = plan.submissions[0]
    second = Submission(first.feed, first.province, first.period, 2, _fmt(rng, scale, first.feed),
                        first.exported_at + dt.timedelta(days=int(rng.integers(3, 41)), hours=int(rng.integers(0, 10))))
    first.superseded_by = 2
    if first.fate == "loaded":
        first.first_misses_records = misses
        first.first_had_errors = not misses
    plan.submissions.append(second)


DELIVERY_KINDS = ("missing_slice", "corrupt_manifest", "manifest_mismatch", "truncated_file",
                  "row_count_mismatch", "missing_manifest", "resubmission", "late_export")


def guarantee_delivery_kinds(scale: Scale, seed: int, plans: dict[tuple[str, str], list[SlicePlan]],
                             feeds: tuple[str, ...] | None = None) -> None:
    """Make sure every delivery kind occurs at least once (small scales are tiny), counting only
    the slices of ``feeds`` (default: all), so that a feed added later changes nothing here."""
    rng = rng_for(seed, scale.name, "delivery-guarantee")
    present = set()
    for (feed, _), slices in plans.items():
        if feeds is not None and feed not in feeds:
            continue
        for sp in slices:
            if sp.missing and sp.period.cadence == "monthly":
                present.add("missing_slice")
            for sub in sp.submissions:
                if sub.fate != "loaded":
                    present.add(sub.fate)
                if sub.seq > 1 and sp.submissions[0].fate == "loaded":
                    present.add("resubmission")
                if sub.late:
                    present.add("late_export")
    busy_feeds = [key for key in sorted(plans) if key[0] in ("hrss_injury_claims", "hrss_training", "em_hazards")]
    for kind in DELIVERY_KINDS:
        if kind in present:
            continue
        key = busy_feeds[int(rng.integers(0, len(busy_feeds)))]
        candidates = [sp for sp in plans[key] if sp.plain and not sp.submissions[0].late]
        sp = candidates[int(rng.integers(0, len(candidates)))]
        first = sp.submissions[0]
        if kind == "missing_slice":
            sp.submissions.clear()
        elif kind == "resubmission":
            _resubmit(rng, scale, sp, misses=bool(rng.random() < 0.5))
        elif kind == "late_export":
            first.exported_at = _export_time(rng, sp.period, True)
        else:
            first.fate = kind
            if kind == "manifest_mismatch":
                first.mismatch_field = "period"
            if kind == "truncated_file":
                first.fmt = "csv"


def export_day_lookup(plans: list[SlicePlan]) -> dict[str, np.datetime64]:
    """Period label -> the day the slice's first version was exported (rectification dates
    shown in a file cannot be later); a missing slice gets the period end + 10 days."""
    out = {}
    for sp in plans:
        if sp.submissions:
            day = sp.submissions[0].exported_at.date()
        else:
            day = sp.period.last_day + dt.timedelta(days=10)
        out[sp.period.label] = np.datetime64(day.isoformat())
    return out
