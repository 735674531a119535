"""Property-based tests over the readers, header mapping, manifests and validation (spec section 1,
"Acceptance, rejection, nothing lost").

Whatever arrives — random bytes, truncated or mixed-encoding files, cells of several MB, a wrong
type in every column, duplicated headers, empty files, workbooks with many sheets or merged
cells, broken manifests — the run must not raise, and every file ends either quarantined with a
reason in ``ingest.files`` or accepted with loaded + rejected = the records in the file
(``reliability_support.assert_accounted`` checks this on the warehouse after every example).
Where the test knows how many records it wrote, it also checks the file was accepted with
exactly that many: a reader that miscounts would otherwise hide behind a row-count quarantine.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import random
import string

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from reliability_support import fresh_root, ingest_feeds, write_raw_delivery

from ipx.contracts import contract_for
from support.deliveries import accident, claim, employer, sample, training

# each example ingests into a fresh warehouse (~0.2 s): 30 examples a property keep the module
# near two minutes; no example database is written into the repository
SETTINGS = settings(max_examples=30, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(SETTINGS, max_examples=8)

# feed -> (template record, period of a valid file name)
FEEDS = {
    "hrss_employers": (employer, "2024Q1"),
    "hrss_injury_claims": (claim, "202403"),
    "hrss_training": (training, "202403"),
    "nhc_hazard_monitoring": (sample, "202403"),
    "em_accidents": (accident, "202403"),
}
SERIAL = "序号"  # an extra column (kept aside) that makes every written row a record

WEIRD = [
    "", " ", "\u3000", "N/A", "-", "null", "NULL", "NaN", "nan", "inf", "-inf", "Infinity", "1e309", "1E5",
    "1e-400", "-0", "+5", "0x1F", "１２３", "1,2,3", "1,234,567.891", "12,34", ".5", "5.", "--1", "9" * 40,
    "-" + "9" * 40, "9" * 25 + ".99", "0." + "0" * 60 + "1", "2024-02-30", "0000-00-00", "0001-01-01",
    "9999-12-31", "99999999", "20241301", "2024/2/29", "2023年2月29日", "2024-03-05 25:61",
    "2024-03-05T10:00:00+08:00", "1900-01-00", "00:00", "一级", "十一级", "0级", "11", "-1", "=1+1",
    "@SUM(A1)", "合计", '"', "'", ",", "\n", "\r\n", "\r", "\x00", "a\x00b", "\u200b", "\ufeff", "𠀀𪚥",
    "X" * 18, "%", "0.7%%", "3%", "-3%", "万元", "男女", "是否", "\t", "ＡＢＣ", "ｘ", "\u0301", "ǅ",
    "9" * 17 + "X", "11010519491231002X", "91440300" + "0" * 10, "C2614", "Z99", "C", "99999", "440303.0",
    "1" * 400, "中" * 5000,
]


def csv_line(cells: list[str]) -> str:
    out = []
    for cell in cells:
        if any(ch in cell for ch in ',"\r\n'):
            cell = '"' + cell.replace('"', '""') + '"'
        out.append(cell)
    return ",".join(out)


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str = "utf-8", bom: bool = False,
              newline: str = "\r\n") -> bytes:
    text = newline.join(csv_line(r) for r in [header, *rows]) + newline
    return (codecs.BOM_UTF8 if bom else b"") + text.encode(encoding)


def header_and_rows(feed: str, records: list[dict], order: list[str]) -> tuple[list[str], list[list[str]]]:
    contract = contract_for(feed)
    header = [SERIAL] + [contract.column(c).header for c in order]
    rows = [[str(i + 1)] + [rec[c] for c in order] for i, rec in enumerate(records)]
    return header, rows


def xlsx_bytes(sheets: list[list[list[object]]], merges: list[tuple[int, str]] = ()) -> bytes:
    """A workbook with one sheet per list of rows; ``merges`` are (sheet index, range)."""
    import openpyxl

    book = openpyxl.Workbook()
    for i, rows in enumerate(sheets):
        sheet = book.active if i == 0 else book.create_sheet(f"表{i + 1}")
        for row in rows:
            sheet.append([xlsx_safe(c) if isinstance(c, str) else c for c in row])
    for index, cells in merges:
        book.worksheets[index].merge_cells(cells)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


PLACEHOLDER = "@@BIG-CELL@@"


def with_cell_text(book: bytes, placeholder: str, text: str) -> bytes:
    """The workbook with ``placeholder`` (an inline string openpyxl wrote) replaced by ``text``."""
    import zipfile
    from xml.sax.saxutils import escape

    src, out = zipfile.ZipFile(io.BytesIO(book)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/") and placeholder.encode() in content:
                content = content.replace(placeholder.encode(), escape(text).encode("utf-8"))
            dst.writestr(info, content)
    return out.getvalue()


def xlsx_safe(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def period_stem(feed: str) -> str:
    return f"440000_{FEEDS[feed][1]}_01"


# ---------------------------------------------------------------- strategies

feeds = st.sampled_from(sorted(FEEDS))
text_values = st.one_of(st.sampled_from(WEIRD), st.text(max_size=24),
                        st.integers().map(str), st.floats().map(repr), st.dates().map(str),
                        st.datetimes().map(str), st.decimals(allow_nan=False).map(str))


@st.composite
def feed_records(draw, cells=text_values, max_rows: int = 12):
    """A feed, its records (each column: a valid value or anything at all), and a column order."""
    feed = draw(feeds)
    template, _ = FEEDS[feed]
    columns = [c.name for c in contract_for(feed).columns]
    n = draw(st.integers(0, max_rows))
    records = []
    for i in range(n):
        valid = template(i)
        records.append({c: draw(st.one_of(st.just(valid.get(c) or ""), cells)) for c in columns})
    order = draw(st.permutations(columns))
    return feed, records, list(order)


# ---------------------------------------------------------------- random bytes


@SETTINGS
@given(feed=feeds, data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx"]),
       encoding=st.sampled_from(["UTF-8", "GB18030"]), rows=st.integers(0, 5))
@example(feed="hrss_employers", data=b"", suffix=".csv", encoding="UTF-8", rows=0)
@example(feed="hrss_employers", data=b"PK\x03\x04" + b"\x00" * 200, suffix=".xlsx", encoding="UTF-8", rows=0)
def test_random_bytes_never_escape_as_an_exception(feed, data, suffix, encoding, rows):
    with fresh_root() as root:
        write_raw_delivery(root / "landing", feed, period_stem(feed), suffix, data, rows=rows, encoding=encoding)
        outcome = ingest_feeds(root, [feed])
        assert outcome.only.status in ("loaded", "quarantined")


@SETTINGS
@given(feed=feeds, body=st.binary(max_size=3000), encoding=st.sampled_from(["UTF-8", "GB18030"]),
       rows=st.integers(0, 5))
def test_a_valid_header_then_random_bytes(feed, body, encoding, rows):
    """Past the header check, the bytes reach the Arrow and Python CSV readers."""
    contract = contract_for(feed)
    head = csv_line([c.header for c in contract.columns]) + "\r\n"
    data = head.encode("gb18030" if encoding == "GB18030" else "utf-8") + body
    with fresh_root() as root:
        write_raw_delivery(root / "landing", feed, period_stem(feed), ".csv", data, rows=rows, encoding=encoding)
        outcome = ingest_feeds(root, [feed])
        result = outcome.only
        if result.status == "quarantined" and result.reason == "row_count_mismatch":
            # the reader's count, given back in a corrected manifest, must then be accepted whole
            found = outcome.query("SELECT records FROM ingest.files")[0][0]
            with fresh_root() as again:
                write_raw_delivery(again / "landing", feed, period_stem(feed), ".csv", data, rows=found,
                                   encoding=encoding)
                assert ingest_feeds(again, [feed]).only.status == "loaded"


# ---------------------------------------------------------------- wrong types everywhere


@SETTINGS
@given(case=feed_records(), encoding=st.sampled_from(["utf-8", "gb18030"]), bom=st.booleans(),
       newline=st.sampled_from(["\r\n", "\n"]))
def test_wrong_types_in_every_column_are_rejected_record_by_record_csv(case, encoding, bom, newline):
    feed, records, order = case
    header, rows = header_and_rows(feed, records, order)
    data = csv_bytes(header, rows, encoding, bom=bom and encoding == "utf-8", newline=newline)
    with fresh_root() as root:
        write_raw_delivery(root / "landing", feed, period_stem(feed), ".csv", data, rows=len(rows),
                           encoding=encoding.upper())
        result = ingest_feeds(root, [feed]).only
    assert (result.status, result.reason, result.records) == ("loaded", None, len(rows)), result


xlsx_cells = st.one_of(
    st.sampled_from(WEIRD).map(xlsx_safe), st.text(max_size=24).map(xlsx_safe),
    st.integers(-(2 ** 53), 2 ** 53), st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(), st.dates(min_value=dt.date(1900, 3, 1)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1)), st.times(),
)


@SETTINGS
@given(case=feed_records(cells=xlsx_cells), titles=st.integers(0, 3), blanks=st.integers(0, 2),
       total=st.sampled_from([None, "合计", "总计：", "合计（万元）"]))
def test_wrong_types_in_every_column_are_rejected_record_by_record_xlsx(case, titles, blanks, total):
    """Typed cells of every kind (numbers, dates, times, booleans, text) in every column."""
    feed, records, order = case
    contract = contract_for(feed)
    header = [SERIAL] + [contract.column(c).header for c in order]
    rows: list[list[object]] = [[f"{2024}年{i + 1}月某某表"] for i in range(titles)]
    rows.append(header)
    rows += [[i + 1] + [rec[c] for c in order] for i, rec in enumerate(records)]
    rows += [[None]] * blanks + ([[total]] if total else [])
    with fresh_root() as root:
        write_raw_delivery(root / "landing", feed, period_stem(feed), ".xlsx", xlsx_bytes([rows]),
                           rows=len(records))
        result = ingest_feeds(root, [feed]).only
    assert (result.status, result.reason, result.records) == ("loaded", None, len(records)), result


SNIPPETS = [b'<c r="XFD1"><v>1</v></c>', b'<c r="B1048576"><v>1</v></c>', b"999999999999", b"<", b">", b'"',
            b"&#0;", b't="d"', b't="s"', b's="99"', b'r="A0"', b"<v>1e999</v>", b't="e"', b"<v>#DIV/0!</v>",
            b'<row r="5">', b"</row>", b'<mergeCell ref="A1:XFD3"/>', "合计".encode()]


@SETTINGS
@given(feed=feeds, data=st.data())
def test_a_workbook_with_damaged_xml(feed, data):
    """A real workbook whose XML parts (sheet, shared strings, styles, workbook, relations) are
    damaged byte by byte: calamine's errors become quarantines, and what it still reads is
    accounted for record by record."""
    import zipfile

    template, _ = FEEDS[feed]
    header = [SERIAL] + [c.header for c in contract_for(feed).columns]
    rows = [[i + 1] + [template(i).get(c.name) or "" for c in contract_for(feed).columns] for i in range(6)]
    book = zipfile.ZipFile(io.BytesIO(xlsx_bytes([[["某某明细表"], header, *rows]], [(0, "A1:D1")])))
    members = {n: book.read(n) for n in book.namelist()}
    target = data.draw(st.sampled_from(sorted(n for n in members if n.endswith((".xml", ".rels")))))
    damaged = bytearray(members[target])
    for _ in range(data.draw(st.integers(1, 5))):
        at = data.draw(st.integers(0, len(damaged)))
        action = data.draw(st.sampled_from(["byte", "cut", "insert"]))
        if action == "byte" and at < len(damaged):
            damaged[at] = data.draw(st.integers(0, 255))
        elif action == "cut":
            del damaged[at:at + data.draw(st.integers(1, 40))]
        else:
            damaged[at:at] = data.draw(st.sampled_from(SNIPPETS))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            z.writestr(name, bytes(damaged) if name == target else content)
    with fresh_root() as root:
        write_raw_delivery(root / "landing", feed, period_stem(feed), ".xlsx", out.getvalue(), rows=len(rows))
        assert ingest_feeds(root, [feed]).only.status in ("loaded", "quarantined")


# ---------------------------------------------------------------- truncated and mixed encodings


@SETTINGS
@given(case=feed_records(max_rows=8), cut=st.floats(0, 1), fmt=st.sampled_from(["csv", "xlsx"]),
       manifest_of=st.sampled_from(["original", "truncated"]))
def test_truncated_files(case, cut, fmt, manifest_of):
    """A file cut short: after its manifest was written (SHA-256 differs) or before (the
    manifest describes the truncated bytes; the record count may still match)."""
    feed, records, order = case
    header, rows = header_and_rows(feed, records, order)
    full = csv_bytes(header, rows) if fmt == "csv" else xlsx_bytes([[header, *rows]])
    data = full[: int(len(full) * cut)]
    assume(data != full)
    with fresh_root() as root:
        write_raw_delivery(root / "landing", feed, period_stem(feed), "." + fmt, data, rows=len(rows),
                           sha_of=full if manifest_of == "original" else None)
        result = ingest_feeds(root, [feed]).only
    if manifest_of == "original":
        assert (result.status, result.reason) == ("quarantined", "sha256_mismatch")
    elif fmt == "xlsx":
        assert result.status == "quarantined" and result.reason in ("file_unreadable", "header_invalid"), result


def _hanzi(line: bytes) -> int:
    return sum("\u4000" <= ch <= "\u9fff" for ch in line.decode("utf-8"))


@SETTINGS
@given(case=feed_records(cells=st.one_of(text_values, st.sampled_from(["张伟", "深圳市某某建设工程有限公司",
                                                                       "女", "事故伤害"]))),
       split=st.integers(0, 12), utf8_first=st.booleans(), declared=st.sampled_from(["UTF-8", "GB18030"]))
@example(case=("hrss_employers", [employer(i) for i in range(4)], list(employer(0))), split=1,
         utf8_first=False, declared="GB18030")
def test_mixed_utf8_and_gb18030(case, split, utf8_first, declared):
    """Part of the file in UTF-8, the rest in GB18030 (two exports pasted together). A file the
    declared codec cannot decode is quarantined as unreadable. Declared GB18030, UTF-8 lines
    decode without error into nonsense: a line of valid UTF-8 holding three or more Chinese
    characters gets the file quarantined too (fewer cannot be told from GB18030 reliably)."""
    feed, records, order = case
    header, rows = header_and_rows(feed, records, order)
    lines, utf8_lines = [], []
    for i, row in enumerate([header, *rows]):
        in_utf8 = (i <= split) == utf8_first
        lines.append((csv_line(row) + "\r\n").encode("utf-8" if in_utf8 else "gb18030"))
        if in_utf8:
            utf8_lines += lines[-1].split(b"\n")
    data = b"".join(lines)
    codec = "gb18030" if declared == "GB18030" else "utf-8"
    try:
        data.decode(codec)
        decodable = True
    except UnicodeDecodeError:
        decodable = False
    with fresh_root() as root:
        write_raw_delivery(root / "landing", feed, period_stem(feed), ".csv", data, rows=len(rows), encoding=declared)
        result = ingest_feeds(root, [feed]).only
    if not decodable:
        assert (result.status, result.reason) == ("quarantined", "file_unreadable"), result
    elif declared == "GB18030" and any(_hanzi(line) >= 3 for line in utf8_lines):
        assert (result.status, result.reason) == ("quarantined", "file_unreadable"), result
        assert "UTF-8" in result.detail
    elif declared == "UTF-8" or not utf8_lines:
        assert (result.status, result.records) == ("loaded", len(rows)), result


# ---------------------------------------------------------------- huge cells


@FEW
@example(megabytes=9, fmt="csv", encoding="gb18030", char="厂", where="employer_name")
@example(megabytes=3, fmt="xlsx", encoding="utf-8", char=",\"\n", where="employer_name")
@example(megabytes=1, fmt="xlsx", encoding="utf-8", char="a", where="insured_workers")
@given(megabytes=st.sampled_from([1, 3, 9]), fmt=st.sampled_from(["csv", "xlsx"]),
       encoding=st.sampled_from(["utf-8", "gb18030"]), char=st.sampled_from(["厂", "a", "𠀀", ",\"\n"]),
       where=st.sampled_from(["employer_name", "insured_workers", "备注"]))
def test_cells_of_several_megabytes(megabytes, fmt, encoding, char, where):
    """A cell larger than Arrow's 8 MB block (the exact reader takes over) or than Excel's
    32,767 characters; in a text column it is loaded whole, in a number column rejected."""
    size = megabytes << 20
    big = (char * (size // len(char.encode("utf-8")) + 1))
    records = [employer(i) for i in range(3)]
    records[1][where] = big
    columns = list(records[0]) + (["备注"] if where == "备注" else [])
    header = [contract_for("hrss_employers").column(c).header if c != "备注" else c for c in columns]
    rows = [[r.get(c, "") for c in columns] for r in records]
    if fmt == "xlsx":
        # Excel stops at 32,767 characters a cell and openpyxl cuts there too; other producers
        # do not, so the cell is written into the sheet's XML directly
        rows[1][columns.index(where)] = PLACEHOLDER
        data = with_cell_text(xlsx_bytes([[header, *rows]]), PLACEHOLDER, big)
    else:
        data = csv_bytes(header, rows, encoding)
    with fresh_root() as root:
        write_raw_delivery(root / "landing", "hrss_employers", "440000_2024Q1_01", "." + fmt, data, rows=3,
                           encoding=encoding.upper())
        outcome = ingest_feeds(root, ["hrss_employers"])
        result = outcome.only
        assert (result.status, result.records) == ("loaded", 3), result
        if where == "employer_name":
            stored = outcome.query("SELECT length(employer_name) FROM raw.hrss_employers WHERE _record_no = 2")
            assert stored == [(len(big.strip()),)]
        elif where == "insured_workers":
            assert outcome.query("SELECT record_no, field FROM ingest.rejected_records") == [(2, "insured_workers")]
        else:
            assert outcome.query("SELECT length(_extra['备注']) FROM raw.hrss_employers WHERE _record_no = 2") \
                == [(len(big.strip()),)]


# ---------------------------------------------------------------- headers


@SETTINGS
@given(feed=feeds, data=st.data())
def test_a_duplicated_header_quarantines_the_file(feed, data):
    """A contract column twice (also as a variant spelling: full-width, spaces, 万元 unit) or an
    unknown column twice: the file is quarantined as header_invalid — which of the two holds the
    data is unknowable."""
    contract = contract_for(feed)
    template, _ = FEEDS[feed]
    header = [c.header for c in contract.columns]
    kind = data.draw(st.sampled_from(["contract", "extra"]))
    if kind == "contract":
        twice = data.draw(st.sampled_from(header))
        variant = data.draw(st.sampled_from([twice, f" {twice} ", twice.replace("（", "(").replace("）", ")"),
                                             "\u3000".join(twice)]))
    else:
        twice, variant = "备注", data.draw(st.sampled_from(["备注", " 备注", "备 注"]))
    position = data.draw(st.integers(0, len(header)))
    full = header[:position] + [variant] + header[position:]
    if kind == "extra":
        full = [twice] + full
    values = [template(1).get(c.name) or "" for c in contract.columns]
    row = values[:position] + ["x"] + values[position:]
    if kind == "extra":
        row = ["y"] + row
    fmt = data.draw(st.sampled_from(["csv", "xlsx"]))
    payload = csv_bytes(full, [row]) if fmt == "csv" else xlsx_bytes([[full, row]])
    with fresh_root() as root:
        write_raw_delivery(root / "landing", feed, period_stem(feed), "." + fmt, payload, rows=1)
        result = ingest_feeds(root, [feed]).only
    assert (result.status, result.reason) == ("quarantined", "header_invalid"), result


def test_an_unknown_personal_data_column_twice_is_dropped_twice_not_quarantined():
    """Extra columns that look like personal data are dropped unread, so two of them are no
    ambiguity (the contract's own 姓名 twice is header_invalid, as README says)."""
    records = [claim(1), claim(2)]
    columns = list(records[0])
    header = [contract_for("hrss_injury_claims").column(c).header for c in columns] + ["联系电话", "联系电话"]
    rows = [[r[c] for c in columns] + ["13800000000", "13900000000"] for r in records]
    with fresh_root() as root:
        write_raw_delivery(root / "landing", "hrss_injury_claims", "440000_202403_01", ".csv",
                           csv_bytes(header, rows), rows=2)
        outcome = ingest_feeds(root, ["hrss_injury_claims"])
        assert outcome.only.status == "loaded"
        assert outcome.query("SELECT dropped_columns FROM ingest.files") == [(["联系电话", "联系电话"],)]


# ---------------------------------------------------------------- empty files


EMPTY_CSV = {
    "no bytes": b"",
    "a BOM only": codecs.BOM_UTF8,
    "blank lines": b"\r\n\r\n\n",
    "whitespace": b"  \t \r\n   \r\n",
    "commas only": b",,,,\r\n,,,\r\n",
    "a NUL byte": b"\x00",
    "quotes only": b'""\r\n',
}


@pytest.mark.parametrize("name", sorted(EMPTY_CSV))
@pytest.mark.parametrize("rows", [0, 1])
def test_empty_csv_is_quarantined_for_its_header(name, rows):
    with fresh_root() as root:
        write_raw_delivery(root / "landing", "hrss_employers", "440000_2024Q1_01", ".csv", EMPTY_CSV[name], rows=rows)
        result = ingest_feeds(root, ["hrss_employers"]).only
    assert (result.status, result.reason) == ("quarantined", "header_invalid"), result


def test_a_header_without_records_is_an_empty_delivery():
    header = [c.header for c in contract_for("hrss_employers").columns]
    with fresh_root() as root:
        write_raw_delivery(root / "landing", "hrss_employers", "440000_2024Q1_01", ".csv",
                           csv_bytes(header, [], newline="\r\n"), rows=0)
        write_raw_delivery(root / "landing", "hrss_employers", "440000_2024Q2_01", ".csv",
                           csv_bytes(header, []), rows=1)
        results = ingest_feeds(root, ["hrss_employers"]).results
    assert [(r.status, r.reason, r.records) for r in results] == [("loaded", None, 0),
                                                                  ("quarantined", "row_count_mismatch", 0)]


EMPTY_XLSX = {
    "no rows": lambda: xlsx_bytes([[]]),
    "only titles": lambda: xlsx_bytes([[["2024年1季度参保单位明细表"], ["填报单位：某某"]]]),
    "only blank cells": lambda: xlsx_bytes([[[None, None], [None]]]),
    "data on the second sheet": lambda: xlsx_bytes(
        [[["填报说明：数据见第二张表"]],
         [[c.header for c in contract_for("hrss_employers").columns], list(employer(1).values())]]),
}


@pytest.mark.parametrize("name", sorted(EMPTY_XLSX))
def test_empty_xlsx_is_quarantined_for_its_header(name):
    with fresh_root() as root:
        write_raw_delivery(root / "landing", "hrss_employers", "440000_2024Q1_01", ".xlsx", EMPTY_XLSX[name](),
                           rows=1)
        result = ingest_feeds(root, ["hrss_employers"]).only
    assert (result.status, result.reason) == ("quarantined", "header_invalid"), result


# ---------------------------------------------------------------- many sheets, merged cells


@SETTINGS
@given(case=feed_records(max_rows=10), others=st.integers(1, 40), seed=st.integers(0, 2 ** 16))
def test_many_sheets_only_the_first_is_read(case, others, seed):
    """Further sheets (notes, another copy of the data, garbage) are not records."""
    feed, records, order = case
    header, rows = header_and_rows(feed, records, order)
    rng = random.Random(seed)
    extra = []
    for _ in range(others):
        kind = rng.choice(["copy", "notes", "garbage"])
        if kind == "copy":
            extra.append([header, *rows, *rows])
        elif kind == "notes":
            extra.append([["本表由系统自动导出。"], ["合计"]])
        else:
            extra.append([[rng.choice(string.printable.strip()) * rng.randint(1, 5) for _ in range(rng.randint(1, 9))]
                          for _ in range(rng.randint(0, 20))])
    with fresh_root() as root:
        write_raw_delivery(root / "landing", feed, period_stem(feed), ".xlsx", xlsx_bytes([[header, *rows], *extra]),
                           rows=len(rows))
        result = ingest_feeds(root, [feed]).only
    assert (result.status, result.records) == ("loaded", len(rows)), result


@SETTINGS
@given(case=feed_records(max_rows=10), data=st.data())
def test_merged_cells(case, data):
    """A title merged across the table, and merged blocks inside the data (only the top-left
    cell holds the value): every row with a value is a record, the others are blank rows."""
    from openpyxl.utils import get_column_letter

    feed, records, order = case
    header, rows = header_and_rows(feed, records, order)
    width = len(header)
    sheet = [["2024年3月某某明细表"], header, *rows]
    merges = [(0, f"A1:{get_column_letter(width)}1")]
    for _ in range(data.draw(st.integers(0, 4))):
        if len(rows) < 1:
            break
        top = data.draw(st.integers(3, 2 + len(rows)))
        bottom = data.draw(st.integers(top, 2 + len(rows)))
        left = data.draw(st.integers(2, width))  # never the serial column: every row keeps a value
        right = data.draw(st.integers(left, width))
        cells = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}"
        if all(not _overlaps(cells, m) for _, m in merges):
            merges.append((0, cells))
    with fresh_root() as root:
        write_raw_delivery(root / "landing", feed, period_stem(feed), ".xlsx", xlsx_bytes([sheet], merges),
                           rows=len(rows))
        result = ingest_feeds(root, [feed]).only
    assert (result.status, result.records) == ("loaded", len(rows)), result


def _overlaps(a: str, b: str) -> bool:
    from openpyxl.utils.cell import range_boundaries

    a1, b1, c1, d1 = range_boundaries(a)
    a2, b2, c2, d2 = range_boundaries(b)
    return not (c1 < a2 or c2 < a1 or d1 < b2 or d2 < b1)


def test_a_stray_cell_at_the_far_corner_of_the_sheet():
    """A value left at XFD1048576 makes the sheet's used range 17 billion cells; reading it as
    one dense block would need ~550 GB and abort the whole process. The file must instead be
    quarantined with a reason (and a stray cell nearer by must not stop the file)."""
    header = [c.header for c in contract_for("hrss_employers").columns]
    rows = [list(employer(i).values()) for i in range(3)]

    def book(cell: str) -> bytes:
        import openpyxl

        wb = openpyxl.Workbook()
        for row in [header, *rows]:
            wb.active.append(row)
        wb.active[cell] = "x"
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    with fresh_root() as root:
        write_raw_delivery(root / "landing", "hrss_employers", "440000_2024Q1_01", ".xlsx", book("XFD1048576"), rows=3)
        write_raw_delivery(root / "landing", "hrss_employers", "440000_2024Q2_01", ".xlsx", book("K2"), rows=3)
        results = ingest_feeds(root, ["hrss_employers"]).results
    assert [(r.status, r.reason) for r in results] == [("quarantined", "file_unreadable"), ("loaded", None)]
    assert "XFD1048576" in results[0].detail
    assert results[1].rejected == 1  # the row with a value beyond the header: row_shape


# ---------------------------------------------------------------- manifests

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30)),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8)
MANIFEST_EDGES = [
    {"rows": 2 ** 70}, {"rows": -1}, {"rows": 1.0}, {"rows": True}, {"rows": "2"},
    {"exported_at": "9999-12-31T23:59:59-12:00"}, {"exported_at": "0001-01-01T00:00:00+14:00"},
    {"exported_at": "2024-13-01"}, {"exported_at": 20240409}, {"exported_at": None},
    {"sha256": None}, {"sha256": "Z" * 64}, {"encoding": "UTF-16"}, {"encoding": None}, {"encoding": ["UTF-8"]},
    {"seq": 1}, {"file": None}, {"feed": {"a": 1}}, {"agency": "机" * 100000},
]


@SETTINGS
@given(over=st.one_of(st.sampled_from(MANIFEST_EDGES),
                      st.dictionaries(st.sampled_from(["feed", "province", "period", "seq", "file", "sha256",
                                                       "rows", "encoding", "exported_at", "agency"]),
                                      json_values, max_size=3)),
       drop=st.lists(st.sampled_from(["feed", "rows", "sha256", "exported_at", "encoding", "file"]), max_size=2))
@example(over={"rows": 2 ** 70}, drop=[])
@example(over={"exported_at": "9999-12-31T23:59:59-12:00"}, drop=[])
def test_any_manifest_is_taken_or_quarantined_with_its_reason(over, drop):
    records = [employer(i) for i in range(2)]
    header = [contract_for("hrss_employers").column(c).header for c in records[0]]
    data = csv_bytes(header, [list(r.values()) for r in records])
    with fresh_root() as root:
        write_raw_delivery(root / "landing", "hrss_employers", "440000_2024Q1_01", ".csv", data, rows=2,
                           manifest_over=over)
        manifest = root / "landing" / "hrss_employers" / "440000_2024Q1_01.manifest.json"
        body = json.loads(manifest.read_text(encoding="utf-8"))
        for key in drop:
            body.pop(key, None)
        manifest.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        result = ingest_feeds(root, ["hrss_employers"]).only
    assert result.status in ("loaded", "quarantined")


@pytest.mark.parametrize("raw", [b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe{}", b"{" + b'"a":1,' * 10 + b"}",
                                 b"null", b"1e999", b'{"rows": NaN}'])
def test_manifests_that_are_not_json_objects(raw):
    records = [employer(1)]
    header = [contract_for("hrss_employers").column(c).header for c in records[0]]
    with fresh_root() as root:
        write_raw_delivery(root / "landing", "hrss_employers", "440000_2024Q1_01", ".csv",
                           csv_bytes(header, [list(records[0].values())]), rows=1)
        (root / "landing" / "hrss_employers" / "440000_2024Q1_01.manifest.json").write_bytes(raw)
        result = ingest_feeds(root, ["hrss_employers"]).only
    assert (result.status, result.reason) == ("quarantined", "manifest_unreadable"), result


# ---------------------------------------------------------------- landing folder


def test_two_data_files_under_one_name_are_not_silently_dropped():
    """``440000_2024Q1_01.csv`` and ``.xlsx`` with one manifest: which one the manifest means is
    ambiguous, and neither may vanish without a trace."""
    records = [employer(i) for i in range(2)]
    header = [contract_for("hrss_employers").column(c).header for c in records[0]]
    rows = [list(r.values()) for r in records]
    with fresh_root() as root:
        csv_path = write_raw_delivery(root / "landing", "hrss_employers", "440000_2024Q1_01", ".csv",
                                      csv_bytes(header, rows), rows=2)
        (csv_path.with_suffix(".xlsx")).write_bytes(xlsx_bytes([[header, *rows]]))
        # and a second pair still waiting for its manifest
        (csv_path.parent / "440000_2024Q2_01.csv").write_bytes(csv_bytes(header, rows))
        (csv_path.parent / "440000_2024Q2_01.xlsx").write_bytes(xlsx_bytes([[header, *rows]]))
        outcome = ingest_feeds(root, ["hrss_employers"])
        result = outcome.only
        assert (result.status, result.reason) == ("quarantined", "file_name_invalid"), result
        assert "440000_2024Q1_01.csv" in result.detail and "440000_2024Q1_01.xlsx" in result.detail
        assert sorted(r[0] for r in outcome.query("SELECT file_name FROM ingest.pending_files")) == \
            ["440000_2024Q2_01.csv", "440000_2024Q2_01.xlsx"]
