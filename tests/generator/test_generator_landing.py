"""The ``small`` landing folder: layout, manifests, quarantine cases, and every record's
expected fate, checked against an independent reading of the spec (``landing_checks``)."""

from __future__ import annotations

import json
import re

import openpyxl
import pytest
from landing_checks import check_manifest, norm, parse_date, parse_datetime, parse_number

from ipx.contracts import load_contracts

FILE_NAME = re.compile(r"^(\d{6})_(\d{4}(?:\d{2}|Q[1-4])?)_(\d{2})\.(csv|xlsx)$")
MANIFEST_KEYS = ["feed", "province", "period", "seq", "file", "sha256", "rows", "encoding",
                 "exported_at", "agency"]


def _manifest_path(path):
    return path.with_name(path.name.rsplit(".", 1)[0] + ".manifest.json")


def test_layout_matches_spec_and_ground_truth(small_landing):
    out, truth = small_landing
    contracts = load_contracts()
    written = sorted(p for p in out.rglob("*") if p.is_file() and not p.name.endswith(".manifest.json")
                     and not p.relative_to(out).parts[0].startswith("_"))
    assert sorted(str(p.relative_to(out)) for p in written) == sorted(f"{f['feed']}/{f['file']}" for f in truth["files"])
    for f in truth["files"]:
        m = FILE_NAME.match(f["file"])
        assert m, f["file"]
        assert (m[1], m[2], m[3], m[4]) == (f["province"], f["period"], f["seq"], f["format"])
        cadence = contracts[f["feed"]].cadence
        assert len(f["period"]) == {"monthly": 6, "quarterly": 6, "annual": 4}[cadence]
        assert ("Q" in f["period"]) == (cadence == "quarterly")
        assert f["province"] in truth["provinces"]


def test_manifests_match_their_files_except_injected_cases(small_landing, checked_files):
    out, truth = small_landing
    for f in truth["files"]:
        path = out / f["feed"] / f["file"]
        mpath = _manifest_path(path)
        if f["outcome"] == "pending":
            assert not mpath.exists()
            continue
        manifest, reason = check_manifest(path)
        if f["outcome"] == "loaded":
            assert reason is None, f["file"]
            assert list(manifest) == MANIFEST_KEYS
            assert manifest["rows"] == f["records"]
            assert manifest["encoding"] in ("UTF-8", "GB18030")
            assert manifest["exported_at"] == f["exported_at"] and manifest["exported_at"].endswith("+08:00")
            continue
        if reason is None:   # only the record count can be wrong
            reason = "row_count_mismatch" if checked_files[(f["feed"], f["file"])]["records"] != manifest["rows"] else None
        assert reason == f["quarantine_reason"], f["file"]


def test_every_record_fate_matches_ground_truth(small_landing, checked_files):
    """Clean records pass every rule; each injected defect breaks exactly the rule recorded."""
    _, truth = small_landing
    for f in truth["files"]:
        if f["outcome"] != "loaded":
            continue
        result = checked_files[(f["feed"], f["file"])]
        assert not result["problems"], (f["file"], result["problems"])
        assert result["records"] == f["records"], f["file"]
        assert result["rejected"] == f["rejected"], f["file"]
        assert result["flagged"] == f["flagged"], f["file"]


REQUIRED_KINDS = {
    "invalid_uscc_check", "invalid_ric_check", "impossible_birth_date", "missing_required", "bad_date",
    "bad_number", "bad_enum", "negative_value", "decision_before_incident", "deadline_before_found",
    "area_other_province", "duplicate_key_in_file", "grade_out_of_range", "hours_not_positive",
    "risk_class_out_of_range", "premium_rate_out_of_range", "unknown_industry_division",
    "industry_section_mismatch", "severity_mismatch", "unknown_factor", "metric_without_limit",
    "unit_mismatch", "resolved_gt_suggestions", "gb18030", "utf8_bom", "xlsx_title_total_rows",
    "shuffled_columns", "extra_column", "amount_in_10k_yuan", "date_format_variant", "full_width_digits",
    "padded_values", "thousands_separator", "percent_sign", "chinese_grade_numeral", "qita_alias",
    "corrupt_manifest", "manifest_mismatch", "truncated_file", "row_count_mismatch", "resubmission",
    "stale_lower_seq", "late_export", "missing_slice", "missing_manifest", "cross_slice_duplicate",
}


def test_every_injection_kind_occurs_at_small(small_landing):
    _, truth = small_landing
    kinds = {i["kind"] for i in truth["injections"]}
    assert kinds >= REQUIRED_KINDS, sorted(REQUIRED_KINDS - kinds)
    forms = {form for i in truth["injections"] if i["kind"] == "date_format_variant" for form in i["forms"]}
    assert {"YYYY/M/D", "YYYYMMDD", "YYYY年M月D日", "YYYY.M.D"} <= forms


def test_injections_agree_with_file_entries(small_landing):
    _, truth = small_landing
    files = {(f["feed"], f["file"]): f for f in truth["files"]}
    expects = {"reject", "flag", "load", "quarantine", "pending", "supersede", "superseded", "absent",
               "flag_cross_slice", "orphan"}
    for inj in truth["injections"]:
        assert inj["expect"] in expects
        if inj["kind"] == "missing_slice":
            assert inj["file"] is None
            assert not any(f["province"] == inj["province"] and f["period"] == inj["period"]
                           and f["feed"] == inj["feed"] for f in truth["files"])
            continue
        entry = files[(inj["feed"], inj["file"])]
        rec = str(inj.get("record"))
        if inj["expect"] == "reject":
            assert entry["rejected"][rec] == inj["field"]
        elif inj["expect"] == "flag":
            assert inj["field"] in entry["flagged"][rec]
        elif inj["expect"] == "quarantine":
            assert entry["outcome"] == "quarantined" and entry["quarantine_reason"] == inj["reason"]
        elif inj["expect"] == "pending":
            assert entry["outcome"] == "pending"
        elif inj["expect"] in ("load", "flag_cross_slice", "orphan"):
            assert entry["outcome"] == "loaded"
            assert rec not in entry["rejected"] and rec not in entry["flagged"]
        elif inj["expect"] == "supersede":
            lower = files[(inj["feed"], inj["supersedes"])]
            assert (lower["province"], lower["period"]) == (entry["province"], entry["period"])
            assert lower["seq"] < entry["seq"] and lower["exported_at"] < entry["exported_at"]
    # Each rejected / flagged record has exactly one injection entry.
    for f in truth["files"]:
        for rec, fld in f["rejected"].items():
            hits = [i for i in truth["injections"] if i["file"] == f["file"] and i["feed"] == f["feed"]
                    and str(i.get("record")) == rec and i["expect"] == "reject"]
            assert len(hits) == 1 and hits[0]["field"] == fld


def test_cross_slice_duplicates_repeat_an_earlier_loaded_record(small_landing, checked_files):
    _, truth = small_landing
    contracts = load_contracts()
    files = {(f["feed"], f["file"]): f for f in truth["files"]}
    dups = [i for i in truth["injections"] if i["kind"] == "cross_slice_duplicate"]
    assert dups
    for inj in dups:
        later, earlier = files[(inj["feed"], inj["file"])], files[(inj["feed"], inj["earlier_file"])]
        assert later["province"] == earlier["province"] and earlier["period"] < later["period"]
        assert str(inj["record"]) not in later["flagged"]    # the warehouse, not ingestion, flags it
        header = contracts[inj["feed"]].column(contracts[inj["feed"]].key[0]).header
        for entry in (later, earlier):
            res = checked_files[(inj["feed"], entry["file"])]
            col = [norm(h) for h in res["headers"]].index(norm(header))
            keys = [norm(r[col]) for r in res["rows"]]
            assert inj["key"] in keys


def test_totals_are_consistent_with_file_entries(small_landing, small_truth_file):
    _, truth = small_landing
    assert small_truth_file == truth
    files = truth["files"]
    loaded = [f for f in files if f["outcome"] == "loaded"]
    t = truth["totals"]
    assert t["files_written"] == len(files) == t["files_loaded"] + t["files_quarantined"] + t["files_pending"]
    assert t["files_loaded"] == len(loaded)
    assert t["records_rejected"] == sum(len(f["rejected"]) for f in loaded)
    assert t["records_loaded"] == sum(f["records"] - len(f["rejected"]) for f in loaded)
    assert t["records_flagged"] == sum(len(f["flagged"]) for f in loaded)
    for f in files:
        if f["outcome"] != "loaded":
            assert f["rejected"] == {} and f["flagged"] == {}
        assert not set(f["rejected"]) & set(f["flagged"])
    assert truth["scale"] == "small" and truth["provinces"] == ["440000", "510000", "660000"]
    assert truth["periods"] == {"first": "2020-01", "last": "2022-12"}


def test_xlsx_files_have_title_and_total_rows(small_landing):
    out, truth = small_landing
    xlsx = [f for f in truth["files"] if f["format"] == "xlsx"]
    assert 0.1 < len(xlsx) / len(truth["files"]) < 0.3
    contracts = load_contracts()
    for f in xlsx:
        book = openpyxl.load_workbook(out / f["feed"] / f["file"])
        assert len(book.sheetnames) >= 2
        rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        headers = {norm(c.header) for c in contracts[f["feed"]].columns}
        head = next(i for i, r in enumerate(rows) if headers & {norm(str(v)) for v in r if v is not None})
        assert head >= 1 and "表" in str(rows[0][0])                       # title row(s) first
        assert all(v is None for v in rows[-2])                            # blank row
        assert str(rows[-1][0]).startswith(("合计", "总计"))                # closing total row
        assert len(rows) - head - 3 == f["records"]


CODE_TYPES = {"uscc", "resident_id", "area_code", "industry_code"}


def test_csv_values_use_the_spec_forms(small_landing, checked_files):
    """Values of records that are not injected defects parse in one of the spec's forms."""
    _, truth = small_landing
    contracts = load_contracts()
    for f in truth["files"]:
        if f["outcome"] != "loaded" or f["format"] != "csv":
            continue
        contract = contracts[f["feed"]]
        res = checked_files[(f["feed"], f["file"])]
        index = {norm(h): i for i, h in enumerate(res["headers"])}
        for n, row in enumerate(res["rows"], start=1):
            if str(n) in f["rejected"]:
                continue
            for col in contract.columns:
                pos = index.get(norm(col.header), index.get(norm(col.header) + "(万元)"))
                text = norm(row[pos]) if pos is not None else ""
                if not text:
                    continue
                if col.type == "date":
                    assert parse_date(text), (f["file"], n, col.name, text)
                elif col.type == "datetime":
                    assert parse_datetime(text), (f["file"], n, col.name, text)
                elif col.type in ("int", "dec", "amount"):
                    assert parse_number(text) is not None, (f["file"], n, col.name, text)
                elif col.type == "percent":
                    assert parse_number(text.rstrip("%")) is not None, (f["file"], n, col.name, text)
                elif col.type in CODE_TYPES:
                    assert text.isascii() and text.isalnum(), (f["file"], n, col.name, text)


def test_no_personal_data_in_ground_truth(small_landing, checked_files):
    out, truth = small_landing
    strings: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                strings.add(k)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str):
            strings.add(node)

    walk(json.loads((out / "_meta" / "ground_truth.json").read_text(encoding="utf-8")))
    text = "\n".join(sorted(strings))
    contracts = load_contracts()
    people: set[str] = set()
    for (feed, _), res in checked_files.items():
        for c in contracts[feed].columns:
            if not c.pii:
                continue
            col = [norm(h) for h in res["headers"]].index(norm(c.header))
            people.update(norm(r[col]) for r in res["rows"] if len(r) > col)
    people.discard("")
    assert len(people) > 1000
    leaked = [p for p in people if p in text]
    assert not leaked, leaked[:5]


@pytest.mark.parametrize("feed", ["hrss_injury_claims", "hrss_training"])
def test_people_link_across_feeds(small_landing, checked_files, feed):
    """Roster persons are trained and some are injured: the same resident IDs recur."""
    _, truth = small_landing

    contracts = load_contracts()

    def ids(feed_name):
        header = norm(contracts[feed_name].column("person_id").header)
        found = set()
        for f in truth["files"]:
            if f["feed"] == feed_name and f["outcome"] == "loaded":
                res = checked_files[(feed_name, f["file"])]
                col = [norm(h) for h in res["headers"]].index(header)
                found.update(norm(r[col]).upper() for r in res["rows"])
        return found

    assert ids("hrss_key_positions") & ids(feed)
