"""``ipx feed new``: the files of a new feed from a short description, ready to edit.

``scaffold_feed`` writes

- ``orchestration/ipx/contracts/feeds/<feed>.yaml``: the contract (every key spelled out);
- ``dbt_project/models/staging/stg_<feed>.sql``: the staging model (current version of each
  slice; for non-snapshot feeds the latest period of each key; W-flagged fields left out);
- ``dbt_project/models/staging/stg_<feed>.yml``: the raw source ``raw.<feed>`` and the model's
  tests (required columns not null; for a snapshot, the key unique per province and period);
- ``expectations/<feed>.json``: the feed's GX suite, as ``ipx expectations`` writes it.

The contract is validated before anything is written; existing files are never overwritten.

A column is described as ``name:header:type[:option...]`` with options ``required``,
``pii=pseudonymise|drop``, ``values=a|b|c``, ``reference=SEED``, ``min=N``, ``max=N``,
``min_exclusive=N``, ``W`` (range rules are warnings), ``not_before=COLUMN``,
``not_above=COLUMN``, e.g. ``exam_type:检查类别:enum:required:values=上岗前|在岗期间|离岗时``.
A ``resident_id`` column is pseudonymised and a text column headed 姓名 dropped unless told
otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ipx.contracts.model import ContractError, FeedContract, parse_contract

NUMBER_OPTIONS = ("min", "max", "min_exclusive")
NAME_HEADERS = {"姓名", "名字"}


def parse_column(text: str) -> dict[str, Any]:
    """``name:header:type[:option...]`` -> a contract column mapping."""
    parts = [p.strip() for p in text.split(":")]
    if len(parts) < 3 or not all(parts[:3]):
        raise ContractError(f"column {text!r}: write it as name:header:type[:option...]")
    name, header, type_ = parts[:3]
    spec: dict[str, Any] = {"name": name, "header": header, "type": type_}
    for option in parts[3:]:
        if not option:
            continue
        key, _, value = option.partition("=")
        if key == "required" and not value:
            spec["required"] = True
        elif key == "W" and not value:
            spec["range_severity"] = "W"
        elif key == "pii":
            spec["pii"] = value
        elif key == "values":
            spec["values"] = [v.strip() for v in value.split("|") if v.strip()]
        elif key in NUMBER_OPTIONS:
            number = float(value)
            spec[key] = int(number) if number.is_integer() else number
        elif key in ("reference", "not_before", "not_above", "description"):
            spec[key] = value
        else:
            raise ContractError(f"column {name}: unknown option {option!r}")
    if type_ == "resident_id":
        spec.setdefault("pii", "pseudonymise")
    if type_ == "text" and header in NAME_HEADERS:
        spec.setdefault("pii", "drop")
    return spec


def contract_data(feed: str, title: str, agency: str, cadence: str, key: list[str] | tuple[str, ...],
                  columns: list[str | dict[str, Any]], first_period: str, last_period: str | None = None,
                  snapshot: bool = False, latest_period_is_current: bool = False,
                  expected_in_delivery_share: bool = True) -> dict[str, Any]:
    """The contract as data (validated)."""
    cols = [parse_column(c) if isinstance(c, str) else dict(c) for c in columns]
    data: dict[str, Any] = {
        "feed": feed, "title_zh": title, "agency": agency, "cadence": cadence,
        "first_period": str(first_period),
    }
    if last_period:
        data["last_period"] = str(last_period)
    data.update({
        "key": list(key) or ([cols[0]["name"]] if cols else []),
        "snapshot": snapshot,
        "latest_period_is_current": latest_period_is_current,
        "expected_in_delivery_share": expected_in_delivery_share,
        "columns": cols,
    })
    parse_contract(data)
    return data


def _yaml_scalar(value: Any) -> str:
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000).strip()
    return text.removesuffix("\n...").strip()


def render_contract(data: dict[str, Any]) -> str:
    """The contract YAML in the repository's style: one flow mapping per column, comments."""
    lines = [
        f"# Feed contract: {data['title_zh']} ({data['feed']}), {data['cadence']}. Written by `ipx feed new`;",
        "# edit it, then see README \"Adding a source feed\" for what each key means.",
        f"feed: {data['feed']}",
        f"title_zh: {_yaml_scalar(data['title_zh'])}",
        f"agency: {data['agency']}",
        f"cadence: {data['cadence']}",
        f"first_period: '{data['first_period']}'    # first period agencies deliver; nothing earlier is expected",
    ]
    if data.get("last_period"):
        lines.append(f"last_period: '{data['last_period']}'     # retired: nothing later is expected")
    lines += [
        f"key: {_yaml_scalar(data['key'])}",
        f"snapshot: {str(data['snapshot']).lower()}            # true: each slice is a whole list, keys repeat across periods",
        f"latest_period_is_current: {str(data['latest_period_is_current']).lower()}   "
        "# true: a key re-sent in a later period is its new state",
        f"expected_in_delivery_share: {str(data['expected_in_delivery_share']).lower()}   "
        "# counts for the data-sharing component (E)",
        "columns:",
    ]
    for col in data["columns"]:
        body = ", ".join(f"{k}: {_yaml_scalar(v)}" for k, v in col.items())
        lines.append(f"  - {{{body}}}")
    return "\n".join(lines) + "\n"


def _w_fields(contract: FeedContract) -> list[str]:
    """Loaded columns a W rule can flag: figures should not use them when flagged."""
    out = []
    for col in contract.loaded_columns:
        if ((col.has_range and col.range_severity == "W") or (col.not_above and col.not_above_severity == "W")
                or col.type == "industry_code" or any(chk.field == col.name and chk.severity == "W"
                                                      for chk in contract.checks)):
            out.append(col.warehouse_name)
    return out


def render_staging_sql(contract: FeedContract) -> str:
    key = [contract.column(k).warehouse_name for k in contract.key]
    flagged = set(_w_fields(contract))
    head = (f"-- {contract.title_zh} ({contract.feed}): the current version of each {contract.cadence} slice"
            + ("." if contract.snapshot else ";\n-- of a key repeated across periods, the record of the latest period (spec 1)."))
    ctes = ["with current_records as (", f"    {{{{ current_version('{contract.feed}') }}}}", ")"]
    source = "current_records"
    config = []
    if not contract.snapshot:
        # a keyed feed's staging is a table kept incrementally by key (macros/keyed_staging.sql)
        keys = ", ".join(key)
        config = ["{{ config(materialized=keyed_staging_materialization(), incremental_strategy='append',",
                  "          pre_hook=[\"{{ ensure_meta_schema() }}\", \"{{ ensure_watermarks() }}\",",
                  f"                    \"{{{{ delete_stale_staged_keys('{contract.feed}', '{keys}') }}}}\"],",
                  "          post_hook=\"{{ record_staged_keys_watermark() }}\") }}",
                  "-- depends_on: {{ source('ingest', 'files') }}"]
        ctes[1] = f"    {{{{ current_version('{contract.feed}', where=stale_staged_keys('{contract.feed}', '{keys}')) }}}}"
        ctes[-1] = "),"
        ctes += ["", "latest as (", f"    {{{{ latest_period_per_key('current_records', {key!r}) }}}}", ")"]
        source = "latest"
    select = [f"    {{{{ unflagged('{c.warehouse_name}') }}}} as {c.warehouse_name},"
              if c.warehouse_name in flagged else f"    {c.warehouse_name},"
              for c in contract.loaded_columns]
    lines = [*config, head, "-- Written by `ipx feed new`: rename and cast here; fields a W rule flagged are left out.",
             *ctes, "", "select", *select, "    {{ lineage_columns() }}", f"from {source}"]
    return "\n".join(lines) + "\n"


def render_staging_yml(contract: FeedContract) -> str:
    required = [c.warehouse_name for c in contract.loaded_columns if c.required]
    lines = [
        "version: 2",
        "",
        "sources:",
        "  - name: raw",
        "    schema: raw",
        "    tables:",
        f"      - name: {contract.feed}",
        f"        description: Loaded records of every accepted {contract.feed} delivery (all seqs).",
        "",
        "models:",
        f"  - name: stg_{contract.feed}",
        f"    description: {contract.title_zh} ({contract.feed}), current version"
        + (" of each slice." if contract.snapshot else ", latest period of each key."),
        "    columns:",
    ]
    for name in required:
        lines += [f"      - name: {name}", "        data_tests: [not_null]"]
    # A snapshot's key must be unique within each delivered slice: a property of the data. A
    # non-snapshot feed's staging model keeps one record per key by construction
    # (latest_period_per_key, unit-tested once), so a data test of it could never fail.
    if contract.snapshot:
        key = [contract.column(k).warehouse_name for k in contract.key]
        lines += [
            "    data_tests:",
            "      - unique_combination:",
            "          arguments:",
            f"            columns: [{', '.join(['province_code', 'period', *key])}]",
        ]
    return "\n".join(lines) + "\n"


def scaffold_feed(name: str, title: str, agency: str, cadence: str, key: list[str] | tuple[str, ...],
                  columns: list[str | dict[str, Any]], repo_root: Path | None = None, *,
                  first_period: str, last_period: str | None = None, snapshot: bool = False,
                  latest_period_is_current: bool = False, expected_in_delivery_share: bool = True,
                  contracts_dir: Path | None = None) -> list[Path]:
    """Write the new feed's contract, staging model (SQL + YAML) and GX suite under ``repo_root``
    (default: this repository); return the paths written. Nothing is written when the
    description is not a valid contract or when any of the files exists already."""
    from ipx.paths import REPO_ROOT
    from ipx.quality.suites import render, suite_path, suite_spec

    root = Path(repo_root) if repo_root is not None else REPO_ROOT
    data = contract_data(name, title, agency, cadence, key, columns, first_period, last_period, snapshot,
                         latest_period_is_current, expected_in_delivery_share)
    text = render_contract(data)
    contract = parse_contract(yaml.safe_load(text))
    staging = root / "dbt_project" / "models" / "staging"
    target = contracts_dir or (root / "orchestration" / "ipx" / "contracts" / "feeds")
    files = {
        Path(target) / f"{name}.yaml": text,
        staging / f"stg_{name}.sql": render_staging_sql(contract),
        staging / f"stg_{name}.yml": render_staging_yml(contract),
        suite_path(root / "expectations", name): render(suite_spec(contract)),
    }
    existing = [str(p) for p in files if p.exists()]
    if existing:
        raise FileExistsError(f"feed {name!r} already has files: {', '.join(existing)}")
    for path, body in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return list(files)


# ------------------------------------------------------------------ the `ipx feed new` command
# The CLI (ipx/cli.py) wires it with two lines:
#     from ipx.contracts.scaffold import add_feed_parser
#     add_feed_parser(sub)        # in build_parser(), beside the other sub-commands


def add_feed_parser(sub) -> None:
    """``ipx feed new NAME --title T --agency A --cadence C --first-period P --key COL
    --column name:header:type[:option...] ...``."""
    feed = sub.add_parser("feed", help="work with feed contracts")
    feed_sub = feed.add_subparsers(dest="feed_command", required=True)
    new = feed_sub.add_parser("new", help="write a new feed's contract, staging model and GX suite, ready to edit")
    new.add_argument("name", help="the feed id, e.g. nhc_health_checks")
    new.add_argument("--title", required=True, help="Chinese title, e.g. 职业健康检查")
    new.add_argument("--agency", required=True, choices=["hrss", "em", "nhc", "acftu"])
    new.add_argument("--cadence", required=True, choices=["monthly", "quarterly", "annual"])
    new.add_argument("--first-period", required=True, help="first expected period: 202601, 2026Q1 or 2026")
    new.add_argument("--last-period", default=None, help="last expected period (a retired feed)")
    new.add_argument("--key", action="append", default=[], metavar="COLUMN",
                     help="key column (repeatable, or comma-separated); default: the first column")
    new.add_argument("--column", action="append", required=True, metavar="name:header:type[:option...]",
                     help="one per column, in delivery order; options: required, pii=pseudonymise|drop, "
                          "values=a|b|c, reference=SEED, min=N, max=N, min_exclusive=N, W, not_before=COL, "
                          "not_above=COL")
    new.add_argument("--snapshot", action="store_true", help="each slice is a whole list (keys repeat)")
    new.add_argument("--latest-period-is-current", action="store_true",
                     help="a key re-sent in a later period is its new state")
    new.add_argument("--not-in-delivery-share", action="store_true",
                     help="the feed does not count for on-time-and-clean delivery (component E)")
    new.add_argument("--repo-root", default=None, help="the repository to write into (default: this one)")
    new.set_defaults(func=cmd_feed_new)


def cmd_feed_new(args) -> int:
    import sys

    keys = [k.strip() for item in args.key for k in item.split(",") if k.strip()]
    try:
        written = scaffold_feed(
            args.name, args.title, args.agency, args.cadence, keys, args.column,
            Path(args.repo_root) if args.repo_root else None, first_period=args.first_period,
            last_period=args.last_period, snapshot=args.snapshot,
            latest_period_is_current=args.latest_period_is_current,
            expected_in_delivery_share=not args.not_in_delivery_share)
    except (ContractError, FileExistsError, ValueError) as exc:
        print(f"ipx: error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    print("next: edit the contract (README \"Adding a source feed\"), run `ipx expectations` after any edit, "
          "then `ipx generate` / `ipx run` to try it")
    return 0
