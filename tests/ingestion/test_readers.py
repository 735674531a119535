"""CSV and XLSX deliveries in all their untidiness (spec section 1, "What real exports look like")."""

import csv
import datetime as dt
import io

import pytest

from ipx.ingestion import readers
from ipx.ingestion.quarantine import Quarantine
from support.deliveries import claim, employer, headers, ric, sample, write_delivery


def _loaded(results):
    assert [r.status for r in results] == ["loaded"] * len(results), results
    return results


def test_xlsx_title_blank_and_total_rows_are_not_records(landing, ingest, query):
    rows = [employer(i, insured_workers=100 + i) for i in range(3)]
    rows[0]["area_code"] = 440303        # a numeric cell must read as 440303, not 440303.0
    rows[1]["insured_workers"] = 250.0   # a float cell holding an integer
    write_delivery(landing, "hrss_employers", rows, period="2024Q1", fmt="xlsx",
                   title_rows=["2024年1季度广东省参保单位明细表", "填报单位：广东省人社厅"],
                   blank_rows=2, total_row="合计")
    _loaded(ingest())
    got = query("SELECT _record_no, area_code, insured_workers FROM raw.hrss_employers ORDER BY 1")
    assert got == [(1, "440303", 100), (2, "440303", 250), (3, "440303", 102)]


def test_xlsx_date_cells_and_text_ids(landing, ingest, query):
    row = claim(1, incident_date=dt.datetime(2024, 2, 10), decision_date=dt.date(2024, 3, 5))
    write_delivery(landing, "hrss_injury_claims", [row], fmt="xlsx", title_rows=["2024年3月工伤认定明细表"],
                   total_row="总计")
    _loaded(ingest())
    assert query("SELECT incident_date, decision_date FROM raw.hrss_injury_claims") == \
        [(dt.date(2024, 2, 10), dt.date(2024, 3, 5))]


def test_gb18030_and_utf8_with_and_without_bom(landing, ingest, query):
    write_delivery(landing, "hrss_employers", [employer(1)], period="2024Q1", encoding="GB18030")
    write_delivery(landing, "hrss_employers", [employer(2)], period="2024Q2", bom=True)
    write_delivery(landing, "hrss_employers", [employer(3)], period="2024Q3")
    _loaded(ingest())
    names = [r[0] for r in query("SELECT employer_name FROM raw.hrss_employers ORDER BY _period")]
    assert names == ["深圳市测试1化工有限公司", "深圳市测试2化工有限公司", "深圳市测试3化工有限公司"]


def test_shuffled_columns_extra_columns_and_padding(landing, ingest, query):
    row = employer(1, employer_name="  深圳市测试化工有限公司 ", insured_workers="\t１２０ ")
    row["所属省份"] = "广东省"
    row["备注"] = "=HYPERLINK(1)"
    columns = ["备注", "insured_workers", "所属省份", *[c for c in row if c not in ("备注", "insured_workers", "所属省份")]]
    write_delivery(landing, "hrss_employers", [row], period="2024Q1", columns=columns)
    _loaded(ingest())
    name, workers, extra = query("SELECT employer_name, insured_workers, _extra FROM raw.hrss_employers")[0]
    assert (name, workers) == ("深圳市测试化工有限公司", 120)
    assert extra == {"所属省份": "广东省", "备注": "=HYPERLINK(1)"}
    assert query("SELECT extra_columns FROM ingest.files") == [(["备注", "所属省份"],)]


def test_extra_column_with_personal_data_is_dropped(landing, ingest, query):
    row = employer(1)
    row["联系人身份证号"] = ric(9)
    write_delivery(landing, "hrss_employers", [row], period="2024Q1")
    _loaded(ingest())
    assert query("SELECT _extra FROM raw.hrss_employers") == [(None,)]
    assert query("SELECT dropped_columns FROM ingest.files") == [(["联系人身份证号"],)]


def test_amount_header_in_10k_yuan(landing, ingest, query):
    row = {"project_no": "XM1", "project_name": "宣传项目", "category": "宣传", "预算金额（万元）": "12.5",
           "spent_yuan": "100,000"}
    write_delivery(landing, "hrss_prevention_projects", [row], period="2024",
                   exported_at="2025-01-10T10:00:00+08:00")
    _loaded(ingest())
    assert [tuple(map(float, r)) for r in query("SELECT budget_yuan, spent_yuan FROM raw.hrss_prevention_projects")] \
        == [(125000.0, 100000.0)]


def test_quoted_newlines_and_commas(landing, ingest, query):
    write_delivery(landing, "nhc_hazard_monitoring", [sample(1, post="打磨,\n抛光")])
    _loaded(ingest())
    assert query("SELECT post FROM raw.nhc_hazard_monitoring") == [("打磨,\n抛光",)]


def test_rows_with_wrong_field_count_are_rejected_and_numbered(landing, ingest, query):
    columns = list(employer(1))
    header = ",".join(headers("hrss_employers", columns))

    def line(n):
        row = employer(n, payroll_yuan="1000")
        return ",".join(str(row[c]) for c in columns)

    body = "\r\n".join([header, line(1), line(2) + ",surplus", line(3)[:40], line(4)]) + "\r\n"
    write_delivery(landing, "hrss_employers", [], period="2024Q1", data_bytes=body.encode(), manifest_rows=4)
    result = ingest()[0]
    assert (result.status, result.loaded, result.rejected) == ("loaded", 2, 2)
    assert query("SELECT record_no, rule FROM ingest.rejected_records ORDER BY 1") == \
        [(2, "row_shape"), (3, "row_shape")]
    assert [r[0] for r in query("SELECT _record_no FROM raw.hrss_employers ORDER BY 1")] == [1, 4]


# ------------------------------------------------------------------ declared GB18030, lines in UTF-8


def _gb18030_with_utf8_line(rows: int, utf8_at: int, header: bytes | None = None, broken_at: int | None = None) -> bytes:
    """A GB18030 employer export whose data record ``utf8_at`` (1-based) is written in UTF-8;
    record ``broken_at`` has a field too many."""
    def line(cells) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(cells)
        return out.getvalue()

    lines = [header or line(headers("hrss_employers", list(employer(0)))).encode("gb18030")]
    for n in range(1, rows + 1):
        text = line([*employer(n).values(), *(["多余"] if n == broken_at else [])])
        lines.append(text.encode("utf-8" if n == utf8_at else "gb18030"))
    return b"\r\n".join(lines) + b"\r\n"


def _quarantine(ingest, query):
    results = ingest()
    assert [r.status for r in results] == ["quarantined"], results
    return query("SELECT quarantine_reason, quarantine_detail FROM ingest.files")[0]


def test_utf8_line_in_a_later_block_of_a_gb18030_file(landing, ingest, query):
    """The check sees the bytes as the CSV parser reads them (one read of the file): a UTF-8 line
    beyond the parser's first blocks is still found, and numbered as a line of the file."""
    data = _gb18030_with_utf8_line(60_000, utf8_at=59_000)
    assert len(data) > 2 * readers.BLOCK_SIZE
    write_delivery(landing, "hrss_employers", [], period="2024Q1", encoding="GB18030", data_bytes=data,
                   manifest_rows=60_000)
    assert _quarantine(ingest, query) == (
        "file_unreadable", "declared GB18030, but line 59001 is UTF-8 (a file of mixed encodings?)")
    assert query("SELECT count(*) FROM raw.hrss_employers") == [(0,)]


def test_utf8_line_after_a_record_the_fast_reader_refuses(landing, ingest, query):
    """The fast reader stops at a record with a field too many; the UTF-8 line after it is still
    the reason (the rest of the file is checked before the exact reader takes over)."""
    data = _gb18030_with_utf8_line(400, utf8_at=300, broken_at=3)  # beyond what the header's reading decodes
    write_delivery(landing, "hrss_employers", [], period="2024Q1", encoding="GB18030", data_bytes=data,
                   manifest_rows=400)
    assert _quarantine(ingest, query) == (
        "file_unreadable", "declared GB18030, but line 301 is UTF-8 (a file of mixed encodings?)")


def test_utf8_line_is_the_reason_even_when_the_header_is_invalid(landing, ingest, query):
    data = _gb18030_with_utf8_line(400, utf8_at=300, header="甲,乙,丙".encode("gb18030"))
    write_delivery(landing, "hrss_employers", [], period="2024Q1", encoding="GB18030", data_bytes=data,
                   manifest_rows=400)
    assert _quarantine(ingest, query) == (
        "file_unreadable", "declared GB18030, but line 301 is UTF-8 (a file of mixed encodings?)")


def test_utf8_line_check_does_not_depend_on_how_the_file_is_cut():
    data = _gb18030_with_utf8_line(30, utf8_at=17)
    for size in (1, 2, 3, 5, 64, 4096, len(data)):
        check = readers.Utf8LineCheck()
        for start in range(0, len(data), size):
            check.feed(data[start:start + size])
        with pytest.raises(Quarantine, match="line 18 is UTF-8"):
            check.finish()
    clean = readers.Utf8LineCheck()
    clean.feed(_gb18030_with_utf8_line(30, utf8_at=0))
    clean.finish()  # no UTF-8 line: nothing raised
