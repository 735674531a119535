"""Running a derived suite with Great Expectations 1.x on records read from DuckDB.

GX 1.24 has no DuckDB engine, so records are validated as pandas DataFrames in an ephemeral
context (see ``shared/notes/stack.md``), in chunks to bound memory. GX is imported lazily: it
takes seconds to import and only the checks need it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

CHUNK_ROWS = 250_000


@dataclass
class SuiteOutcome:
    success: bool
    rows: int
    failures: list[dict[str, Any]] = field(default_factory=list)  # per failed expectation

    def metadata(self) -> dict[str, Any]:
        return {"rows_validated": self.rows, "failed_expectations": len(self.failures),
                "failures": self.failures[:20]}


class SuiteRunner:
    """One ephemeral GX context holding a feed's suite; ``validate`` takes DataFrames."""

    def __init__(self, spec: dict[str, Any]):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        os.environ.setdefault("TQDM_DISABLE", "1")  # no progress bars in run logs
        import great_expectations as gx

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


def frames_from_duckdb(con, sql: str, params: list | None = None, chunk_rows: int = CHUNK_ROWS):
    """Yield DataFrames of a query's rows, ``chunk_rows`` at a time."""
    cursor = con.execute(sql, params or [])
    while True:
        frame = cursor.fetch_df_chunk(max(1, chunk_rows // 2048))
        if frame is None or frame.empty:
            return
        yield pd.DataFrame(frame)
