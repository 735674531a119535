"""Fixtures for the generator tests: one ``small`` landing folder per session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ipx.generator import generate

SMALL_SEED = 7


@pytest.fixture(scope="session")
def small_landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("small_landing")
    truth = generate(out, scale="small", seed=SMALL_SEED)
    return out, truth


@pytest.fixture(scope="session")
def checked_files(small_landing) -> dict[tuple[str, str], dict]:
    """The independent reading (``landing_checks.check_file``) of every readable file."""
    from landing_checks import check_file

    from ipx.contracts import load_contracts

    out, truth = small_landing
    contracts = load_contracts()
    results = {}
    for f in truth["files"]:
        if f["quarantine_reason"] in ("manifest_unreadable", "sha256_mismatch"):
            continue
        results[(f["feed"], f["file"])] = check_file(out / f["feed"] / f["file"], contracts[f["feed"]], f["encoding"])
    return results


@pytest.fixture(scope="session")
def small_truth_file(small_landing) -> dict:
    out, _ = small_landing
    return json.loads((out / "_meta" / "ground_truth.json").read_text(encoding="utf-8"))
