"""Opening the published data for reading: the serving copy if one has been published, else
the warehouse file itself, read-only. Exports and the dashboard read only from here."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ipx import published_db
from ipx.serving import current_serving_file
from ipx.settings import ConfigurationError
from ipx.storage import WarehouseLayout


def published_file(warehouse: Path) -> Path:
    layout = WarehouseLayout.at(warehouse)
    serving = current_serving_file(layout)
    if serving is not None:
        return serving
    # current.json missing or naming a removed copy: the newest complete copy, never the writer's file
    copies = sorted(layout.serving_dir.glob("ipx-*.duckdb")) if layout.serving_dir.is_dir() else []
    if copies:
        return copies[-1]
    if layout.warehouse.exists():
        return layout.warehouse
    raise ConfigurationError(f"no published data for {warehouse}: run `ipx run` first")


def open_published(warehouse: Path) -> duckdb.DuckDBPyConnection:
    return published_db.connect(published_file(warehouse), read_only=True)
