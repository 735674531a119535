"""After a Spark build: the published tables copied back into the DuckDB warehouse.

The dashboard and ``ipx export`` read the DuckDB serving copy, which ``ipx.serving`` makes from
the warehouse's ``marts.mart_*``, ``marts.dim_*`` and ``reference.*``. After a Spark build those
tables are Parquet files under the Spark warehouse dir (``<dir>/<schema>.db/<table>/``, Hive
partition folders for tables partitioned by province); DuckDB reads them directly (no Spark
needed) and replaces its own tables with them, all in one transaction: a failure leaves the
warehouse's published tables as they were.

Which tables: the published nodes of the dbt manifest (parsed for the DuckDB target): models in
schema ``marts`` named ``mart_*`` / ``dim_*``, and the seeds and models of schema ``reference``.

Column types are those the DuckDB build would give:

1. a column's ``data_type`` in the manifest (every ``mart_*`` has an enforced contract), else
2. a seed's ``column_types`` (``dbt_project.yml``), else
3. the type DuckDB reads from Spark's Parquet (string → VARCHAR,
   int → INTEGER, bigint → BIGINT, double → DOUBLE, decimal(p,s) → DECIMAL(p,s), date → DATE,
   timestamp_ntz → TIMESTAMP, boolean → BOOLEAN, array<t> → t[]), except that a timestamp with
   time zone becomes a TIMESTAMP in UTC (the Spark session runs in UTC; the DuckDB models hold
   naive timestamps) and a Hive partition column (always read as text) becomes VARCHAR.

Column order: the manifest's when it lists every column, else the Parquet files' with a table's
partition columns put back where the manifest or the existing DuckDB table has them (Spark moves
partition columns last).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ipx.published_db import MART_PREFIXES  # what the serving copy publishes is what comes back
from ipx.published_db import quote_identifier as _quote


class CopyBackError(RuntimeError):
    pass


@dataclass(frozen=True)
class PublishedTable:
    schema: str
    name: str
    columns: tuple[tuple[str, str | None], ...]  # (name, declared DuckDB type or None), manifest order
    complete: bool = False  # an enforced contract: exactly these columns


@dataclass
class CopyBack:
    tables: dict[str, int] = field(default_factory=dict)  # "schema.table" -> rows

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def published_tables(manifest_path: Path) -> list[PublishedTable]:
    """The tables the serving copy publishes, with their declared column types."""
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    tables = []
    for node in manifest["nodes"].values():
        kind, schema = node["resource_type"], node["schema"]
        name = node.get("alias") or node["name"]
        if kind not in ("model", "seed") or node["config"].get("materialized") == "ephemeral":
            continue
        if not ((schema == "marts" and kind == "model" and name.startswith(MART_PREFIXES))
                or schema == "reference"):
            continue
        seed_types = {k.lower(): v for k, v in (node["config"].get("column_types") or {}).items()}
        columns = [(c.get("name") or key, c.get("data_type")) for key, c in node.get("columns", {}).items()]
        known = {c.lower() for c, _ in columns}
        columns += [(c, t) for c, t in seed_types.items() if c not in known]
        columns = [(c, t or seed_types.get(c.lower())) for c, t in columns]
        enforced = bool((node["config"].get("contract") or {}).get("enforced"))
        tables.append(PublishedTable(schema, name, tuple(columns), enforced))
    return sorted(tables, key=lambda t: (t.schema, t.name))


def spark_table_dir(spark_warehouse: Path, schema: str, table: str) -> Path:
    return Path(spark_warehouse) / f"{schema}.db" / table


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _existing(con, schema: str, name: str) -> tuple[str | None, list[str]]:
    """('table' | 'view' | None, its column names) of ``schema.name`` in the warehouse."""
    kind = con.execute(
        "SELECT 'table' FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ? "
        "AND table_name = ? UNION ALL SELECT 'view' FROM duckdb_views() WHERE database_name = current_database() "
        "AND schema_name = ? AND view_name = ?", [schema, name, schema, name]).fetchone()
    if kind is None:
        return None, []
    columns = [r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = ? "
        "AND table_name = ? ORDER BY column_index", [schema, name]).fetchall()]
    return kind[0], columns


def _select(con, table: PublishedTable, folder: Path, existing_columns: list[str]) -> str:
    """The SELECT that reads one Spark table's files as the DuckDB build's columns and types."""
    files = sorted(p for p in folder.rglob("*.parquet") if not p.name.startswith((".", "_")))
    declared = {c.lower(): t for c, t in table.columns}
    if not files:
        # Spark may write no file at all for an empty table: the manifest must then say it all
        if not table.columns or any(t is None for _, t in table.columns):
            raise CopyBackError(f"{table.schema}.{table.name}: no Parquet files in {folder} and no declared "
                                "type for every column to create it empty")
        cols = ", ".join(f"CAST(NULL AS {t}) AS {_quote(c)}" for c, t in table.columns)
        return f"SELECT {cols} WHERE false"
    partitioned = any("=" in part for p in files for part in p.relative_to(folder).parts[:-1])
    source = (f"read_parquet({_literal(str(folder))} || '/**/*.parquet', hive_partitioning = {str(partitioned).lower()}, "
              "hive_types_autocast = false, union_by_name = true)")
    described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    found = {r[0].lower(): (r[0], r[1]) for r in described}
    order = [c for c, _ in table.columns]
    if {c.lower() for c in order} != set(found):
        if table.complete:
            missing = [c for c in order if c.lower() not in found]
            extra = [found[k][0] for k in found if k not in {c.lower() for c in order}]
            raise CopyBackError(f"{table.schema}.{table.name}: Spark's columns differ from its contract "
                                f"(missing {missing}, unexpected {extra})")
        order = [r[0] for r in described]
        if existing_columns and {c.lower() for c in existing_columns} == set(found):
            order = existing_columns  # the DuckDB build's order (Spark moves partition columns last)
    parts = []
    for column in order:
        name, read_type = found[column.lower()]
        target = declared.get(column.lower())
        if target is None:
            target = "TIMESTAMP" if read_type.upper() == "TIMESTAMP WITH TIME ZONE" else None
        expr = _quote(name)
        if read_type.upper() == "TIMESTAMP WITH TIME ZONE":
            expr = f"timezone('UTC', {expr})"
        parts.append(f"CAST({expr} AS {target}) AS {_quote(column)}" if target else f"{expr} AS {_quote(column)}")
    return f"SELECT {', '.join(parts)} FROM {source}"


def copy_back(con, spark_warehouse: Path, manifest_path: Path) -> CopyBack:
    """Replace the warehouse's published tables with the Spark build's, in one transaction on the
    (read-write) DuckDB connection ``con``."""
    tables = published_tables(manifest_path)
    if not tables:
        raise CopyBackError(f"no published tables in {manifest_path}")
    missing = [f"{t.schema}.{t.name}" for t in tables if not spark_table_dir(spark_warehouse, t.schema, t.name).is_dir()]
    if missing:
        raise CopyBackError(f"the Spark build left no files for {', '.join(missing)} under {spark_warehouse}")
    report = CopyBack()
    con.execute("BEGIN TRANSACTION")
    try:
        for table in tables:
            kind, existing_columns = _existing(con, table.schema, table.name)
            select = _select(con, table, spark_table_dir(spark_warehouse, table.schema, table.name), existing_columns)
            qualified = f"{_quote(table.schema)}.{_quote(table.name)}"
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(table.schema)}")
            if kind == "view":
                con.execute(f"DROP VIEW {qualified}")
            con.execute(f"CREATE OR REPLACE TABLE {qualified} AS {select}")
            report.tables[f"{table.schema}.{table.name}"] = con.execute(f"SELECT count(*) FROM {qualified}").fetchone()[0]
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return report
