"""Where the project's non-Python parts live (dbt project, seeds, expectations, dashboard).

ipx is installed editable from its repository, so these are found relative to this file;
``IPX_HOME`` overrides the repository root for unusual layouts.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(os.environ.get("IPX_HOME", Path(__file__).resolve().parents[2]))
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DASHBOARD_DIR = REPO_ROOT / "dashboards"
CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts" / "feeds"
