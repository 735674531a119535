"""Building deliveries by hand for tests: data file plus manifest, as spec section 1 says."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import random
from pathlib import Path
from typing import Any

from ipx.contracts import contract_for
from ipx.identifiers import USCC_CHARSET, ric_check_char, uscc_check_char


def uscc(seed: int, area: str = "440303") -> str:
    rng = random.Random(seed)
    body = "91" + area + "".join(rng.choice(USCC_CHARSET) for _ in range(9))
    return body + uscc_check_char(body)


def bad_check(code: str, charset: str) -> str:
    """The same code with a wrong check character."""
    wrong = next(c for c in charset if c != code[-1])
    return code[:-1] + wrong


def ric(seed: int, area: str = "440303", birth: str = "19850615") -> str:
    rng = random.Random(seed)
    body = area + birth + f"{rng.randrange(1000):03d}"
    return body + ric_check_char(body)


def headers(feed: str, columns: list[str]) -> list[str]:
    contract = contract_for(feed)
    return [contract.column(c).header if c in {x.name for x in contract.columns} else c for c in columns]


def _manifest(feed, province, period, seq, file_name, data: bytes, rows, encoding, exported_at, overrides):
    manifest = {"feed": feed, "province": province, "period": period, "seq": seq, "file": file_name,
                "sha256": hashlib.sha256(data).hexdigest(), "rows": rows, "encoding": encoding,
                "exported_at": exported_at, "agency": "测试机构"}
    manifest.update(overrides or {})
    return manifest


def write_delivery(landing: Path, feed: str, rows: list[dict[str, Any]], *, province: str = "440000",
                   period: str = "202403", seq: str = "01", fmt: str = "csv", encoding: str = "UTF-8",
                   bom: bool = False, columns: list[str] | None = None, header_row: list[str] | None = None,
                   exported_at: str = "2024-04-09T17:30:00+08:00", manifest: dict | None = None,
                   manifest_rows: int | None = None, title_rows: list[str] = (), blank_rows: int = 0,
                   total_row: str | None = None, write_manifest: bool = True, raw_manifest: str | None = None,
                   data_bytes: bytes | None = None) -> Path:
    """Write ``<landing>/<feed>/<province>_<period>_<seq>.<fmt>`` and its manifest.

    ``rows`` map contract column names (or any header text) to values; ``columns`` fixes the
    column order (default: keys of the first row). Returns the data file's path.
    """
    folder = landing / feed
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{province}_{period}_{seq}"
    path = folder / f"{stem}.{fmt}"
    columns = columns or (list(rows[0].keys()) if rows else [c.name for c in contract_for(feed).columns])
    header = header_row or headers(feed, columns)
    if data_bytes is None:
        if fmt == "csv":
            buf = io.StringIO(newline="")
            writer = csv.writer(buf, lineterminator="\r\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
            for _ in range(blank_rows):
                writer.writerow([""] * len(columns))
            if total_row:
                writer.writerow([total_row] + [""] * (len(columns) - 1))
            text = buf.getvalue()
            codec = "gb18030" if encoding.upper() == "GB18030" else "utf-8"
            data_bytes = (b"\xef\xbb\xbf" if bom else b"") + text.encode(codec)
        else:
            data_bytes = _xlsx_bytes(header, columns, rows, title_rows, blank_rows, total_row)
    path.write_bytes(data_bytes)
    if write_manifest:
        mpath = folder / f"{stem}.manifest.json"
        if raw_manifest is not None:
            mpath.write_text(raw_manifest, encoding="utf-8")
        else:
            body = _manifest(feed, province, period, seq, path.name, data_bytes,
                             len(rows) if manifest_rows is None else manifest_rows, encoding, exported_at, manifest)
            mpath.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def _xlsx_bytes(header, columns, rows, title_rows, blank_rows, total_row) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "明细"
    for title in title_rows:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    for _ in range(blank_rows):
        sheet.append([None])
    if total_row:
        sheet.append([total_row])
    notes = book.create_sheet("填报说明")
    notes.append(["本表由系统自动导出。"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ valid records per feed


def employer(n: int = 0, **over: Any) -> dict[str, Any]:
    row = {"uscc": uscc(n), "employer_name": f"深圳市测试{n}化工有限公司", "area_code": "440303",
           "industry_code": "C2614", "risk_class": "5", "insured_workers": "120",
           "payroll_yuan": "1,234,567.80", "premium_rate_pct": "1.1"}
    row.update(over)
    return row


def claim(n: int = 0, **over: Any) -> dict[str, Any]:
    row = {"decision_no": f"RD{n:06d}", "uscc": uscc(n), "person_id": ric(n), "name": "张三",
           "sex": "男", "incident_date": "2024-02-10", "decision_date": "2024-03-05",
           "decision": "认定工伤", "harm_type": "事故伤害", "accident_category": "机械伤害",
           "disease_name": "", "disability_grade": "", "fatal": "否", "fund_paid_yuan": "5000",
           "accident_no": ""}
    row.update(over)
    return row


def training(n: int = 0, **over: Any) -> dict[str, Any]:
    row = {"record_no": f"PX{n:06d}", "uscc": uscc(n), "person_id": ric(n), "name": "李四",
           "role": "一线班组长", "training_date": "2024-03-02", "mode": "线上", "hours": "8", "result": "合格"}
    row.update(over)
    return row


def sample(n: int = 0, **over: Any) -> dict[str, Any]:
    row = {"sample_no": f"JC{n:06d}", "uscc": uscc(n), "sample_date": "2024-03-03", "post": "打磨",
           "factor": "矽尘（总尘）", "metric": "C_TWA", "value": "0.5", "unit": "mg/m³",
           "deadline": "", "rectified_date": ""}
    row.update(over)
    return row


def accident(n: int = 0, **over: Any) -> dict[str, Any]:
    row = {"accident_no": f"SG{n:06d}", "uscc": uscc(n), "employer_name": "测试建设公司",
           "area_code": "440303", "industry_code": "E48", "occurred_at": "2024-03-03 10:20",
           "accident_category": "高处坠落", "deaths": "0", "serious_injuries": "1",
           "direct_loss_10k_yuan": "12.5", "severity": "一般"}
    row.update(over)
    return row


def beijing(year: int, month: int, day: int, hour: int = 12) -> str:
    return dt.datetime(year, month, day, hour, tzinfo=dt.timezone(dt.timedelta(hours=8))).isoformat()
