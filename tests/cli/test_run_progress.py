"""What an operator sees of `ipx run`: progress on a terminal, rejects summarised by rule with the
command that lists them all, silence with --quiet, and the run history kept for `ipx ui`."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import duckdb

from ipx.cli import main
from ipx.contracts import load_contracts
from ipx.ingestion.landing import scan_landing
from ipx.ingestion.loader import IngestContext, ingest_landing
from ipx.ingestion.pseudonym import HmacPads
from ipx.progress import Reporter, TerminalReporter, reporter, run_progress
from ipx.storage import WarehouseLayout
from support.keys import TEST_ARCHIVE_KEY, TEST_PSEUDONYM_KEY


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_counts_every_delivery_file_and_its_records(small_build, tmp_path):
    contracts = load_contracts()
    deliveries = sum(len(s.deliveries) for s in scan_landing(small_build.landing, contracts).values())
    screen = FakeTerminal()
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ctx = IngestContext(tmp_path / "archive", TEST_ARCHIVE_KEY, HmacPads.from_key(TEST_PSEUDONYM_KEY), "progress")
    with run_progress(True, screen) as progress:
        assert isinstance(progress, TerminalReporter) and reporter() is progress
        for contract in contracts.values():  # what the raw feed assets report before ingesting
            progress.feed_scanned(contract.feed, len(scan_landing(small_build.landing, {contract.feed: contract})
                                                     [contract.feed].deliveries))
        results = ingest_landing(con, small_build.landing, contracts, ctx)
    con.close()
    files = progress.progress.tasks[progress.files]
    assert files.total == deliveries == len(results) > 700
    assert files.completed == deliveries
    assert progress.records == sum(r.loaded for r in results) == small_build.summary.records_loaded
    assert progress.quarantined == sum(r.status == "quarantined" for r in results) == 12
    shown = screen.getvalue()
    assert f"{deliveries}/{deliveries}" in shown and f"{progress.records:,} records" in shown
    assert type(reporter()) is Reporter  # the run's reporter is removed afterwards


def test_no_progress_without_a_terminal():
    screen = io.StringIO()  # a pipe or a scheduler's log
    with run_progress(True, screen) as progress:
        assert type(progress) is Reporter
        progress.files_done("hrss_employers", 3, records=10)
    assert screen.getvalue() == ""


def test_summary_lists_rejects_by_rule_and_the_command_that_lists_them_all(small_build):
    summary = small_build.summary
    log = Path(summary.log_file).read_text(encoding="utf-8")
    assert log.count("WARNING ipx.ingestion: quarantined ") == summary.files_quarantined == 12
    assert sum(summary.reject_rules.values()) == summary.records_rejected == 207
    rules = dict(small_build.query(
        "SELECT rule, count(*) FROM ingest.rejected_records GROUP BY ALL"))
    assert summary.reject_rules == rules
    text = summary.render()
    top_rule, top_n = max(rules.items(), key=lambda kv: (kv[1], kv[0]))
    assert f"rejected: {top_rule:<22} {top_n}" in text
    assert "other rules)" in text  # more than 8 rules: the rest summed on one line
    assert f"ipx export rejects --warehouse {summary.warehouse} --out rejects.xlsx" in text


def test_quiet_run_prints_nothing_and_the_history_is_kept_for_the_ui(small_build, tmp_path, capsys):
    warehouse = tmp_path / "wh" / "ipx.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(small_build.warehouse, warehouse)
    assert main(["run", "--quiet", "--no-publish", "--landing", str(small_build.landing),
                 "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr()
    assert out.out == ""

    import dagster as dg

    home = WarehouseLayout.at(warehouse).dagster_home
    assert (home / "dagster.yaml").is_file()
    instance = dg.DagsterInstance.from_config(str(home))
    runs = instance.get_runs()
    assert len(runs) == 1 and runs[0].status == dg.DagsterRunStatus.SUCCESS
    # the raw feeds were scanned (materialised in this run's history); nothing new arrived, so dbt
    # did not run and no mart was materialised again
    scanned = instance.get_latest_materialization_event(dg.AssetKey(["raw", "hrss_employers"]))
    assert scanned is not None and scanned.run_id == runs[0].run_id
    assert instance.get_latest_materialization_event(dg.AssetKey(["marts", "mart_hotspots"])) is None
    # the first build's history is beside its own warehouse
    first = dg.DagsterInstance.from_config(str(WarehouseLayout.at(small_build.warehouse).dagster_home))
    assert first.get_run_by_id(small_build.summary.run_id) is not None


def test_overdue_deliveries_are_summarised_and_red_in_dagster_but_not_failed_checks(small_build):
    summary = small_build.summary
    health = small_build.query(
        "SELECT feed, province_code, period, status, accepted FROM marts.mart_feed_health WHERE status <> 'not_due'")
    latest: dict[tuple, tuple] = {}
    delivered: set[tuple] = set()
    for feed, province, period, status, accepted in health:
        if (feed, province) not in latest or period > latest[(feed, province)][0]:
            latest[(feed, province)] = (period, status)
        if accepted:
            delivered.add((feed, province))
    overdue = {k for k, (_, status) in latest.items() if status in ("missing", "quarantined")}
    assert {(f, p) for f, p, _, _ in summary.overdue} == overdue & delivered
    assert summary.never_delivered == len(overdue - delivered) > 0  # 29 provinces deliver nothing
    assert not any("deliveries_current" in c for c in summary.failed_checks)
    text = summary.render()
    assert f"deliveries overdue  {len(summary.overdue)} feed x province" in text
    assert "ipx export feed-health" in text

    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(WarehouseLayout.at(small_build.warehouse).dagster_home))
    check = dg.AssetCheckKey(dg.AssetKey(["raw", "hrss_employers"]), "deliveries_current")
    record = instance.event_log_storage.get_latest_asset_check_execution_by_key([check])[check]
    evaluation = record.event.dagster_event.event_specific_data
    assert evaluation.passed is False and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.metadata["never_delivered"].value == sum(
        1 for f, p in overdue - delivered if f == "hrss_employers")
