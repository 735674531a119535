"""The `ipx` command's contract with operators: exit codes, messages, demo-key warnings."""

import csv

import pytest

from ipx.cli import main
from support.deliveries import employer, write_delivery


def test_run_without_landing_folder_fails_clearly(tmp_path, capsys):
    assert main(["run", "--landing", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w.duckdb")]) == 3
    assert "landing folder" in capsys.readouterr().err


def test_production_mode_refuses_to_run_without_the_pseudonym_key(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("IPX_ENV", "prod")
    monkeypatch.delenv("IPX_PSEUDONYM_KEY", raising=False)
    (tmp_path / "landing").mkdir()
    assert main(["run", "--landing", str(tmp_path / "landing"), "--warehouse", str(tmp_path / "w.duckdb")]) == 3
    assert "IPX_PSEUDONYM_KEY" in capsys.readouterr().err
    assert not (tmp_path / "w.duckdb").exists()


def test_a_file_that_is_no_warehouse_is_refused(tmp_path, capsys):
    (tmp_path / "landing").mkdir()
    bad = tmp_path / "w.duckdb"
    bad.write_bytes(b"this is not a database" * 100)
    assert main(["run", "--landing", str(tmp_path / "landing"), "--warehouse", str(bad)]) == 3
    assert "cannot be opened" in capsys.readouterr().err
    assert bad.read_bytes() == b"this is not a database" * 100


def test_unknown_export_kind(tmp_path, capsys):
    (tmp_path / "w.duckdb").write_bytes(b"")
    assert main(["export", "nonsense", "--warehouse", str(tmp_path / "w.duckdb"), "--out", "x.csv"]) == 2


def test_demo_key_warning_is_loud(capsys, monkeypatch):
    from ipx.settings import announce_demo_keys

    monkeypatch.delenv("IPX_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("IPX_ENV", raising=False)
    announce_demo_keys()
    err = capsys.readouterr().err
    assert "IPX_PSEUDONYM_KEY is not set" in err and "DEMO" in err and "!!!!" in err


def test_rejects_export_one_row_per_rejected_record_or_quarantined_file(small_build, tmp_path):
    out = tmp_path / "rejects.csv"
    assert main(["export", "rejects", "--warehouse", str(small_build.warehouse), "--out", str(out)]) == 0
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["feed", "file", "record", "field", "reason"]
    t = small_build.truth["totals"]
    assert len(rows) == t["records_rejected"] + t["files_quarantined"]
    whole_files = [r for r in rows if r["record"] == ""]
    assert len(whole_files) == t["files_quarantined"] and all(r["field"] == "" for r in whole_files)
    assert all(int(r["record"]) >= 1 and r["reason"] for r in rows if r["record"])
