"""Progress of one ``ipx run`` on an operator's terminal.

The run executes in one process (Dagster's in-process executor), so the steps report to the
reporter installed for the run: ingestion per delivery file (with its records), the feeds'
checks, and dbt per node. On a terminal the reporter draws ``rich`` progress bars on stderr
(files and records, checks, dbt models and tests, elapsed time); elsewhere (a scheduler, a pipe,
``--quiet``) the reporter does nothing and the run log and summary say everything.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TextIO


class Reporter:
    """Receives progress; this base class ignores it (no terminal)."""

    def feed_scanned(self, feed: str, deliveries: int) -> None:
        """A feed's landing folder holds ``deliveries`` files (already-taken ones included)."""

    def files_done(self, feed: str, files: int, records: int = 0, quarantined: int = 0) -> None:
        """``files`` of the feed were taken, skipped or quarantined; ``records`` loaded."""

    def checks_planned(self, checks: int) -> None:
        """The run will evaluate ``checks`` feed checks."""

    def check_done(self, name: str, passed: bool) -> None:
        """One feed check evaluated."""

    def dbt_planned(self, nodes: int) -> None:
        """dbt will build ``nodes`` models, seeds and tests."""

    def dbt_node_done(self, name: str) -> None:
        """One dbt model, seed or test finished."""


_NULL = Reporter()
_current: Reporter = _NULL


def reporter() -> Reporter:
    """The reporter of the run in progress (a no-op outside ``ipx run`` on a terminal)."""
    return _current


class TerminalReporter(Reporter):
    """rich progress bars: deliveries, feed checks, dbt nodes; each with counts and elapsed time."""

    def __init__(self, stream: TextIO):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        from rich.table import Column

        # stdout stays where the run put it (the run log): dbt's own lines must not reach the screen
        self.progress = Progress(
            TextColumn("{task.description:<7}"), BarColumn(bar_width=20), MofNCompleteColumn(),
            TimeElapsedColumn(), TextColumn("{task.fields[detail]}", table_column=Column(no_wrap=True, overflow="ellipsis")),
            console=Console(file=stream), transient=False, refresh_per_second=4,
            redirect_stdout=False, redirect_stderr=False,
        )
        self.files = self.progress.add_task("files", total=0, detail="", start=False)
        self.checks = self.progress.add_task("checks", total=0, detail="", start=False)
        self.dbt = self.progress.add_task("dbt", total=0, detail="", start=False)
        self.records = 0
        self.quarantined = 0
        self.failed_checks = 0

    def __enter__(self) -> TerminalReporter:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def _total(self, task, more: int, start: bool = True) -> None:
        """Grow a bar's total; its clock starts with its first work, not when it is planned."""
        if start and not self.progress.tasks[task].started:
            self.progress.start_task(task)
        self.progress.update(task, total=(self.progress.tasks[task].total or 0) + more)

    def feed_scanned(self, feed: str, deliveries: int) -> None:
        self._total(self.files, deliveries)
        self.progress.update(self.files, detail=f"{feed}")

    def files_done(self, feed: str, files: int, records: int = 0, quarantined: int = 0) -> None:
        self.records += records
        self.quarantined += quarantined
        detail = f"{self.records:,} records" + (f", {self.quarantined} quarantined" if self.quarantined else "") + f"  {feed}"
        self.progress.update(self.files, advance=files, detail=detail)

    def checks_planned(self, checks: int) -> None:
        self._total(self.checks, checks, start=False)

    def check_done(self, name: str, passed: bool) -> None:
        if not self.progress.tasks[self.checks].started:
            self.progress.start_task(self.checks)
        self.failed_checks += not passed
        detail = (f"{self.failed_checks} failed  " if self.failed_checks else "") + name
        self.progress.update(self.checks, advance=1, detail=detail)

    def dbt_planned(self, nodes: int) -> None:
        self._total(self.dbt, nodes)

    def dbt_node_done(self, name: str) -> None:
        self.progress.update(self.dbt, advance=1, detail=name)


@contextlib.contextmanager
def run_progress(show: bool, stream: TextIO | None = None) -> Iterator[Reporter]:
    """Install the reporter for one run: terminal bars when ``show`` and the stream is a terminal."""
    global _current
    stream = stream or sys.stderr
    if not (show and stream.isatty()):
        yield _NULL
        return
    terminal = TerminalReporter(stream)
    previous, _current = _current, terminal
    try:
        with terminal:
            yield terminal
    finally:
        _current = previous
