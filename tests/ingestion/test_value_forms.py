"""Every date, number and enumeration form of spec section 1, through the contract-derived SQL."""

import datetime as dt
import decimal

import duckdb
import pyarrow as pa
import pytest

from ipx.contracts import contract_for
from ipx.ingestion.loader import _incoming_ddl
from ipx.ingestion.readers import normalise
from ipx.ingestion.validation import ValidationPlan, scale_column


def typed(feed: str, column: str, raw_values: list[str | None], scale: dict | None = None):
    """Normalise raw strings as the readers do and return the typed values the SQL gives."""
    contract = contract_for(feed)
    values = normalise(pa.array(raw_values, pa.string())).to_pylist()
    con = duckdb.connect()
    con.execute(_incoming_ddl(contract))
    scale_col = scale_column(column)
    has_scale = any(c.name == column and c.type == "amount" for c in contract.columns)
    extra = f', "{scale_col}"' if has_scale else ""
    con.executemany(f'INSERT INTO _incoming (_file_idx, _province, _record_no, "{column}"{extra}) '
                    f'VALUES (0, \'440000\', ?, ?{", ?" if has_scale else ""})',
                    [[i, v] + ([(scale or {}).get(column, 1)] if has_scale else [])
                     for i, v in enumerate(values, 1)])
    plan = ValidationPlan(contract)
    rows = con.execute(f'SELECT "{column}" FROM ({plan.validated_sql()}) ORDER BY _record_no').fetchall()
    return [r[0] for r in rows]


def test_date_forms():
    forms = ["2024-03-05", "2024/3/5", "20240305", "2024年3月5日", "2024.3.5", "２０２４－０３－０５",
             " 2024-03-05 ", "2024-03-05 00:00:00"]
    assert typed("hrss_training", "training_date", forms) == [dt.date(2024, 3, 5)] * len(forms)


@pytest.mark.parametrize("bad", ["2024-02-30", "2024/13/1", "05/03/2024", "March 5", "2024-3", "24-03-05"])
def test_impossible_or_foreign_dates_do_not_parse(bad):
    assert typed("hrss_training", "training_date", [bad]) == [None]


def test_datetime_forms():
    out = typed("em_accidents", "occurred_at", ["2024-03-05 08:30", "2024-03-05 08:30:15", "2024/3/5 8:30",
                                                "2024年3月5日 08:30", "2024-03-05"])
    assert out == [dt.datetime(2024, 3, 5, 8, 30), dt.datetime(2024, 3, 5, 8, 30, 15),
                   dt.datetime(2024, 3, 5, 8, 30), dt.datetime(2024, 3, 5, 8, 30), dt.datetime(2024, 3, 5)]


def test_numbers_with_separators_and_full_width_digits():
    assert typed("hrss_employers", "insured_workers", ["1,234", "１２３", " 56 ", "7.0", "1,23", "abc", "-3"]) == \
        [1234, 123, 56, 7, None, None, -3]


def test_amounts_plain_and_in_10k_yuan():
    assert typed("hrss_employers", "payroll_yuan", ["12,345.60", "100"]) == \
        [decimal.Decimal("12345.60"), decimal.Decimal("100.00")]
    assert typed("hrss_prevention_projects", "budget_yuan", ["12.5", "1,000"], scale={"budget_yuan": 10000}) == \
        [decimal.Decimal("125000.00"), decimal.Decimal("10000000.00")]


def test_percent_with_or_without_sign():
    assert typed("hrss_employers", "premium_rate_pct", ["0.7", "0.7%", "１．１％"]) == \
        [decimal.Decimal("0.7"), decimal.Decimal("0.7"), decimal.Decimal("1.1")]


def test_grades_as_digits_or_chinese_numerals():
    assert typed("hrss_injury_claims", "disability_grade", ["一级", "十级", "7", "５", "3级", "十一级"]) == \
        [1, 10, 7, 5, 3, None]


def test_enumerations_after_nfkc_and_aliases():
    assert typed("em_accidents", "accident_category", ["其他爆炸", "其它爆炸", "其他伤害", "高处坠落", "坠落"]) == \
        ["其它爆炸", "其它爆炸", "其它伤害", "高处坠落", None]
    assert typed("nhc_hazard_monitoring", "unit", ["mg/m3", "mg/m³", "ｍｇ/ｍ3", "dB(A)", "dB（A）", "ppm"]) == \
        ["mg/m³", "mg/m³", "mg/m³", "dB(A)", "dB(A)", None]


def test_identifiers_are_normalised_to_half_width_upper_case():
    assert typed("hrss_injury_claims", "uscc", ["９１３５０１００ｍ０００１００ｙ４３"]) == ["91350100M000100Y43"]


def test_blank_and_whitespace_are_null():
    assert typed("hrss_training", "mode", ["", "   ", "\u3000", None]) == [None, None, None, None]
