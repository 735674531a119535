"""The `ipx` command's contract with operators: exit codes, messages, demo-key warnings."""

import csv

import pytest

from ipx.cli import main


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


def test_run_with_nothing_ever_delivered_says_so_and_builds_nothing(tmp_path, capsys):
    """An empty landing folder into a new warehouse (a mistyped --landing, a deployment before its
    first delivery): a clear reason, no dbt build whose tests can only fail, nothing published."""
    from ipx.storage import WarehouseLayout

    landing = tmp_path / "landing"
    (landing / "hrss_training").mkdir(parents=True)
    (landing / "hrss_training" / "110000_202401_01.csv").write_text("a,b\n1,2\n", encoding="utf-8")  # no manifest
    warehouse = tmp_path / "wh" / "ipx.duckdb"
    assert main(["run", "--landing", str(landing), "--warehouse", str(warehouse)]) == 1
    captured = capsys.readouterr()
    assert "nothing to build: no delivery in" in captured.err
    assert "files pending       1" in captured.out  # the data file waiting for its manifest is reported
    assert "Traceback" not in captured.err
    layout = WarehouseLayout.at(warehouse)
    assert not layout.published_db.exists() and not (layout.dbt_target / "run_results.json").exists()


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


def test_archive_key_rotation_reseals_every_file_and_restores_the_same_bytes(tmp_path, capsys, monkeypatch):
    """`ipx archive reseal` moves every sealed delivery from the old archive key to the new one:
    afterwards each restores under the new key to its original bytes, none opens under the old
    key, a second rotation finds nothing left to do, and an entry that opens with neither key
    is reported (exit 1) and left as it was."""
    import hashlib

    from ipx.ingestion.archive import ArchiveError, hash_and_seal, opens_with, restore
    from ipx.storage import WarehouseLayout

    layout = WarehouseLayout.at(tmp_path / "wh" / "ipx.duckdb")
    old, new = "rotation-old-secret", "rotation-new-secret"
    old_key, new_key = (hashlib.sha256(s.encode()).digest() for s in (old, new))
    originals = {}
    for i, size in enumerate([0, 5, (1 << 20), (1 << 20) * 2 + 17]):  # empty, small, one and three chunks
        source = tmp_path / f"d{i}.csv"
        source.write_bytes(bytes((i * 7 + j) % 251 for j in range(size)))
        sha, _, sealed = hash_and_seal(source, layout.archive_dir, old_key)
        originals[sealed] = source.read_bytes()
    monkeypatch.setenv("IPX_OLD_ARCHIVE_KEY", old)
    monkeypatch.setenv("IPX_ARCHIVE_KEY", new)
    assert main(["archive", "reseal", "--warehouse", str(layout.warehouse)]) == 0
    assert "re-sealed 4 archived files" in capsys.readouterr().out
    for sealed, data in originals.items():
        assert not opens_with(sealed, old_key)
        out = tmp_path / "restored"
        restore(sealed, new_key, out)
        assert out.read_bytes() == data
    assert main(["archive", "reseal", "--warehouse", str(layout.warehouse)]) == 0
    assert "re-sealed 0 archived files under the new key; 4 already were" in capsys.readouterr().out

    stranger = tmp_path / "stranger.csv"
    stranger.write_bytes(b"sealed with some third key")
    _, _, odd = hash_and_seal(stranger, layout.archive_dir, b"\x03" * 32)
    before = odd.read_bytes()
    assert main(["archive", "reseal", "--warehouse", str(layout.warehouse)]) == 1
    said = capsys.readouterr()
    assert "4 already were; 1 could not be opened with the old key" in said.out
    assert odd.name in said.err and "cannot be opened with this key" in said.err
    assert odd.read_bytes() == before
    with pytest.raises(ArchiveError):
        restore(odd, new_key, tmp_path / "x")
    assert list(layout.archive_dir.rglob(".resealing-*")) == []


def test_archive_rotation_refuses_the_demo_key_as_the_new_key(tmp_path, capsys, monkeypatch):
    (tmp_path / "wh" / "ipx.duckdb.archive").mkdir(parents=True)
    monkeypatch.setenv("IPX_OLD_ARCHIVE_KEY", "some-old-secret")
    monkeypatch.delenv("IPX_ARCHIVE_KEY", raising=False)
    assert main(["archive", "reseal", "--warehouse", str(tmp_path / "wh" / "ipx.duckdb")]) != 0
    assert "demo key" in capsys.readouterr().err
