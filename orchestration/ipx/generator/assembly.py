"""Writing one province's delivered files: each planned submission gets its records (with
in-file and cross-slice duplicates), a style, rendered cells, injected defects, the data
file, its manifest (or a broken one), and ground-truth entries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ipx.contracts import FeedContract
from ipx.generator.cells import render_cells
from ipx.generator.delivery import QUARANTINE_FATES, SlicePlan
from ipx.generator.feeds.table import Rows, concat
from ipx.generator.file_plans import FilePlan, ProvinceContext, prepare_files
from ipx.generator.forcing import CROSS_DUP, CROSS_DUP_FEEDS, force_generic_kinds, resolve_forced
from ipx.generator.geography import agency_name, province_name
from ipx.generator.ground_truth import file_entry
from ipx.generator.injections import (
    DUPLICATE,
    CellContext,
    apply_defect,
    eligible,
    fields_for,
    is_reject_kind,
    kinds_for,
)
from ipx.generator.periods import iso_beijing
from ipx.generator.untidiness import FileStyle, choose_style, header_of, mess_up_cells, style_report
from ipx.generator.writers import (
    corrupt_manifest_bytes,
    csv_bytes,
    manifest_bytes,
    mismatched_manifest,
    sha256_hex,
    truncated_csv,
    xlsx_bytes,
)

NOTES = ("本表由系统自动导出，金额单位为元（另有注明的除外）。", "本表数据截至导出时点，后续更正以补报为准。")


@dataclass
class _Previous:
    """The last plain file of the feed: a record of it may be re-sent in the next slice."""

    file: str
    rows: Rows
    clean: np.ndarray


def _column_layout(contract: FeedContract, style: FileStyle, rng: np.random.Generator) -> list[str]:
    layout = list(style.column_order)
    for extra in style.extras:
        if extra == "序号":
            layout.insert(0, extra)
        else:
            layout.insert(int(rng.integers(0, len(layout) + 1)), extra)
    return layout


class FeedWriter:
    """Writes the files of one (province, feed) in period order."""

    def __init__(self, ctx: ProvinceContext, contract: FeedContract):
        self.ctx = ctx
        self.contract = contract
        self.feed = contract.feed
        self.entries: list[dict] = []
        self.injections: list[dict] = []
        self.previous: _Previous | None = None
        sloppy = 4.0 if ctx.profile.sloppy else 1.0
        self.rate_r = ctx.scale.reject_rate * sloppy
        self.rate_w = ctx.scale.flag_rate * sloppy
        self.r_kinds, self.w_kinds = kinds_for(self.feed, contract)
        self.folder = ctx.out_dir / self.feed
        self.folder.mkdir(parents=True, exist_ok=True)

    # -- records ------------------------------------------------------------------------
    def _arrange(self, fp: FilePlan, rng: np.random.Generator) -> tuple[Rows, list[tuple[int, str]], str | None]:
        """Final record order: the slice's records, in-file duplicates (a later copy of a
        record) and a record re-sent from an earlier slice. Returns the rows in file order,
        one (source index, tag) per record with tag orig | dup | cross, and the earlier file
        a re-sent record comes from."""
        rows = fp.rows
        n0 = len(rows)
        entries: list[tuple[int, str]] = [(i, "orig") for i in range(n0)]
        ext = rows
        cross = None
        if (fp.plain and self.feed in CROSS_DUP_FEEDS and self.previous is not None
                and (fp.forced_cross_dup or rng.random() < self.ctx.scale.cross_slice_dup_rate)):
            cands = np.flatnonzero(self.previous.clean)
            if len(cands):
                j = int(cands[rng.integers(0, len(cands))])
                ext = concat([rows, self.previous.rows.take(np.array([j]))])
                entries.insert(int(rng.integers(0, len(entries) + 1)), (n0, "cross"))
                cross = self.previous.file
        if fp.loaded and n0:
            k = int(rng.binomial(n0, self.rate_r / 12.0))
            taken = fp.taken()
            free = np.setdiff1d(np.arange(n0), list(taken))
            randoms = rng.choice(free, size=min(k, len(free)), replace=False).tolist() if len(free) else []
            for src in list(fp.forced_dups) + [int(x) for x in randoms]:
                pos = entries.index((src, "orig"))
                entries.insert(int(rng.integers(pos + 1, len(entries) + 1)), (src, "dup"))
        order = np.array([e[0] for e in entries], dtype=np.int64)
        final = ext.take(order)
        return final, entries, cross

    def _pick_defects(self, fp: FilePlan, final: Rows, entries, rng) -> list[tuple[int, str, str]]:
        """(position, kind, field) for every injected record defect (not duplicates)."""
        n = len(final)
        busy = np.zeros(n, dtype=bool)
        orig_pos = {}
        for p, (src, tag) in enumerate(entries):
            if tag == "orig":
                orig_pos[src] = p
            else:
                busy[p] = True
        dup_sources = {orig_pos[src] for src, tag in entries if tag == "dup"}
        busy[list(dup_sources)] = True
        if "_orphan" in final.columns:
            busy |= final.columns["_orphan"]
        chosen: list[tuple[int, str, str]] = []
        for kind, fld, src in fp.forced_defects:
            p = orig_pos[src]
            if not busy[p]:
                chosen.append((p, kind, fld))
                busy[p] = True
        cache: dict[tuple[str, str], np.ndarray] = {}

        def ok(kind: str, fld: str, p: int) -> bool:
            if (kind, fld) not in cache:
                cache[(kind, fld)] = eligible(kind, self.feed, fld, final)
            return bool(cache[(kind, fld)][p])

        for kinds, rate in ((self.r_kinds, self.rate_r * (10 if fp.sub.first_had_errors else 1)
                             * (0.5 if fp.sub.seq > 1 else 1)), (self.w_kinds, self.rate_w)):
            if not kinds or n == 0:
                continue
            k = int(rng.binomial(n, min(rate, 0.5)))
            if kinds is self.r_kinds and fp.sub.first_had_errors:
                k = max(k, 1)
            free = np.flatnonzero(~busy)
            for p in rng.choice(free, size=min(k, len(free)), replace=False).tolist() if len(free) else []:
                for kind in rng.permutation(kinds).tolist():
                    flds = [f for f in rng.permutation(list(fields_for(kind, self.feed, self.contract))).tolist() if ok(kind, f, p)]
                    if flds:
                        chosen.append((p, kind, flds[0]))
                        busy[p] = True
                        break
        return chosen

    # -- one file -----------------------------------------------------------------------
    def write(self, fp: FilePlan) -> None:
        ctx, contract, sub = self.ctx, self.contract, fp.sub
        rng = ctx.rng(self.feed, sub.period.label, sub.seq)
        if fp.loaded:
            final, entries, cross = self._arrange(fp, rng)
        else:
            final, entries, cross = fp.rows, [(i, "orig") for i in range(len(fp.rows))], None
        n = len(final)
        defects = self._pick_defects(fp, final, entries, rng) if fp.loaded else []

        fmt = sub.fmt
        if "xlsx_title_total_rows" in fp.forced_styles:
            fmt = "xlsx"
        elif fp.forced_styles & {"gb18030", "utf8_bom"} or fmt == "xlsx" and n > ctx.scale.xlsx_max_rows:
            fmt = "csv"
        sub.fmt = fmt
        style = choose_style(rng, contract, fmt, fp.forced_styles)
        if fmt == "xlsx" and any(k.startswith("date_format_variant") for k in fp.forced_styles):
            style.date_cells = False
        pname = province_name(ctx.province)
        cells = render_cells(contract, final, style, rng, pname)
        messed = mess_up_cells(rng, contract, cells, style)

        cell_ctx = CellContext(contract, style, final, cells, ctx.province, rng)
        rejected: dict[int, str] = {}
        flagged: dict[int, list[str]] = {}
        for p, kind, fld in defects:
            apply_defect(kind, fld, cell_ctx, p)
            if is_reject_kind(kind):
                rejected[p + 1] = fld
            else:
                flagged[p + 1] = [fld]
        dup_of = {}
        orig_pos = {src: p for p, (src, tag) in enumerate(entries) if tag == "orig"}
        for p, (src, tag) in enumerate(entries):
            if tag == "dup":
                rejected[p + 1] = contract.key[0]
                dup_of[p + 1] = orig_pos[src] + 1

        layout = _column_layout(contract, style, rng)
        names = {col.name for col in contract.columns}
        headers = [header_of(contract, c, style) if c in names else c for c in layout]
        columns = [cells[c] for c in layout]
        if fmt == "csv":
            data = csv_bytes(headers, columns, style)
        else:
            title = f"{sub.period.title()}{pname}{contract.title_zh}明细表"
            subtitle = f"填报单位：{agency_name(ctx.province, contract.agency)}    导出日期：{sub.exported_at.date().isoformat()}"
            totals = [i for i, c in enumerate(layout) if i > 0 and c in {col.name for col in contract.columns
                      if col.type == "amount" or col.name in ("deaths", "serious_injuries", "direct_loss_10k_yuan", "insured_workers")}]
            data = xlsx_bytes(headers, columns, style, title, subtitle, list(NOTES), sub.exported_at, totals)

        manifest = {
            "feed": self.feed, "province": ctx.province, "period": sub.period.label, "seq": f"{sub.seq:02d}",
            "file": sub.file_name, "sha256": sha256_hex(data), "rows": n, "encoding": style.manifest_encoding,
            "exported_at": iso_beijing(sub.exported_at), "agency": agency_name(ctx.province, contract.agency),
        }
        records = n
        base = {"feed": self.feed, "file": sub.file_name}
        if sub.fate == "truncated_file":
            data, records = truncated_csv(data, n, style)
        (self.folder / sub.file_name).write_bytes(data)
        if sub.fate == "loaded" or sub.fate == "truncated_file":
            manifest_data = manifest_bytes(manifest)
        elif sub.fate == "corrupt_manifest":
            manifest_data = corrupt_manifest_bytes(manifest, int(rng.integers(0, 2)))
        elif sub.fate == "manifest_mismatch":
            manifest_data = manifest_bytes(mismatched_manifest(manifest, sub))
        elif sub.fate == "row_count_mismatch":
            wrong = dict(manifest)
            wrong["rows"] = n + int(rng.choice([1, 2, -1])) if n else 1
            manifest_data = manifest_bytes(wrong)
            self.injections.append({"kind": "row_count_mismatch", **base, "expect": "quarantine",
                                    "reason": "row_count_mismatch", "manifest_rows": wrong["rows"],
                                    "records": n})
        else:
            manifest_data = None
        if manifest_data is not None:
            (self.folder / sub.manifest_name).write_bytes(manifest_data)

        if sub.fate in ("corrupt_manifest", "manifest_mismatch", "truncated_file"):
            item = {"kind": sub.fate, **base, "expect": "quarantine", "reason": QUARANTINE_FATES[sub.fate]}
            if sub.fate == "manifest_mismatch":
                item["field"] = sub.mismatch_field
            self.injections.append(item)
        elif sub.fate == "missing_manifest":
            self.injections.append({"kind": "missing_manifest", **base, "expect": "pending"})

        self.entries.append(file_entry(sub, records, style.manifest_encoding, rejected if fp.loaded else {},
                                       flagged if fp.loaded else {}))
        if not fp.loaded:
            return
        for p, kind, fld in defects:
            self.injections.append({"kind": kind, **base, "record": p + 1, "field": fld,
                                    "expect": "reject" if is_reject_kind(kind) else "flag"})
        for rec, src in dup_of.items():
            self.injections.append({"kind": DUPLICATE, **base, "record": rec, "field": contract.key[0],
                                    "duplicate_of": src, "expect": "reject"})
        for item in style_report(contract, style, cells, messed, n):
            self.injections.append({**item, **base, "expect": "load"})
        if sub.late:
            self.injections.append({"kind": "late_export", **base, "exported_at": iso_beijing(sub.exported_at),
                                    "due": iso_beijing(sub.period.due), "expect": "load"})
        if cross is not None:
            p = next(i for i, e in enumerate(entries) if e[1] == "cross")
            self.injections.append({"kind": CROSS_DUP, **base, "record": p + 1,
                                    "key": str(final.columns[contract.key[0]][p]), "earlier_file": cross,
                                    "expect": "flag_cross_slice"})
        if "_orphan" in final.columns and sub.superseded_by is None:
            for p in np.flatnonzero(final.columns["_orphan"]).tolist():
                if p + 1 not in rejected:
                    self.injections.append({"kind": "orphan_claim", **base, "record": p + 1, "field": "uscc",
                                            "expect": "orphan"})
        if fp.plain:
            clean = np.ones(n, dtype=bool)
            for p, _, _ in defects:
                clean[p] = False
            for p, (_, tag) in enumerate(entries):
                if tag != "orig":
                    clean[p] = False
            clean[[p - 1 for p in rejected]] = False
            if "_orphan" in final.columns:
                clean &= ~final.columns["_orphan"]
            self.previous = _Previous(sub.file_name, final, clean)

    def finish(self, files: list[FilePlan], plans: list[SlicePlan]) -> None:
        """Injections about slices as a whole: resubmissions, superseded versions, gaps."""
        for sp in plans:
            if sp.missing:
                self.injections.append({"kind": "missing_slice", "feed": self.feed, "file": None,
                                        "province": sp.province, "period": sp.period.label, "expect": "absent"})
            for lower, higher in zip(sp.submissions, sp.submissions[1:]):
                change = ("replaces_quarantined" if lower.outcome == "quarantined" else
                          "replaces_pending" if lower.outcome == "pending" else
                          "adds_records" if lower.first_misses_records else "fixes_records")
                self.injections.append({"kind": "resubmission", "feed": self.feed, "file": higher.file_name,
                                        "supersedes": lower.file_name, "change": change, "expect": "supersede"})
                if lower.outcome == "loaded":
                    self.injections.append({"kind": "stale_lower_seq", "feed": self.feed, "file": lower.file_name,
                                            "superseded_by": higher.file_name, "expect": "superseded"})


def write_province(ctx: ProvinceContext, plans: dict[str, list[SlicePlan]], rows: dict[str, Rows],
                   forced: list[str]) -> tuple[list[dict], list[dict], list[str]]:
    files = {feed: prepare_files(ctx, ctx.contracts[feed], plans[feed], rows[feed]) for feed in plans}
    unplaced = resolve_forced(ctx, files, forced)
    force_generic_kinds(ctx, files)
    entries: list[dict] = []
    injections: list[dict] = []
    for feed, fps in files.items():
        writer = FeedWriter(ctx, ctx.contracts[feed])
        for fp in fps:
            writer.write(fp)
        writer.finish(fps, plans[feed])
        entries.extend(writer.entries)
        injections.extend(writer.injections)
    return entries, injections, unplaced

