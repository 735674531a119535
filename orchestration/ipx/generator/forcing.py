"""Forced kinds: every record-level defect, style variant and cross-slice duplicate kind
assigned to a province is attached to a suitable file of that province, so that even the
tiny ``small`` scale contains each kind at least once."""

from __future__ import annotations

import numpy as np

from ipx.contracts import FeedContract
from ipx.generator import untidiness
from ipx.generator.file_plans import FilePlan, ProvinceContext
from ipx.generator.injections import DUPLICATE, R_FIELDS, W_FIELDS, eligible, fields_for
from ipx.generator.scales import Scale

CROSS_DUP_FEEDS = ("hrss_injury_claims", "hrss_training", "nhc_occupational_disease", "nhc_hazard_monitoring")
CROSS_DUP = "cross_slice_duplicate"


def _style_applies(kind: str, contract: FeedContract, fp: FilePlan, scale: Scale) -> bool:
    rows, n = fp.rows, len(fp.rows)
    if not fp.loaded or n == 0:
        return False
    formats = {"gb18030": "csv", "utf8_bom": "csv", "xlsx_title_total_rows": "xlsx"}
    wanted = formats.get(kind)
    if wanted and any(formats.get(k) not in (None, wanted) for k in fp.forced_styles):
        return False
    if kind == "xlsx_title_total_rows":
        return n <= min(scale.xlsx_max_rows, 20_000)
    if kind.startswith("date_format_variant"):
        return any(c.type == "date" and (~np.isnat(rows.columns[c.name])).any() for c in contract.columns) \
            and not any(k == "xlsx_title_total_rows" for k in fp.forced_styles)
    if kind == "full_width_digits":
        return any(c.type in untidiness.FULL_WIDTH_TYPES for c in contract.columns)
    if kind == "amount_in_10k_yuan":
        return contract.feed in untidiness.AMOUNT_WAN_FEEDS
    if kind == "thousands_separator":
        return any(c.type == "amount" and np.nan_to_num(rows.columns[c.name]).max() >= 1000 for c in contract.columns)
    if kind == "percent_sign":
        return contract.feed == "hrss_employers"
    if kind == "chinese_grade_numeral":
        return any(c.type == "grade" and (rows.columns[c.name] >= 1).any() for c in contract.columns)
    if kind == "qita_alias":
        return "accident_category" in rows.columns and np.isin(rows.columns["accident_category"], ["其它伤害", "其它爆炸"]).any()
    return True


def resolve_forced(ctx: ProvinceContext, files: dict[str, list[FilePlan]], kinds: list[str]) -> list[str]:
    """Attach each forced kind to a suitable file of this province; returns kinds that found none."""
    from ipx.generator.feeds import BUILTIN_FEEDS

    rng = ctx.rng("forced")
    unplaced = []
    # The eleven feeds only, in the same random order whatever other feeds exist (a feed added by
    # a contract alone gets its own defects from force_generic_kinds).
    feeds = [f for f in files if f in BUILTIN_FEEDS]
    for kind in kinds:
        order = [feeds[i] for i in rng.permutation(len(feeds))]
        placed = False
        for feed in order:
            contract = ctx.contracts[feed]
            cands = files[feed]
            for j in rng.permutation(len(cands)).tolist():
                fp = cands[j]
                if not fp.loaded or len(fp.rows) == 0:
                    continue
                if kind in R_FIELDS or kind in W_FIELDS:
                    fields = fields_for(kind, feed, contract)
                    for fld in rng.permutation(list(fields)).tolist() if fields else []:
                        ok = eligible(kind, feed, fld, fp.rows)
                        ok[list(fp.taken())] = False
                        if "_orphan" in fp.rows.columns:
                            ok &= ~fp.rows.columns["_orphan"]
                        if ok.any():
                            cand = np.flatnonzero(ok)
                            fp.forced_defects.append((kind, fld, int(cand[rng.integers(0, len(cand))])))
                            placed = True
                            break
                elif kind == DUPLICATE:
                    free = np.setdiff1d(np.arange(len(fp.rows)), list(fp.taken()))
                    if len(free):
                        fp.forced_dups.append(int(free[rng.integers(0, len(free))]))
                        placed = True
                elif kind == CROSS_DUP:
                    if feed in CROSS_DUP_FEEDS and fp.plain and j > 0 and cands[j - 1].plain and len(cands[j - 1].rows) >= 3:
                        fp.forced_cross_dup = True
                        placed = True
                elif _style_applies(kind, contract, fp, ctx.scale):
                    fp.forced_styles.add(kind)
                    placed = True
                if placed:
                    break
            if placed:
                break
        if not placed:
            unplaced.append(kind)
    return unplaced


def force_generic_kinds(ctx: ProvinceContext, files: dict[str, list[FilePlan]]) -> None:
    """A feed without a builder of its own gets, in the scale's largest province, one record of
    every defect its contract's rules call for and one in-file duplicate key, so that even the
    ``small`` scale shows its rejects and flags. Its own random stream leaves every other feed's
    files as they were."""
    from ipx.generator.feeds import BUILTIN_FEEDS
    from ipx.generator.geography import PROVINCE_WEIGHTS
    from ipx.generator.injections import kinds_for

    largest = max(ctx.scale.provinces, key=lambda p: PROVINCE_WEIGHTS[p])
    if ctx.province != largest:
        return
    for feed, cands in files.items():
        if feed in BUILTIN_FEEDS:
            continue
        contract = ctx.contracts[feed]
        rng = ctx.rng("forced-generic", feed)
        r_kinds, w_kinds = kinds_for(feed, contract)
        for kind in [*r_kinds, *w_kinds, DUPLICATE]:
            for j in rng.permutation(len(cands)).tolist():
                fp = cands[j]
                if not fp.loaded or len(fp.rows) == 0:
                    continue
                free = np.ones(len(fp.rows), dtype=bool)
                free[list(fp.taken())] = False
                if kind == DUPLICATE:
                    if free.any():
                        cand = np.flatnonzero(free)
                        fp.forced_dups.append(int(cand[rng.integers(0, len(cand))]))
                        break
                    continue
                placed = False
                for fld in rng.permutation(list(fields_for(kind, feed, contract))).tolist():
                    ok = eligible(kind, feed, fld, fp.rows) & free
                    if ok.any():
                        cand = np.flatnonzero(ok)
                        fp.forced_defects.append((kind, fld, int(cand[rng.integers(0, len(cand))])))
                        placed = True
                        break
                if placed:
                    break
