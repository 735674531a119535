"""The kinds of ``ipx export`` and the module that writes each."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ipx.exports.rejects import export_rejects

EXPORTS = {
    "rejects": lambda con, out, year: export_rejects(con, out),
}


def run_export(kind: str, warehouse: Path, out: Path, year: int | None = None) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return EXPORTS[kind](con, out, year)
    finally:
        con.close()
