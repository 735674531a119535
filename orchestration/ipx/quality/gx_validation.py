"""Running a derived suite with Great Expectations 1.x on records read from DuckDB.

GX 1.24 has no DuckDB engine, so records are validated as pandas DataFrames in an ephemeral
context (see ``shared/notes/stack.md``), in chunks to bound memory. GX is imported lazily: it
takes seconds to import and only the checks need it.

What the checks cost, and why the path below is shaped as it is (measured on the national
year, 17.5 M records; BENCHMARKS.md "Feed checks"):

- GX names every pandas batch by a fingerprint of its rows (``hash_pandas_dataframe``). On our
  raw tables that hash fell back to pickling the whole frame (the list and map columns
  ``_flags``, ``_flag_rules`` and ``_extra`` are not hashable): 15.6 s per million rows, ~90 % of
  the checks. No expectation reads those columns' content, so they are validated as their text
  form, and the fingerprint is switched off (``_skip_batch_fingerprints``): it only labels a batch
  in results we never store.
- Rows reach pandas through Arrow (``to_arrow_reader``): strings stay Arrow-backed instead of
  being converted into Python objects (3x faster than ``fetch_df_chunk``); decimals are read as
  doubles (the suite only bounds them).
- The next chunk is read from DuckDB in a background thread while GX validates the current one
  (both release the GIL for most of their work).

A SQL datasource (expectations run as SQL inside DuckDB) was measured too: it would cost ~1 s per
2 M rows, but on GX 1.24 + duckdb-engine 0.17 + SQLAlchemy 2.1 every metric query returns no rows
(GX fetches the result after closing the connection, whose rollback discards DuckDB's pending
result: great_expectations#10738), so every expectation errors. Revisit when GX fixes it.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from dataclasses import dataclass, field
from typing import Any

CHUNK_ROWS = 250_000
# DuckDB types validated in another form: nested values as text, decimals as doubles.
_NESTED_MARKERS = ("[]", "MAP(", "STRUCT(", "UNION(")


@dataclass
class SuiteOutcome:
    success: bool
    rows: int
    failures: list[dict[str, Any]] = field(default_factory=list)  # per failed expectation
    validated_run: str | None = None  # the ingestion run whose rows were validated
    reused: bool = False  # the outcome recorded when those rows were validated, not a new validation

    def metadata(self) -> dict[str, Any]:
        return {"rows_validated": self.rows, "failed_expectations": len(self.failures),
                "failures": self.failures[:20], "rows_of_run": self.validated_run or "",
                "outcome_reused": self.reused}


class SuiteRunner:
    """One ephemeral GX context holding a feed's suite; ``validate`` takes DataFrames."""

    def __init__(self, spec: dict[str, Any]):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        os.environ.setdefault("TQDM_DISABLE", "1")  # no progress bars in run logs
        import great_expectations as gx

        _skip_batch_fingerprints()

        self.spec = spec
        from great_expectations.data_context.types.base import ProgressBarsConfig

        for name in ("great_expectations", "great_expectations.data_context.types.base"):
            logging.getLogger(name).setLevel(logging.WARNING)
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        batch = (context.data_sources.add_pandas(f"ds_{spec['name']}")
                 .add_dataframe_asset(spec["name"])
                 .add_batch_definition_whole_dataframe("all_rows"))
        suite = gx.ExpectationSuite(name=spec["name"])
        for exp in spec["expectations"]:
            cls = _expectation_class(gx, exp["type"])
            suite.add_expectation(cls(**exp["kwargs"]))
        suite = context.suites.add(suite)
        self.definition = context.validation_definitions.add(
            gx.ValidationDefinition(data=batch, suite=suite, name=f"validate_{spec['name']}")
        )

    def validate(self, frames) -> SuiteOutcome:
        outcome = SuiteOutcome(success=True, rows=0)
        for frame in frames:
            if frame.empty:
                continue
            outcome.rows += len(frame)
            result = self.definition.run(
                batch_parameters={"dataframe": frame},
                result_format={"result_format": "BASIC", "partial_unexpected_count": 5},
            )
            for item in result.results:
                if not item.success:
                    outcome.success = False
                    outcome.failures.append({
                        "expectation": item.expectation_config.type,
                        "kwargs": {k: v for k, v in item.expectation_config.kwargs.items()
                                   if k in ("column", "column_list", "min_value", "max_value")},
                        "unexpected_count": item.result.get("unexpected_count"),
                    })
        return outcome


def _expectation_class(gx, type_name: str):
    camel = "".join(part.capitalize() for part in type_name.split("_"))
    return getattr(gx.expectations, camel)


def _skip_batch_fingerprints() -> None:
    """Stop GX from fingerprinting each pandas batch (see the module's docstring).

    GX 1.24 hashes a batch only when its shallow size is under
    ``pandas_execution_engine.HASH_THRESHOLD``; a threshold of 0 hashes none. A test
    (``tests/pipeline/test_gx_validation.py``) fails if a GX upgrade fingerprints batches again.
    """
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0


def validation_columns(con, table: str) -> str:
    """The select list that validates ``table``: every column under its own name, nested
    values as text and decimals as doubles."""
    schema, name = table.split(".")
    columns = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE schema_name = ? AND table_name = ? ORDER BY column_index", [schema, name]).fetchall()
    items = []
    for column, data_type in columns:
        quoted = '"' + column.replace('"', '""') + '"'
        if any(marker in data_type for marker in _NESTED_MARKERS):
            items.append(f"CAST({quoted} AS VARCHAR) AS {quoted}")
        elif data_type.startswith("DECIMAL"):
            items.append(f"CAST({quoted} AS DOUBLE) AS {quoted}")
        else:
            items.append(quoted)
    return ", ".join(items)


def frames_from_duckdb(con, sql: str, params: list | None = None, chunk_rows: int = CHUNK_ROWS):
    """Yield DataFrames of a query's rows, about ``chunk_rows`` at a time, read through Arrow;
    the next chunk is read in a background thread while the caller works on the current one."""
    import pyarrow as pa

    # A cursor of its own (closed at the end, also when the consumer stops early, so the caller's
    # connection is never left with an unfinished result); a relation streams its batches to
    # Arrow (a DB-API result would be copied first).
    cursor = con.cursor()
    reader = cursor.sql(sql, params=params or None).to_arrow_reader(chunk_rows)
    chunks: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def hand_over(item) -> bool:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            pending, rows = [], 0
            for batch in reader:
                pending.append(batch)
                rows += batch.num_rows
                if rows >= chunk_rows:
                    if not hand_over(pa.Table.from_batches(pending).to_pandas()):
                        return
                    pending, rows = [], 0
            if rows and not hand_over(pa.Table.from_batches(pending).to_pandas()):
                return
            hand_over(done)
        except BaseException as error:  # handed to the consumer, raised there
            hand_over(error)

    producer = threading.Thread(target=produce, name="gx-frames", daemon=True)
    producer.start()
    try:
        while True:
            item = chunks.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()  # a consumer that stops early releases the producer
        producer.join()
        cursor.close()
