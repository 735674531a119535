"""An independent, deliberately simple reading of a landing folder per the spec, used to
check the generator's ground truth: manifests, quarantine reasons, and which records break
which R and W rules. It shares no code with the generator beyond the contracts, the
reference seeds and the scalar identifier checks."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
from pathlib import Path

import openpyxl

from ipx.contracts import FeedContract
from ipx.identifiers import is_valid_ric, is_valid_uscc
from ipx.reference import divisions, exposure_limits, reference_enum, severity_for

CN_GRADES = {f"{n}级": i + 1 for i, n in enumerate("一二三四五六七八九十")}
DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
)
DATETIME_PATTERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?$")
NUMBER_PATTERN = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_date(text: str) -> dt.date | None:
    for pat in DATE_PATTERNS:
        m = pat.match(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def parse_datetime(text: str) -> dt.datetime | None:
    m = DATETIME_PATTERN.match(text)
    if not m:
        return None
    try:
        return dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6] or 0))
    except ValueError:
        return None


def parse_number(text: str) -> float | None:
    if not NUMBER_PATTERN.match(text):
        return None
    return float(text.replace(",", ""))


def cell_text(value, col_type: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if col_type == "date":
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


class ManifestProblem(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_manifest(data_path: Path) -> tuple[dict, str | None]:
    """The manifest and the quarantine reason it implies (None: acceptable)."""
    stem = data_path.name.rsplit(".", 1)[0]
    mpath = data_path.with_name(stem + ".manifest.json")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}, "manifest_unreadable"
    province, period, seq = stem.split("_")
    if (manifest.get("feed") != data_path.parent.name or manifest.get("province") != province
            or manifest.get("period") != period or manifest.get("seq") != seq
            or manifest.get("file") != data_path.name):
        return manifest, "manifest_mismatch"
    if hashlib.sha256(data_path.read_bytes()).hexdigest() != manifest.get("sha256"):
        return manifest, "sha256_mismatch"
    return manifest, None


def read_table(path: Path, contract: FeedContract, encoding: str) -> tuple[list[str], list[list[str]], dict]:
    """Headers and records (as text) of a CSV or XLSX landing file; ``info`` describes the layout."""
    types = {norm(c.header): c.type for c in contract.columns}
    info: dict = {}
    if path.suffix == ".csv":
        text = path.read_bytes().decode("utf-8-sig" if encoding == "UTF-8" else "gb18030")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        return rows[0], rows[1:], info
    book = openpyxl.load_workbook(path, data_only=True)
    sheet = book.worksheets[0]
    info["sheets"] = book.sheetnames
    raw = [list(r) for r in sheet.iter_rows(values_only=True)]
    wanted = {norm(c.header) for c in contract.columns}
    head = next(i for i, r in enumerate(raw)
                if len(wanted & {norm(str(v)) for v in r if v is not None}) >= max(1, len(wanted) // 2))
    info["title_rows"] = raw[:head]
    headers = [cell_text(v, None) for v in raw[head]]
    col_types = [types.get(_base_header(norm(h))) for h in headers]
    records = []
    tail = []
    for i, r in enumerate(raw[head + 1:]):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in r):
            tail = raw[head + 1 + i:]
            break
        records.append([cell_text(v, t) for v, t in zip(r, col_types)])
    info["tail"] = tail
    return headers, records, info


def _base_header(h: str) -> str:
    return h[: -len("(万元)")] if h.endswith("(万元)") else h


class RecordChecker:
    """Applies a contract's R and W rules to text records of one file."""

    def __init__(self, contract: FeedContract, province: str):
        self.contract = contract
        self.province = province
        self.limits = {(norm(lim.factor), lim.metric): lim for lim in exposure_limits()}

    def _enum_values(self, col) -> dict[str, str]:
        allowed = {v: v for v in col.values}
        if col.reference:
            values, aliases = reference_enum(col.reference)
            allowed.update({v: v for v in values})
            allowed.update(aliases)
        allowed.update(col.synonyms)
        return {norm(k): v for k, v in allowed.items()}

    def check(self, headers: list[str], record: list[str]) -> tuple[list[str], list[str], dict]:
        """(R fields, W fields, parsed values) of one record."""
        by_header = {}
        for h, v in zip(headers, record):
            by_header[norm(h)] = v
        r_fields, w_fields, parsed = [], [], {}
        for col in self.contract.columns:
            header = norm(col.header)
            wan = False
            if header in by_header:
                raw = by_header[header]
            elif header + "(万元)" in by_header:
                raw, wan = by_header[header + "(万元)"], True
            else:
                raw = ""
            text = norm(raw)
            if not text:
                parsed[col.name] = None
                if col.required or any(parsed.get(k) == v for k, v in col.required_when.items()):
                    r_fields.append(col.name)
                continue
            t = col.type
            value = None
            if t == "uscc":
                value = text.upper() if is_valid_uscc(text.upper()) else None
            elif t == "resident_id":
                value = text.upper() if is_valid_ric(text.upper()) else None
            elif t == "area_code":
                ok = bool(re.fullmatch(r"\d{6}", text))
                if ok and self.province == "660000":
                    ok = text.startswith("6590") or text.startswith("66")
                elif ok:
                    ok = text[:2] == self.province[:2]
                value = text if ok else None
            elif t == "industry_code":
                m = re.fullmatch(r"([A-Z]?)(\d{2}|\d{4})", text)
                if m:
                    value = text
                    section = divisions().get(m[2][:2])
                    if section is None or (m[1] and m[1] != section):
                        w_fields.append(col.name)
            elif t in ("int", "dec", "amount", "percent"):
                body = text[:-1] if (t == "percent" and text.endswith("%")) else text
                value = parse_number(body)
                if value is not None and t == "int" and not value.is_integer():
                    value = None
                if value is not None and wan:
                    value *= 10_000
            elif t == "grade":
                value = CN_GRADES.get(text)
                if value is None and re.fullmatch(r"-?\d+", text):
                    value = int(text)
            elif t == "date":
                value = parse_date(text)
            elif t == "datetime":
                value = parse_datetime(text)
            elif t == "enum":
                value = self._enum_values(col).get(text)
            else:
                value = text
            if value is None:
                r_fields.append(col.name)
                parsed[col.name] = None
                continue
            parsed[col.name] = value
            if isinstance(value, (int, float)) and col.has_range:
                bad = (col.min is not None and value < col.min) or (col.max is not None and value > col.max) \
                    or (col.min_exclusive is not None and value <= col.min_exclusive)
                if bad:
                    (r_fields if col.range_severity == "R" else w_fields).append(col.name)
        for col in self.contract.columns:
            if (col.not_before and parsed.get(col.name) and parsed.get(col.not_before)
                    and parsed[col.name] < parsed[col.not_before] and col.name not in r_fields):
                r_fields.append(col.name)
            if (col.not_above and parsed.get(col.name) is not None and parsed.get(col.not_above) is not None
                    and parsed[col.name] > parsed[col.not_above]):
                (r_fields if col.not_above_severity == "R" else w_fields).append(col.name)
        for chk in self.contract.checks:
            if chk.check == "severity_matches_counts":
                d, s, loss = parsed.get("deaths"), parsed.get("serious_injuries"), parsed.get("direct_loss_10k_yuan")
                if (parsed.get("severity") and None not in (d, s, loss)
                        and severity_for(int(d), int(s), float(loss)) != parsed["severity"]):
                    w_fields.append(chk.field)
            elif chk.check == "exposure_limit_known":
                f, m = parsed.get("factor"), parsed.get("metric")
                if f and m and (f, m) not in self.limits:
                    w_fields.append(chk.field)
            elif chk.check == "unit_matches_limit":
                f, m, u = parsed.get("factor"), parsed.get("metric"), parsed.get("unit")
                lim = self.limits.get((f, m))
                if lim and u and norm(u) != norm(lim.unit):
                    w_fields.append(chk.field)
        return r_fields, sorted(set(w_fields)), parsed

    def key_of(self, parsed: dict, headers: list[str], record: list[str]) -> tuple:
        by_header = {norm(h): norm(v) for h, v in zip(headers, record)}
        return tuple(by_header.get(norm(self.contract.column(k).header), "").upper() for k in self.contract.key)


def check_file(path: Path, contract: FeedContract, encoding: str) -> dict:
    """What ingestion should make of one accepted file: records, rejected and flagged."""
    province = path.name.split("_")[0]
    headers, records, info = read_table(path, contract, encoding)
    checker = RecordChecker(contract, province)
    rejected: dict[str, str] = {}
    flagged: dict[str, list[str]] = {}
    problems: list[str] = []
    seen = set()
    for i, rec in enumerate(records, start=1):
        r_fields, w_fields, parsed = checker.check(headers, rec)
        key = checker.key_of(parsed, headers, rec)
        if key in seen and not r_fields:
            r_fields = [contract.key[0]]
        seen.add(key)
        if len(r_fields) > 1:
            problems.append(f"record {i}: several R defects {r_fields}")
        if r_fields:
            rejected[str(i)] = r_fields[0]
        elif w_fields:
            flagged[str(i)] = w_fields
    return {"records": len(records), "rejected": rejected, "flagged": flagged, "problems": problems,
            "headers": headers, "rows": records, "info": info}
