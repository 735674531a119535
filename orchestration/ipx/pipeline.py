"""One ``ipx run``: ingestion, the dbt build and publishing, in-process through Dagster, and
the summary an operator reads afterwards."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ipx import published_db
from ipx.engine import SPARK, dbt_target_path, require_java, resolve_engine
from ipx.progress import run_progress
from ipx.settings import ConfigurationError, archive_key, pseudonym_key
from ipx.storage import WarehouseLayout


class RunFailed(RuntimeError):
    def __init__(self, message: str, summary: RunSummary | None = None):
        super().__init__(message)
        self.summary = summary


@dataclass
class RunSummary:
    run_id: str
    warehouse: Path
    files_taken: int = 0
    files_loaded: int = 0
    files_quarantined: int = 0
    files_pending: int = 0
    records_loaded: int = 0
    records_rejected: int = 0
    records_flagged: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    reject_rules: dict[str, int] = field(default_factory=dict)
    checks_run: int = 0
    failed_checks: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    overdue: list[tuple] = field(default_factory=list)  # (feed, province, period, days) of provinces that deliver it
    never_delivered: int = 0  # feed x province pairs with nothing ever accepted
    as_of: str | None = None
    published: str | None = None
    unchanged: bool = False  # nothing new since the last build: models and published copy as they were
    log_file: str | None = None
    totals: dict[str, int] = field(default_factory=dict)
    note: str | None = None
    engine: str = "duckdb"  # what built the models: duckdb, or spark (published tables copied back)
    tests_skipped: list[str] = field(default_factory=list)  # "N data tests skipped: ..." per build they passed in
    models_unchanged: list[str] = field(default_factory=list)  # "N dbt models ... not rebuilt: ..." per build

    def render(self) -> str:
        lines = [
            f"ipx run {self.run_id}",
            f"  warehouse           {self.warehouse}",
            f"  files taken         {self.files_taken} (loaded {self.files_loaded}, "
            f"quarantined {self.files_quarantined})",
        ]
        for reason, n in sorted(self.quarantine_reasons.items()):
            lines.append(f"    quarantined: {reason:<22} {n}")
        lines += [
            f"  files pending       {self.files_pending} (data file without manifest, not taken)",
            f"  records loaded      {self.records_loaded}",
            f"  records rejected    {self.records_rejected}",
        ]
        shown = sorted(self.reject_rules.items(), key=lambda kv: (-kv[1], kv[0]))
        lines += [f"    rejected: {rule:<22} {n}" for rule, n in shown[:SHOWN_REASONS]]
        if len(shown) > SHOWN_REASONS:
            more = f"({len(shown) - SHOWN_REASONS} other rules)"
            lines.append(f"    rejected: {more:<22} {sum(n for _, n in shown[SHOWN_REASONS:])}")
        if self.files_quarantined or self.records_rejected:
            lines.append(f"    every one with file, record and reason: "
                         f"ipx export rejects --warehouse {self.warehouse} --out rejects.xlsx")
        lines += [
            f"  records flagged     {self.records_flagged}",
            f"  checks run          {self.checks_run}, failed {len(self.failed_checks)}",
        ]
        lines += [f"    FAILED CHECK: {c}" for c in self.failed_checks]
        lines += [f"    {sentence}" for sentence in self.tests_skipped]
        if self.models_unchanged:
            lines.append("  models              " + "; ".join(self.models_unchanged))
        if self.overdue or self.never_delivered:
            lines.append(f"  deliveries overdue  {len(self.overdue)} feed x province at the data's as-of {self.as_of}"
                         + (f"; {self.never_delivered} never delivered" if self.never_delivered else ""))
            lines += [f"    overdue: {feed:<24} {province} {period} ({days} days)"
                      for feed, province, period, days in self.overdue[:SHOWN_REASONS]]
            if len(self.overdue) > SHOWN_REASONS:
                lines.append(f"    overdue: ({len(self.overdue) - SHOWN_REASONS} more)")
            lines.append(f"    every slice's status: ipx export feed-health --warehouse {self.warehouse} "
                         "--out feed-health.xlsx")
        lines += [f"    FAILED STEP: {s}" for s in self.failed_steps]
        if self.totals:
            lines.append("  warehouse totals    " + ", ".join(f"{k} {v}" for k, v in self.totals.items()))
        if self.engine != "duckdb":
            lines.append(f"  engine              {self.engine} ({SPARK_NOTE})")
        if self.published:
            state = " (unchanged: nothing new since the last build)" if self.unchanged else ""
            lines.append(f"  published           {self.published}{state}")
        if self.log_file:
            lines.append(f"  run log             {self.log_file}")
        if self.note:
            lines.append(f"  note                {self.note}")
        return "\n".join(lines) + "\n"


SPARK_NOTE = ("every Spark build is a full build: local mode keeps nothing between runs; "
              "published tables copied back into the warehouse")
SHOWN_REASONS = 8  # rejection rules listed in the summary; the run log and the export hold all

# DuckDB: 'Could not set lock on file "...": Conflicting lock is held in /usr/bin/python3 (PID 123) by user x.'
LOCK_HOLDER = re.compile(r"Could not set lock on file.*?Conflicting lock is held in (?P<holder>.*?\(PID \d+\))", re.S)


def check_warehouse(path: Path) -> None:
    """Refuse to run on a file that is not a readable DuckDB database."""
    if not path.exists():
        return
    try:
        con = duckdb.connect(str(path), read_only=True)
        con.execute("SELECT 1").fetchone()
        con.close()
    except duckdb.Error as exc:
        lock = LOCK_HOLDER.search(str(exc))
        if lock:
            # a healthy file another process writes (a second ipx run, or the dbt of a killed one)
            raise ConfigurationError(
                f"warehouse {path} is in use by another process ({lock.group('holder').strip()}); "
                "wait for it to finish or stop it, then run again") from exc
        raise ConfigurationError(f"warehouse {path} cannot be opened ({exc}); restore it from backup "
                                 "or point --warehouse at a new file") from exc


def _connect_after_run(path: Path, attempts: int = 20, wait: float = 0.5):
    """A read-only connection once the run's writers (dbt's subprocess may still be exiting
    after a failed step) have let go of the file; None if they never do."""
    for attempt in range(attempts):
        try:
            return published_db.connect(path, read_only=True)
        except duckdb.Error as exc:
            if not LOCK_HOLDER.search(str(exc)) or attempt == attempts - 1:
                return None
            time.sleep(wait)
    return None


def summarise(run_id: str, layout: WarehouseLayout) -> RunSummary:
    summary = RunSummary(run_id=run_id, warehouse=layout.warehouse)
    if not layout.warehouse.exists():
        return summary
    con = _connect_after_run(layout.warehouse)
    if con is None:
        summary.note = "the warehouse could not be read for this summary (still locked); see the run log"
        return summary
    try:
        has_ledger = con.execute("SELECT count(*) FROM information_schema.tables "
                                 "WHERE table_schema = 'ingest' AND table_name = 'files'").fetchone()[0]
        if not has_ledger:
            return summary
        row = con.execute(
            """SELECT count(*), count(*) FILTER (WHERE status = 'loaded'),
                      count(*) FILTER (WHERE status = 'quarantined'),
                      coalesce(sum(records_loaded), 0), coalesce(sum(records_rejected), 0),
                      coalesce(sum(records_flagged), 0)
               FROM ingest.files WHERE run_id = ?""", [run_id]).fetchone()
        (summary.files_taken, summary.files_loaded, summary.files_quarantined,
         summary.records_loaded, summary.records_rejected, summary.records_flagged) = map(int, row)
        summary.quarantine_reasons = dict(con.execute(
            "SELECT quarantine_reason, count(*) FROM ingest.files WHERE run_id = ? AND status = 'quarantined' "
            "GROUP BY ALL", [run_id]).fetchall())
        summary.reject_rules = dict(con.execute(
            """SELECT r.rule, count(*) FROM ingest.rejected_records AS r
               JOIN ingest.files AS f ON f.file_name = r.file_name AND f.sha256 = r.sha256
               WHERE f.run_id = ? AND f.status = 'loaded' GROUP BY ALL""", [run_id]).fetchall())
        summary.files_pending = con.execute("SELECT count(*) FROM ingest.pending_files").fetchone()[0]
        # the mart lives in the published file (ipx.published_db), attached when it exists
        has_freshness = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ? "
                                    "AND schema_name = 'marts' AND table_name = 'mart_feed_freshness'",
                                    [published_db.CATALOG]).fetchone()[0]
        if has_freshness:
            # read in the published file itself: the warehouse's views are made once a build succeeds
            marts = f"{published_db.CATALOG}.marts"
            summary.overdue = con.execute(
                f"SELECT feed, province_code, latest_due_period, days_overdue FROM {marts}.mart_feed_freshness "
                "WHERE is_overdue AND has_delivered ORDER BY days_overdue DESC, feed, province_code").fetchall()
            summary.never_delivered = con.execute(
                f"SELECT count(*) FROM {marts}.mart_feed_freshness WHERE is_overdue AND NOT has_delivered").fetchone()[0]
            as_of = con.execute(f"SELECT max(as_of_date) FROM {marts}.mart_data_as_of").fetchone()[0]
            summary.as_of = str(as_of) if as_of else None
        totals = con.execute(
            """SELECT count(*) FILTER (WHERE status = 'loaded'), count(*) FILTER (WHERE status = 'quarantined'),
                      coalesce(sum(records_loaded), 0), coalesce(sum(records_rejected), 0)
               FROM ingest.files""").fetchone()
        summary.totals = {"files loaded": totals[0], "quarantined": totals[1],
                          "records loaded": int(totals[2]), "rejected": int(totals[3])}
    finally:
        con.close()
    return summary


def run_pipeline(landing: Path, warehouse: Path, publish: bool = True, show_progress: bool = False,
                 engine: str | None = None) -> RunSummary:
    """Ingest everything new in ``landing`` and build every downstream asset; ``show_progress``
    draws progress bars when stderr is a terminal. ``engine`` builds the models (``duckdb``, or
    ``spark``: see ``ipx.engine``; default ``IPX_ENGINE``, else DuckDB)."""
    import dagster as dg

    engine = resolve_engine(engine)
    if engine == SPARK:
        require_java()  # before anything is taken: a run that cannot build takes nothing
    pseudonym_key()  # raise early in production without secrets
    archive_key()
    layout = WarehouseLayout.at(warehouse)
    layout.warehouse.parent.mkdir(parents=True, exist_ok=True)
    check_warehouse(layout.warehouse)
    if not layout.warehouse.exists() and layout.published_db.exists():
        # the published tables of a warehouse that is gone (removed to rebuild): the first build of
        # a new warehouse is a full refresh anyway, but tables of models since removed would stay
        published_db.discard(layout)
    os.environ["IPX_WAREHOUSE"] = str(layout.warehouse)
    os.environ["IPX_LANDING"] = str(Path(landing).resolve())

    from ipx.assets.build_selection import check_keys_of
    from ipx.assets.raw_checks import FRESHNESS_CHECK
    from ipx.assets.warehouse_models import NOTHING_NEW, nothing_to_build, plan_next_build, prepare_manifest

    prepare_manifest()
    from ipx import definitions
    from ipx.resources import WarehouseResource

    built_before = _latest_build(layout)
    resources = {
        "warehouse": WarehouseResource(path=str(layout.warehouse), landing=str(Path(landing).resolve())),
        "dbt": definitions.dbt_resource(engine),
    }
    log_dir = layout.log_dir
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"run-{dt.datetime.now():%Y%m%dT%H%M%S}.log"
    freshness = {key for c in definitions.raw_checks for key in c.check_keys if key.name == FRESHNESS_CHECK}
    feed_checks = check_keys_of(definitions.all_checks) - freshness
    instance = _instance(layout)
    # One ipx run is two Dagster runs, tagged alike: ingestion (the raw feeds, their checks, the
    # ledger), then the models and data tests chosen from what ingestion changed (plan_next_build:
    # the run's selection of assets and asset checks, never an --exclude), and the freshness
    # checks on the marts. With nothing new there is no second run (dbt would not run).
    tags = {"ipx/entry": "cli", "ipx/invocation": log_path.stem}
    plan = None
    # dbt's own progress lines go to stdout; keep them in the run log, not on the console (both it
    # and the warnings' handler append, so neither overwrites the other).
    with (log_path.open("a", encoding="utf-8") as log_file, contextlib.redirect_stdout(log_file),
          _warnings_into(log_path), run_progress(show_progress) as progress):
        progress.checks_planned(len(feed_checks) + len(freshness))
        results = [dg.materialize(
            [*definitions.all_assets, *definitions.all_checks],
            selection=(dg.AssetSelection.assets(*_ingestion_keys(definitions)).without_checks()
                       | dg.AssetSelection.checks(*feed_checks)),
            resources=resources, instance=instance, raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
            tags={**tags, "ipx/phase": "ingestion"},
        )]
        # a failed ingestion step or blocking feed check stops the run before dbt, as it always did
        if results[0].success and not resources["warehouse"].has_taken_deliveries():
            # nothing delivered, now or before: stop before the build (whose asset would refuse it)
            summary = summarise(results[0].run_id, layout)
            summary.log_file = str(log_path)
            raise RunFailed(nothing_to_build(Path(landing).resolve()), summary)
        if results[0].success:
            plan = plan_next_build(layout.warehouse, engine, definitions.dbt_models)
            what = ("nothing new since the last build: dbt not run" if plan.reason == NOTHING_NEW
                    else f"{len(plan.models)} dbt models and seeds built, {len(plan.selected)} dbt data tests run"
                    + (f" ({plan.reason})" if plan.reason else ""))
            print(what, *plan.model_sentences(), *plan.sentences(), sep="\n", flush=True)  # into the run log
        if plan is not None and plan.reason == NOTHING_NEW:
            progress.checks_planned(len(feed_checks))
            progress.dbt_planned(0)
        elif plan is not None:
            results.append(dg.materialize(
                [*definitions.all_assets, *definitions.all_checks],
                selection=(dg.AssetSelection.assets(*plan.models).without_checks()
                           | dg.AssetSelection.checks(*plan.selected, *freshness)),
                resources=resources, instance=instance, raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
                tags={**tags, "ipx/phase": "build"},
            ))
    summary = summarise(results[0].run_id, layout)
    summary.engine = engine
    summary.log_file = str(log_path)
    if plan is not None:
        summary.models_unchanged = plan.model_sentences()
        summary.tests_skipped = plan.sentences()
    evaluations = [e for result in results for e in result.get_asset_check_evaluations()]
    summary.checks_run = len(evaluations)
    # an overdue delivery is the agency's lateness, summarised apart (deliveries overdue), not a data error
    summary.failed_checks = sorted(
        f"{e.asset_key.to_user_string()}:{e.check_name}" for e in evaluations
        if not e.passed and e.check_name != FRESHNESS_CHECK
    )
    failures = [ev for result in results for ev in result.all_events
                if ev.event_type_value == "STEP_FAILURE" and ev.step_key]
    summary.failed_steps = sorted(f"{ev.step_key}: {_failure_message(ev)}" for ev in failures)
    result = results[-1]
    succeeded = all(r.success for r in results)
    if not succeeded and engine == SPARK:
        summary.note = _spark_leftovers(layout, result.run_id)
    if not succeeded:
        raise RunFailed("steps failed: " + "; ".join(summary.failed_steps or ["(unknown)"]), summary)
    if publish:
        from ipx.serving import current_serving_file, publish_serving_copy

        current = current_serving_file(layout)
        if _latest_build(layout) == built_before and current is not None:
            # dbt found nothing new (same project, same inputs): the published copy stands
            summary.published, summary.unchanged = str(current), True
        else:
            summary.published = str(publish_serving_copy(layout, result.run_id))
    return summary


def _ingestion_keys(definitions) -> list:
    """The assets ingestion materialises: every raw feed and the ledger's tables."""
    return [key for assets_def in (*definitions.raw_assets, definitions.ledger_asset) for key in assets_def.keys]


def _spark_leftovers(layout: WarehouseLayout, run_id: str) -> str:
    """Where a failed Spark build left what explains it."""
    kept = sorted(layout.spark_dir.glob(f"*-{run_id[:8]}"))
    where = f"Spark warehouse and metastore kept in {kept[-1]}; " if kept else ""
    return f"{where}dbt's log: {dbt_target_path(layout, SPARK) / 'dbt.log'}"


def _latest_build(layout: WarehouseLayout):
    """When the models were last built (``meta.model_build``), or None."""
    if not layout.warehouse.exists():
        return None
    con = duckdb.connect(str(layout.warehouse), read_only=True)
    try:
        exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'meta' "
                             "AND table_name = 'model_build'").fetchone()[0]
        return con.execute("SELECT max(built_at) FROM meta.model_build").fetchone()[0] if exists else None
    finally:
        con.close()


@contextlib.contextmanager
def _warnings_into(log_path: Path):
    """ipx's own warnings (quarantined files, with identifier-like digits scrubbed) go to the run
    log as well as the console."""
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("ipx")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()


def _failure_message(event) -> str:
    """The first line of a failed step's error, e.g. a full disk or a dbt test failure."""
    error = getattr(event.event_specific_data, "error", None)
    while error is not None and getattr(error, "cause", None) is not None and "dagster" in (error.cls_name or "").lower():
        error = error.cause
    message = (error.message if error is not None else "") or "see the run log"
    lines = [ANSI.sub("", line).strip() for line in message.strip().splitlines() if line.strip()]
    # a damaged file or a full disk says so deep inside dbt's report (after "Failure in test ..."):
    # the cause is what the operator needs to read; else the first dbt node that failed
    cause = (next((line for line in lines if ROOT_CAUSE.search(line)), None)
             or next((line for line in lines if DBT_NODE_FAILED.search(line)), None))
    return (cause or lines[0])[:300]


ROOT_CAUSE = re.compile(r"Corrupt database file|No space left|database or disk is full|[Dd]isk is full")
# dagster-dbt's error lists dbt's failed nodes: "177 of 367 ERROR int_x::case ... [ERROR in 1.2s]"
DBT_NODE_FAILED = re.compile(r"^\d+ of \d+ (ERROR|FAIL)\b")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _instance(layout: WarehouseLayout):
    """The Dagster instance that keeps this warehouse's run history (``DAGSTER_HOME`` when set,
    else ``<warehouse>.dagster/``), so ``ipx ui`` shows every run, materialisation and check."""
    import dagster as dg

    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    from dagster._core.instance.ref import InstanceRef

    home = ensure_dagster_home(layout)
    # the event log in Dagster's own files, its connections kept open (ipx.dagster_events)
    events = {"module": "ipx.dagster_events", "class": "KeptOpenSqliteEventLogStorage",
              "config": {"base_dir": str(home / "history" / "runs")}}
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home), overrides={"event_log_storage": events}))


def ensure_dagster_home(layout: WarehouseLayout) -> Path:
    """``<warehouse>.dagster/`` with its ``dagster.yaml``, created on first use."""
    home = layout.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    return home


# SQLite run, event and schedule storage in the instance folder (the default of a local
# instance); telemetry off: the ministry's machines do not phone home.
DAGSTER_YAML = """\
telemetry:
  enabled: false
"""
