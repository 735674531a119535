"""Export files offered for download on the pages, as bytes, written by ``ipx.exports`` from the
published copy (never re-made here). ``scope`` is what ``ipx export --province`` takes: None for
everything, or the provinces a provincial user may see (national rows stay in its files)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb

from ipx.exports.published import open_published

ExportFunction = Callable[..., int]  # (con, out, year, scope=...) -> rows written


def export_bytes(export: ExportFunction, warehouse: Path, year: int | None, scope: frozenset[str] | None = None,
                 suffix: str = ".xlsx") -> bytes:
    """The bytes of the file ``export(con, out, year, scope=scope)`` writes from the published copy
    of ``warehouse``."""
    con: duckdb.DuckDBPyConnection = open_published(warehouse)
    try:
        with tempfile.TemporaryDirectory(prefix="ipx-download-") as tmp:
            out = Path(tmp) / f"export{suffix}"
            export(con, out, year, scope=scope)
            return out.read_bytes()
    finally:
        con.close()


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_button(label: str, *, viewer, what: str, make: Callable[[], bytes], year: int | None, file_name: str,
                    key: str) -> None:
    """An XLSX download of an export, made only when clicked and written to the access log with
    the viewer, what, the year and the provinces whose details it holds (the viewer's scope)."""
    import streamlit as st

    from dashboards import access_log, data

    st.download_button(
        label, data=lambda: access_log.download(data.warehouse_path(), viewer, what, make, year=year,
                                                provinces=viewer.scope),
        file_name=file_name, mime=XLSX_MIME, key=key, on_click="ignore", icon=":material/download:")
