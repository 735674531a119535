{#-
  Data tests over the recomputed rows only (issue 14: a month's tests must cost what the month
  changed). A model kept by key deletes and recomputes the rows of the keys it lists in a
  pre-hook; every other row is the one an earlier build wrote and its tests passed on. So a test
  that judges each row alone (not_null, accepted_values, relationships from this model) or each
  key's rows together (unique, unique_combination over columns that include the list's key) can
  only come out differently on the listed keys' rows, and reads only those when

    - the model listed them in this dbt invocation (meta.stale_lists_made: an incremental build;
      a full build records that it did not list), and
    - the test's last outcome (meta.dbt_test_outcomes, recorded by ipx.assets.data_tests) was a
      pass under the project of the last build: a test that failed, or never ran, reads every row,
      so an old failure is never hidden behind a filter.

  Any other test, any other model, and every test on Spark read the whole model, as dbt does.
  dbt wraps the model of every generic test in get_where_subquery; this project's
  default__get_where_subquery adds the filter there (and keeps dbt's own `where` config).
  tests/pipeline/test_selective_data_tests.py checks both sides: a month's test reads only the
  listed keys, and a test whose last outcome failed reads every row.
-#}

{#- model -> (list table, filter over the model's columns) of every model kept by key -#}
{% macro recomputed_rows_filter_of(identifier, database) -%}
{%- set meta = adapter.quote(database) ~ '.meta.' -%}
{%- set by_employer = "(province_code in (select province_code from {list} where uscc is null)"
                      ~ " or (province_code, uscc) in (select province_code, uscc from {list} where uscc is not null))" -%}
{%- set filters = {
    'int_floating_inputs': by_employer.replace('{list}', meta ~ 'floating_stale_int_floating_inputs'),
    'int_floating_grades': by_employer.replace('{list}', meta ~ 'floating_stale_int_floating_grades'),
    'mart_premium_floating': by_employer.replace('{list}', meta ~ 'floating_stale_mart_premium_floating'),
    'mart_employer_profile': by_employer.replace('{list}', meta ~ 'employer_profile_stale'),
    'int_training_first_pass': 'person_pseudonym in (select person_pseudonym from ' ~ meta ~ 'training_first_pass_stale)',
} -%}
{{ return(filters.get(identifier)) }}
{%- endmacro %}

{#- The generic tests that judge a row, or a key's rows, alone. -#}
{% macro row_local_tests() -%}
{{ return(['not_null', 'unique', 'unique_combination', 'accepted_values', 'relationships']) }}
{%- endmacro %}

{#- The filter this test may read its model through; none when it must read every row. -#}
{% macro recomputed_rows_filter(relation) -%}
{%- if not execute or target.type != 'duckdb' or relation is none or relation.identifier is none -%}
    {{ return(none) }}
{%- endif -%}
{%- set test_name = model.test_metadata.name if model.test_metadata else none -%}
{%- set filter = recomputed_rows_filter_of(relation.identifier, relation.database) -%}
{%- if filter is none or test_name not in row_local_tests() -%}
    {{ return(none) }}
{%- endif -%}
{%- set listed = run_query("select count(*) from " ~ stale_lists_made(relation.database) ~ " where model = '"
                           ~ relation.identifier ~ "' and listed_in = " ~ built_at()) -%}
{%- if listed.rows[0][0] == 0 -%}
    {{ return(none) }}
{%- endif -%}
{%- set outcomes = adapter.quote(target.database) ~ '.meta.dbt_test_outcomes' -%}
{%- set known = run_query("select count(*) from duckdb_tables() where database_name = '" ~ target.database
                          ~ "' and schema_name = 'meta' and table_name in ('dbt_test_outcomes', 'model_build')") -%}
{%- if known.rows[0][0] < 2 -%}
    {{ return(none) }}
{%- endif -%}
{%- set passed = run_query("select count(*) from " ~ outcomes ~ " where check_name = '" ~ model.name
                           ~ "' and passed and fingerprint = (select fingerprint from " ~ adapter.quote(target.database)
                           ~ ".meta.model_build order by built_at desc limit 1)") -%}
{{ return(filter if passed.rows[0][0] > 0 else none) }}
{%- endmacro %}

{#- dbt's own wrapper of a generic test's model, with the recomputed rows' filter added. -#}
{% macro default__get_where_subquery(relation) -%}
{%- set where = config.get('where', '') -%}
{%- set recomputed = recomputed_rows_filter(relation) -%}
{%- set clauses = [] -%}
{%- if where -%}{%- do clauses.append('(' ~ where ~ ')') -%}{%- endif -%}
{%- if recomputed -%}{%- do clauses.append(recomputed) -%}{%- endif -%}
{%- if clauses -%}
    {%- set filtered -%}
        (select * from {{ relation }} where {{ clauses | join(' and ') }}) dbt_subquery
    {%- endset -%}
    {%- do return(filtered) -%}
{%- else -%}
    {%- do return(relation) -%}
{%- endif -%}
{%- endmacro %}
