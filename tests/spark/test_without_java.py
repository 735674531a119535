"""`ipx run --engine spark` on a machine without Java says what to install and exits 3 before
touching anything."""

from __future__ import annotations

import pytest

from ipx.cli import main


@pytest.fixture
def no_java(tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("JAVA_HOME", raising=False)


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_spark_without_java_exits_3_with_the_remedy(no_java, how, tmp_path, capsys, monkeypatch):
    landing = tmp_path / "landing"
    landing.mkdir()
    warehouse = tmp_path / "wh" / "ipx.duckdb"
    args = ["run", "--landing", str(landing), "--warehouse", str(warehouse)]
    if how == "flag":
        args += ["--engine", "spark"]
    else:
        monkeypatch.setenv("IPX_ENGINE", "spark")
    assert main(args) == 3
    err = capsys.readouterr().err
    assert "Java runtime" in err and "openjdk-17-jre-headless" in err and "JAVA_HOME" in err
    assert not warehouse.parent.exists()  # nothing was created


def test_a_java_home_without_java_is_no_java(tmp_path, capsys, monkeypatch, no_java):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jre"))
    (tmp_path / "landing").mkdir()
    assert main(["run", "--engine", "spark", "--landing", str(tmp_path / "landing"),
                 "--warehouse", str(tmp_path / "wh" / "ipx.duckdb")]) == 3
    assert "openjdk-17-jre-headless" in capsys.readouterr().err


def test_an_unknown_engine_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("IPX_ENGINE", "trino")
    (tmp_path / "landing").mkdir()
    assert main(["run", "--landing", str(tmp_path / "landing"), "--warehouse", str(tmp_path / "wh" / "ipx.duckdb")]) == 3
    assert "unknown engine 'trino'" in capsys.readouterr().err
