"""DuckDB column types as the lake writes them and as Spark declares them."""

from __future__ import annotations

import pytest

from ipx.lake import UnsupportedType, lake_type, spark_type


@pytest.mark.parametrize(("duckdb_type", "spark"), [
    ("VARCHAR", "string"),
    ("BIGINT", "bigint"),
    ("INTEGER", "int"),
    ("SMALLINT", "smallint"),
    ("DOUBLE", "double"),
    ("FLOAT", "float"),
    ("DECIMAL(18,4)", "decimal(18,4)"),
    ("DECIMAL(18,2)", "decimal(18,2)"),
    ("DATE", "date"),
    ("TIMESTAMP", "timestamp_ntz"),
    ("TIMESTAMP WITH TIME ZONE", "timestamp"),
    ("BOOLEAN", "boolean"),
    ("JSON", "string"),
    ("BLOB", "binary"),
    ("VARCHAR[]", "array<string>"),
    ("MAP(VARCHAR, VARCHAR)", "map<string,string>"),
    ("MAP(VARCHAR, BIGINT[])", "map<string,array<bigint>>"),
    ("STRUCT(a VARCHAR, \"b c\" DECIMAL(9,2))", "struct<`a`:string,`b c`:decimal(9,2)>"),
    ("INTEGER[3]", "array<int>"),
])
def test_spark_types(duckdb_type, spark):
    assert spark_type(duckdb_type) == spark


def test_json_is_written_as_a_plain_string():
    assert (lake_type("JSON").export, lake_type("JSON").needs_cast) == ("VARCHAR", True)
    nested = lake_type("STRUCT(outcomes JSON[], n BIGINT)")
    assert (nested.export, nested.spark, nested.needs_cast) == (
        "STRUCT(outcomes VARCHAR[], n BIGINT)", "struct<`outcomes`:array<string>,`n`:bigint>", True)
    for plain in ("VARCHAR", "TIMESTAMP", "VARCHAR[]", "MAP(VARCHAR, VARCHAR)", "DECIMAL(18,4)"):
        assert not lake_type(plain).needs_cast, plain


@pytest.mark.parametrize("duckdb_type", ["HUGEINT", "UBIGINT", "UUID", "INTERVAL", "TIMESTAMP_NS", "TIME",
                                         "UNION(a INTEGER, b VARCHAR)", "MAP(VARCHAR, UUID)", "DECIMAL(40,2)",
                                         "VARCHAR)"])
def test_types_without_a_faithful_spark_type_are_refused(duckdb_type):
    with pytest.raises(UnsupportedType, match="DuckDB type"):
        lake_type(duckdb_type)
