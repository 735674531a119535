"""`ipx run` over a generated small landing folder catches every injected irregularity and
accounts for every record (issue: foundation, "Done when")."""

from collections import Counter


def test_summary_matches_the_generators_ground_truth(small_build):
    s, t = small_build.summary, small_build.truth["totals"]
    assert (s.files_loaded, s.files_quarantined, s.files_pending) == \
        (t["files_loaded"], t["files_quarantined"], t["files_pending"])
    assert (s.records_loaded, s.records_rejected, s.records_flagged) == \
        (t["records_loaded"], t["records_rejected"], t["records_flagged"])
    assert s.failed_checks == [] and s.checks_run > 50


def test_every_file_is_loaded_quarantined_or_pending_as_expected(small_build):
    ledger = {(f, n): (st, r) for f, n, st, r in small_build.query(
        "SELECT feed, file_name, status, quarantine_reason FROM ingest.files")}
    pending = set(small_build.query("SELECT feed, file_name FROM ingest.pending_files"))
    for entry in small_build.truth["files"]:
        key = (entry["feed"], entry["file"])
        if entry["outcome"] == "pending":
            assert key in pending and key not in ledger, key
        elif entry["outcome"] == "quarantined":
            assert ledger[key] == ("quarantined", entry["quarantine_reason"]), key
        else:
            assert ledger[key] == ("loaded", None), key


def test_per_file_counts_and_rejected_records_match(small_build):
    counts = {(f, n): (rec, lo, rj, fl) for f, n, rec, lo, rj, fl in small_build.query(
        "SELECT feed, file_name, records, records_loaded, records_rejected, records_flagged "
        "FROM ingest.files WHERE status = 'loaded'")}
    rejects = Counter()
    rejected_fields = {}
    for feed, name, record, field in small_build.query(
            "SELECT feed, file_name, record_no, field FROM ingest.rejected_records"):
        rejects[(feed, name)] += 1
        rejected_fields[(feed, name, record)] = field
    for entry in small_build.truth["files"]:
        if entry["outcome"] != "loaded":
            continue
        key = (entry["feed"], entry["file"])
        expected = (entry["records"], entry["records"] - len(entry["rejected"]), len(entry["rejected"]),
                    len(entry["flagged"]))
        assert counts[key] == expected, key
        for record, field in entry["rejected"].items():
            assert rejected_fields[(*key, int(record))] == field, (key, record)


def test_every_injection_is_caught(small_build):
    b = small_build
    flagged = {}
    feeds = {i["feed"] for i in b.truth["injections"] if i["expect"] == "flag"}
    for feed in feeds:
        for name, record, flags in b.query(f"SELECT _file, _record_no, _flags FROM raw.{feed} WHERE len(_flags) > 0"):
            flagged[(feed, name, record)] = set(flags)
    rejected = {(f, n, r): fld for f, n, r, fld in b.query(
        "SELECT feed, file_name, record_no, field FROM ingest.rejected_records")}
    quarantined = {(f, n): r for f, n, r in b.query(
        "SELECT feed, file_name, quarantine_reason FROM ingest.files WHERE status = 'quarantined'")}
    loaded = {(f, n) for f, n in b.query("SELECT feed, file_name FROM ingest.files WHERE status = 'loaded'")}
    pending = set(b.query("SELECT feed, file_name FROM ingest.pending_files"))
    duplicates = {(f, n, r) for f, n, r in b.query(
        "SELECT feed, source_file, source_record_no FROM intermediate.int_cross_slice_duplicates WHERE is_flagged")}
    kinds_checked = Counter()
    for inj in b.truth["injections"]:
        key = (inj["feed"], inj["file"])
        expect = inj["expect"]
        if expect == "reject":
            assert rejected.get((*key, inj["record"])) == inj["field"], inj
        elif expect == "flag":
            assert inj["field"] in flagged.get((*key, inj["record"]), set()), inj
        elif expect == "quarantine":
            assert quarantined.get(key) == inj["reason"], inj
        elif expect == "pending":
            assert key in pending, inj
        elif expect in ("load", "supersede", "superseded"):
            assert key in loaded, inj
        elif expect == "flag_cross_slice":
            older = [r for (f, n, r) in duplicates if f == inj["feed"] and n == inj["earlier_file"]]
            assert older, inj
        kinds_checked[inj["kind"]] += 1
    assert len(kinds_checked) >= 40  # every kind of irregularity the generator knows was checked


def test_resubmitted_slices_are_replaced_wholly(small_build):
    """Staging holds only the resubmission's records for its slice, whichever seq arrived last."""
    b = small_build
    checked = 0
    for inj in b.truth["injections"]:
        if inj["kind"] != "resubmission":
            continue
        province, period, seq = inj["file"].split(".")[0].split("_")
        staged = b.query(f"SELECT DISTINCT seq, source_file FROM staging.stg_{inj['feed']} "
                         "WHERE province_code = ? AND period = ?", [province, period])
        assert staged in ([(seq, inj["file"])], []), inj
        checked += bool(staged)
    assert checked > 5


def test_conservation_over_the_whole_folder(small_build):
    bad = small_build.query("""
        SELECT f.feed, f.file_name FROM ingest.files f
        LEFT JOIN (SELECT feed, file_name, count(*) n FROM ingest.rejected_records GROUP BY ALL) j USING (feed, file_name)
        WHERE f.status = 'loaded' AND f.records_loaded + coalesce(j.n, 0) <> f.manifest_rows""")
    assert bad == []
    total = small_build.query("SELECT sum(records_loaded) FROM ingest.files")[0][0]
    raw = sum(small_build.query(f"SELECT count(*) FROM raw.{feed}")[0][0]
              for feed in {e["feed"] for e in small_build.truth["files"]})
    assert raw == total
