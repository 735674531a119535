"""The specification ships with the product: docs/ is current with the contracts, the published
marts and the exposures, and names nothing outside the repository."""

from __future__ import annotations

from pathlib import Path

import yaml

from ipx.cli import main
from ipx.contracts import load_contracts
from ipx.documentation import generated_docs, stale_docs
from ipx.exports.registry import EXPORTS
from ipx.ingestion.validation import ValidationPlan
from ipx.paths import DASHBOARD_DIR, DBT_PROJECT_DIR, REPO_ROOT


def test_docs_are_current(capsys):
    assert stale_docs(load_contracts(), REPO_ROOT) == [], "run `ipx docs` and commit docs/"
    assert main(["docs", "--check"]) == 0


def test_a_changed_contract_makes_the_docs_stale(tmp_path):
    contracts = load_contracts()
    pages = generated_docs(contracts, REPO_ROOT)
    for rel, text in pages.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    (tmp_path / "docs/feeds/em_hazards.md").write_text("old", encoding="utf-8")
    (tmp_path / "docs/feeds/retired_feed.md").write_text("<!-- generated ... -->", encoding="utf-8")
    # the generated pages depend on the repository's dbt folder for the figures; point at it
    (tmp_path / "dbt_project").symlink_to(DBT_PROJECT_DIR)
    assert stale_docs(contracts, tmp_path) == [Path("docs/feeds/em_hazards.md"), Path("docs/feeds/retired_feed.md")]


def test_every_feed_page_states_headers_rules_key_and_life_span():
    contracts = load_contracts()
    pages = generated_docs(contracts, REPO_ROOT)
    for feed, contract in contracts.items():
        page = pages[Path(f"docs/feeds/{feed}.md")]
        assert f"| Life span | from {contract.first_period}" in page
        for col in contract.columns:
            assert f"| `{col.name}` | {col.header} |" in page
        for rule in ValidationPlan(contract).rules():
            assert f"| `{rule.field}` | `{rule.rule}` | {rule.severity} |" in page
    hazards = pages[Path("docs/feeds/em_hazards.md")]
    assert "| `deadline` | `not_before` | R | 整改期限: 早于发现日期 |" in hazards
    assert "due on day 15 of the month after the period ends" in hazards


def test_every_published_column_has_a_definition_on_its_figure_page():
    pages = generated_docs(load_contracts(), REPO_ROOT)
    for yml in (DBT_PROJECT_DIR / "models/marts/published").glob("*.yml"):
        for model in yaml.safe_load(yml.read_text(encoding="utf-8"))["models"]:
            page = pages[Path(f"docs/figures/{model['name']}.md")]
            assert f"dbt_project/models/marts/published/{model['name']}.sql" in page
            for col in model["columns"]:
                assert f"| `{col['name']}` |" in page


def test_exposures_name_every_dashboard_page_and_export_and_only_published_marts():
    spec = yaml.safe_load((DBT_PROJECT_DIR / "models/exposures.yml").read_text(encoding="utf-8"))
    names = {e["name"] for e in spec["exposures"]}
    pages = {p.stem for p in (DASHBOARD_DIR / "views").glob("*.py")}
    assert {f"page_{p}" for p in pages} <= names
    assert {f"export_{k.replace('-', '_')}" for k in EXPORTS if k != "rejects"} <= names
    published = {p.stem for p in (DBT_PROJECT_DIR / "models/marts/published").glob("*.sql")}
    for exposure in spec["exposures"]:
        for dep in exposure["depends_on"]:
            assert dep.split("'")[1] in published, (exposure["name"], dep)


def test_docs_name_nothing_outside_the_product():
    for path in (REPO_ROOT / "docs").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text and "/work/" not in text and "exchange-spec" not in text, path


def test_every_model_has_its_yaml_beside_it():
    models = DBT_PROJECT_DIR / "models"
    missing = [p.relative_to(models).as_posix() for p in models.rglob("*.sql") if not p.with_suffix(".yml").exists()
               and not any(p.stem in y.read_text(encoding="utf-8") for y in p.parent.glob("_*.yml"))]
    assert missing == []
