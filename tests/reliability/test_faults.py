"""Faults during ``ipx run``: killed mid-ingestion and mid-dbt, a damaged warehouse file, a full
disk, a missing landing folder.

- Killed runs (SIGKILL, as a crash, the OOM killer or a container stop would) and then a run to
  completion must leave the warehouse publishing exactly what one uninterrupted run over the same
  landing folder publishes (the session's ``small_build``): every ``marts`` table, the ledger's
  counts, every raw and rejected record once.
- Runs that cannot succeed must end non-zero with a clear message and never touch the last
  published data: the serving copies under ``<warehouse>.serving/`` and ``current.json`` stay
  byte for byte as they were and readable.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from fault_support import (
    archived,
    dbt_started,
    differences,
    kill_when,
    published_state,
    read_current,
    run_ipx,
    serving_snapshot,
    start_run,
)

from ipx.storage import WarehouseLayout

ERROR_LINE = re.compile(r"^ipx: error: (.*)$", re.MULTILINE)


def _error_line(stderr: str) -> str:
    lines = ERROR_LINE.findall(stderr)
    return lines[-1] if lines else ""


def _copy_published(small_build, root: Path) -> Path:
    """A copy of the session's built warehouse with its published file and serving copies (not its archive)."""
    source = WarehouseLayout.at(small_build.warehouse)
    warehouse = root / "wh" / "ipx.duckdb"
    warehouse.parent.mkdir(parents=True)
    shutil.copy2(source.warehouse, warehouse)
    shutil.copy2(source.published_db, WarehouseLayout.at(warehouse).published_db)
    shutil.copytree(source.serving_dir, WarehouseLayout.at(warehouse).serving_dir)
    return warehouse


# ---------------------------------------------------------------- killed runs


@pytest.fixture(scope="module")
def interrupted(small_build, tmp_path_factory):
    """One warehouse, built over the session's landing folder by runs killed at five moments,
    then a run to completion. Returns (warehouse, {moment: Run}, final Run)."""
    root = tmp_path_factory.mktemp("interrupted")
    warehouse = root / "wh" / "ipx.duckdb"
    landing = small_build.landing
    runs = {}

    def kill(name, ready, whole_group=True) -> int:
        log = root / "logs" / re.sub(r"\W+", "-", name)
        proc = start_run(landing, warehouse, log)
        runs[name] = kill_when(proc, ready, log, whole_group=whole_group)
        return proc.pid  # its process group

    kill("ingestion: 30 deliveries archived", lambda: archived(warehouse) >= 30)
    kill("ingestion: 300 deliveries archived", lambda: archived(warehouse) >= 300)
    kill("ingestion: 1.5 s after the last delivery was archived", _after_archiving(warehouse, 1.5))
    kill("dbt: 10 models started", lambda: dbt_started(warehouse) >= 10)
    # the ipx process alone, as the OOM killer would: dbt, its child, lives on
    group = kill("dbt: 40 models started, ipx alone", lambda: dbt_started(warehouse) >= 40, whole_group=False)
    runs["a run while the orphaned dbt still writes"] = run_ipx(landing, warehouse, root / "logs" / "locked")
    _wait_for_group(group, timeout=600)
    final = run_ipx(landing, warehouse, root / "logs" / "final")
    return warehouse, runs, final


def _after_archiving(warehouse: Path, seconds: float):
    """True once the archive has stopped growing for ``seconds`` after growing in this run: the
    deliveries of the last feeds are being read, validated and loaded."""
    state = {"count": archived(warehouse), "since": None}

    def ready() -> bool:
        count = archived(warehouse)
        if count != state["count"]:
            state["count"], state["since"] = count, time.monotonic()
        return state["since"] is not None and time.monotonic() - state["since"] >= seconds

    return ready


def _group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(stat.parent.name))
    return members


def _wait_for_group(pgid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _group_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _group_members(pgid):
        os.killpg(pgid, signal.SIGKILL)
        raise AssertionError(f"the orphaned processes of group {pgid} were still running after {timeout} s")


def test_every_kill_hit_a_running_run(interrupted):
    _, runs, _ = interrupted
    killed = {name: run.killed for name, run in runs.items() if name.startswith(("ingestion", "dbt"))}
    assert all(killed.values()), f"these runs ended before their moment came: {killed}"


def test_the_run_after_the_kills_completes(interrupted):
    _, _, final = interrupted
    assert final.code == 0, final.stderr[-3000:]


def test_killed_runs_then_a_rerun_publish_what_one_uninterrupted_run_does(interrupted, small_build):
    warehouse, _, final = interrupted
    assert final.code == 0, final.stderr[-3000:]
    assert differences(published_state(warehouse), published_state(small_build.warehouse)) == []


def test_killed_runs_leave_no_half_written_files(interrupted, small_build):
    """No temporary file of the sealed archive or of publishing survives, and the archive holds
    the same deliveries as the uninterrupted run's."""
    warehouse, _, _ = interrupted
    layout, clean = WarehouseLayout.at(warehouse), WarehouseLayout.at(small_build.warehouse)
    leftovers = [p.name for p in layout.archive_dir.rglob(".sealing-*")]
    leftovers += [p.name for p in layout.serving_dir.glob("*.building*")]
    assert leftovers == []
    assert sorted(p.name for p in layout.archive_dir.glob("*/*.sealed")) == \
        sorted(p.name for p in clean.archive_dir.glob("*/*.sealed"))


def test_a_run_while_an_orphaned_dbt_still_writes_says_the_warehouse_is_in_use(interrupted):
    _, runs, _ = interrupted
    locked = runs["a run while the orphaned dbt still writes"]
    message = _error_line(locked.stderr)
    assert locked.code == 3, locked.stderr[-2000:]
    assert "in use" in message and "restore it from backup" not in message, message


# ---------------------------------------------------------------- damaged warehouse file


def _assert_refused_keeping_published(run, says: str, warehouse: Path, before) -> None:
    """The run ended non-zero with an error line matching ``says``; the serving copies are byte for
    byte as they were and ``current.json`` still names a readable one."""
    assert run.code != 0, run.stdout[-2000:]
    assert re.search(says, _error_line(run.stderr)), run.stderr[-3000:]
    assert serving_snapshot(warehouse) == before
    assert read_current(warehouse) > 0


def _damage(path: Path, how: str) -> None:
    size = path.stat().st_size
    with path.open("r+b") as fh:
        if how == "truncated":  # a copy or a checkpoint cut short
            fh.truncate(size // 2)
        elif how == "zeroed header":
            fh.write(b"\0" * 8192)
        else:  # damaged blocks: 2 KiB overwritten in every MiB
            for offset in range(1 << 20, size, 1 << 20):
                fh.seek(offset + 1000)
                fh.write(b"\xaa" * 2048)


@pytest.mark.parametrize("how", ["truncated", "zeroed header", "damaged blocks"])
def test_a_damaged_warehouse_gives_a_clear_message_and_keeps_the_published_data(small_build, tmp_path, how):
    """A run that must rebuild refuses a damaged warehouse. (A run with nothing new does not read
    the models, so damaged blocks inside them show at the next build: here a new data file waiting
    for its manifest makes this run one that builds.)"""
    warehouse = _copy_published(small_build, tmp_path)
    _damage(warehouse, how)
    before = serving_snapshot(warehouse)
    landing = tmp_path / "landing"
    shutil.copytree(small_build.landing, landing)
    sample = next(p for p in sorted((landing / "hrss_employers").iterdir()) if p.suffix in (".csv", ".xlsx"))
    shutil.copyfile(sample, sample.with_name("999999_2099Q1_01" + sample.suffix))
    run = run_ipx(landing, warehouse, tmp_path / "logs" / "run")
    _assert_refused_keeping_published(run, r"cannot be opened|[Cc]orrupt|not a valid DuckDB|damaged", warehouse, before)


# ---------------------------------------------------------------- missing landing folder


def test_a_missing_landing_folder_gives_a_clear_message_and_changes_nothing(small_build, tmp_path):
    warehouse = _copy_published(small_build, tmp_path)
    before = serving_snapshot(warehouse), warehouse.read_bytes()
    run = run_ipx(tmp_path / "no-such-landing", warehouse, tmp_path / "logs" / "run")
    assert run.code == 3
    assert "landing folder" in _error_line(run.stderr) and "does not exist" in _error_line(run.stderr)
    assert (serving_snapshot(warehouse), warehouse.read_bytes()) == before
    assert read_current(warehouse) > 0


# ---------------------------------------------------------------- full disk


def _mount_tmpfs(where: Path, size: int) -> None:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    assert done.returncode == 0, (
        "a full disk is simulated with a small tmpfs, which needs root (CAP_SYS_ADMIN) to mount: "
        f"{done.stderr.strip()}")


def _fill(folder: Path) -> Path:
    """Fill the file system of ``folder`` to the last byte."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        for size in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
    finally:
        os.close(fd)
    return filler


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    _mount_tmpfs(mount, 96 << 20)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_gives_a_clear_message_keeps_the_published_data_and_the_warehouse(small_build, small_disk, tmp_path):
    """The warehouse and its serving copies on a file system with no byte left: the run ends
    non-zero saying so, the published copy is untouched and readable; once space is freed, a
    re-run completes and publishes what it would have (the warehouse was not damaged)."""
    warehouse = _copy_published(small_build, small_disk)
    before = serving_snapshot(warehouse)
    filler = _fill(small_disk)
    run = run_ipx(small_build.landing, warehouse, tmp_path / "logs" / "full")
    _assert_refused_keeping_published(run, r"[Nn]o space left|disk is full|[Dd]isk full", warehouse, before)
    filler.unlink()
    again = run_ipx(small_build.landing, warehouse, tmp_path / "logs" / "again")
    assert again.code == 0, again.stderr[-3000:]
    assert differences(published_state(warehouse), published_state(small_build.warehouse)) == []
    assert read_current(warehouse) > 0


# ---------------------------------------------------------------- a sealing cut short


def test_a_sealing_cut_short_leaves_nothing_behind_once_ingestion_runs_again():
    """SIGKILL while a delivery is being sealed leaves ``<archive>/.sealing-*`` (the temporary
    file renamed into place once complete); the next run that seals into the archive removes it,
    and the delivery is archived whole."""
    from reliability_support import fresh_root, ingest_feeds

    from support.deliveries import employer, write_delivery

    with fresh_root() as root:
        write_delivery(root / "landing", "hrss_employers", [employer(i) for i in range(3)], period="2024Q1")
        archive = root / "wh" / "archive"
        archive.mkdir(parents=True)
        (archive / ".sealing-k1ll3d").write_bytes(b"IPXA1" + b"\x00" * 5000)
        outcome = ingest_feeds(root, ["hrss_employers"])
        assert outcome.only.status == "loaded"
        assert [p.name for p in archive.rglob(".sealing-*")] == []
        assert len(list(archive.glob("*/*.sealed"))) == 1
