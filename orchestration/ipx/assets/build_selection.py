"""Which dbt models and data tests an incremental build runs: the models whose inputs changed
since they were last built, and the tests whose inputs changed or that did not pass the last time
they ran.

A model's table, and a data test's outcome, depend on the dbt project and on what the node reads,
transitively (dbt's manifest, ``depends_on.nodes`` down to ``source.*`` and ``seed.*``). Seeds are files of the
project, so they change with its fingerprint. Sources are the raw feeds and the ingestion ledger,
which change only through ingestion; they are reduced to *inputs*, each with a digest of its state:

- ``feed:<feed>``: the feed's raw table and its rows of the ledger (``ingest.files``): a digest of
  every file of the feed taken (loaded or quarantined, a replacing seq included);
- ``ledger``: the whole ledger (``ingest.files`` read for every feed, e.g. the data's as-of time,
  delivery timeliness) and ``ingest.rejected_records``;
- ``catalogue``: ``ingest.feed_catalogue`` (follows the contracts); every test counts it among
  its inputs, so a change to the contracts' catalogue runs every test;
- ``pending``: ``ingest.pending_files``;
- any other source: always changed.

A model whose SQL is written at run time (``run_query``, ``execute``: e.g. one select per feed of
the catalogue) may read sources the manifest does not list: it counts as reading the whole ledger.

A model that reads ``ingest.files`` reads the whole ledger unless it is known to read only some
feeds' rows: a staging model whose only access to the ledger is ``current_version('<feed>')``
(and, for a keyed feed's staging table, the new deliveries of that feed: ``stale_staged_keys``),
or a model in ``LEDGER_FEEDS``.

Every evaluation dbt gives is recorded in ``meta.dbt_test_outcomes`` (one row per check: its
status, the build that evaluated it, the project fingerprint and the digest of its inputs then).
On an incremental DuckDB build a test is skipped, through the run's selection of asset checks,
when its last outcome passed under the same project and its inputs' digest is the same now: it
cannot come out differently. A skipped test keeps its recorded outcome.

Every model and seed dbt builds is recorded alike in ``meta.dbt_model_inputs`` (the build, the
project fingerprint and the digest of its inputs before dbt ran). On an incremental DuckDB build a
model is left out of the run's selection of assets when it was built under the same project from
inputs with the same digest: its table is what building it again would make (a month of six feeds
leaves the staging and snapshots of the other feeds, the reference tables and the seeds as they
are; dbt's per-node work is most of what such a node costs). A model that failed, or that dbt
skipped because something upstream failed, has no new record, so it runs next time. A model left
out keeps its incremental watermark: when it next runs, it takes every delivery since it last ran.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from ipx.published_db import CATALOG as PUBLISHED_CATALOG

# Models that read the ledger rows of these feeds only (besides what they read through refs).
# The record-level incremental models read the ledger to find new deliveries of their feed and of
# hrss_employers (stale_record_rows); the province-level ones, of hrss_employers. A model listed
# here whose code no longer names every listed feed (a stale_record_rows hook names
# hrss_employers) is taken to read the whole ledger.
FLOATING_FEEDS = ("hrss_employers", "hrss_injury_claims", "nhc_occupational_disease", "nhc_hazard_monitoring",
                  "em_hazards")
LEDGER_FEEDS: dict[str, tuple[str, ...]] = {
    "int_claims_attributed": ("hrss_injury_claims", "hrss_employers"),
    "int_hazards_current": ("em_hazards", "hrss_employers"),
    "int_exposure_samples_assessed": ("nhc_hazard_monitoring", "hrss_employers"),
    "int_od_reports_attributed": ("nhc_occupational_disease", "hrss_employers"),
    "int_employer_snapshots": ("hrss_employers",),
    "int_insured_workers": ("hrss_employers",),
    "int_floating_cycles": ("hrss_employers",),
    "int_floating_employers": ("hrss_employers",),
    "dim_employers": ("hrss_employers",),
    # incremental by employer (macros/floating_incremental.sql) and by year (training_incremental.sql)
    "int_floating_inputs": FLOATING_FEEDS,
    "int_floating_grades": FLOATING_FEEDS,
    "mart_premium_floating": FLOATING_FEEDS,
    "int_training_coverage": ("hrss_training", "hrss_key_positions"),
    "int_training_first_pass": ("hrss_training",),
    "int_training_roster": ("hrss_key_positions",),
    # incremental by employer (macros/employer_profile_incremental.sql)
    "mart_employer_profile": ("hrss_employers", "acftu_supervision"),
}

LEDGER_SOURCE = "ingest.files"
CURRENT_VERSION = re.compile(r"current_version\(\s*['\"](?P<feed>\w+)['\"]\s*[,)]")
KEYED_STAGING = re.compile(r"stale_staged_keys\(\s*['\"](?P<feed>\w+)['\"]")
# the dependency a keyed staging table declares for its hooks' reads of its own feed's deliveries
LEDGER_DEPENDENCY = re.compile(r"--\s*depends_on:\s*\{\{\s*source\(\s*['\"]ingest['\"]\s*,\s*['\"]files['\"]\s*\)\s*\}\}")
INGEST_SOURCE = re.compile(r"source\(\s*['\"]ingest['\"]")
RUN_TIME_SQL = re.compile(r"\b(run_query|execute|graph|statement)\b")
QUOTED = re.compile(r"['\"](\w+)['\"]")
# the record-level incremental hooks read the new deliveries of hrss_employers too (attribution),
# and so do the floating models' (employer snapshots); the training coverage's, the rosters'
HOOK_FEEDS = {
    re.compile(r"(stale_record_rows|delete_stale_records)\("): {"hrss_employers"},
    re.compile(r"(stale_floating_rows|list_stale_floating_employers)\("): {"hrss_employers"},
    re.compile(r"stale_training_coverage_rows\("): {"hrss_key_positions"},
    re.compile(r"(stale_training_roster_rows|delete_stale_training_roster)\("): {"hrss_key_positions"},
    re.compile(r"(stale_profile_rows|list_stale_profile_employers)\("): {"hrss_employers"},
}

OUTCOMES_DDL = """
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.dbt_test_outcomes (
  asset_key VARCHAR, check_name VARCHAR, passed BOOLEAN, severity VARCHAR, built_at TIMESTAMP,
  fingerprint VARCHAR, inputs VARCHAR, PRIMARY KEY (asset_key, check_name))
"""

FEED_DIGESTS_SQL = """
SELECT feed, md5(string_agg(concat_ws('|', file_name, sha256, status, seq, taken_at), ','
                            ORDER BY file_name, sha256, taken_at))
FROM ingest.files GROUP BY feed
"""
OTHER_DIGESTS_SQL = """
SELECT (SELECT count(*) || ' ' || coalesce(max(rejected_at)::VARCHAR, '-') FROM ingest.rejected_records),
       (SELECT coalesce(md5(string_agg(c::VARCHAR, '|' ORDER BY c.feed)), '-') FROM ingest.feed_catalogue AS c),
       (SELECT coalesce(md5(string_agg(feed || '/' || file_name, '|' ORDER BY feed, file_name)), '-')
          FROM ingest.pending_files)
"""


def input_digests(con) -> dict[str, str]:
    """The digest of every input's state now (see the module's docstring)."""
    feeds = dict(con.execute(FEED_DIGESTS_SQL).fetchall())
    rejected, catalogue, pending = con.execute(OTHER_DIGESTS_SQL).fetchone()
    digests = {f"feed:{feed}": digest for feed, digest in feeds.items()}
    digests["ledger"] = hashlib.sha256(json.dumps([sorted(feeds.items()), rejected]).encode()).hexdigest()
    digests["catalogue"] = catalogue
    digests["pending"] = pending
    return digests


@dataclass(frozen=True)
class Lineage:
    """The inputs every dbt test, model and seed of the manifest reads, by unique id."""

    inputs_by_node: Mapping[str, frozenset[str]]

    @classmethod
    def from_manifest(cls, manifest: Mapping) -> Lineage:
        nodes = manifest["nodes"]

        def source_inputs(reader: Mapping, source_id: str) -> frozenset[str]:
            source = manifest["sources"].get(source_id, {})
            name = f"{source.get('source_name')}.{source.get('name')}"
            if source.get("source_name") == "raw":
                return frozenset({f"feed:{source['name']}"})
            if name == LEDGER_SOURCE:
                feeds = ledger_feeds(reader)
                return frozenset({"ledger"} if feeds is None else {f"feed:{f}" for f in feeds})
            if name == "ingest.rejected_records":
                return frozenset({"ledger"})
            if name == "ingest.feed_catalogue":
                return frozenset({"catalogue"})
            if name == "ingest.pending_files":
                return frozenset({"pending"})
            return frozenset({f"unknown:{source_id}"})

        @functools.cache
        def upstream(unique_id: str) -> frozenset[str]:
            node = nodes.get(unique_id)
            if node is None or node["resource_type"] == "seed":
                return frozenset()  # seeds are files of the project: its fingerprint covers them
            # SQL written at run time (a loop over a query's rows, e.g. one select per feed of the
            # catalogue) reads sources dbt's parser never sees: such a model reads the whole ledger
            found: set[str] = {"ledger"} if RUN_TIME_SQL.search(node.get("raw_code") or "") else set()
            for dep in node.get("depends_on", {}).get("nodes", []):
                found |= source_inputs(node, dep) if dep.startswith("source.") else upstream(dep)
            return frozenset(found)

        return cls({uid: upstream(uid) for uid, node in nodes.items()
                    if node["resource_type"] in ("test", "model", "seed")})

    def digest(self, node_id: str, digests: Mapping[str, str]) -> str | None:
        """The digest of the node's inputs in the state ``digests`` describes; None when one of
        them cannot be known."""
        inputs = self.inputs_by_node.get(node_id)
        if inputs is None or any(i not in digests and not i.startswith("feed:") for i in inputs):
            return None
        # the feed catalogue follows the contracts: a change to it counts as a change of everything
        inputs = inputs | {"catalogue"}
        # a feed never delivered has no ledger rows: its state is "nothing"
        lines = [f"{i}={digests.get(i, '-')}" for i in sorted(inputs)]
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def ledger_feeds(model: Mapping) -> tuple[str, ...] | None:
    """The feeds whose ledger rows a model reads (None: every feed's)."""
    code = model.get("raw_code") or ""
    name = model.get("name")
    if name in LEDGER_FEEDS:
        feeds = LEDGER_FEEDS[name]
        named = set(QUOTED.findall(code))
        for hook, implied in HOOK_FEEDS.items():
            if hook.search(code):
                named |= implied
        return feeds if named >= set(feeds) else None
    versions = CURRENT_VERSION.findall(code)
    keyed = set(KEYED_STAGING.findall(code))
    rest = LEDGER_DEPENDENCY.sub("", code) if keyed else code
    if versions and keyed <= set(versions) and not INGEST_SOURCE.search(rest):
        return tuple(versions)
    return None


@functools.cache
def _manifest(path: str, mtime: float) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def load_manifest(path: Path) -> dict:
    return _manifest(str(path), path.stat().st_mtime)


def check_test_ids(assets_def: dg.AssetsDefinition) -> dict[dg.AssetCheckKey, str]:
    """The dbt test behind each asset check of the dbt assets."""
    from dagster_dbt.asset_utils import DAGSTER_DBT_UNIQUE_ID_METADATA_KEY

    return {spec.key: (spec.metadata or {}).get(DAGSTER_DBT_UNIQUE_ID_METADATA_KEY)
            for spec in assets_def.node_check_specs_by_output_name.values()}


def built_node_ids(assets_def: dg.AssetsDefinition) -> dict[dg.AssetKey, str]:
    """The dbt model or seed behind each asset of the dbt assets."""
    from dagster_dbt.asset_utils import DAGSTER_DBT_UNIQUE_ID_METADATA_KEY

    return {spec.key: (spec.metadata or {}).get(DAGSTER_DBT_UNIQUE_ID_METADATA_KEY) for spec in assets_def.specs}


def _key(check_key: dg.AssetCheckKey) -> tuple[str, str]:
    return check_key.asset_key.to_user_string(), check_key.name


# ------------------------------------------------------------------ recording outcomes


MODEL_INPUTS_DDL = """
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.dbt_model_inputs (
  asset_key VARCHAR PRIMARY KEY, built_at TIMESTAMP, fingerprint VARCHAR, inputs VARCHAR)
"""


@dataclass
class Evaluations:
    """The data tests a build evaluated and the models it built, to be recorded once dbt has let
    go of the warehouse."""

    fingerprint: str
    digests: dict[str, str]
    lineage: Lineage
    test_ids: dict[dg.AssetCheckKey, str]
    node_ids: dict[dg.AssetKey, str] = field(default_factory=dict)
    seen: list[tuple[dg.AssetCheckKey, bool, str]] = field(default_factory=list)
    built: set[dg.AssetKey] = field(default_factory=set)

    def add(self, result: dg.AssetCheckResult, asset_key: dg.AssetKey | None = None) -> None:
        key = dg.AssetCheckKey(asset_key or result.asset_key, result.check_name)
        if key in self.test_ids:
            severity = result.severity.value if result.severity is not None else "ERROR"
            self.seen.append((key, bool(result.passed), severity))

    def add_built(self, asset_key: dg.AssetKey) -> None:
        if asset_key in self.node_ids:
            self.built.add(asset_key)

    def record(self, con, built_at: dt.datetime) -> None:
        con.execute(OUTCOMES_DDL)
        rows = [[*_key(key), passed, severity, built_at, self.fingerprint,
                 self.lineage.digest(self.test_ids[key], self.digests)] for key, passed, severity in self.seen]
        if rows:
            con.executemany("INSERT OR REPLACE INTO meta.dbt_test_outcomes VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute(MODEL_INPUTS_DDL)
        rows = [[key.to_user_string(), built_at, self.fingerprint, self.lineage.digest(self.node_ids[key], self.digests)]
                for key in sorted(self.built, key=lambda k: k.to_user_string())]
        if rows:
            con.executemany("INSERT OR REPLACE INTO meta.dbt_model_inputs VALUES (?, ?, ?, ?)", rows)


# ------------------------------------------------------------------ choosing the tests of a run


@dataclass
class BuildPlan:
    """The dbt data tests a build runs, and those it skips with when they last passed; the models
    and seeds it builds, and those it leaves as they are with when they were built."""

    selected: set[dg.AssetCheckKey]
    models: set[dg.AssetKey]
    skipped: dict[dg.AssetCheckKey, dt.datetime] = field(default_factory=dict)
    unchanged_models: dict[dg.AssetKey, dt.datetime] = field(default_factory=dict)
    reason: str = ""  # why every test and model runs, when they do

    def model_sentences(self) -> list[str]:
        """What the operator reads about the models left as they are (one per build they were made in)."""
        return [f"{n} dbt models and seeds not rebuilt: their inputs are unchanged since the build of "
                f"{built_at:%Y-%m-%d %H:%M:%S}" for built_at, n in _per_build(self.unchanged_models)]

    def sentences(self) -> list[str]:
        """What the operator reads about skipped tests (one sentence per build they passed in)."""
        return [f"{n} data tests skipped: their inputs are unchanged since the build of "
                f"{built_at:%Y-%m-%d %H:%M:%S}, where they passed" for built_at, n in _per_build(self.skipped)]


def _per_build(when: Mapping[object, dt.datetime]) -> list[tuple[dt.datetime, int]]:
    by_build: dict[dt.datetime, int] = {}
    for built_at in when.values():
        by_build[built_at] = by_build.get(built_at, 0) + 1
    return sorted(by_build.items(), reverse=True)


def existing_relations(con) -> set[tuple[str, str, str]]:
    """(catalog, schema, name) of every table and view the connection sees; the warehouse's own
    catalog is ''. The published file must be attached as ``ipx_published``."""
    main = con.execute("SELECT current_database()").fetchone()[0]
    rows = con.execute("SELECT database_name, schema_name, table_name FROM duckdb_tables() UNION ALL "
                       "SELECT database_name, schema_name, view_name FROM duckdb_views()").fetchall()
    return {("" if d == main else d, s.lower(), t.lower()) for d, s, t in rows}


def _relation(node: Mapping) -> tuple[str, str, str]:
    catalog = node["database"] if node["database"] == PUBLISHED_CATALOG else ""
    return catalog, node["schema"].lower(), (node.get("alias") or node["name"]).lower()


def plan_build(con, assets_def: dg.AssetsDefinition, manifest_path: Path, fingerprint: str,
               incremental: bool) -> BuildPlan:
    """Every data test and model when the build is not an incremental DuckDB build; else the
    tests whose inputs changed since their last evaluation, or whose last outcome was not a pass,
    and the models whose inputs changed since they were last built or whose table is gone (a
    published file removed by hand). ``con`` has the published file attached."""
    test_ids = check_test_ids(assets_def)
    node_ids = built_node_ids(assets_def)
    if not incremental:
        return BuildPlan(set(test_ids), set(node_ids), reason="full build")
    manifest = load_manifest(manifest_path)
    lineage = Lineage.from_manifest(manifest)
    digests = input_digests(con)
    existing = existing_relations(con)
    con.execute(OUTCOMES_DDL)
    con.execute(MODEL_INPUTS_DDL)
    known = {(a, c): (passed, built_at, fp, inputs) for a, c, passed, built_at, fp, inputs in con.execute(
        "SELECT asset_key, check_name, passed, built_at, fingerprint, inputs FROM meta.dbt_test_outcomes").fetchall()}
    built = {a: (built_at, fp, inputs) for a, built_at, fp, inputs in con.execute(
        "SELECT asset_key, built_at, fingerprint, inputs FROM meta.dbt_model_inputs").fetchall()}
    plan = BuildPlan(set(), set())
    for key, test_id in test_ids.items():
        last = known.get(_key(key))
        now = lineage.digest(test_id, digests) if test_id else None
        if last is not None and last[0] and last[2] == fingerprint and now is not None and last[3] == now:
            plan.skipped[key] = last[1]
        else:
            plan.selected.add(key)
    for key, node_id in node_ids.items():
        last = built.get(key.to_user_string())
        now = lineage.digest(node_id, digests) if node_id else None
        there = node_id in manifest["nodes"] and _relation(manifest["nodes"][node_id]) in existing
        if last is not None and last[1] == fingerprint and now is not None and last[2] == now and there:
            plan.unchanged_models[key] = last[0]
        else:
            plan.models.add(key)
    if not plan.models:  # inputs changed that no model reads: build everything rather than nothing
        plan.models, plan.unchanged_models = set(node_ids), {}
    return plan


def check_keys_of(checks: Iterable[dg.AssetChecksDefinition]) -> set[dg.AssetCheckKey]:
    return {key for c in checks for key in c.check_keys}
