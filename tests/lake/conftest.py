"""The lake's fixtures: the session's ``small`` warehouse exported once, and private copies of it
for the tests that change the warehouse or the lake."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from ipx.lake import LakeExport, export_lake


@dataclass
class Lake:
    warehouse: Path
    lake: Path
    first: LakeExport


@pytest.fixture(scope="module")
def small_lake(small_build, tmp_path_factory) -> Lake:
    """The ``small`` build's warehouse (read only) exported to a lake of this module's."""
    lake = tmp_path_factory.mktemp("lake") / "ipx.duckdb.lake"
    return Lake(small_build.warehouse, lake, export_lake(small_build.warehouse, lake))


@pytest.fixture
def own_lake(small_build, tmp_path) -> Lake:
    """A private copy of the ``small`` warehouse, exported to a fresh lake: free to change."""
    warehouse = tmp_path / "wh" / "ipx.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(small_build.warehouse, warehouse)
    lake = tmp_path / "wh" / "ipx.duckdb.lake"
    return Lake(warehouse, lake, export_lake(warehouse, lake))
