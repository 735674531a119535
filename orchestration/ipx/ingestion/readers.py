"""Reading CSV and XLSX deliveries into Arrow batches of normalised strings.

Every batch has ``_record_no`` (1-based number of the data record in its file; title, blank
and total rows are not records), one string column per contract column present in the file,
``_extra`` (a map header -> value of the columns kept aside) and ``_row_error`` for records
whose shape is broken.

CSV is parsed by Arrow (vectorised, streaming). If Arrow finds a row whose field count
differs from the header, a cell too large for its block, or anything else it will not parse,
the file is read again with Python's csv module, which numbers every record exactly and marks
the broken ones. XLSX (first sheet only) is read with calamine.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ipx.contracts import FeedContract
from ipx.ingestion.headers import HeaderMap, map_header, score_header
from ipx.ingestion.quarantine import Quarantine

BATCH_ROWS = 100_000
HEADER_SEARCH_ROWS = 30
TOTAL_PREFIXES = ("合计", "总计")
csv.field_size_limit(sys.maxsize)


@dataclass
class ReadResult:
    header: HeaderMap
    batches: Iterator[pa.RecordBatch]
    reader: str  # which reader produced the batches


def normalise(array: pa.Array) -> pa.Array:
    """NFKC, trimmed, blank as null: the comparison form of spec section 1."""
    array = array.cast(pa.string())
    array = pc.utf8_trim_whitespace(pc.utf8_normalize(array, form="NFKC"))
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


def _all(masks: list[pa.Array]) -> pa.Array:
    out = masks[0]
    for mask in masks[1:]:
        out = pc.and_(out, mask)
    return out


def _assemble(cells: list[pa.Array], header: HeaderMap, first_record: int,
              row_error: pa.Array | None = None) -> tuple[pa.RecordBatch | None, int]:
    """Drop blank and total rows, number the records, and select the mapped columns.

    Cells beyond the header's width must be blank; a record with a value there is marked as
    broken in ``_row_error`` (a reason starting ``row_shape``).
    """
    width = header.width
    cells = [normalise(a) for a in cells]
    n = len(cells[0]) if cells else 0
    if n == 0:
        return None, first_record
    if len(cells) > width:
        beyond_blank = _all([pc.is_null(a) for a in cells[width:]])
        shape = pc.if_else(beyond_blank, pa.scalar(None, pa.string()),
                           pa.scalar(f"row_shape: 该行字段数多于表头的 {width} 列", pa.string()))
        row_error = shape if row_error is None else pc.coalesce(row_error, shape)
    blank = _all([pc.is_null(a) for a in cells])
    if row_error is not None:
        blank = pc.and_(blank, pc.is_null(row_error))
    first = pc.fill_null(cells[0], "")
    total = pc.or_(pc.starts_with(first, TOTAL_PREFIXES[0]), pc.starts_with(first, TOTAL_PREFIXES[1]))
    keep = pc.invert(pc.or_(blank, total))
    kept = pc.sum(keep).as_py() or 0
    if kept == 0:
        return None, first_record
    numbers = pa.array(range(first_record, first_record + kept), pa.int64())
    names = ["_record_no"]
    arrays = [numbers]
    for name, index in header.positions.items():
        names.append(name)
        arrays.append(pc.filter(cells[index], keep))
    names.append("_extra")
    arrays.append(extra_map([pc.filter(cells[index], keep) for index, _ in header.extras],
                            header.extra_headers, kept))
    names.append("_row_error")
    arrays.append(pc.filter(row_error, keep) if row_error is not None else pa.nulls(kept, pa.string()))
    return pa.RecordBatch.from_arrays(arrays, names=names), first_record + kept


EXTRA_TYPE = pa.map_(pa.string(), pa.string())


def extra_map(columns: list[pa.Array], headers: list[str], n: int) -> pa.Array:
    """The columns kept aside as one map column (header -> value), built without a row loop."""
    if not headers:
        return pa.nulls(n, EXTRA_TYPE)
    k = len(headers)
    offsets = pa.array(np.arange(0, n * k + 1, k, dtype=np.int32))
    keys = pa.array(np.tile(np.array(headers, dtype=object), n), pa.string())
    order = (np.arange(n)[:, None] + np.arange(k)[None, :] * n).ravel()
    items = pa.concat_arrays([c.cast(pa.string()) for c in columns]).take(pa.array(order))
    return pa.MapArray.from_arrays(offsets, keys, items)


# ---------------------------------------------------------------- CSV


def _python_codec(path: Path, declared: str) -> str:
    with path.open("rb") as fh:
        head = fh.read(3)
    return "utf-8-sig" if head == codecs.BOM_UTF8 else declared


def _first_row(path: Path, codec: str) -> list[str]:
    with path.open("r", encoding=codec, newline="", errors="strict") as fh:
        return next(csv.reader(fh), [])


RESTART = object()  # yielded when the fast reader gives up: discard what it produced


def _arrow_csv(path: Path, codec: str, header: HeaderMap, n_fields: int) -> Iterator[pa.RecordBatch]:
    names = [f"f{i}" for i in range(n_fields)]

    def invalid_row(row):  # a row whose field count differs: the exact reader handles it
        return "error"

    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            encoding="utf8" if codec in ("utf-8", "utf-8-sig") else codec,
            column_names=names, skip_rows=1, block_size=8 << 20, use_threads=True,
        ),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=invalid_row),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False, quoted_strings_can_be_null=False,
        ),
    )
    record = 1
    for batch in reader:
        out, record = _assemble(batch.columns, header, record)
        if out is not None:
            yield out


def _python_csv(path: Path, codec: str, header: HeaderMap, n_fields: int) -> Iterator[pa.RecordBatch]:
    record = 1
    with path.open("r", encoding=codec, newline="", errors="strict") as fh:
        rows = csv.reader(fh)
        next(rows, None)
        while True:
            chunk = []
            for row in rows:
                chunk.append(row)
                if len(chunk) >= BATCH_ROWS:
                    break
            if not chunk:
                return
            columns: list[list[str | None]] = [[] for _ in range(n_fields)]
            errors: list[str | None] = []
            for row in chunk:
                if len(row) < n_fields and any(c.strip() for c in row):
                    errors.append(f"row_shape: 该行只有 {len(row)} 个字段，表头有 {n_fields} 个")
                elif any(c.strip() for c in row[n_fields:]):
                    errors.append(f"row_shape: 该行有 {len(row)} 个字段，表头只有 {n_fields} 个")
                else:
                    errors.append(None)
                row = (row + [""] * n_fields)[:n_fields]
                for i, cell in enumerate(row):
                    columns[i].append(cell)
            arrays = [pa.array(c, pa.string()) for c in columns]
            out, record = _assemble(arrays, header, record, pa.array(errors, pa.string()))
            if out is not None:
                yield out


def read_csv(path: Path, declared_codec: str, contract: FeedContract) -> ReadResult:
    codec = _python_codec(path, declared_codec)
    try:
        first = _first_row(path, codec)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise Quarantine("file_unreadable", f"cannot decode as {codec}: {exc}") from exc
    if not first:
        raise Quarantine("header_invalid", "empty file: no header row")
    header = map_header(first, contract)
    n_fields = len(first)

    def batches() -> Iterator[pa.RecordBatch | object]:
        try:
            yield from _arrow_csv(path, codec, header, n_fields)
            return
        except (pa.ArrowInvalid, UnicodeDecodeError, ValueError):
            yield RESTART
        try:
            yield from _python_csv(path, codec, header, n_fields)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise Quarantine("file_unreadable", f"cannot parse as CSV in {codec}: {exc}") from exc

    return ReadResult(header, batches(), "arrow-csv")


# ---------------------------------------------------------------- XLSX


def cell_text(value: object) -> str | None:
    """An XLSX cell as the text an agency meant: 440103 not 440103.0, dates in ISO form."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path, contract: FeedContract) -> ReadResult:
    """The first sheet of a workbook, read with calamine (Rust): title rows before the header are
    skipped, the header is the row that best matches the contract."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        if not book.sheet_names:
            raise Quarantine("header_invalid", "the workbook has no sheet")
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Quarantine:
        raise
    except Exception as exc:  # CalamineError, zip or XML errors
        raise Quarantine("file_unreadable", f"not a readable XLSX workbook: {type(exc).__name__}: {exc}") from exc
    head = rows[:HEADER_SEARCH_ROWS]
    if not head:
        raise Quarantine("header_invalid", "the first sheet is empty")
    scores = [score_header(list(r), contract) for r in head]
    best = max(range(len(head)), key=lambda i: (scores[i], -i))
    if scores[best] < min(2, len(contract.columns)):
        raise Quarantine("header_invalid", "no header row matching the contract in the first sheet")
    header = map_header(list(head[best]), contract)
    width = header.width

    def batches() -> Iterator[pa.RecordBatch]:
        record = 1
        body = rows[best + 1:]
        for start in range(0, len(body), BATCH_ROWS):
            chunk = body[start:start + BATCH_ROWS]
            columns: list[list[str | None]] = [[] for _ in range(width)]
            errors: list[str | None] = []
            for row in chunk:
                cells = [cell_text(v) for v in row]
                beyond = [c for c in cells[width:] if c and c.strip()]
                errors.append(f"row_shape: 表头之外还有 {len(beyond)} 个非空单元格" if beyond else None)
                cells = (cells + [None] * width)[:width]
                for i, c in enumerate(cells):
                    columns[i].append(c)
            out, record = _assemble([pa.array(c, pa.string()) for c in columns], header, record,
                                    pa.array(errors, pa.string()))
            if out is not None:
                yield out

    return ReadResult(header, batches(), "calamine")


def read_delivery(path: Path, declared_codec: str, contract: FeedContract) -> ReadResult:
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path, contract)
    return read_csv(path, declared_codec, contract)
