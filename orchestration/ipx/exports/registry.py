"""The kinds of ``ipx export`` and the function that writes each. All read the published data
(the dashboard's serving copy when there is one), never the file a run may be writing."""

from __future__ import annotations

from pathlib import Path

from ipx.exports import tables
from ipx.exports.briefing import export_briefing
from ipx.exports.evaluation import export_evaluation
from ipx.exports.floating import export_floating
from ipx.exports.published import open_published
from ipx.exports.rejects import export_rejects

EXPORTS = {
    "rejects": lambda con, out, year, scope=None: export_rejects(con, out, scope),
    "assessment": tables.export_assessment,
    "hotspots": tables.export_hotspots,
    "watchlist": tables.export_watchlist,
    "feed-health": tables.export_feed_health,
    "reconciliation": tables.export_reconciliation,
    "evaluation": export_evaluation,
    "floating": export_floating,
    "briefing": export_briefing,
}


def run_export(kind: str, warehouse: Path, out: Path, year: int | None = None,
               scope: frozenset[str] | None = None) -> int:
    """Write export ``kind``; ``scope`` limits province details to those provinces (a provincial
    reader), None writes everything."""
    con = open_published(warehouse)
    try:
        return EXPORTS[kind](con, out, year, scope)
    finally:
        con.close()
