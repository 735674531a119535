"""Reading CSV and XLSX deliveries into Arrow batches of normalised strings.

Every batch has ``_record_no`` (1-based number of the data record in its file; title, blank
and total rows are not records), one string column per contract column present in the file,
``_extra`` (a map header -> value of the columns kept aside) and ``_row_error`` for records
whose shape is broken.

CSV is parsed by Arrow (vectorised, streaming). If Arrow finds a row whose field count
differs from the header, a cell too large for its block, or anything else it will not parse,
the file is read again with Python's csv module, which numbers every record exactly and marks
the broken ones. XLSX (first sheet only) is read with calamine, row by row; calamine holds the
sheet's used range as one dense block, so a sheet whose values reach far beyond any table (a
stray value at XFD1048576 would need ~550 GB) is quarantined before calamine opens it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
import re
import sys
import zipfile
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
XLSX_MAX_CELLS = 1 << 25  # used range calamine may build (~32 bytes a cell: 1 GiB)
# Arrow's streaming CSV reader reads about 36 blocks ahead: 2 MiB blocks keep that near 80 MiB
# (8 MiB blocks held 300 MiB). A record longer than a block goes to the exact reader.
BLOCK_SIZE = 2 << 20


@dataclass
class ReadResult:
    header: HeaderMap
    batches: Iterator[pa.RecordBatch]
    reader: str  # which reader produced the batches


def normalise(array: pa.Array) -> pa.Array:
    """NFKC, trimmed, blank as null: the comparison form of spec section 1."""
    array = array.cast(pa.string())
    # ASCII text is its own NFKC form: columns of codes, numbers and dates skip the normalisation
    if not pc.all(pc.string_is_ascii(array), min_count=0).as_py():
        array = pc.utf8_normalize(array, form="NFKC")
    array = pc.utf8_trim_whitespace(array)
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


def _arrow_csv(path, codec: str, header: HeaderMap, n_fields: int) -> Iterator[pa.RecordBatch]:
    names = [f"f{i}" for i in range(n_fields)]
    # A row whose field count differs raises ArrowInvalid (no invalid_row_handler: pyarrow
    # could not even hand it a row that is not valid UTF-8): the exact reader handles it.
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            encoding="utf8" if codec in ("utf-8", "utf-8-sig") else codec,
            column_names=names, skip_rows=1, block_size=BLOCK_SIZE, use_threads=True,
        ),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
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


_UTF8_HANZI = re.compile(rb"[\xe4-\xe9][\x80-\xbf][\x80-\xbf]")
# Over bytes decoded as UTF-8 with surrogateescape (a byte that is not valid UTF-8 becomes a lone
# surrogate): a line without such a byte and with three characters U+4000-U+9FFF (the characters
# whose UTF-8 form _UTF8_HANZI matches). Every line the exact test refuses is found by it.
_UTF8_CANDIDATE = re.compile(r"^(?=[^\n\udc80-\udcff]*$)(?:[^\n\u4000-\u9fff]*[\u4000-\u9fff]){3}", re.MULTILINE)


def _is_utf8_line(line: bytes) -> bool:
    """A line counts as UTF-8 when all of it is valid UTF-8 and it holds at least three Chinese
    characters in UTF-8 form; GB18030 text passes for that about never (none of 1.5 million random
    runs of 3 to 8 GB2312 characters did)."""
    if line.isascii() or len(_UTF8_HANZI.findall(line)) < 3:
        return False
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class Utf8LineCheck:
    """A file declared GB18030 with lines in UTF-8 (two exports pasted together) decodes without
    error, into nonsense: refuse it. Fed the file's bytes in order, in pieces of any size (the
    blocks the CSV parser reads), it finds the first such line, numbered as ``enumerate`` numbers
    the lines of the file opened in binary mode."""

    def __init__(self) -> None:
        self.lines = 0  # complete lines looked at
        self.carry = b""  # the start of a line not yet complete
        self.problem: Quarantine | None = None

    def feed(self, data: bytes, final: bool = False) -> None:
        if self.problem is not None:
            return
        data = self.carry + data
        end = len(data) if final else data.rfind(b"\n") + 1
        self.carry = data[end:]
        if end == 0:
            return
        block = data[:end]
        if block.isascii():
            self.lines += block.count(b"\n")
            return
        text = block.decode("utf-8", "surrogateescape")
        for found in _UTF8_CANDIDATE.finditer(text):
            line_end = text.find("\n", found.start())
            line = text[found.start():len(text) if line_end < 0 else line_end + 1].encode("utf-8", "surrogateescape")
            if _is_utf8_line(line):
                number = self.lines + text.count("\n", 0, found.start()) + 1
                self.problem = Quarantine("file_unreadable", f"declared GB18030, but line {number} is UTF-8 "
                                                             "(a file of mixed encodings?)")
                return
        self.lines += text.count("\n")

    def finish(self) -> None:
        self.feed(b"", final=True)
        if self.problem is not None:
            raise self.problem


class _CheckedFile:
    """A binary file for Arrow's CSV reader that shows every block it reads to a ``Utf8LineCheck``:
    the file is read once for both."""

    def __init__(self, path: Path, check: Utf8LineCheck):
        self.raw = path.open("rb")
        self.check = check
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.check.feed(data)
        return data

    def drain(self) -> None:
        """Show the rest of the file to the check (when the reader stopped before its end)."""
        while data := self.raw.read(BLOCK_SIZE):
            self.check.feed(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.raw.close()
        self.closed = True


def _check_no_utf8_lines(path: Path) -> None:
    """The whole file through ``Utf8LineCheck`` (when the reader will not read it)."""
    check = Utf8LineCheck()
    with path.open("rb") as fh:
        while data := fh.read(BLOCK_SIZE):
            check.feed(data)
    check.finish()


def read_csv(path: Path, declared_codec: str, contract: FeedContract) -> ReadResult:
    codec = _python_codec(path, declared_codec)
    try:
        first = _first_row(path, codec)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise Quarantine("file_unreadable", f"cannot decode as {codec}: {exc}") from exc
    try:
        if not first:
            raise Quarantine("header_invalid", "empty file: no header row")
        header = map_header(first, contract)
    except Quarantine:
        if codec == "gb18030":
            _check_no_utf8_lines(path)  # a UTF-8 line is the reason, as it is for a good header
        raise
    n_fields = len(first)

    def batches() -> Iterator[pa.RecordBatch | object]:
        # Declared GB18030: the UTF-8 line check sees the bytes as Arrow reads them; what it finds
        # is the file's reason whatever else goes wrong in reading it
        check = Utf8LineCheck() if codec == "gb18030" else None
        source = _CheckedFile(path, check) if check else path
        try:
            for batch in _arrow_csv(source, codec, header, n_fields):
                if check and check.problem:
                    raise check.problem
                yield batch
            if check:
                source.drain()
                check.finish()
            return
        except (pa.ArrowInvalid, UnicodeDecodeError, ValueError):
            if check:
                source.drain()
                check.finish()
            yield RESTART
        finally:
            if check:
                source.close()
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


# Cell references beyond column AF (32) or at row 1,000,000 and below: a sheet without any fits
# XLSX_MAX_CELLS however long it is, so only those few cells need a closer look.
_FAR_REF = re.compile(rb'\br="((?:A[G-Z]|[B-Z][A-Z]|[A-Z]{3})[0-9]+|[A-Z]{1,3}[0-9]{7,})"')
_ANY_REF = re.compile(rb'\br="([A-Z]{1,3}[0-9]+)"')
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s")
_REF_PARTS = re.compile(r"([A-Z]+)([0-9]+)")


def _first_sheet_members(book: zipfile.ZipFile) -> list[str]:
    """The XML member of the workbook's first sheet (the one calamine reads), or every sheet's
    when the workbook's own listing cannot be followed."""
    import xml.etree.ElementTree as ET

    sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    try:
        main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
        first = next(ET.fromstring(book.read("xl/workbook.xml")).iter(f"{main}sheet")).get(f"{rel}id")
        for r in ET.fromstring(book.read("xl/_rels/workbook.xml.rels")):
            if r.get("Id") == first:
                target = r.get("Target", "")
                member = target.lstrip("/") if target.startswith("/") else "xl/" + target
                return [member] if member in book.namelist() else sheets
    except (KeyError, StopIteration, ET.ParseError, ValueError):
        pass
    return sheets


def _valued_refs(xml, pattern: re.Pattern) -> Iterator[str]:
    """References matching ``pattern`` of the cells that hold something (not ``<c .../>``), read
    from a sheet's XML stream in chunks, cut before a tag so that no tag is split."""
    carry = b""
    while True:
        chunk = xml.read(1 << 20)
        buf = carry + chunk
        cut = len(buf) if not chunk else buf.rfind(b"<")
        if cut <= 0:
            if not chunk:
                return
            carry = buf
            continue
        for m in pattern.finditer(buf, 0, cut):
            lt = buf.rfind(b"<", 0, m.start())
            gt = buf.find(b">", m.end())
            if lt >= 0 and _CELL_TAG.match(buf, lt) and gt > 0 and buf[gt - 1:gt] != b"/":
                yield m.group(1).decode("ascii")
        if not chunk:
            return
        carry = buf[cut:]


def _used_range(book: zipfile.ZipFile) -> tuple[int, int, str] | None:
    """(rows, columns, farthest reference) of the values of the first sheet when they reach beyond
    column AF or row 999,999; None when they do not (the used range is then small enough)."""

    def extent(pattern: re.Pattern) -> tuple[int, int, str]:
        rows = cols = 0
        far = ""
        for member in _first_sheet_members(book):
            with book.open(member) as xml:
                for ref in _valued_refs(xml, pattern):
                    letters, digits = _REF_PARTS.fullmatch(ref).groups()
                    col = 0
                    for ch in letters:
                        col = col * 26 + ord(ch) - 64
                    row = int(digits)
                    if col * row > cols * rows:
                        far = ref
                    rows, cols = max(rows, row), max(cols, col)
        return rows, cols, far

    if extent(_FAR_REF)[2] == "":
        return None
    return extent(_ANY_REF)  # the rare wide or deep sheet: every cell counts


def _check_used_range(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as book:
            used = _used_range(book)
    except Exception:  # BadZipFile, zlib.error, unsupported compression, ...: calamine says why
        return
    if used is not None and used[0] * used[1] > XLSX_MAX_CELLS:
        rows, cols, far = used
        raise Quarantine("file_unreadable",
                         f"the first sheet has values as far as {far}: {rows:,} rows x {cols:,} columns "
                         f"({rows * cols:,} cells), more than can be read ({XLSX_MAX_CELLS:,}); "
                         "is a stray value left far outside the table?")


def read_xlsx(path: Path, contract: FeedContract) -> ReadResult:
    """The first sheet of a workbook, read with calamine (Rust) row by row: title rows before the
    header are skipped, the header is the row that best matches the contract."""
    from python_calamine import CalamineWorkbook

    _check_used_range(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
        if not book.sheet_names:
            raise Quarantine("header_invalid", "the workbook has no sheet")
        sheet = book.get_sheet_by_index(0)
        # iter_rows starts at the first used column; pad as to_python(skip_empty_area=False) would
        pad = [""] * (sheet.start[1] if sheet.start else 0)
        rows = (pad + row for row in sheet.iter_rows())
        head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    except Quarantine:
        raise
    except Exception as exc:  # CalamineError, zip or XML errors
        raise Quarantine("file_unreadable", f"not a readable XLSX workbook: {type(exc).__name__}: {exc}") from exc
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
        body = itertools.chain(head[best + 1:], rows)
        while True:
            try:
                chunk = list(itertools.islice(body, BATCH_ROWS))
            except Exception as exc:  # a cell calamine cannot convert
                raise Quarantine("file_unreadable", f"not a readable XLSX sheet: {type(exc).__name__}: {exc}") from exc
            if not chunk:
                return
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
