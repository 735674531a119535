"""The Dagster definitions load for both engines (the dbt resource's target differs), with the
same assets, checks and jobs, the province-partitioned ingestion job, and a cluster deployment
file Dagster accepts."""

from __future__ import annotations

import importlib
import json

import dagster as dg
import pytest
import yaml

from ipx import reference
from ipx.contracts import load_contracts
from ipx.paths import REPO_ROOT

DEPLOY_YAML = REPO_ROOT / "deploy" / "dagster.yaml"


@pytest.fixture(params=["duckdb", "spark"])
def loaded(request, monkeypatch):
    """ipx.definitions imported afresh with IPX_ENGINE set; restored to the default afterwards."""
    import ipx.definitions

    monkeypatch.setenv("IPX_ENGINE", request.param)
    try:
        yield request.param, importlib.reload(ipx.definitions)
    finally:
        monkeypatch.delenv("IPX_ENGINE")
        importlib.reload(ipx.definitions)


def test_definitions_load_on_both_engines(loaded):
    engine, module = loaded
    defs = module.defs
    dg.Definitions.validate_loadable(defs)
    dbt = defs.resources["dbt"]
    assert dbt.target == {"duckdb": "main", "spark": "spark"}[engine]

    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    feeds = load_contracts()
    assert {f"raw/{feed}" for feed in feeds} <= keys
    assert {"ingest/files", "ingest/rejected_records", "ingest/pending_files", "ingest/feed_catalogue"} <= keys
    manifest = json.loads(module.dbt_project.manifest_path.read_text(encoding="utf-8"))
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    built = {key.split("/")[-1] for key in keys}
    assert models <= built and "mart_provincial_assessment" in built
    checks = list(defs.resolve_asset_graph().asset_check_keys)
    assert any(c.name == "records_conserved" for c in checks) and any(c.name == "every_record_accounted_for"
                                                                       for c in checks)

    jobs = {job.name for job in defs.resolve_all_job_defs()}
    assert {"ingest_and_build", "ingest_province"} <= jobs
    assert defs.resolve_job_def("ingest_and_build").tags.get("ipx/duckdb-writer") == "true"


def test_ingestion_is_partitioned_by_province_with_one_duckdb_writer(loaded):
    _, module = loaded
    job = module.defs.resolve_job_def("ingest_province")
    assert job.partitions_def.get_partition_keys() == sorted(reference.provinces())
    assert len(job.partitions_def.get_partition_keys()) == 32
    (node,) = job.graph.node_defs
    assert node.pool == module.DUCKDB_WRITER_POOL == "duckdb_writer"
    assert job.tags.get("ipx/duckdb-writer") == "true"


def test_a_province_run_takes_only_that_provinces_deliveries():
    from ipx.assets.raw_feeds import province_scan
    from ipx.ingestion.landing import Delivery, LandingScan

    def delivery(stem, province):
        return Delivery("em_accidents", stem, None, None, province, "202301", "01", None)

    scan = LandingScan(deliveries=[delivery("110000_202301_01", "110000"), delivery("440000_202301_01", "440000"),
                                   delivery("bad_name", None)],
                       pending=[delivery("440000_202302_01", "440000")])
    only = province_scan(scan, "440000")
    assert [d.stem for d in only.deliveries] == ["440000_202301_01"]
    assert only.pending == scan.pending  # the feed's whole waiting list: the ledger keeps it per feed


def test_the_cluster_instance_file_is_what_dagster_expects(monkeypatch):
    from dagster._config import process_config, validate_config
    from dagster._core.instance.config import dagster_instance_config_schema
    from dagster._serdes.config_class import class_from_code_pointer

    config = yaml.safe_load(DEPLOY_YAML.read_text(encoding="utf-8"))
    result = validate_config(dagster_instance_config_schema(), config)
    assert result.success, [e.message for e in result.errors]
    assert config["concurrency"]["pools"]["default_limit"] == 1
    assert {"key": "ipx/duckdb-writer", "limit": 1} in config["run_coordinator"]["config"]["tag_concurrency_limits"]

    for name in ("DAGSTER_PG_USERNAME", "DAGSTER_PG_PASSWORD", "DAGSTER_PG_HOST", "DAGSTER_PG_DB", "IPX_DAGSTER_IMAGE"):
        monkeypatch.setenv(name, f"test-{name.lower()}")
    # Each configurable class with its config, checked by the class's own schema (needs the
    # `cluster` extra: dagster-postgres, dagster-k8s; make setup installs every extra).
    import dagster_k8s  # noqa: F401
    import dagster_postgres  # noqa: F401
    classes = [("dagster_postgres", "DagsterPostgresStorage", config["storage"]["postgres"])]
    classes += [(config[k]["module"], config[k]["class"], config[k]["config"]) for k in ("run_launcher", "run_coordinator")]
    for module, name, class_config in classes:
        klass = class_from_code_pointer(module, name)
        processed = process_config(klass.config_type(), class_config)
        assert processed.success, (name, [e.message for e in processed.errors])
    assert processed.value is not None


def test_the_cluster_instance_names_a_postgres_driver_that_is_installed():
    """dagster-postgres builds a SQLAlchemy URL from the storage config; with SQLAlchemy 2.1 a
    bare `postgresql` scheme means psycopg 3, which nothing installs (seen: ModuleNotFoundError
    'psycopg' when the instance was opened against a real Postgres)."""
    import sqlalchemy
    from dagster_postgres.utils import get_conn_string

    postgres_db = yaml.safe_load(DEPLOY_YAML.read_text(encoding="utf-8"))["storage"]["postgres"]["postgres_db"]
    url = get_conn_string(username="u", password="p", hostname="h", db_name="d",
                          scheme=postgres_db.get("scheme", "postgresql"))
    dialect = sqlalchemy.engine.make_url(url).get_dialect()
    assert dialect.import_dbapi() is not None  # raises ModuleNotFoundError when the driver is missing


def test_the_province_job_ingests_one_province_at_a_time(tmp_path):
    import duckdb

    from ipx.definitions import ingest_province
    from ipx.resources import WarehouseResource
    from support.deliveries import employer, uscc, write_delivery

    landing = tmp_path / "landing"
    write_delivery(landing, "hrss_employers", [employer(i) for i in range(3)], province="440000", period="2024Q1")
    write_delivery(landing, "hrss_employers", [employer(10 + i, uscc=uscc(10 + i, "110105"), area_code="110105")
                                               for i in range(2)], province="110000", period="2024Q1")
    write_delivery(landing, "hrss_employers", [employer(20)], province="110000", period="2024Q2",
                   write_manifest=False)  # waits for its manifest
    warehouse = tmp_path / "wh" / "ipx.duckdb"
    resources = {"warehouse": WarehouseResource(path=str(warehouse), landing=str(landing))}

    def ledger():
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return (con.execute("SELECT file_name, status, records_loaded FROM ingest.files ORDER BY 1").fetchall(),
                    [r[0] for r in con.execute("SELECT file_name FROM ingest.pending_files").fetchall()])
        finally:
            con.close()

    assert ingest_province.execute_in_process(partition_key="440000", resources=resources).success
    files, pending = ledger()
    assert files == [("440000_2024Q1_01.csv", "loaded", 3)]
    assert pending == ["110000_2024Q2_01.csv"]  # the feed's whole waiting list, whatever the province
    assert ingest_province.execute_in_process(partition_key="110000", resources=resources).success
    assert ingest_province.execute_in_process(partition_key="440000", resources=resources).success  # nothing new
    files, pending = ledger()
    assert files == [("110000_2024Q1_01.csv", "loaded", 2), ("440000_2024Q1_01.csv", "loaded", 3)]
    assert pending == ["110000_2024Q2_01.csv"]
