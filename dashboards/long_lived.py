"""Keep the server process's long-lived objects out of Python's cyclic garbage collector.

Measured on the three-year national warehouse with a websocket client and no browser (issue 11,
item 11): a new session's first run took 0.11-0.28 s from the websocket open to Streamlit's
``script_finished``, of which about 0.09 s, on every page, was not the page. After each run
Streamlit calls ``gc.collect(2)`` (``runner.postScriptGC``) before its event loop may send the last
messages, and a full collection walks every object in the process: over 120,000 functions,
dicts and tuples of the imported modules (Streamlit, pandas, Arrow, DuckDB), none of which is ever
garbage.

Two settings together (the config file turns the first off, :func:`freeze_once` does the second):

- ``runner.postScriptGC = false`` in ``.streamlit/config.toml``: no forced full collection after
  each run; Python's own generational collection still runs when allocations call for it;
- :func:`freeze_once`, called by ``app.py`` at the end of the process's first run (when the
  pages' modules are imported): every object alive then is moved to the permanent generation, so
  the collections that do run, Python's own included, no longer walk them. Objects frozen this way
  are still freed by reference counting; only cycles among them would be kept.
"""

from __future__ import annotations

import gc


def freeze_once() -> bool:
    """Collect once and freeze what survives, the first time it is called in this process."""
    if gc.get_freeze_count():
        return False
    gc.collect()
    gc.freeze()
    return True
