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

Life span: every contract states ``first_period``, the first period agencies deliver (in the
feed's cadence: ``YYYYMM``, ``YYYYQn`` or ``YYYY``), and may state ``last_period`` (a retired
feed). Expected slices, delivery shares and feed health count the feed only inside its span,
so adding or retiring a feed changes no figure of a period outside it.

Where contracts are found: the package's ``contracts/feeds/*.yaml``, plus every ``*.yaml`` of
the folders named in ``IPX_CONTRACTS_DIR`` (``os.pathsep``-separated) — a deployment can add a
feed without touching the package. A feed id defined twice is an error.
"""

from __future__ import annotations

import functools
import os
import re
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
AGENCIES = {"hrss", "em", "nhc", "acftu"}
# A period label of each cadence (spec section 1).
PERIOD_PATTERNS = {
    "monthly": re.compile(r"^\d{4}(0[1-9]|1[0-2])$"),
    "quarterly": re.compile(r"^\d{4}Q[1-4]$"),
    "annual": re.compile(r"^\d{4}$"),
}
PERIOD_EXAMPLES = {"monthly": "202401", "quarterly": "2024Q1", "annual": "2024"}
CONTRACTS_ENV = "IPX_CONTRACTS_DIR"
TOP_LEVEL_KEYS = {
    "feed", "title_zh", "agency", "cadence", "key", "snapshot", "latest_period_is_current",
    "expected_in_delivery_share", "first_period", "last_period", "columns", "checks", "description",
}
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
    first_period: str = ""
    last_period: str | None = None
    description: str = ""
    source_path: Path | None = None

    def in_span(self, period: str) -> bool:
        """Whether ``period`` (a label of this feed's cadence) lies inside the feed's life span."""
        return period >= self.first_period and (self.last_period is None or period <= self.last_period)

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


def _period(feed: str, cadence: str, key: str, value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not PERIOD_PATTERNS[cadence].match(text):
        raise ContractError(f"{feed}: {key} {text!r} is not a {cadence} period "
                            f"(write it like {PERIOD_EXAMPLES[cadence]!r})")
    return text


def parse_contract(data: dict[str, Any], source: Path | None = None) -> FeedContract:
    if not isinstance(data, dict):
        raise ContractError(f"{source}: a contract is a mapping of keys (feed, cadence, columns, ...)")
    feed = data.get("feed")
    if not feed or not str(feed).isidentifier():
        raise ContractError(f"{source}: 'feed' must be an identifier")
    unknown = set(data) - TOP_LEVEL_KEYS
    if unknown:
        raise ContractError(f"{feed}: unknown keys {sorted(unknown)}; known: {sorted(TOP_LEVEL_KEYS)}")
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
    agency = data.get("agency", "")
    if agency not in AGENCIES:
        raise ContractError(f"{feed}: agency must be one of {sorted(AGENCIES)}, not {agency!r}")
    if data.get("first_period") is None:
        raise ContractError(
            f"{feed}: 'first_period' is missing: state the first period agencies deliver, e.g. "
            f"first_period: '{PERIOD_EXAMPLES[cadence]}' (quoted). A feed counts for delivery shares and "
            "feed health only from that period on, so adding it changes no earlier figure.")
    first_period = _period(feed, cadence, "first_period", data.get("first_period"))
    last_period = _period(feed, cadence, "last_period", data.get("last_period"))
    if last_period is not None and last_period < first_period:
        raise ContractError(f"{feed}: last_period {last_period} is before first_period {first_period}")
    snapshot = bool(data.get("snapshot", False))
    latest = bool(data.get("latest_period_is_current", False))
    if snapshot and latest:
        raise ContractError(f"{feed}: a snapshot feed's keys repeat by design; latest_period_is_current "
                            "applies to the other feeds only")
    return FeedContract(
        feed=feed,
        title_zh=data.get("title_zh", feed),
        agency=agency,
        cadence=cadence,
        key=key,
        columns=columns,
        checks=checks,
        snapshot=snapshot,
        latest_period_is_current=latest,
        expected_in_delivery_share=bool(data.get("expected_in_delivery_share", True)),
        first_period=first_period,
        last_period=last_period,
        description=str(data.get("description", "")),
        source_path=source,
    )


def load_contract_file(path: Path) -> FeedContract:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    contract = parse_contract(data, path)
    if contract.feed != path.stem:
        raise ContractError(f"{path}: file name must be the feed id {contract.feed!r}")
    return contract


def extra_contract_dirs() -> list[Path]:
    """The folders named by ``IPX_CONTRACTS_DIR`` (``os.pathsep``-separated), in order."""
    value = os.environ.get(CONTRACTS_ENV, "")
    return [Path(part).expanduser() for part in value.split(os.pathsep) if part.strip()]


def contract_dirs() -> list[Path]:
    """Where ``load_contracts()`` looks: the package's feeds, then ``IPX_CONTRACTS_DIR``."""
    return [CONTRACTS_DIR, *extra_contract_dirs()]


def load_contracts(directory: Path | None = None) -> dict[str, FeedContract]:
    """All feed contracts, by feed id, in a stable order (the built-in feeds first, then the
    extra folders' in name order). With ``directory``, only that folder's contracts."""
    directories = [Path(directory)] if directory is not None else contract_dirs()
    found: dict[str, FeedContract] = {}
    for folder in directories:
        if not folder.is_dir():
            raise ContractError(f"contracts folder {folder} does not exist (check {CONTRACTS_ENV})")
        for path in sorted(folder.glob("*.yaml")):
            contract = load_contract_file(path)
            if contract.feed in found:
                raise ContractError(f"feed {contract.feed!r} is defined twice: {found[contract.feed].source_path} "
                                    f"and {path}")
            found[contract.feed] = contract
    return found


@functools.cache
def _default_contracts(extra: str) -> dict[str, FeedContract]:
    return load_contracts()


def contract_for(feed: str) -> FeedContract:
    return _default_contracts(os.environ.get(CONTRACTS_ENV, ""))[feed]
