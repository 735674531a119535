"""The contract model and its loader.

A contract names each column's Chinese header, semantic type and rules. Semantic types:

- ``text``: free text, NFKC-normalised and trimmed.
- ``uscc``, ``resident_id``, ``area_code``, ``industry_code``: identifiers of spec section 2.
- ``int``, ``dec``: numbers (thousands separators accepted); ``grade`` an int that may be
  written ``一级``..``十级``; ``percent`` a number that may carry ``%``; ``amount`` a yuan
  amount whose header may carry ``（万元）``, then scaled by 10,000.
- ``date``, ``datetime``: the date forms of spec section 1.
- ``enum``: one of ``values`` (or ``synonyms``, or a reference seed), compared after NFKC.

Rules: ``required`` (blank is R), ``min``/``max``/``min_exclusive`` with ``range_severity``,
``not_before`` another date column (R), ``not_above`` another column with its severity,
``required_when`` another column has a value, and named feed-level ``checks``. Anything not
marked W is R, as the spec says.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ipx.paths import CONTRACTS_DIR

SEMANTIC_TYPES = {
    "text", "uscc", "resident_id", "area_code", "industry_code",
    "int", "dec", "grade", "percent", "amount", "date", "datetime", "enum",
}
CADENCES = {"monthly", "quarterly", "annual"}
SEVERITIES = {"R", "W"}
PII_ACTIONS = {None, "pseudonymise", "drop"}
FEED_CHECKS = {"severity_matches_counts", "exposure_limit_known", "unit_matches_limit"}

# The warehouse type each semantic type loads as.
SQL_TYPES = {
    "text": "VARCHAR", "uscc": "VARCHAR", "resident_id": "VARCHAR", "area_code": "VARCHAR",
    "industry_code": "VARCHAR", "int": "BIGINT", "grade": "INTEGER", "dec": "DECIMAL(18,4)",
    "percent": "DECIMAL(18,4)", "amount": "DECIMAL(18,2)", "date": "DATE",
    "datetime": "TIMESTAMP", "enum": "VARCHAR",
}


def nfkc(text: str) -> str:
    """The text comparison form of the spec: NFKC, trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


class ContractError(ValueError):
    """A contract file that does not describe a feed consistently."""


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    type: str
    required: bool = False
    pii: str | None = None
    values: tuple[str, ...] = ()
    synonyms: dict[str, str] = field(default_factory=dict)
    reference: str | None = None
    min: float | None = None
    max: float | None = None
    min_exclusive: float | None = None
    range_severity: str = "R"
    not_before: str | None = None
    not_above: str | None = None
    not_above_severity: str = "R"
    required_when: dict[str, str] = field(default_factory=dict)
    sql_type_override: str | None = None
    description: str = ""

    @property
    def header_key(self) -> str:
        return nfkc(self.header)

    @property
    def loaded(self) -> bool:
        """Whether the column reaches the warehouse at all (names are dropped)."""
        return self.pii != "drop"

    @property
    def warehouse_name(self) -> str:
        return "person_pseudonym" if self.pii == "pseudonymise" else self.name

    @property
    def sql_type(self) -> str:
        return self.sql_type_override or SQL_TYPES[self.type]

    @property
    def has_range(self) -> bool:
        return self.min is not None or self.max is not None or self.min_exclusive is not None


@dataclass(frozen=True)
class FeedCheck:
    check: str
    severity: str
    field: str


@dataclass(frozen=True)
class FeedContract:
    feed: str
    title_zh: str
    agency: str
    cadence: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    checks: tuple[FeedCheck, ...] = ()
    snapshot: bool = False
    latest_period_is_current: bool = False
    expected_in_delivery_share: bool = True
    source_path: Path | None = None

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.feed} has no column {name!r}")

    @property
    def loaded_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.loaded)

    @property
    def raw_table(self) -> str:
        return f"raw.{self.feed}"


def _column(feed: str, spec: dict[str, Any]) -> Column:
    spec = dict(spec)
    unknown = set(spec) - {
        "name", "header", "type", "required", "pii", "values", "synonyms", "reference",
        "min", "max", "min_exclusive", "range_severity", "not_before", "not_above",
        "not_above_severity", "required_when", "sql_type", "description",
    }
    if unknown:
        raise ContractError(f"{feed}: column {spec.get('name')}: unknown keys {sorted(unknown)}")
    for key in ("name", "header", "type"):
        if key not in spec:
            raise ContractError(f"{feed}: a column lacks {key!r}")
    col = Column(
        name=spec["name"],
        header=spec["header"],
        type=spec["type"],
        required=bool(spec.get("required", False)),
        pii=spec.get("pii"),
        values=tuple(str(v) for v in spec.get("values", ())),
        synonyms={str(k): str(v) for k, v in (spec.get("synonyms") or {}).items()},
        reference=spec.get("reference"),
        min=spec.get("min"),
        max=spec.get("max"),
        min_exclusive=spec.get("min_exclusive"),
        range_severity=spec.get("range_severity", "R"),
        not_before=spec.get("not_before"),
        not_above=spec.get("not_above"),
        not_above_severity=spec.get("not_above_severity", "R"),
        required_when={str(k): str(v) for k, v in (spec.get("required_when") or {}).items()},
        sql_type_override=spec.get("sql_type"),
        description=spec.get("description", ""),
    )
    if col.type not in SEMANTIC_TYPES:
        raise ContractError(f"{feed}.{col.name}: unknown type {col.type!r}")
    if col.pii not in PII_ACTIONS:
        raise ContractError(f"{feed}.{col.name}: unknown pii action {col.pii!r}")
    if col.range_severity not in SEVERITIES or col.not_above_severity not in SEVERITIES:
        raise ContractError(f"{feed}.{col.name}: severities are R or W")
    if col.type == "enum" and not (col.values or col.reference):
        raise ContractError(f"{feed}.{col.name}: an enum needs values or a reference")
    if col.type != "enum" and (col.values or col.reference):
        raise ContractError(f"{feed}.{col.name}: values/reference only apply to enums")
    if not col.name.isidentifier() or col.name.startswith("_"):
        raise ContractError(f"{feed}: column name {col.name!r} is not a plain identifier")
    return col


def parse_contract(data: dict[str, Any], source: Path | None = None) -> FeedContract:
    feed = data.get("feed")
    if not feed or not str(feed).isidentifier():
        raise ContractError(f"{source}: 'feed' must be an identifier")
    columns = tuple(_column(feed, c) for c in data.get("columns", ()))
    if not columns:
        raise ContractError(f"{feed}: no columns")
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise ContractError(f"{feed}: duplicate column names")
    headers = [c.header_key for c in columns]
    if len(set(headers)) != len(headers):
        raise ContractError(f"{feed}: duplicate headers")
    key = tuple(data.get("key") or (names[0],))
    for ref in key:
        if ref not in names:
            raise ContractError(f"{feed}: key column {ref!r} is not a column")
    for col in columns:
        for other in (col.not_before, col.not_above, *col.required_when):
            if other and other not in names:
                raise ContractError(f"{feed}.{col.name}: refers to unknown column {other!r}")
    checks = tuple(
        FeedCheck(check=c["check"], severity=c.get("severity", "R"), field=c["field"])
        for c in data.get("checks", ())
    )
    for chk in checks:
        if chk.check not in FEED_CHECKS:
            raise ContractError(f"{feed}: unknown check {chk.check!r}")
        if chk.field not in names:
            raise ContractError(f"{feed}: check {chk.check} names unknown field {chk.field!r}")
    cadence = data.get("cadence")
    if cadence not in CADENCES:
        raise ContractError(f"{feed}: cadence must be one of {sorted(CADENCES)}")
    return FeedContract(
        feed=feed,
        title_zh=data.get("title_zh", feed),
        agency=data.get("agency", ""),
        cadence=cadence,
        key=key,
        columns=columns,
        checks=checks,
        snapshot=bool(data.get("snapshot", False)),
        latest_period_is_current=bool(data.get("latest_period_is_current", False)),
        expected_in_delivery_share=bool(data.get("expected_in_delivery_share", True)),
        source_path=source,
    )


def load_contract_file(path: Path) -> FeedContract:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    contract = parse_contract(data, path)
    if contract.feed != path.stem:
        raise ContractError(f"{path}: file name must be the feed id {contract.feed!r}")
    return contract


def load_contracts(directory: Path | None = None) -> dict[str, FeedContract]:
    """All feed contracts, by feed id, in a stable order."""
    directory = directory or CONTRACTS_DIR
    return {c.feed: c for c in (load_contract_file(p) for p in sorted(directory.glob("*.yaml")))}


@functools.cache
def _default_contracts() -> dict[str, FeedContract]:
    return load_contracts()


def contract_for(feed: str) -> FeedContract:
    return _default_contracts()[feed]
