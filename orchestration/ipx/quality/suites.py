"""Expectation suites derived from feed contracts.

A suite describes what every record of ``raw.<feed>`` must satisfy after ingestion: the
contract's R rules that can be stated per column, the pseudonym form, lineage. Suites are
plain data (``suite_spec``); ``expectations/<feed>.json`` holds them as written by
``ipx expectations``, and a test keeps those files equal to what the contracts derive.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ipx.contracts import FeedContract
from ipx.identifiers import USCC_CHARSET
from ipx.ingestion import sql_rules
from ipx.ingestion.warehouse import raw_columns

PATTERNS = {
    "uscc": f"^[{USCC_CHARSET}]{{18}}$",
    "area_code": r"^[0-9]{6}$",
    "industry_code": r"^[A-T]?(?:[0-9]{2}|[0-9]{4})$",
}
PSEUDONYM_PATTERN = r"^[0-9a-f]{64}$"


def _exp(kind: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": kind, "kwargs": kwargs}


def suite_spec(contract: FeedContract) -> dict[str, Any]:
    """The feed's suite as data: name and a list of {type, kwargs}."""
    exps: list[dict[str, Any]] = [
        _exp("expect_table_columns_to_match_set",
             column_set=[name for name, _ in raw_columns(contract)], exact_match=True),
    ]
    for col in contract.loaded_columns:
        name = col.warehouse_name
        if col.required:
            exps.append(_exp("expect_column_values_to_not_be_null", column=name))
        if col.pii == "pseudonymise":
            exps.append(_exp("expect_column_values_to_match_regex", column=name, regex=PSEUDONYM_PATTERN))
        elif col.type in PATTERNS:
            exps.append(_exp("expect_column_values_to_match_regex", column=name, regex=PATTERNS[col.type]))
        if col.type == "enum":
            values = sorted(set(sql_rules.enum_mapping(col).values()))
            exps.append(_exp("expect_column_values_to_be_in_set", column=name, value_set=values))
        if col.range_severity == "R" and col.has_range:
            low = col.min if col.min is not None else col.min_exclusive
            exps.append(_exp("expect_column_values_to_be_between", column=name, min_value=low,
                             max_value=col.max, strict_min=col.min_exclusive is not None))
    for lineage in ("_file", "_sha256", "_province", "_period", "_seq", "_record_no", "_exported_at"):
        exps.append(_exp("expect_column_values_to_not_be_null", column=lineage))
    exps.append(_exp("expect_column_values_to_be_between", column="_record_no", min_value=1))
    key = [contract.column(k).warehouse_name for k in contract.key]
    exps.append(_exp("expect_compound_columns_to_be_unique", column_list=["_file", *key]))
    return {"name": f"raw_{contract.feed}", "feed": contract.feed, "expectations": exps}


def suite_path(directory: Path, feed: str) -> Path:
    return directory / f"{feed}.json"


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, ensure_ascii=False, indent=2) + "\n"


def write_suites(contracts: dict[str, FeedContract], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for contract in contracts.values():
        path = suite_path(directory, contract.feed)
        path.write_text(render(suite_spec(contract)), encoding="utf-8")
        written.append(path)
    return written
