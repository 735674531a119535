"""A feed's field as the agency's column header (from the feed contracts), for the rejected
records of 数据交换. In an imported module, so the contracts are read once per process: a page
script (``dashboards/views/``) runs anew on every rerun, and a cache defined in it lasts one run."""

from __future__ import annotations

import functools

from ipx.contracts import load_contracts


@functools.cache
def _headers() -> dict[tuple[str, str], str]:
    """(feed, column) -> the agency's column header (read once per process)."""
    return {(feed, col.name): col.header for feed, c in load_contracts().items() for col in c.columns}


def field_header(feed: str, field: str | None) -> str | None:
    """A rejected record's field as the agency's column header (the contract's Chinese header)."""
    return _headers().get((feed, field), field) if field else field
