"""Every reason a whole delivery is quarantined, with the record kept in the ledger."""

import json

import pytest

from support.deliveries import employer, write_delivery


def _only(ingest, query):
    results = ingest()
    assert len(results) == 1
    return results[0], query("SELECT status, quarantine_reason FROM ingest.files")


@pytest.mark.parametrize("raw", ["{not json", "[]", json.dumps({"feed": "hrss_employers"})])
def test_unreadable_manifest(landing, ingest, query, raw):
    write_delivery(landing, "hrss_employers", [employer(1)], period="2024Q1", raw_manifest=raw)
    result, ledger = _only(ingest, query)
    assert result.reason == "manifest_unreadable" and ledger == [("quarantined", "manifest_unreadable")]
    assert query("SELECT count(*) FROM raw.hrss_employers") == [(0,)]


@pytest.mark.parametrize("override", [{"period": "2024Q2"}, {"province": "510000"}, {"feed": "em_accidents"},
                                      {"file": "440000_2024Q1_01.xlsx"}])
def test_manifest_naming_another_slice(landing, ingest, query, override):
    write_delivery(landing, "hrss_employers", [employer(1)], period="2024Q1", manifest=override)
    result, _ = _only(ingest, query)
    assert result.reason == "manifest_mismatch"


def test_sha256_mismatch_of_a_truncated_file(landing, ingest, query):
    path = write_delivery(landing, "hrss_employers", [employer(i) for i in range(5)], period="2024Q1")
    path.write_bytes(path.read_bytes()[:-30])
    result, _ = _only(ingest, query)
    assert result.reason == "sha256_mismatch"


def test_row_count_mismatch(landing, ingest, query):
    write_delivery(landing, "hrss_employers", [employer(i) for i in range(3)], period="2024Q1", manifest_rows=4)
    result, ledger = _only(ingest, query)
    assert result.reason == "row_count_mismatch"
    assert query("SELECT records, manifest_rows FROM ingest.files") == [(3, 4)]


def test_manifest_without_data_file(landing, ingest, query):
    path = write_delivery(landing, "hrss_employers", [employer(1)], period="2024Q1")
    path.unlink()
    result, _ = _only(ingest, query)
    assert result.reason == "data_file_missing"


def test_file_name_not_of_the_form(landing, ingest, query):
    write_delivery(landing, "hrss_employers", [employer(1)], period="202403")  # monthly period, quarterly feed
    result, _ = _only(ingest, query)
    assert result.reason == "file_name_invalid"


def test_undecodable_bytes(landing, ingest, query):
    path = write_delivery(landing, "hrss_employers", [employer(1)], period="2024Q1")
    data = path.read_bytes().replace("化工".encode(), b"\xff\xfe")
    write_delivery(landing, "hrss_employers", [employer(1)], period="2024Q1", data_bytes=data)
    result, _ = _only(ingest, query)
    assert result.reason == "file_unreadable"


def test_corrupt_xlsx(landing, ingest, query):
    write_delivery(landing, "hrss_employers", [employer(1)], period="2024Q1", fmt="xlsx",
                   data_bytes=b"PK\x03\x04 this is no workbook")
    result, _ = _only(ingest, query)
    assert result.reason == "file_unreadable"


@pytest.mark.parametrize("header_problem", ["missing", "duplicate", "empty"])
def test_header_invalid(landing, ingest, query, header_problem):
    row = employer(1)
    if header_problem == "missing":
        del row["insured_workers"]
        write_delivery(landing, "hrss_employers", [row], period="2024Q1")
    elif header_problem == "duplicate":
        columns = list(row) + ["uscc"]
        write_delivery(landing, "hrss_employers", [row], period="2024Q1", columns=columns)
    else:
        write_delivery(landing, "hrss_employers", [], period="2024Q1", data_bytes=b"", manifest_rows=0)
    result, _ = _only(ingest, query)
    assert result.reason == "header_invalid"


def test_same_name_different_content_after_loading(landing, ingest, query):
    write_delivery(landing, "hrss_employers", [employer(1)], period="2024Q1")
    assert ingest()[0].status == "loaded"
    write_delivery(landing, "hrss_employers", [employer(2)], period="2024Q1")
    result = [r for r in ingest() if r.status != "skipped"][0]
    assert result.reason == "name_conflict"
    assert query("SELECT count(*) FROM raw.hrss_employers") == [(1,)]


def test_data_file_without_manifest_is_pending_not_taken(landing, ingest, query):
    write_delivery(landing, "hrss_employers", [employer(1)], period="2024Q1", write_manifest=False)
    assert ingest() == []
    assert query("SELECT feed, file_name FROM ingest.pending_files") == [("hrss_employers", "440000_2024Q1_01.csv")]


def test_quarantine_then_fixed_resend_is_taken(landing, ingest, query):
    write_delivery(landing, "hrss_employers", [employer(1)], period="2024Q1", manifest_rows=5)
    assert ingest()[0].reason == "row_count_mismatch"
    write_delivery(landing, "hrss_employers", [employer(1)], period="2024Q1")
    assert [r.status for r in ingest()] == ["loaded"]
