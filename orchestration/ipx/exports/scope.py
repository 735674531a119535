"""Which provinces' details an export may hold.

A scope is None (everything: national users, evaluators, the ``ipx export`` command by default)
or the set of province codes whose details the reader may see (a provincial user). National
aggregates (province 000000) and rankings are allowed in a scoped file; other provinces'
details are not."""

from __future__ import annotations


def scope_filter(scope: frozenset[str] | None, column: str = "province_code", national: bool = True) -> tuple[str, list]:
    """A SQL condition keeping the provinces of ``scope`` (and the national row 000000 when
    ``national``); always true without a scope."""
    if scope is None:
        return "TRUE", []
    codes = sorted(scope) + (["000000"] if national else [])
    return f"{column} IN ({', '.join('?' * len(codes))})", codes


def where_clause(year: int | None, scope: frozenset[str] | None, year_column: str = "year") -> tuple[str, list]:
    """``WHERE`` for an export: the year (when given) and the scope's provinces with the nation."""
    in_scope, params = scope_filter(scope)
    if year is None:
        return f"WHERE {in_scope}", params
    return f"WHERE {year_column} = ? AND {in_scope}", [year, *params]
