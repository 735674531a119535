"""The ``ipx`` command: the stable interface operators and evaluators script against.

    ipx generate --out DIR [--scale small|demo|national] [--seed N] [--years Y ...]
    ipx run --landing DIR --warehouse FILE [--engine duckdb|spark] [--quiet]
    ipx export KIND --warehouse FILE --out FILE [--year Y] [--province CODE ...]
    ipx dashboard [--warehouse FILE] [--port N]
    ipx ui --warehouse FILE [--port N]
    ipx expectations [--check]
    ipx docs [--check]
    ipx feed new NAME --title T --agency A --cadence C --first-period P --column ... [--key COL]
    ipx archive restore SHA256 --warehouse FILE --out FILE
    ipx archive reseal --warehouse FILE [--old-key-env IPX_OLD_ARCHIVE_KEY]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from ipx.settings import ConfigurationError, announce_demo_keys

EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE, EXIT_CANNOT_RUN = 0, 1, 2, 3


def _fail(message: str, code: int = EXIT_CANNOT_RUN) -> int:
    print(f"ipx: error: {message}", file=sys.stderr)
    return code


# ------------------------------------------------------------------ generate


def cmd_generate(args: argparse.Namespace) -> int:
    from ipx.generator import generate

    out = Path(args.out)
    truth = generate(out, scale=args.scale, seed=args.seed, years=args.years)
    totals = truth.get("totals", {})
    print(f"wrote {totals.get('files_written', '?')} files to {out} "
          f"(scale {args.scale}, seed {args.seed}); ground truth in {out / '_meta' / 'ground_truth.json'}")
    return EXIT_OK


# ------------------------------------------------------------------ run


def cmd_run(args: argparse.Namespace) -> int:
    from ipx.engine import SPARK, require_java, resolve_engine
    from ipx.pipeline import RunFailed, run_pipeline

    engine = resolve_engine(args.engine)
    if engine == SPARK:
        require_java()  # exit 3 before anything is touched
    landing = Path(args.landing)
    if not landing.is_dir():
        return _fail(f"landing folder {landing} does not exist or is not a folder")
    if args.quiet:  # warnings still reach the run log; the console shows errors only
        for handler in logging.getLogger().handlers:
            handler.setLevel(logging.ERROR)
    try:
        announce_demo_keys()
        summary = run_pipeline(landing, Path(args.warehouse), publish=not args.no_publish,
                               show_progress=not args.quiet, engine=engine)
    except ConfigurationError as exc:
        return _fail(str(exc))
    except RunFailed as exc:
        print(exc.summary.render() if exc.summary else "", end="")
        return _fail(f"the run did not complete: {exc}", EXIT_RUN_FAILED)
    except OSError as exc:  # a full disk, a vanished folder: nothing published was touched
        return _fail(f"the run stopped: {exc.strerror or exc} ({exc.filename or 'warehouse'}); "
                     "the last published data is unchanged", EXIT_RUN_FAILED)
    if not args.quiet or summary.failed_checks:  # --quiet: silent unless something needs a reader
        print(summary.render(), end="")
    if args.strict and summary.failed_checks:
        return _fail(f"{len(summary.failed_checks)} checks failed (--strict)", EXIT_RUN_FAILED)
    return EXIT_OK


# ------------------------------------------------------------------ export


def cmd_export(args: argparse.Namespace) -> int:
    from ipx.exports.registry import EXPORTS, run_export

    if args.kind not in EXPORTS:
        return _fail(f"unknown export {args.kind!r}; one of {', '.join(sorted(EXPORTS))}", EXIT_USAGE)
    warehouse = Path(args.warehouse)
    if not warehouse.is_file():
        return _fail(f"warehouse {warehouse} does not exist")
    try:
        scope = frozenset(args.province) if args.province else None
        n = run_export(args.kind, warehouse, Path(args.out), year=args.year, scope=scope)
    except ConfigurationError as exc:
        return _fail(str(exc))
    print(f"wrote {n} rows to {args.out}")
    return EXIT_OK


# ------------------------------------------------------------------ dashboard


def cmd_dashboard(args: argparse.Namespace) -> int:
    from ipx.paths import DASHBOARD_DIR
    from ipx.resources import DEFAULT_WAREHOUSE

    env = dict(os.environ)
    env["IPX_WAREHOUSE"] = str(Path(args.warehouse or env.get("IPX_WAREHOUSE") or DEFAULT_WAREHOUSE).resolve())
    command = [sys.executable, str(DASHBOARD_DIR / "serve.py"), "run", str(DASHBOARD_DIR / "app.py"),
               "--server.port", str(args.port), "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.address", args.address,
               "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer"]
    print(f"ipx dashboard: serving on http://{args.address}:{args.port}/ (Ctrl-C to stop)", flush=True)
    os.execvpe(command[0], command, env)
    return EXIT_OK  # not reached


# ------------------------------------------------------------------ ui


def cmd_ui(args: argparse.Namespace) -> int:
    """The Dagster UI on one warehouse: its assets, checks and lineage, and the history of every
    ``ipx run`` on it (kept in ``<warehouse>.dagster/``)."""
    from ipx.pipeline import ensure_dagster_home
    from ipx.storage import WarehouseLayout

    layout = WarehouseLayout.at(args.warehouse)
    env = dict(os.environ)
    env.setdefault("DAGSTER_HOME", str(ensure_dagster_home(layout)))
    env["IPX_WAREHOUSE"] = str(layout.warehouse)
    if args.landing:
        env["IPX_LANDING"] = str(Path(args.landing).resolve())
    webserver = Path(sys.executable).with_name("dagster-webserver")
    command = [str(webserver), "-m", "ipx.definitions", "-h", args.address, "-p", str(args.port)]
    print(f"ipx ui: Dagster on http://{args.address}:{args.port}/ for {layout.warehouse} "
          f"(history in {env['DAGSTER_HOME']}; Ctrl-C to stop)", flush=True)
    os.execvpe(command[0], command, env)
    return EXIT_OK  # not reached


# ------------------------------------------------------------------ docs


def cmd_docs(args: argparse.Namespace) -> int:
    from ipx.contracts import load_contracts
    from ipx.documentation import stale_docs, write_docs
    from ipx.paths import REPO_ROOT

    contracts = load_contracts()
    if args.check:
        stale = stale_docs(contracts, REPO_ROOT)
        if stale:
            return _fail("docs/ is out of date for: " + ", ".join(p.as_posix() for p in stale)
                         + "; run `ipx docs`", 1)
        print("docs/ matches the feed contracts and the published marts")
        return EXIT_OK
    written = write_docs(contracts, REPO_ROOT)
    for path in written:
        print(f"wrote {path.as_posix()}")
    print(f"docs/ is current ({len(written)} pages rewritten)")
    return EXIT_OK


# ------------------------------------------------------------------ expectations


def cmd_expectations(args: argparse.Namespace) -> int:
    from ipx.contracts import load_contracts
    from ipx.paths import EXPECTATIONS_DIR
    from ipx.quality.suites import render, suite_path, suite_spec, write_suites

    contracts = load_contracts()
    if args.check:
        stale = [f for f, c in contracts.items()
                 if not suite_path(EXPECTATIONS_DIR, f).exists()
                 or suite_path(EXPECTATIONS_DIR, f).read_text(encoding="utf-8") != render(suite_spec(c))]
        if stale:
            return _fail(f"expectation suites out of date for: {', '.join(stale)}; run `ipx expectations`", 1)
        print(f"{len(contracts)} expectation suites match their contracts")
        return EXIT_OK
    for path in write_suites(contracts, EXPECTATIONS_DIR):
        print(f"wrote {path}")
    return EXIT_OK


# ------------------------------------------------------------------ archive


def cmd_archive(args: argparse.Namespace) -> int:
    from ipx.ingestion.archive import ArchiveError, restore
    from ipx.settings import archive_key
    from ipx.storage import WarehouseLayout

    layout = WarehouseLayout.at(args.warehouse)
    matches = sorted((layout.archive_dir / args.sha256[:2]).glob(f"{args.sha256}*.sealed"))
    if not matches:
        return _fail(f"no archived file with sha256 {args.sha256} under {layout.archive_dir}")
    try:
        restore(matches[0], archive_key()[0], Path(args.out))
    except ArchiveError as exc:
        return _fail(str(exc))
    print(f"restored {args.out} (sha256 verified)")
    return EXIT_OK


def cmd_archive_reseal(args: argparse.Namespace) -> int:
    from ipx.ingestion.archive import reseal_archive
    from ipx.settings import archive_key
    from ipx.storage import WarehouseLayout

    layout = WarehouseLayout.at(args.warehouse)
    if not layout.archive_dir.is_dir():
        return _fail(f"no archive at {layout.archive_dir}")
    old_key, _ = archive_key(args.old_key_env)
    new_key, new_is_demo = archive_key()
    if old_key == new_key:
        return _fail(f"{args.old_key_env} and IPX_ARCHIVE_KEY give the same key: nothing to rotate")
    if new_is_demo:
        return _fail("IPX_ARCHIVE_KEY is not set: refusing to re-seal the archive under the demo key")
    report = reseal_archive(layout.archive_dir, old_key, new_key)
    print(f"re-sealed {report.resealed} archived files under the new key; "
          f"{report.already_new} already were; {len(report.failed)} could not be opened with the old key")
    for problem in report.failed:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_OK if not report.failed else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ipx", description="Work-injury prevention data exchange")
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write synthetic agency exports into a landing folder")
    gen.add_argument("--out", required=True)
    gen.add_argument("--scale", choices=["small", "demo", "national"], default="demo")
    gen.add_argument("--seed", type=int, default=20250101)
    gen.add_argument("--years", type=int, nargs="*", default=None)
    gen.set_defaults(func=cmd_generate)

    run = sub.add_parser("run", help="ingest new deliveries, build the warehouse, publish")
    run.add_argument("--landing", required=True)
    run.add_argument("--warehouse", required=True)
    run.add_argument("--engine", choices=["duckdb", "spark"], default=None,
                     help="what builds the models: duckdb (default; else IPX_ENGINE) or spark (dbt-spark; "
                          "published tables copied back into the warehouse)")
    run.add_argument("--no-publish", action="store_true", help="do not refresh the dashboard's serving copy")
    run.add_argument("--strict", action="store_true", help="exit non-zero when any check fails")
    run.add_argument("--quiet", action="store_true",
                     help="for schedulers: no progress bars, and no summary unless a check failed (the run log has it)")
    run.set_defaults(func=cmd_run)

    exp = sub.add_parser("export", help="write a published table to CSV or XLSX (by extension)")
    exp.add_argument("kind")
    exp.add_argument("--warehouse", required=True)
    exp.add_argument("--out", required=True)
    exp.add_argument("--year", type=int, default=None)
    exp.add_argument("--province", action="append", metavar="CODE",
                     help="only this province's details (repeatable): the file a provincial user may receive")
    exp.set_defaults(func=cmd_export)

    dash = sub.add_parser("dashboard", help="serve the Streamlit dashboard")
    dash.add_argument("--warehouse", default=None)
    dash.add_argument("--port", type=int, default=8501)
    dash.add_argument("--address", default="127.0.0.1")
    dash.set_defaults(func=cmd_dashboard)

    ui = sub.add_parser("ui", help="open the Dagster UI on a warehouse (assets, checks, lineage, run history)")
    ui.add_argument("--warehouse", required=True)
    ui.add_argument("--landing", default=None, help="landing folder for runs launched from the UI")
    ui.add_argument("--port", type=int, default=3000)
    ui.add_argument("--address", default="127.0.0.1")
    ui.set_defaults(func=cmd_ui)

    from ipx.contracts.scaffold import add_feed_parser

    add_feed_parser(sub)  # ipx feed new NAME ...: a new feed's contract, staging model and suite

    docs = sub.add_parser("docs", help="write the feed and figure reference under docs/ from the contracts and marts")
    docs.add_argument("--check", action="store_true", help="only check that docs/ is current")
    docs.set_defaults(func=cmd_docs)

    ex = sub.add_parser("expectations", help="write the GX suites derived from the contracts")
    ex.add_argument("--check", action="store_true", help="only check that expectations/ is current")
    ex.set_defaults(func=cmd_expectations)

    arc = sub.add_parser("archive", help="restore an archived delivery, or re-seal the archive under a new key")
    arc_sub = arc.add_subparsers(dest="archive_command", required=True)
    res = arc_sub.add_parser("restore")
    res.add_argument("sha256")
    res.add_argument("--warehouse", required=True)
    res.add_argument("--out", required=True)
    res.set_defaults(func=cmd_archive)
    rot = arc_sub.add_parser("reseal", help="re-seal every archived file under IPX_ARCHIVE_KEY (key rotation)")
    rot.add_argument("--warehouse", required=True)
    rot.add_argument("--old-key-env", default="IPX_OLD_ARCHIVE_KEY",
                     help="environment variable holding the key the archive is sealed with now")
    rot.set_defaults(func=cmd_archive_reseal)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("dagster", "dagster.builtin", "great_expectations"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigurationError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


if __name__ == "__main__":
    sys.exit(main())
