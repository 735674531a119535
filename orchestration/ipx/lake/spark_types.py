"""DuckDB column types as the lake stores them and as Spark declares them.

``information_schema.columns.data_type`` spells a DuckDB type (``VARCHAR``, ``DECIMAL(18,4)``,
``VARCHAR[]``, ``MAP(VARCHAR, VARCHAR)``, ``STRUCT(a VARCHAR, b BIGINT)``, ``JSON``, ...).
:func:`lake_type` parses it once and gives

- ``spark``: the Spark SQL type of the column in the lake (``string``, ``decimal(18,4)``,
  ``array<string>``, ``map<string,string>``, ``timestamp_ntz``, ...);
- ``export``: the DuckDB type the column is written to Parquet as. It differs from the column's
  own type only where Parquet or Spark would not read it back as the same value: ``JSON`` is
  written as a plain string (``VARCHAR``), also inside lists, maps and structs.

A type without a faithful Spark counterpart (``HUGEINT``, unsigned integers, ``UUID``,
``INTERVAL``, nanosecond timestamps, ``UNION``, ...) raises :class:`UnsupportedType` naming it:
a contract that introduces one must choose a supported type (``sql_type:``) before the lake, and
so a Spark build, can carry it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class UnsupportedType(ValueError):
    """A DuckDB type the lake cannot hand to Spark unchanged."""


@dataclass(frozen=True)
class LakeType:
    duckdb: str  # as the catalogue spells it
    export: str  # the DuckDB type written to Parquet
    spark: str  # the Spark SQL type of the lake table's column
    needs_cast: bool  # the column is cast to ``export`` on the way out (it holds JSON)


# DuckDB scalar type names (and aliases) -> (export type, Spark type)
_SCALARS: dict[str, tuple[str, str]] = {
    "VARCHAR": ("VARCHAR", "string"),
    "TEXT": ("VARCHAR", "string"),
    "STRING": ("VARCHAR", "string"),
    "CHAR": ("VARCHAR", "string"),
    "BPCHAR": ("VARCHAR", "string"),
    "JSON": ("VARCHAR", "string"),
    "BIGINT": ("BIGINT", "bigint"),
    "INT8": ("BIGINT", "bigint"),
    "LONG": ("BIGINT", "bigint"),
    "INTEGER": ("INTEGER", "int"),
    "INT": ("INTEGER", "int"),
    "INT4": ("INTEGER", "int"),
    "SIGNED": ("INTEGER", "int"),
    "SMALLINT": ("SMALLINT", "smallint"),
    "INT2": ("SMALLINT", "smallint"),
    "SHORT": ("SMALLINT", "smallint"),
    "TINYINT": ("TINYINT", "tinyint"),
    "INT1": ("TINYINT", "tinyint"),
    "DOUBLE": ("DOUBLE", "double"),
    "FLOAT8": ("DOUBLE", "double"),
    "DOUBLE PRECISION": ("DOUBLE", "double"),
    "FLOAT": ("FLOAT", "float"),
    "FLOAT4": ("FLOAT", "float"),
    "REAL": ("FLOAT", "float"),
    "BOOLEAN": ("BOOLEAN", "boolean"),
    "BOOL": ("BOOLEAN", "boolean"),
    "LOGICAL": ("BOOLEAN", "boolean"),
    "DATE": ("DATE", "date"),
    # Parquet TIMESTAMP(MICROS, isAdjustedToUTC=false): a wall-clock time, no zone
    "TIMESTAMP": ("TIMESTAMP", "timestamp_ntz"),
    "DATETIME": ("TIMESTAMP", "timestamp_ntz"),
    "TIMESTAMP WITHOUT TIME ZONE": ("TIMESTAMP", "timestamp_ntz"),
    # Parquet TIMESTAMP(MICROS, isAdjustedToUTC=true): an instant
    "TIMESTAMP WITH TIME ZONE": ("TIMESTAMP WITH TIME ZONE", "timestamp"),
    "TIMESTAMPTZ": ("TIMESTAMP WITH TIME ZONE", "timestamp"),
    "BLOB": ("BLOB", "binary"),
    "BYTEA": ("BLOB", "binary"),
    "VARBINARY": ("BLOB", "binary"),
}

_IDENT = re.compile(r'\s*("(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_]*)')
_NUMBER = re.compile(r"\s*(\d+)")


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.json = False

    def fail(self, why: str) -> UnsupportedType:
        return UnsupportedType(f"DuckDB type {self.text!r}: {why}")

    def peek(self, token: str) -> bool:
        rest = self.text[self.pos:].lstrip()
        return rest.startswith(token)

    def take(self, token: str) -> None:
        if not self.peek(token):
            raise self.fail(f"expected {token!r} at position {self.pos}")
        self.pos = self.text.index(token, self.pos) + len(token)

    def ident(self) -> str:
        m = _IDENT.match(self.text, self.pos)
        if not m:
            raise self.fail(f"expected a name at position {self.pos}")
        self.pos = m.end()
        return m.group(1)

    def number(self) -> int:
        m = _NUMBER.match(self.text, self.pos)
        if not m:
            raise self.fail(f"expected a number at position {self.pos}")
        self.pos = m.end()
        return int(m.group(1))

    def parse(self) -> tuple[str, str]:
        export, spark = self.type_()
        if self.text[self.pos:].strip():
            raise self.fail(f"unexpected {self.text[self.pos:].strip()!r}")
        return export, spark

    def type_(self) -> tuple[str, str]:
        export, spark = self.base()
        while self.peek("["):
            self.take("[")
            if not self.peek("]"):
                self.number()  # a fixed-size ARRAY reads back as a list
            self.take("]")
            export, spark = f"{export}[]", f"array<{spark}>"
        return export, spark

    def base(self) -> tuple[str, str]:
        name = self.ident().upper()
        if name == "DECIMAL" or name == "NUMERIC":
            if not self.peek("("):
                return "DECIMAL(18,3)", "decimal(18,3)"  # DuckDB's default precision and scale
            self.take("(")
            precision = self.number()
            scale = 0
            if self.peek(","):
                self.take(",")
                scale = self.number()
            self.take(")")
            if not 1 <= precision <= 38 or not 0 <= scale <= precision:
                raise self.fail("decimal precision must be 1..38 and scale 0..precision")
            return f"DECIMAL({precision},{scale})", f"decimal({precision},{scale})"
        if name in ("LIST", "MAP", "STRUCT") and self.peek("("):
            self.take("(")
            if name == "LIST":
                export, spark = self.type_()
                self.take(")")
                return f"{export}[]", f"array<{spark}>"
            if name == "MAP":
                k_export, k_spark = self.type_()
                self.take(",")
                v_export, v_spark = self.type_()
                self.take(")")
                return f"MAP({k_export}, {v_export})", f"map<{k_spark},{v_spark}>"
            fields_export, fields_spark = [], []
            while True:
                field = self.ident()
                plain = field[1:-1].replace('""', '"') if field.startswith('"') else field
                export, spark = self.type_()
                fields_export.append(f"{field} {export}")
                fields_spark.append(f"`{plain.replace('`', '``')}`:{spark}")
                if self.peek(","):
                    self.take(",")
                    continue
                self.take(")")
                break
            return f"STRUCT({', '.join(fields_export)})", f"struct<{','.join(fields_spark)}>"
        # multi-word scalar names: TIMESTAMP WITH TIME ZONE, DOUBLE PRECISION, ...
        words = [name]
        while True:
            m = _IDENT.match(self.text, self.pos)
            if not m or m.group(1).upper() not in ("WITH", "WITHOUT", "TIME", "ZONE", "PRECISION"):
                break
            words.append(m.group(1).upper())
            self.pos = m.end()
        full = " ".join(words)
        if full in ("VARCHAR", "CHAR", "BPCHAR") and self.peek("("):  # VARCHAR(n): length is not kept
            self.take("(")
            self.number()
            self.take(")")
        if full == "JSON":
            self.json = True
        if full not in _SCALARS:
            raise self.fail(f"{full} has no Spark type the lake can carry unchanged; "
                            "give the column a supported type (see ipx.lake.spark_types)")
        return _SCALARS[full]


def lake_type(duckdb_type: str) -> LakeType:
    """The export and Spark types of a DuckDB column type; :class:`UnsupportedType` if none."""
    parser = _Parser(duckdb_type)
    export, spark = parser.parse()
    return LakeType(duckdb_type, export, spark, parser.json)


def spark_type(duckdb_type: str) -> str:
    return lake_type(duckdb_type).spark
