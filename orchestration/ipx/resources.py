"""Dagster resources: the warehouse file and the landing folder a run works on."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from ipx.published_db import attach
from ipx.storage import WarehouseLayout

DEFAULT_WAREHOUSE = "data/ipx.duckdb"
# Bounded memory (issue "Scale": peak under 8 GiB on 2 cores / 24 GiB): DuckDB spills beyond it.
DEFAULT_MEMORY_LIMIT = "4GB"


def duckdb_config() -> dict[str, str]:
    return {"memory_limit": os.environ.get("IPX_DUCKDB_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT),
            "preserve_insertion_order": "false"}
DEFAULT_LANDING = "data/landing"


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse written by ingestion and dbt (one writer at a time)."""

    path: str = DEFAULT_WAREHOUSE
    landing: str = DEFAULT_LANDING

    @property
    def layout(self) -> WarehouseLayout:
        return WarehouseLayout.at(self.path)

    @property
    def landing_dir(self) -> Path:
        return Path(self.landing).expanduser().resolve()

    @contextmanager
    def connect(self, read_only: bool = False, published: bool = False):
        """A connection to the warehouse; with ``published``, its published file attached read-only
        (``ipx.published_db``), for what reads the published tables (``marts.mart_*`` ...)."""
        self.layout.warehouse.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.layout.warehouse), read_only=read_only, config=duckdb_config())
        try:
            if published:
                attach(con, self.layout.published_db, read_only=True)
            yield con
        finally:
            con.close()

    def has_taken_deliveries(self) -> bool:
        """Whether the warehouse's ledger holds any delivery, loaded or quarantined. Without one
        there is nothing to build: a mistyped landing folder, or a deployment before its first
        delivery (models over no data would only fail their tests)."""
        if not self.layout.warehouse.exists():
            return False
        with self.connect() as con:
            try:
                return con.execute("SELECT EXISTS (SELECT 1 FROM ingest.files)").fetchone()[0]
            except duckdb.CatalogException:
                return False


def warehouse_from_env() -> WarehouseResource:
    return WarehouseResource(
        path=os.environ.get("IPX_WAREHOUSE", DEFAULT_WAREHOUSE),
        landing=os.environ.get("IPX_LANDING", DEFAULT_LANDING),
    )
