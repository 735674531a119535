"""dbt's `adapter.dispatch` and `adapter.quote` as sqlfluff sees them: `dispatch` gives the DuckDB
implementation (duckdb__x, else default__x) of a macro of macros/engine, looked up among the macros
the templater loaded from dbt_project/macros."""

from jinja2 import pass_context


@pass_context
def dispatch(context, macro_name, macro_namespace=None):
    for prefix in ("duckdb__", "default__"):
        macro = context.get(prefix + macro_name)
        if macro is not None:
            return macro
    raise KeyError(f"no duckdb__ or default__ implementation of {macro_name}")


def quote(identifier):
    """dbt's `adapter.quote` on DuckDB: a double-quoted identifier."""
    return '"' + str(identifier).replace('"', '""') + '"'
