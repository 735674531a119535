"""Both check-character algorithms of spec section 2, in Python and in the SQL ingestion uses."""

import random

import duckdb
import pytest

from ipx.identifiers import RIC_CHECK, USCC_CHARSET, is_valid_ric, is_valid_uscc, ric_check_char, uscc_check_char
from ipx.ingestion import sql_rules

# Published examples: a USCC from GB 32100-2015's explanatory material and the resident ID
# of GB 11643-1999's annex.
KNOWN_USCC = "91350100M000100Y43"
KNOWN_RIC = "11010519491231002X"


def test_known_valid_examples():
    assert is_valid_uscc(KNOWN_USCC)
    assert is_valid_ric(KNOWN_RIC)


def test_uscc_check_char_matches_stdnum():
    stdnum_uscc = pytest.importorskip("stdnum.cn.uscc")
    rng = random.Random(1)
    for _ in range(200):
        body = "".join(rng.choice(USCC_CHARSET) for _ in range(17))
        assert uscc_check_char(body) == stdnum_uscc.calc_check_digit(body)


def test_ric_check_char_matches_stdnum():
    stdnum_ric = pytest.importorskip("stdnum.cn.ric")
    rng = random.Random(2)
    for _ in range(200):
        body = "".join(rng.choice("0123456789") for _ in range(17))
        assert ric_check_char(body) == stdnum_ric.calc_check_digit(body + "0")  # it expects 18 chars


@pytest.mark.parametrize("value", [
    KNOWN_USCC[:-1] + "4",        # wrong check character
    KNOWN_USCC.replace("M", "I"),  # I is not in the charset
    KNOWN_USCC[:-1],               # 17 characters
    KNOWN_USCC.lower(),            # lower case is not in the charset
])
def test_invalid_uscc(value):
    assert not is_valid_uscc(value)


@pytest.mark.parametrize("value", [
    "110105194912310021",   # wrong check character
    "110105194902300028",   # 1949-02-30 is no date (check char recomputed below)
    "11010519491231002",    # 17 characters
    "11010519491231002Y",   # Y is no check character
])
def test_invalid_ric(value):
    if value == "110105194902300028":
        value = value[:17] + ric_check_char(value[:17])  # valid check, impossible birth date
    assert not is_valid_ric(value)


def _sql_verdicts(values, fmt_ok, check_ok, extra=None):
    con = duckdb.connect()
    con.execute("CREATE TABLE t (v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[v] for v in values])
    cond = f"{fmt_ok('v')} AND {check_ok('v')}" + (f" AND {extra('v')}" if extra else "")
    return dict(con.execute(f"SELECT v, coalesce({cond}, false) FROM t").fetchall())


def test_sql_uscc_agrees_with_python():
    rng = random.Random(3)
    values = [KNOWN_USCC]
    for _ in range(500):
        body = "".join(rng.choice(USCC_CHARSET) for _ in range(17))
        values.append(body + (uscc_check_char(body) if rng.random() < 0.5 else rng.choice(USCC_CHARSET)))
    values += ["", "ABC", KNOWN_USCC + "0", "91350100M000100I43"]
    verdicts = _sql_verdicts(values, sql_rules.uscc_format_ok, sql_rules.uscc_check_ok)
    assert verdicts == {v: is_valid_uscc(v) for v in values}
    assert sum(verdicts.values()) > 200  # both outcomes really occur


def test_sql_ric_agrees_with_python():
    rng = random.Random(4)
    values = [KNOWN_RIC]
    for _ in range(500):
        birth = f"{rng.randrange(1940, 2010)}{rng.randrange(1, 13):02d}{rng.randrange(1, 32):02d}"
        body = f"{rng.randrange(110000, 660000)}{birth}{rng.randrange(1000):03d}"
        values.append(body + (ric_check_char(body) if rng.random() < 0.6 else rng.choice(RIC_CHECK)))
    verdicts = _sql_verdicts(values, sql_rules.ric_format_ok, sql_rules.ric_check_ok, sql_rules.ric_birth_ok)
    assert verdicts == {v: is_valid_ric(v) for v in values}
    assert 0 < sum(verdicts.values()) < len(values)
