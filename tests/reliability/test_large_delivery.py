"""A delivery of about 1 GB (10 million records) ingests in bounded memory, every record
accounted for.

The file is written quickly (vectorised: NumPy for the identifiers, Arrow to join the columns)
with its manifest; ingestion (no Dagster: the ``raw/hrss_employers`` work alone) runs in a child
process, which reports its peak resident memory (``VmHWM``: ``wait4``'s ``ru_maxrss`` would
count the pytest process it was forked from) and stops itself once over the bound.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest

from ipx.contracts import contract_for
from ipx.identifiers import USCC_CHARSET, USCC_WEIGHTS

RECORDS = 10_000_000
CHUNK = 1_000_000
BAD_EVERY = 1_000_000  # one record in a million breaks an R rule (negative insured workers)
GIB = 1 << 30
# DuckDB's own share, as an operator bounds it (IPX_DUCKDB_MEMORY_LIMIT; the default is 4GB): the
# test is about what ingestion holds beyond it
DUCKDB_LIMIT = "256MB"

_CODES = np.frombuffer(USCC_CHARSET.encode("ascii"), dtype=np.uint8)


def _usccs(first: int, n: int) -> pa.Array:
    """Distinct valid USCCs: 91 + area 440303 + the record's index in base 31 + check character."""
    values = np.empty((n, 17), dtype=np.int64)
    values[:, :8] = [USCC_CHARSET.index(c) for c in "91440303"]
    index = np.arange(first, first + n, dtype=np.int64)
    for position in range(16, 7, -1):
        values[:, position] = index % 31
        index //= 31
    check = (31 - (values @ np.array(USCC_WEIGHTS)) % 31) % 31
    chars = np.ascontiguousarray(np.concatenate([_CODES[values], _CODES[check][:, None]], axis=1))
    return pa.array(chars.view("S18").ravel(), pa.binary()).cast(pa.string())


def _text(numbers: np.ndarray) -> pa.Array:
    return pa.array(numbers).cast(pa.string())


def write_large_delivery(landing: Path, records: int = RECORDS) -> tuple[Path, int]:
    """``hrss_employers/440000_2024Q1_01.csv`` (UTF-8, CRLF) and its manifest; returns
    (path, number of records that break an R rule)."""
    contract = contract_for("hrss_employers")
    folder = landing / "hrss_employers"
    folder.mkdir(parents=True)
    path = folder / "440000_2024Q1_01.csv"
    digest = hashlib.sha256()
    rejects = 0
    options = pacsv.WriteOptions(include_header=False, eol="\r\n", quoting_style="needed")
    with path.open("wb") as out:

        def write(block: bytes) -> None:
            out.write(block)
            digest.update(block)

        write((",".join(c.header for c in contract.columns) + "\r\n").encode("utf-8"))
        for first in range(0, records, CHUNK):
            n = min(CHUNK, records - first)
            index = np.arange(first, first + n)
            bad = index % BAD_EVERY == BAD_EVERY - 1
            rejects += int(bad.sum())
            even = pa.array(index % 2 == 0)
            table = pa.table({
                "uscc": _usccs(first, n),
                "name": pc.binary_join_element_wise("深圳市测试", _text(index), "精密化工制造有限公司", ""),
                "area": pc.if_else(even, "440303", "440303"),
                "industry": pc.if_else(even, "C2614", "E4813"),
                "risk": _text(index % 8 + 1),
                "workers": pc.if_else(pa.array(bad), "-5", _text(index % 997)),
                "payroll": pc.binary_join_element_wise(_text(index % 100_000 * 13), ".50", ""),
                "rate": pc.if_else(pa.array(index % 3 == 0), "0.7%", "1.1"),
            })
            buf = io.BytesIO()
            pacsv.write_csv(table, buf, options)
            write(buf.getvalue())
    manifest = {"feed": "hrss_employers", "province": "440000", "period": "2024Q1", "seq": "01",
                "file": path.name, "sha256": digest.hexdigest(), "rows": records, "encoding": "UTF-8",
                "exported_at": "2024-04-09T17:30:00+08:00", "agency": "广东省人力资源和社会保障厅"}
    (folder / "440000_2024Q1_01.manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return path, rejects


CHILD = textwrap.dedent("""
    import json, os, sys, threading, time
    from pathlib import Path

    landing, warehouse, bound = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])

    def watchdog():  # fail fast instead of swapping the machine: stop once over the bound
        while True:
            with open("/proc/self/status") as status:
                rss = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmRSS"))
            if rss > bound:
                sys.stderr.write(f"resident memory {rss >> 20} MiB passed the bound of {bound >> 20} MiB\\n")
                sys.stderr.flush()
                os._exit(86)
            time.sleep(0.1)

    threading.Thread(target=watchdog, daemon=True).start()
    from ipx.contracts import contract_for
    from ipx.ingestion.landing import scan_feed_folder
    from ipx.ingestion.loader import IngestContext, ingest_feed
    from ipx.ingestion.pseudonym import HmacPads
    from ipx.resources import WarehouseResource

    # what the raw/hrss_employers asset does, on the connection its resource opens
    resource = WarehouseResource(path=str(warehouse), landing=str(landing))
    contract = contract_for("hrss_employers")
    ctx = IngestContext(resource.layout.archive_dir, b"\\x01" * 32, HmacPads.from_key(b"k"), "big-run")
    with resource.connect() as con:
        results = ingest_feed(con, contract, scan_feed_folder(landing / "hrss_employers", contract), ctx)
    with open("/proc/self/status") as status:  # the peak of this process's memory since exec
        peak = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmHWM"))
    print(json.dumps({"results": [r.__dict__ for r in results], "peak": peak}))
""")


@pytest.fixture(scope="module")
def large_delivery(tmp_path_factory):
    root = tmp_path_factory.mktemp("large")
    path, rejects = write_large_delivery(root / "landing")
    yield root, path, rejects
    shutil.rmtree(root, ignore_errors=True)  # gigabytes: do not keep them until the session ends


def test_a_gigabyte_delivery_ingests_in_bounded_memory(large_delivery):
    """Peak resident memory of the ingesting process stays under three quarters of the file's
    size (and of 2 GiB), with DuckDB itself held to 256 MB, and every record is loaded or rejected
    exactly once."""
    root, path, rejects = large_delivery
    size = path.stat().st_size
    assert size > 1 << 30, f"the test file is only {size >> 20} MiB"
    bound = int(min(size, 2 * GIB) * 0.75)
    warehouse = root / "wh" / "ipx.duckdb"
    warehouse.parent.mkdir(exist_ok=True)
    out_path, err_path = root / "child.out", root / "child.err"
    with out_path.open("w") as out, err_path.open("w") as err:
        code = subprocess.call([sys.executable, "-c", CHILD, str(root / "landing"), str(warehouse), str(bound)],
                               stdout=out, stderr=err, env={**os.environ, "IPX_DUCKDB_MEMORY_LIMIT": DUCKDB_LIMIT})
    assert code == 0, err_path.read_text()[-3000:]
    report = json.loads(out_path.read_text().strip().splitlines()[-1])  # after DuckDB's progress bars
    peak = report["peak"]
    print(f"\nlarge delivery: {size / GIB:.2f} GiB, {RECORDS:,} records; peak RSS of ingestion "
          f"{peak / GIB:.2f} GiB (bound {bound / GIB:.2f} GiB)")
    assert peak < bound, f"ingesting a {size / GIB:.2f} GiB file peaked at {peak / GIB:.2f} GiB of memory"
    (result,) = report["results"]
    assert (result["status"], result["records"], result["loaded"], result["rejected"]) == \
        ("loaded", RECORDS, RECORDS - rejects, rejects), result
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        loaded, distinct, low, high = con.execute(
            "SELECT count(*), count(DISTINCT _record_no), min(_record_no), max(_record_no) "
            "FROM raw.hrss_employers").fetchone()
        rejected = con.execute("SELECT list(record_no ORDER BY record_no) FROM ingest.rejected_records").fetchone()[0]
        overlap = con.execute("SELECT count(*) FROM raw.hrss_employers WHERE _record_no IN "
                              "(SELECT record_no FROM ingest.rejected_records)").fetchone()[0]
    finally:
        con.close()
    # every record number 1..N exactly once, loaded or rejected
    assert rejected == list(range(BAD_EVERY, RECORDS + 1, BAD_EVERY))
    assert loaded == distinct == RECORDS - rejects and overlap == 0
    assert low == 1 and high == RECORDS - 1  # record N is one of the rejects
