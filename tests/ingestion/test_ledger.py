"""Re-runs change nothing, interrupted loads leave nothing half-done, the archive keeps bytes."""

import hashlib
from pathlib import Path

import pytest

from ipx.ingestion import loader
from ipx.ingestion.archive import ArchiveError, restore
from support.deliveries import claim, employer, write_delivery
from support.keys import TEST_ARCHIVE_KEY

TABLES = ["raw.hrss_employers", "raw.hrss_injury_claims", "ingest.rejected_records"]


def _snapshot(query):
    out = {t: query(f"SELECT * EXCLUDE (_loaded_at) FROM {t} ORDER BY ALL")
           for t in TABLES if t.startswith("raw")}
    out["rejects"] = query("SELECT * EXCLUDE (rejected_at) FROM ingest.rejected_records ORDER BY ALL")
    out["files"] = query("SELECT * EXCLUDE (taken_at) FROM ingest.files ORDER BY ALL")
    return out


def test_rerun_over_the_same_folder_changes_nothing(landing, ingest, query):
    write_delivery(landing, "hrss_employers", [employer(i) for i in range(5)], period="2024Q1")
    write_delivery(landing, "hrss_injury_claims", [claim(1), claim(2, uscc="X")])
    write_delivery(landing, "hrss_injury_claims", [claim(3)], period="202404", manifest_rows=9)
    first = ingest("run-1")
    before = _snapshot(query)
    second = ingest("run-2")
    assert [r.status for r in first] == ["loaded", "loaded", "quarantined"]
    assert [r.status for r in second] == ["skipped", "skipped", "skipped"]
    assert _snapshot(query) == before


def test_resent_manifest_for_loaded_data_changes_nothing(landing, ingest, query):
    write_delivery(landing, "hrss_employers", [employer(1)], period="2024Q1")
    ingest()
    write_delivery(landing, "hrss_employers", [employer(1)], period="2024Q1", exported_at="2024-05-01T00:00:00+08:00")
    assert [r.status for r in ingest()] == ["skipped"]
    assert query("SELECT count(*) FROM raw.hrss_employers") == [(1,)]


def test_lower_seq_and_higher_seq_are_both_kept_raw(landing, ingest, query):
    write_delivery(landing, "hrss_employers", [employer(1), employer(2)], period="2024Q1", seq="02")
    write_delivery(landing, "hrss_employers", [employer(1)], period="2024Q1", seq="01")
    ingest()
    assert query("SELECT _seq, count(*) FROM raw.hrss_employers GROUP BY 1 ORDER BY 1") == [("01", 1), ("02", 2)]


class Interrupt(BaseException):
    """Stands for the process dying (power loss, SIGKILL) in the middle of a load."""


def test_interrupted_load_leaves_no_half_loaded_slice(landing, ingest, query, monkeypatch):
    write_delivery(landing, "hrss_employers", [employer(i) for i in range(50)], period="2024Q1")
    write_delivery(landing, "hrss_employers", [employer(i) for i in range(40)], period="2024Q2")
    write_delivery(landing, "hrss_injury_claims", [claim(1)])
    real_result = loader.TakeResult
    calls = {"n": 0}

    def dying_result(*args, **kwargs):  # built after the records are inserted, before COMMIT
        calls["n"] += 1
        if calls["n"] == 2:
            raise Interrupt()
        return real_result(*args, **kwargs)

    monkeypatch.setattr(loader, "TakeResult", dying_result)
    with pytest.raises(Interrupt):
        ingest("run-1")
    monkeypatch.setattr(loader, "TakeResult", real_result)
    # the batch that was being loaded left no trace: no records, no rejects, no ledger rows
    assert query("SELECT count(*) FROM raw.hrss_employers") == [(0,)]
    assert query("SELECT count(*) FROM ingest.files") == [(0,)]
    results = ingest("run-2")
    assert [r.status for r in results] == ["loaded", "loaded", "loaded"]
    assert query("SELECT _period, count(*) FROM raw.hrss_employers GROUP BY 1 ORDER BY 1") == \
        [("2024Q1", 50), ("2024Q2", 40)]
    assert ingest("run-3") and all(r.status == "skipped" for r in ingest("run-4"))


def test_archive_keeps_the_exact_bytes_sealed(landing, ingest, query, tmp_path):
    path = write_delivery(landing, "hrss_injury_claims", [claim(1, name="钱七")])
    ingest()
    sha, archived = query("SELECT sha256, archive_path FROM ingest.files")[0]
    sealed = Path(archived).read_bytes()
    assert "钱七".encode() not in sealed and claim(1)["person_id"].encode() not in sealed
    out = tmp_path / "restored.csv"
    assert restore(__import__("pathlib").Path(archived), TEST_ARCHIVE_KEY, out) == sha
    assert out.read_bytes() == path.read_bytes() and hashlib.sha256(out.read_bytes()).hexdigest() == sha
    with pytest.raises(ArchiveError):
        restore(__import__("pathlib").Path(archived), b"\x02" * 32, tmp_path / "x.csv")
