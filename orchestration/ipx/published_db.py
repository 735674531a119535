"""The published database: what the dashboard and the exports read, built by dbt into a file of
its own beside the warehouse (``W.published``, see ``ipx.storage``).

Which tables are published: the marts named ``mart_*`` and the dimensions ``dim_*`` (schema
``marts``) and the reference data (schema ``reference``, the seeds). dbt's
``generate_database_name`` macro puts exactly those into the catalog ``ipx_published``, which the
DuckDB profile attaches from ``W.published``; the facts, intermediates and staging stay in ``W``.

Why a file of its own: publishing is then a file copy (``ipx.serving``). Copying the published
tables into a new DuckDB file rewrote every row group of them on every run (about 24 s a run at
national volume, most of it the employer-level marts, whatever the run changed); a file copy of
the same data takes about 1 s.

The warehouse ``W`` keeps a view ``marts.<table>`` / ``reference.<table>`` over each published
table (``link_views``, after every build), so SQL that reads the warehouse reads the same names as
before; a connection to ``W`` sees them once the published file is attached (``connect``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ipx.storage import WarehouseLayout

# The alias the DuckDB profile (dbt_project/profiles.yml) and every reader attach W.published under.
CATALOG = "ipx_published"
SCHEMAS = ("marts", "reference")
# Published models of schema ``marts`` (the macro generate_database_name applies the same rule):
# the marts and the dimensions. The facts (record level, persons' pseudonyms, ~all of the rows at
# national volume) stay in the warehouse: nothing served reads them.
MART_PREFIXES = ("mart_", "dim_")


def quote_identifier(identifier: str) -> str:
    """A DuckDB identifier, double-quoted."""
    return '"' + identifier.replace('"', '""') + '"'


def attach(con: duckdb.DuckDBPyConnection, published: Path, read_only: bool = True) -> bool:
    """Attach ``published`` as ``ipx_published``; False when the file does not exist (yet)."""
    if not published.exists():
        return False
    path = str(published).replace("'", "''")
    mode = " (READ_ONLY)" if read_only else ""
    # IF NOT EXISTS: connections to one file in one process share its catalog, attachments included
    con.execute(f"ATTACH IF NOT EXISTS '{path}' AS {CATALOG}{mode}")
    return True


def connect(path: str | Path, read_only: bool = True, config: dict | None = None) -> duckdb.DuckDBPyConnection:
    """A connection to a DuckDB file that reads its published tables by their usual names: for a
    warehouse, its published file is attached (the views in ``W`` read it); any other file (a
    serving copy holds its tables itself) is opened as it is."""
    con = duckdb.connect(str(path), read_only=read_only, config=config or {})
    try:
        attach(con, WarehouseLayout.at(path).published_db, read_only=True)
    except Exception:
        con.close()
        raise
    return con


def published_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, table) of every table in the attached published catalog."""
    return [tuple(r) for r in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name IN ? "
        "ORDER BY 1, 2", [CATALOG, list(SCHEMAS)]).fetchall()]


def link_views(layout: WarehouseLayout) -> int:
    """In the warehouse, one view over each published table, under the table's own schema and name.

    A table of that name in the warehouse (a warehouse built before the published file existed)
    is dropped first; a view over a published table that no longer exists is dropped. Returns the
    number of views."""
    con = duckdb.connect(str(layout.warehouse))
    try:
        if not attach(con, layout.published_db, read_only=True):
            return 0
        tables = published_tables(con)
        wanted = set(tables)
        main = con.execute("SELECT current_database()").fetchone()[0]
        con.execute("BEGIN")
        stale = con.execute(
            "SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = ? AND schema_name IN ? "
            "AND contains(sql, ?)", [main, list(SCHEMAS), CATALOG + "."]).fetchall()
        for schema, view in stale:
            if (schema, view) not in wanted:
                con.execute(f"DROP VIEW {quote_identifier(schema)}.{quote_identifier(view)}")
        own_tables = {tuple(r) for r in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name IN ?",
            [main, list(SCHEMAS)]).fetchall()}
        for schema, table in tables:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_identifier(schema)}")
            if (schema, table) in own_tables:
                con.execute(f"DROP TABLE {quote_identifier(schema)}.{quote_identifier(table)}")
            con.execute(f"CREATE OR REPLACE VIEW {quote_identifier(schema)}.{quote_identifier(table)} AS "
                        f"SELECT * FROM {CATALOG}.{quote_identifier(schema)}.{quote_identifier(table)}")
        con.execute("COMMIT")
        return len(tables)
    finally:
        con.close()


def checkpoint(layout: WarehouseLayout) -> None:
    """Write the published file's WAL (if any) into the file, so that a copy of the file alone
    holds all of it."""
    con = duckdb.connect(str(layout.published_db))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()


def discard(layout: WarehouseLayout) -> None:
    """Remove the published file (and its WAL): its warehouse is gone, so its incremental tables
    must not be built upon."""
    for path in (layout.published_db, layout.published_db.with_name(layout.published_db.name + ".wal")):
        path.unlink(missing_ok=True)
