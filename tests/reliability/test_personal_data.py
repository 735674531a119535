"""No resident ID (公民身份号码) and no name (姓名) of the input files in anything the system writes
(spec section 1, "Personal data").

A generated ``small`` landing folder is run through the whole pipeline (``ipx run``, Dagster run
storage kept in a temporary ``DAGSTER_HOME``), every kind of export is written as CSV and XLSX,
and then every table and file written is scanned: the warehouse, its published file and the
serving copies (every text, JSON, list, map and struct column, through SQL), the exports (cell by
cell), the run logs, the console output, Dagster's storage, dbt's folder of this run, and the
sealed archive (bytes: no clear text may show).

The IDs and names are collected straight from the landing files, read independently of ipx's
readers (header row found by its 公民身份号码/姓名 cells, values taken from those columns).

Matching, and why:

- IDs (anything in an ID column shaped like one: 17 digits and a digit or X, or 15 digits) are
  matched exactly: as whole tokens in text, as substrings of raw bytes (digits are the same bytes
  in UTF-8 and GB18030), and as the lower- and upper-case forms.
- Names are short (two to four characters) and common ones are also ordinary words or parts of
  employer names (``张伟`` is no leak inside ``张伟机械厂``'s registered name if the name happens to
  be a person's too). So a name is flagged where it stands alone — a whole cell, a whole JSON/list/map
  element — whatever its length, and inside longer free text or raw bytes only when it has three
  or more characters, which makes a chance match in an employer name or message rare enough to
  mean a leak. In bytes, names are looked for in UTF-8, GB18030 and as JSON ``\\uXXXX`` escapes
  (Dagster stores event payloads as ASCII JSON).

A positive control checks that the same scanner does find the IDs and names in the landing
files and in a restored archive entry, so "found none" means something.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pytest
from fault_support import IPX

from ipx.cli import main as ipx_main
from ipx.exports.registry import EXPORTS
from ipx.generator import generate
from ipx.storage import WarehouseLayout

ID_HEADER, NAME_HEADER = "公民身份号码", "姓名"
ID_SHAPE = re.compile(r"[0-9]{17}[0-9Xx]|[0-9]{15}")
DIGIT_RUN = re.compile(rb"[0-9]{14,}[0-9Xx]")
ID_TOKEN = re.compile(r"(?<![0-9A-Za-z])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")


def _norm(value: object) -> str:
    return unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()


# ---------------------------------------------------------------- what the inputs hold


def _rows_of(path: Path) -> list[list[object]]:
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    data = path.read_bytes()
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return list(csv.reader(io.StringIO(data.decode(codec), newline="")))
        except (UnicodeDecodeError, csv.Error):
            continue
    return []


def personal_data_of(landing: Path) -> tuple[set[str], set[str]]:
    """(resident IDs, names) in every data file of the landing folder, accepted or not."""
    ids, names = set(), set()
    for path in sorted(landing.glob("*/*")):
        if path.suffix.lower() not in (".csv", ".xlsx") or path.name.startswith(("_", ".")):
            continue
        try:
            rows = _rows_of(path)
        except Exception:  # a broken workbook: nothing ipx could read either
            continue
        for h, header in enumerate(rows[:30]):  # noqa: B007 (h is read after the break)
            keys = [re.sub(r"\s+", "", _norm(c)) for c in header]
            if ID_HEADER in keys or NAME_HEADER in keys:
                break
        else:
            continue
        id_cols = [i for i, k in enumerate(keys) if k == ID_HEADER]
        name_cols = [i for i, k in enumerate(keys) if k == NAME_HEADER]
        for row in rows[h + 1:]:
            for i in id_cols:
                value = _norm(row[i] if i < len(row) else None).upper()
                if ID_SHAPE.fullmatch(value):
                    ids.add(value)
            for i in name_cols:
                value = _norm(row[i] if i < len(row) else None)
                if value and not value.startswith(("合计", "总计")):
                    names.add(value)
    return ids, names


# ---------------------------------------------------------------- the scanner


@dataclass
class Scanner:
    ids: set[str]
    names: set[str]
    found: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.long_names = {n for n in self.names if len(n) >= 3}
        self.lengths = sorted({len(n) for n in self.long_names})
        forms: dict[int, set[bytes]] = {}
        for name in self.long_names:
            escaped = json.dumps(name)[1:-1]
            for form in (name.encode("utf-8"), name.encode("gb18030"), escaped.encode("ascii"),
                         escaped.upper().replace("\\U", "\\u").encode("ascii")):
                forms.setdefault(int.from_bytes(form[:4], "big"), set()).add(form)
        self.name_forms = forms
        self.name_keys = np.array(sorted(forms), dtype=np.uint32)

    def _report(self, where: str, what: str) -> None:
        if len(self.found) < 200:
            self.found.append(f"{where}: {what}")

    def text(self, where: str, value: str, cell: bool = True) -> None:
        """A value: a whole cell (exact names count) or free text (names of 3+ characters)."""
        if not value:
            return
        value = unicodedata.normalize("NFKC", value)
        if cell and value.strip() in self.names:
            self._report(where, f"name {value.strip()!r} as a whole value")
        for token in ID_TOKEN.findall(value):
            if token.upper() in self.ids:
                self._report(where, f"resident ID {token}")
        for length in self.lengths:
            for i in range(len(value) - length + 1):
                if value[i:i + length] in self.long_names:
                    self._report(where, f"name {value[i:i + length]!r} in {value[max(0, i - 20):i + 30]!r}")

    def json_value(self, where: str, value) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                self.text(where, str(k))
                self.json_value(where, v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                self.json_value(where, v)
        elif value is not None:
            self.text(where, str(value))

    def raw(self, where: str, data: bytes) -> None:
        """Bytes of a file whose structure is not read: IDs anywhere in a run of digits, and
        names of 3+ characters in UTF-8, GB18030 or JSON escapes (found through their first
        four bytes, vectorised, then compared whole)."""
        for run in DIGIT_RUN.findall(data):
            for i in range(len(run) - 14):
                for length in (18, 15):
                    if run[i:i + length].decode().upper() in self.ids:
                        self._report(where, f"resident ID {run[i:i + length].decode()} in the bytes")
        if len(data) < 4:
            return
        b = np.frombuffer(data, dtype=np.uint8).astype(np.uint32)
        keys = (b[:-3] << 24) | (b[1:-2] << 16) | (b[2:-1] << 8) | b[3:]
        for i in np.nonzero(np.isin(keys, self.name_keys))[0]:
            for form in self.name_forms[int(keys[i])]:
                if data.startswith(form, int(i)):
                    self._report(where, f"name bytes {form[:40]!r}")

    # ------------------------------------------------------------ file kinds

    def duckdb_file(self, path: Path, where: str) -> int:
        """Every value of every text-like column (VARCHAR, JSON, lists, maps, structs), via SQL."""
        con = duckdb.connect(str(path), read_only=True)
        columns = 0
        try:
            # tables only: a view holds no data of its own (the warehouse's views read the published
            # file, which is scanned on its own)
            for schema, table, column, dtype in con.execute(
                    "SELECT c.table_schema, c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
                    "JOIN information_schema.tables t USING (table_catalog, table_schema, table_name) "
                    "WHERE t.table_type = 'BASE TABLE' "
                    "AND c.table_schema NOT IN ('information_schema', 'pg_catalog')").fetchall():
                if not re.search(r"VARCHAR|JSON|\[\]|MAP|STRUCT|UNION|BLOB", dtype):
                    continue
                columns += 1
                label = f"{where} {schema}.{table}.{column}"
                ref = f'"{schema}"."{table}"'
                col = f'"{column}"'
                if dtype == "VARCHAR":
                    values = con.execute(f"SELECT DISTINCT {col} FROM {ref} WHERE {col} IS NOT NULL").fetchall()
                    for (v,) in values:
                        self.text(label, v)
                elif dtype == "BLOB":
                    for (v,) in con.execute(f"SELECT DISTINCT {col} FROM {ref} WHERE {col} IS NOT NULL").fetchall():
                        self.raw(label, bytes(v))
                else:  # JSON, lists, maps, structs: as JSON, every element on its own
                    for (v,) in con.execute(f"SELECT DISTINCT to_json({col})::VARCHAR FROM {ref} "
                                            f"WHERE {col} IS NOT NULL").fetchall():
                        self.json_value(label, json.loads(v))
        finally:
            con.close()
        return columns

    def csv_file(self, path: Path, where: str) -> None:
        text = path.read_bytes().decode("utf-8-sig")
        for r, row in enumerate(csv.reader(io.StringIO(text, newline=""))):
            for c, value in enumerate(row):
                self.text(f"{where} row {r + 1} col {c + 1}", value)

    def xlsx_file(self, path: Path, where: str) -> None:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                for r, row in enumerate(sheet.iter_rows(values_only=True)):
                    for c, value in enumerate(row):
                        if value is not None:
                            self.text(f"{where} {sheet.title}!R{r + 1}C{c + 1}", str(value))
        finally:
            book.close()
        with zipfile.ZipFile(path) as zf:  # and the XML itself (shared strings, comments, properties)
            for member in zf.namelist():
                self.raw(f"{where}:{member}", zf.read(member))

    def any_file(self, path: Path, where: str) -> str:
        data = path.read_bytes()
        if data[:16] == b"SQLite format 3\x00":
            self.sqlite_file(path, where)
            self.raw(where, data)
            return "sqlite"
        if path.suffix == ".duckdb" or data[8:12] == b"DUCK":
            self.duckdb_file(path, where)
            return "duckdb"
        if data[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for member in zf.namelist():
                    self.raw(f"{where}:{member}", zf.read(member))
            return "zip"
        self.raw(where, data)
        text = data.decode("utf-8", errors="replace")
        for token in ID_TOKEN.findall(text):
            if token.upper() in self.ids:
                self._report(where, f"resident ID {token}")
        return "bytes"

    def sqlite_file(self, path: Path, where: str) -> None:
        """Dagster's storage: every text cell, and JSON payloads decoded (their \\u escapes too)."""
        import sqlite3

        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
                for row in con.execute(f'SELECT * FROM "{table}"'):
                    for value in row:
                        if isinstance(value, bytes):
                            self.raw(f"{where} {table}", value)
                        elif isinstance(value, str):
                            try:
                                decoded = json.loads(value)
                            except ValueError:
                                self.text(f"{where} {table}", value, cell=False)
                            else:
                                self.json_value(f"{where} {table}", decoded)
        finally:
            con.close()


# ---------------------------------------------------------------- the run


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The whole pipeline over a generated ``small`` folder, with Dagster run storage in a
    temporary DAGSTER_HOME, and every export in CSV and XLSX."""
    root = tmp_path_factory.mktemp("personal")
    landing, warehouse, dagster_home, exports = root / "landing", root / "wh" / "ipx.duckdb", root / "dagster", \
        root / "exports"
    generate(landing, scale="small", seed=11)
    dagster_home.mkdir()
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    env = {"DAGSTER_HOME": str(dagster_home)}
    run = subprocess.run([str(IPX), "run", "--landing", str(landing), "--warehouse", str(warehouse)],
                         capture_output=True, text=True, env={**os.environ, **env}, timeout=1200)
    assert run.returncode == 0, run.stderr[-3000:]
    exports.mkdir()
    for kind in sorted(EXPORTS):
        for suffix in ((".pdf",) if kind == "briefing" else (".csv", ".xlsx")):
            out = exports / f"{kind}{suffix}"
            assert ipx_main(["export", kind, "--warehouse", str(warehouse), "--out", str(out)]) == 0
    run_id = re.search(r"ipx run (\S+)", run.stdout).group(1)
    return landing, warehouse, dagster_home, exports, run, run_id


@pytest.fixture(scope="module")
def personal_data(written):
    landing = written[0]
    ids, names = personal_data_of(landing)
    assert len(ids) > 500 and len(names) > 300, (len(ids), len(names))
    return ids, names


def test_the_scanner_finds_personal_data_where_it_is(written, personal_data, tmp_path):
    """Positive control: every form the scans rely on is seen — landing files in UTF-8 and in
    GB18030, a restored archive entry, JSON escapes, and DuckDB text, list and JSON columns."""
    landing, warehouse = written[0], written[1]
    ids, names = personal_data
    by_encoding = {}
    for manifest in sorted(landing.glob("hrss_training/*.manifest.json")):
        try:
            body = json.loads(manifest.read_text(encoding="utf-8-sig"))
        except ValueError:
            continue
        data = manifest.with_name(body.get("file", ""))
        if data.suffix == ".csv" and data.exists():
            by_encoding.setdefault(body.get("encoding", "").upper(), data)
    assert {"UTF-8", "GB18030"} <= set(by_encoding), by_encoding
    for encoding, path in by_encoding.items():
        scanner = Scanner(ids, names)
        scanner.raw(encoding, path.read_bytes())
        assert any("resident ID" in f for f in scanner.found), encoding
        assert any("name bytes" in f for f in scanner.found), encoding

    from ipx.ingestion.archive import restore
    from ipx.settings import archive_key

    con = duckdb.connect(str(warehouse), read_only=True)
    sealed = con.execute("SELECT archive_path FROM ingest.files WHERE feed = 'hrss_key_positions' "
                         "AND status = 'loaded' AND file_format = 'csv' LIMIT 1").fetchone()[0]
    con.close()
    restored = tmp_path / "restored.csv"
    restore(Path(sealed), archive_key()[0], restored)
    scanner = Scanner(ids, names)
    scanner.any_file(restored, "restored")
    assert any("resident ID" in f for f in scanner.found)
    scanner = Scanner(ids, names)
    scanner.any_file(Path(sealed), "sealed")
    assert scanner.found == []

    person, long_name = sorted(ids)[0], sorted(n for n in names if len(n) >= 3)[0]
    short_name = sorted(n for n in names if len(n) == 2)[0]
    scanner = Scanner(ids, names)
    scanner.raw("escaped", json.dumps({"message": f"处理{long_name}的记录"}).encode())
    assert any("name bytes" in f for f in scanner.found)
    db = tmp_path / "control.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t (a VARCHAR, b VARCHAR[], c JSON, d MAP(VARCHAR, VARCHAR))")
    con.execute("INSERT INTO t VALUES (?, ?, ?, ?)", [f"编号{person}", [short_name], json.dumps({"k": [short_name]}),
                                                     {"备注": f"联系{long_name}"}])
    con.close()
    scanner = Scanner(ids, names)
    scanner.duckdb_file(db, "control")
    assert {f.split(":")[0] for f in scanner.found} == {"control main.t.a", "control main.t.b", "control main.t.c",
                                                        "control main.t.d"}, scanner.found


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_no_resident_id_or_name_in_the_warehouse_its_published_file_or_its_serving_copies(written, personal_data):
    warehouse = written[1]
    scanner = Scanner(*personal_data)
    columns = scanner.duckdb_file(warehouse, "warehouse")
    published = scanner.duckdb_file(WarehouseLayout.at(warehouse).published_db, "published")
    copies = sorted(WarehouseLayout.at(warehouse).serving_dir.glob("*.duckdb"))
    assert columns > 100 and published > 100 and copies
    for copy in copies:
        scanner.duckdb_file(copy, f"serving {copy.name}")
    assert scanner.found == []


def test_no_resident_id_or_name_in_exports(written, personal_data):
    exports = written[3]
    scanner = Scanner(*personal_data)
    files = [p for p in _files_under(exports) if p.suffix != ".pdf"]
    # a CSV and an XLSX of every kind but the briefing (a PDF, below); the evaluation's CSV has its
    # group table beside it
    assert len(files) == 2 * (len(EXPORTS) - 1) + 1
    assert {p.name for p in files} >= {"floating.csv", "floating.xlsx", "evaluation.xlsx", "evaluation_groups.csv"}
    for path in files:
        if path.suffix == ".csv":
            scanner.csv_file(path, path.name)
            scanner.raw(path.name, path.read_bytes())
        else:
            scanner.xlsx_file(path, path.name)
    from pypdf import PdfReader

    briefing = exports / "briefing.pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(briefing).pages)
    assert "工伤预防工作领导简报" in text  # the text is extractable, so the scan below reads it
    scanner.text("briefing.pdf", text, cell=False)
    assert scanner.found == []


def test_no_resident_id_or_name_in_run_logs_console_dagster_storage_or_dbt_output(written, personal_data):
    _, warehouse, dagster_home, _, run, run_id = written
    from ipx.paths import DBT_PROJECT_DIR

    scanner = Scanner(*personal_data)
    scanner.text("ipx run stdout", run.stdout, cell=False)
    scanner.text("ipx run stderr", run.stderr, cell=False)
    logs = _files_under(WarehouseLayout.at(warehouse).log_dir)
    dagster = _files_under(dagster_home)
    dbt = [p for folder in (DBT_PROJECT_DIR / "target").glob(f"*{run_id[:7]}*") for p in _files_under(folder)]
    kinds = {}
    for path in logs + dagster + dbt:
        kind = scanner.any_file(path, str(path))
        kinds[kind] = kinds.get(kind, 0) + 1
    assert logs and dagster and "sqlite" in kinds, (logs, dagster, kinds)
    assert scanner.found == []


def test_the_archive_is_sealed_no_clear_text(written, personal_data):
    warehouse = written[1]
    scanner = Scanner(*personal_data)
    sealed = _files_under(WarehouseLayout.at(warehouse).archive_dir)
    assert len(sealed) > 500
    for path in sealed:
        data = path.read_bytes()
        assert data.startswith(b"IPXA1"), path
        scanner.raw(path.name, data)
        assert "统一社会信用代码".encode() not in data and "统一社会信用代码".encode("gb18030") not in data
    assert scanner.found == []


def test_quarantine_and_reject_records_in_the_ledger_hold_no_personal_data(written, personal_data):
    """The ledger (quarantine details, rejected records with every field as read) is where clear
    values are most likely to slip through: checked on its own, with the exact-value rule for
    every JSON field of the rejected records."""
    warehouse = written[1]
    scanner = Scanner(*personal_data)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        details = con.execute("SELECT quarantine_detail FROM ingest.files WHERE quarantine_detail IS NOT NULL").fetchall()
        records = con.execute("SELECT record, outcomes, reason FROM ingest.rejected_records").fetchall()
    finally:
        con.close()
    assert details and len(records) > 50
    for (detail,) in details:
        scanner.text("quarantine_detail", detail, cell=False)
    for record, outcomes, reason in records:
        scanner.json_value("rejected record", json.loads(record))
        scanner.json_value("rejected outcomes", json.loads(outcomes))
        scanner.text("rejected reason", reason, cell=False)
    assert scanner.found == []
