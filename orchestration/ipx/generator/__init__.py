"""Synthetic landing folders for ipx: agencies' periodic exports as they really arrive
(spec section 1), with known injected defects and a ground truth to test against.

Public API: ``generate(out_dir, scale="demo", seed=20250101, years=None) -> dict`` writes
``<out>/<feed>/<province>_<period>_<seq>.<csv|xlsx>`` with ``.manifest.json`` files and
``<out>/_meta/ground_truth.json``, and returns the ground truth.

Modules, in the order data flows through them:

- ``scales``, ``geography``, ``profiles``: sizes and rates; provinces, area codes, agencies;
  per-province behaviour (injury trend, training pace, late or sloppy exports).
- ``world``, ``industries``, ``people``, ``id_numbers``: the simulated employers, persons,
  USCCs and resident IDs (vectorised).
- ``feeds``: canonical records of each feed for one province (``feeds.table.Rows``): the
  eleven feeds of the spec by their own builders, any other contract by ``feeds.generic``
  from its column types and rules, inside the feed's life span.
- ``delivery``: which submissions of which slices arrive, when, and broken in which way.
- ``file_plans``, ``forcing``: each submission's records and the kinds forced onto it.
- ``cells``, ``rendering``, ``untidiness``: records rendered the way real exports look.
- ``injections``: record-level R and W defects.
- ``writers``: CSV, XLSX and manifest bytes. ``assembly``: one province's files.
- ``ground_truth``: the expected fate of every file and injection. ``generate``: the driver.
"""

from ipx.generator.generate import generate
from ipx.generator.scales import SCALES, get_scale

__all__ = ["generate", "SCALES", "get_scale"]
