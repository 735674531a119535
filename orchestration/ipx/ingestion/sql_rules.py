"""SQL forms of the spec's value rules, applied to whole columns inside DuckDB.

Every function takes the SQL of an already normalised (NFKC, trimmed, blank = NULL) text
value and returns SQL. Nothing here loops over records in Python.
"""

from __future__ import annotations

from ipx import reference
from ipx.contracts.model import Column, nfkc
from ipx.identifiers import RIC_CHECK, RIC_WEIGHTS, USCC_CHARSET, USCC_WEIGHTS

INT_RE = r"[+-]?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.0+)?"
DEC_RE = r"[+-]?(([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]+)?|\.[0-9]+)"
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d"]
TIME_SUFFIXES = ["", " %H:%M", " %H:%M:%S", "T%H:%M", "T%H:%M:%S"]
CHINESE_GRADES = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]


def lit(value: str) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def str_list(values) -> str:
    return "[" + ", ".join(lit(v) for v in values) + "]"


# ----------------------------------------------------------------- numbers


def int_value(v: str) -> str:
    return (f"CASE WHEN regexp_full_match({v}, {lit(INT_RE)}) "
            f"THEN try_cast(split_part(replace({v}, ',', ''), '.', 1) AS BIGINT) END")


def dec_value(v: str, sql_type: str) -> str:
    return (f"CASE WHEN regexp_full_match({v}, {lit(DEC_RE)}) "
            f"THEN try_cast(replace({v}, ',', '') AS {sql_type}) END")


def percent_value(v: str, sql_type: str) -> str:
    return dec_value(f"regexp_replace({v}, '%$', '')", sql_type)


def amount_value(v: str, scale_sql: str) -> str:
    """A yuan amount; ``scale_sql`` is 1, or 10000 where the header says 万元."""
    raw = f"try_cast(replace({v}, ',', '') AS DECIMAL(30,6))"
    return (f"CASE WHEN regexp_full_match({v}, {lit(DEC_RE)}) "
            f"THEN try_cast({raw} * {scale_sql} AS DECIMAL(18,2)) END")


def grade_value(v: str) -> str:
    """1..10, written as digits, ``N级`` or ``一级``..``十级``."""
    words = " ".join(f"WHEN {lit(w + '级')} THEN {i}" for i, w in enumerate(CHINESE_GRADES, 1))
    digits = int_value(f"regexp_replace({v}, '级$', '')")
    return f"CASE {v} {words} ELSE {digits} END"


# ----------------------------------------------------------------- dates


def date_value(v: str) -> str:
    formats = [d + t for d in DATE_FORMATS for t in TIME_SUFFIXES[:3]]
    return (f"CASE WHEN regexp_full_match({v}, '[0-9]{{8}}') THEN try_strptime({v}, '%Y%m%d')::DATE "
            f"WHEN regexp_matches({v}, '^[0-9]{{4}}[^0-9]') "
            f"THEN try_strptime({v}, {str_list(formats)})::DATE END")


def datetime_value(v: str) -> str:
    formats = [d + t for d in DATE_FORMATS for t in TIME_SUFFIXES]
    compact = ["%Y%m%d" + t for t in TIME_SUFFIXES]
    return (f"CASE WHEN regexp_matches({v}, '^[0-9]{{8}}([ T]|$)') "
            f"THEN try_strptime({v}, {str_list(compact)}) "
            f"WHEN regexp_matches({v}, '^[0-9]{{4}}[^0-9]') "
            f"THEN try_strptime({v}, {str_list(formats)}) END")


# ----------------------------------------------------------------- identifiers

USCC_RE = "[" + USCC_CHARSET + "]{18}"


def uscc_format_ok(u: str) -> str:
    return f"regexp_full_match({u}, {lit(USCC_RE)})"


def uscc_check_ok(u: str) -> str:
    """GB 32100 check character, as one arithmetic expression (no per-row lists)."""
    terms = " + ".join(f"(instr({lit(USCC_CHARSET)}, substr({u}, {i + 1}, 1)) - 1) * {w}"
                       for i, w in enumerate(USCC_WEIGHTS))
    return f"substr({lit(USCC_CHARSET)}, ((31 - ({terms}) % 31) % 31) + 1, 1) = substr({u}, 18, 1)"


def ric_format_ok(u: str) -> str:
    return f"regexp_full_match({u}, '[0-9]{{17}}[0-9X]')"


def ric_birth_ok(u: str) -> str:
    return f"try_strptime(substr({u}, 7, 8), '%Y%m%d') IS NOT NULL"


def ric_check_ok(u: str) -> str:
    """GB 11643 (ISO 7064 MOD 11-2) check character, as one arithmetic expression."""
    terms = " + ".join(f"(ascii(substr({u}, {i + 1}, 1)) - 48) * {w}" for i, w in enumerate(RIC_WEIGHTS))
    return f"substr({lit(RIC_CHECK)}, (({terms}) % 11) + 1, 1) = substr({u}, 18, 1)"


def area_in_province(v: str, province_sql: str) -> str:
    """The area code lies in the file's province (XPCC 660000: 6590xx or 66xxxx)."""
    return (f"CASE WHEN {province_sql} = '660000' THEN (starts_with({v}, '6590') OR starts_with({v}, '66')) "
            f"ELSE starts_with({v}, substr({province_sql}, 1, 2)) END")


INDUSTRY_RE = "([A-T])?([0-9]{2}|[0-9]{4})"


def industry_division(u: str) -> str:
    return f"substr(regexp_extract({u}, '[0-9]+'), 1, 2)"


def _sections_by_number() -> str:
    """100 characters: the section letter of division NN at position NN + 1, a space where
    there is no division NN."""
    letters = [" "] * 100
    for division, section in reference.divisions().items():
        letters[int(division)] = section
    return "".join(letters)


def _section_of(u: str) -> str:
    """The section letter of the code's division, NULL for a division that does not exist. One
    look-up by position instead of a search through the list of divisions: this rule ran over
    every employer of a national year."""
    division = industry_division(u)
    return (f"CASE WHEN length({division}) = 2 "
            f"THEN nullif(substr({lit(_sections_by_number())}, try_cast({division} AS INTEGER) + 1, 1), ' ') END")


def division_known(u: str) -> str:
    """The division (first two digits) is one of GB/T 4754's (NULL for a NULL code)."""
    return f"(CASE WHEN {industry_division(u)} IS NOT NULL THEN {_section_of(u)} IS NOT NULL END)"


def section_ok(u: str) -> str:
    """A leading section letter, if any, is the section of the division (NULL when the division
    does not exist)."""
    return f"(NOT regexp_matches({u}, '^[A-T]') OR substr({u}, 1, 1) = {_section_of(u)})"


# ----------------------------------------------------------------- enumerations


def enum_mapping(col: Column) -> dict[str, str]:
    """NFKC form of every accepted spelling -> the canonical value."""
    values, aliases = (col.values, dict(col.synonyms))
    if col.reference:
        values, ref_aliases = reference.reference_enum(col.reference)
        aliases.update(ref_aliases)
    mapping = {nfkc(v): v for v in values}
    mapping.update({nfkc(k): v for k, v in aliases.items()})
    return mapping


def enum_value(v: str, mapping: dict[str, str]) -> str:
    whens = " ".join(f"WHEN {lit(k)} THEN {lit(val)}" for k, val in mapping.items())
    return f"CASE {v} {whens} END"


# ----------------------------------------------------------------- feed-level checks


def computed_severity(deaths: str, serious: str, loss: str) -> str:
    whens = []
    for name, d, s, money in reference.severity_tiers():
        conds = []
        if d:
            conds.append(f"coalesce({deaths}, 0) >= {d}")
        if s:
            conds.append(f"coalesce({serious}, 0) >= {s}")
        if money:
            conds.append(f"coalesce({loss}, 0) >= {money}")
        if conds:
            whens.append(f"WHEN {' OR '.join(conds)} THEN {lit(name)}")
    lowest = reference.severity_tiers()[-1][0]
    return f"(CASE {' '.join(whens)} ELSE {lit(lowest)} END)"


def limit_factor_mapping() -> dict[str, str]:
    """NFKC form of each factor of the limit table -> its name as in the table."""
    return {nfkc(lim.factor): lim.factor for lim in reference.exposure_limits()}


def limit_pairs() -> list[str]:
    return [f"{lim.factor}|{lim.metric}" for lim in reference.exposure_limits()]


def limit_unit(pair: str) -> str:
    whens = " ".join(f"WHEN {lit(f'{lim.factor}|{lim.metric}')} THEN {lit(lim.unit)}"
                     for lim in reference.exposure_limits())
    return f"(CASE {pair} {whens} END)"
