"""Copies of a built warehouse for tests that run ipx on it: the file and every folder beside it
(``W.serving``, ``W.dbt``, ``W.dagster``, ...), so the copy's next run sees what the original saw."""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_warehouse(source: Path, target_dir: Path) -> Path:
    target_dir.mkdir(parents=True)
    for path in source.parent.iterdir():
        if path.name.startswith(source.name):
            (shutil.copytree if path.is_dir() else shutil.copyfile)(path, target_dir / path.name)
    return target_dir / source.name
