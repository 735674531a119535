"""Canonical records of every feed for one province, built from its simulated world: the
eleven feeds of the spec by their own builders, any other contract by ``generic.generic_rows``."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ipx.contracts import FeedContract, contract_for
from ipx.generator.delivery import SlicePlan, export_day_lookup
from ipx.generator.feeds.accidents import accidents, hazards
from ipx.generator.feeds.claims import injury_claims
from ipx.generator.feeds.employers import employer_snapshots
from ipx.generator.feeds.generic import generic_rows
from ipx.generator.feeds.health import hazard_monitoring, occupational_disease
from ipx.generator.feeds.inspections import union_inspections
from ipx.generator.feeds.programme import prevention_projects, province_reports
from ipx.generator.feeds.roster import key_positions, training, traveller_destination, travellers
from ipx.generator.feeds.table import Rows
from ipx.generator.periods import month_end
from ipx.generator.world import World

# The feeds with a builder of their own (spec section 3).
BUILTIN_FEEDS = (
    "hrss_employers", "hrss_injury_claims", "hrss_key_positions", "hrss_training", "hrss_prevention_projects",
    "em_accidents", "em_hazards", "nhc_occupational_disease", "nhc_hazard_monitoring", "acftu_supervision",
    "province_reports",
)


def build_feed_rows(world: World, plans: dict[str, list[SlicePlan]],
                    contracts: dict[str, FeedContract] | None = None) -> dict[str, Rows]:
    """Rows of every planned feed. The eleven feeds' rows do not depend on which other feeds
    exist; any other feed's come from its contract alone."""
    rows = _builtin_rows(world, plans)
    for feed in plans:
        if feed not in rows:
            contract = contracts[feed] if contracts and feed in contracts else contract_for(feed)
            rows[feed] = generic_rows(world, contract, plans[feed])
    return rows


def _builtin_rows(world: World, plans: dict[str, list[SlicePlan]]) -> dict[str, Rows]:
    scale, province = world.scale, world.province
    lookup = export_day_lookup(plans["nhc_hazard_monitoring"])

    def export_day(label: str) -> np.datetime64:
        if label in lookup:
            return lookup[label]
        end = month_end(int(label[:4]), int(label[4:6])) + dt.timedelta(days=10)
        return np.datetime64(end.isoformat())

    accident_rows, accident_facts = accidents(world)
    disease_rows, disease_facts = occupational_disease(world)
    roster_rows, roster_facts = key_positions(world)
    visitors = [travellers(scale, world.seed, src) for src in scale.provinces
                if src != province and traveller_destination(scale, src) == province]
    claim_rows, orphans = injury_claims(world, accident_facts, disease_facts, roster_facts)
    orphan = np.zeros(len(claim_rows), dtype=bool)
    orphan[orphans] = True
    claim_rows.columns["_orphan"] = orphan
    return {
        "hrss_employers": employer_snapshots(world),
        "hrss_injury_claims": claim_rows,
        "hrss_key_positions": roster_rows,
        "hrss_training": training(world, roster_facts, visitors),
        "hrss_prevention_projects": prevention_projects(world),
        "em_accidents": accident_rows,
        "em_hazards": hazards(world),
        "nhc_occupational_disease": disease_rows,
        "nhc_hazard_monitoring": hazard_monitoring(world, export_day),
        "acftu_supervision": union_inspections(world),
        "province_reports": province_reports(world),
    }
