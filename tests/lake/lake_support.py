"""Reading the lake back with DuckDB and comparing it with the warehouse, row for row."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ipx.lake import lake_tables


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lake_differences(warehouse: Path, lake: Path) -> dict[str, tuple[int, int, int, int]]:
    """Per lake table: (rows in DuckDB, rows in the lake, rows only in DuckDB, rows only in the
    lake), counting duplicates (EXCEPT ALL both ways). The lake is read with hive partitioning,
    partition columns as strings; JSON columns are compared as the strings the lake holds."""
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("SET enable_progress_bar = false")
    out = {}
    try:
        for table in lake_tables(con):
            cols = ", ".join(
                f"CAST({_q(n)} AS {t.export}) AS {_q(n)}" if t.needs_cast else _q(n) for n, t in table.columns)
            lake_cols = ", ".join(_q(n) for n, _ in table.columns)
            files = (lake / table.key).as_posix() + "/" + "*/" * len(table.partition_by) + "*.parquet"
            if not list((lake / table.key).glob("*/" * len(table.partition_by) + "*.parquet")):
                lake_rel = f"(SELECT {lake_cols} FROM {table.qualified} WHERE false)"
            else:
                types = ", ".join(f"{_q(p)}: 'VARCHAR'" for p in table.partition_by)
                hive = f", hive_partitioning = true, hive_types = {{{types}}}" if table.partition_by else ""
                lake_rel = f"(SELECT {lake_cols} FROM read_parquet('{files}'{hive}))"
            duck_rel = f"(SELECT {cols} FROM {table.qualified})"
            n_duck = con.execute(f"SELECT count(*) FROM {duck_rel}").fetchone()[0]
            n_lake = con.execute(f"SELECT count(*) FROM {lake_rel}").fetchone()[0]
            only_duck = con.execute(f"SELECT count(*) FROM ({duck_rel} EXCEPT ALL {lake_rel})").fetchone()[0]
            only_lake = con.execute(f"SELECT count(*) FROM ({lake_rel} EXCEPT ALL {duck_rel})").fetchone()[0]
            out[table.key] = (n_duck, n_lake, only_duck, only_lake)
    finally:
        con.close()
    return out
