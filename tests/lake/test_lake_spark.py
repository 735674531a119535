"""Spark reads the lake as the dbt project declares it (``declare_lake_tables``: one external
Parquet table per ``spark_table_specs`` entry, partitions recovered) and sees the warehouse's
rows: the same count per table, the same partitions, the same values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest
import yaml

from ipx.engine import JAVA_MISSING, java_available
from ipx.lake import lake_tables, spark_table_specs
from ipx.paths import DBT_PROJECT_DIR

pytestmark = pytest.mark.spark


def profile_settings() -> dict[str, str]:
    """The Spark settings of dbt's ``spark`` output that do not depend on the environment (the
    master, memory and folders do: the test sets its own)."""
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    params = profile["ipx"]["outputs"]["spark"].get("server_side_parameters") or {}
    return {k: str(v) for k, v in params.items() if "{{" not in str(v)}


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    if not java_available():
        pytest.fail(JAVA_MISSING)  # `make test` installs it (make java): never skipped
    import pyspark.sql as pyspark_sql  # the spark extra, installed by make setup
    root = tmp_path_factory.mktemp("spark")
    builder = pyspark_sql.SparkSession.builder.master("local[1]").appName("ipx-lake-test")
    for key, value in {
        **profile_settings(),  # as dbt's session will run
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
        "spark.sql.warehouse.dir": str(root / "warehouse"),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={root / 'derby'}",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={root / 'metastore_db'};create=true",
        "spark.sql.shuffle.partitions": "2",
    }.items():
        builder = builder.config(key, value)
    session = builder.enableHiveSupport().getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _declare(spark, specs: list[dict]) -> None:
    """The statements of dbt_project/macros/engine/lake.sql (spark__declare_lake_tables)."""
    for schema in dict.fromkeys(s["schema"] for s in specs):
        spark.sql(f"create database if not exists {schema}")
    for spec in specs:
        name = f"{spec['schema']}.{spec['name']}"
        columns = ", ".join(f"`{c}` {t}" for c, t in spec["columns"] + spec["partitioned_by"])
        partitioned = (f" partitioned by ({', '.join(c for c, _ in spec['partitioned_by'])})"
                       if spec["partitioned_by"] else "")
        spark.sql(f"drop table if exists {name}")
        spark.sql(f"create table {name} ({columns}) using parquet{partitioned} location '{spec['location']}'")
        if spec["partitioned_by"]:
            spark.sql(f"msck repair table {name}")


def _plain(value):
    """One value as both engines' Python rows can be compared: maps and lists as sorted tuples."""
    if isinstance(value, dict):
        return tuple(sorted((k, _plain(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    return value


def test_spark_reads_the_lake_as_the_warehouse_holds_it(small_lake, spark):
    specs = spark_table_specs(small_lake.warehouse, small_lake.lake)
    _declare(spark, specs)
    con = duckdb.connect(str(small_lake.warehouse), read_only=True)
    try:
        tables = {t.key: t for t in lake_tables(con)}
        # rows per table: one Spark query for all of them
        counts = dict(spark.sql(" union all ".join(
            f"select '{s['schema']}/{s['name']}' as t, count(*) as n from {s['schema']}.{s['name']}"
            for s in specs)).collect())
        expected = {key: con.execute(f"SELECT count(*) FROM {t.qualified}").fetchone()[0] for key, t in tables.items()}
        assert counts == expected
        assert expected["raw/hrss_injury_claims"] > 0 and expected["ingest/rejected_records"] > 0

        checked_types: set[type] = set()
        for spec in specs:
            table = tables[f"{spec['schema']}/{spec['name']}"]
            name = f"{spec['schema']}.{spec['name']}"
            keys = [c for c, _ in spec["partitioned_by"]]
            if keys:
                partitions = {tuple(p.split("=", 1)[1] for p in row[0].split("/"))
                              for row in spark.sql(f"show partitions {name}").collect()}
                assert partitions == set(con.execute(
                    f"SELECT DISTINCT {', '.join(keys)} FROM {table.qualified}").fetchall()), name
            # every value of one partition (the one with the most lists and maps in it), selected
            # by a filter on the partition columns as the models' filters select slices. With a
            # Hive metastore this needs spark.sql.hive.metastorePartitionPruning=false in the
            # profile: the metastore's filter grammar rejects names starting with "_" (_province)
            columns = [c for c, _ in spec["columns"] + spec["partitioned_by"]]
            richness = ("count(*) FILTER (WHERE len(_flags) > 0 OR cardinality(_extra) > 0) DESC, count(*) DESC"
                        if spec["schema"] == "raw" else "count(*) DESC")
            where_duck, where_spark, params = "", "", []
            if keys:
                values = con.execute(f"SELECT {', '.join(keys)} FROM {table.qualified} GROUP BY ALL "
                                     f"ORDER BY {richness}, {', '.join(keys)} LIMIT 1").fetchone()
                if values is None:
                    continue  # a feed with no rows: its count (0) is checked above
                where_duck = " WHERE " + " AND ".join(f"{k} = ?" for k in keys)
                where_spark = " where " + " and ".join(f"{k} = '{v}'" for k, v in zip(keys, values, strict=True))
                params = list(values)
            select = ", ".join(f'CAST("{c}" AS {lt.export})' if lt.needs_cast else f'"{c}"'
                               for c, lt in ((c, dict(table.columns)[c]) for c in columns))
            duck = con.execute(f"SELECT {select} FROM {table.qualified}{where_duck}", params).fetchall()
            sparks = spark.sql(f"select {', '.join(f'`{c}`' for c in columns)} from {name}{where_spark}").collect()
            duck_rows = sorted((tuple(_plain(v) for v in row) for row in duck), key=repr)
            spark_rows = sorted((tuple(_plain(v) for v in row) for row in sparks), key=repr)
            assert len(duck_rows) > 0, name
            assert spark_rows == duck_rows, name
            checked_types |= {type(v) for row in duck_rows for v in row}
        # the comparison covered timestamps, dates, decimals, lists and maps, not only strings
        assert {dt.datetime, dt.date, Decimal, tuple, int, str, bool} <= checked_types
    finally:
        con.close()
