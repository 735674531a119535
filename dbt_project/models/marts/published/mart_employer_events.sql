{{ config(materialized=duckdb_incremental_materialization(), incremental_strategy='append', on_schema_change='fail',
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}", "{{ ensure_employer_event_changes() }}",
                    "{{ list_stale_employer_events() }}", "{{ log_employer_event_changes(before=true) }}",
                    "{{ delete_stale_employer_events() }}"],
          post_hook=["{{ log_employer_event_changes(before=false) }}", "{{ rejudge_open_employer_events() }}",
                     "{{ record_watermark() }}"]) }}
-- depends_on: {{ source('ingest', 'files') }}
-- depends_on: {{ source('raw', 'nhc_hazard_monitoring') }}
-- depends_on: {{ source('raw', 'em_hazards') }}
-- depends_on: {{ source('raw', 'hrss_injury_claims') }}
-- depends_on: {{ source('raw', 'nhc_occupational_disease') }}
-- depends_on: {{ source('raw', 'em_accidents') }}
-- depends_on: {{ source('raw', 'acftu_supervision') }}
-- Employer profile events (单位档案, issue 11; figures of spec section 5's facts): one row per
-- event of an employer — an exceeding exposure sample (超标检测), a hidden hazard (隐患), a
-- recognised work injury (工伤), an occupational-disease report (职业病), a production-safety
-- accident (事故) or a union inspection that found issues or complaints (工会检查) — with a
-- Chinese description, its status, deadline and overdue flag judged at the data's as-of date.
--
-- Only employers with such events appear (non-exceeding samples and inspections that found
-- nothing are left out to keep the table small at national volume). No personal data: injuries
-- and occupational-disease cases carry no pseudonym, sex, decision or report number — only the
-- date, category and outcome.
--
-- Incremental on DuckDB (macros/employer_events_incremental.sql): a run recomputes the events of
-- the records re-sent or replaced since the last build, appends them, and re-judges the as-of
-- columns of the unrectified items. Each row keeps the delivery file and record it came from.
with as_of as (
    select as_of_date from {{ ref('int_as_of') }}
),

exceedances as (
    select
        samples.province_code,
        samples.uscc,
        'exceedance' as event_type,
        samples.sample_no as record_no,
        samples.sample_date as event_date,
        samples.post || '：' || samples.factor || ' '
            || case samples.metric when 'C_TWA' then '时间加权平均浓度' when 'C_STEL' then '短时间接触浓度'
                   when 'C_ME' then '最高浓度' when 'L_EX8h' then '8小时等效声级' else samples.metric end
            || ' ' || cast(samples.value as string) || '，限值 ' || cast(samples.limit_value as string)
            || ' ' || coalesce(samples.limit_unit, samples.unit, '') as description,
        samples.factor,
        samples.value,
        samples.limit_value,
        samples.unit,
        samples.exceedance_ratio,
        cast(samples.rectification_deadline as date) as deadline,
        samples.rectified_date,
        cast(null as integer) as deaths,
        cast(null as string) as union_status,
        samples.source_file,
        samples.source_record_no
    from {{ ref('fct_exposure_samples') }} as samples
    where samples.exceeds and {{ stale_employer_event_rows('samples') }}
),

hazards as (
    select
        province_code, uscc, case when is_major then 'major_hazard' else 'general_hazard' end, hazard_no,
        found_date, level || '（隐患编号 ' || hazard_no || '）',
        null, null, null, null, null, deadline, rectified_date, null, null, source_file, source_record_no
    from {{ ref('fct_hazards') }} as hazards
    where {{ stale_employer_event_rows('hazards') }}
),

injuries as (
    select
        province_code, uscc, 'injury', null, incident_date,
        decision || '：' || coalesce(harm_type, '')
            || case when accident_category is not null then '（' || accident_category || '）' else '' end
            || case when disease_name is not null then '（' || disease_name || '）' else '' end
            || case when is_fatal then '，死亡'
                    when disability_grade is not null then '，伤残' || disability_grade || '级' else '' end,
        null, null, null, null, null, null, null, case when is_fatal then 1 else 0 end, null,
        source_file, source_record_no
    from {{ ref('fct_injury_claims') }} as claims
    where is_recognised and {{ stale_employer_event_rows('claims') }}
),

od_cases as (
    select
        province_code, uscc, 'occupational_disease', null, diagnosis_date,
        disease_category || '：' || disease_name,
        null, null, null, null, null, null, null, null, null, source_file, source_record_no
    from {{ ref('fct_occupational_disease') }} as reports
    where {{ stale_employer_event_rows('reports') }}
),

accidents as (
    select
        province_code, uscc, 'accident', accident_no, occurred_date,
        severity || '事故：' || accident_category || '，死亡' || deaths || '人，重伤' || serious_injuries || '人',
        null, null, null, null, null, null, null, deaths, null, source_file, source_record_no
    from {{ ref('fct_accidents') }} as accidents
    where uscc is not null and {{ stale_employer_event_rows('accidents') }}
),

union_findings as (
    select
        province_code, uscc, 'union_inspection', inspection_no, inspection_date,
        '发现问题' || coalesce(issues_found, 0) || '项，整改建议' || coalesce(suggestions, 0) || '条，'
            || case when resolved is null then '' else '已落实' || resolved || '条，' end
            || '职工投诉' || coalesce(worker_complaints, 0) || '件',
        null, null, null, null, null, null, null, null,
        case when coalesce(suggestions, 0) = 0 then '无整改建议'
             when resolved >= suggestions then '建议已全部落实'
             when resolved is null then '落实情况不详'
             else '建议未全部落实' end,
        source_file, source_record_no
    from {{ ref('stg_acftu_supervision') }} as inspections
    where (coalesce(issues_found, 0) > 0 or coalesce(worker_complaints, 0) > 0)
        and {{ stale_employer_event_rows('inspections') }}
),

events as (
    select * from exceedances
    union all
    select * from hazards
    union all
    select * from injuries
    union all
    select * from od_cases
    union all
    select * from accidents
    union all
    select * from union_findings
)

select
    events.province_code,
    events.uscc,
    cast(events.event_date as date) as event_date,
    cast(year(events.event_date) as integer) as event_year,
    events.event_type,
    case events.event_type
        when 'exceedance' then '超标检测'
        when 'major_hazard' then '重大隐患'
        when 'general_hazard' then '一般隐患'
        when 'injury' then '工伤'
        when 'occupational_disease' then '职业病'
        when 'accident' then '生产安全事故'
        when 'union_inspection' then '工会检查'
    end as event_kind,
    events.record_no,
    events.description,
    events.factor,
    cast(events.value as double) as value,
    cast(events.limit_value as double) as limit_value,
    events.unit,
    cast({{ round_half_up('events.exceedance_ratio', 4) }} as decimal(18, 4)) as exceedance_ratio,
    cast(events.deadline as date) as deadline,
    cast(events.rectified_date as date) as rectified_date,
    case
        when events.event_type = 'injury' then case when events.deaths > 0 then '死亡' else '已认定' end
        when events.event_type = 'occupational_disease' then '已诊断'
        when events.event_type = 'union_inspection' then events.union_status
        when events.event_type = 'accident' then case when events.deaths > 0 then '有死亡' else '无死亡' end
        else {{ event_status_at('events', 'as_of.as_of_date') }}
    end as status,
    coalesce(events.event_type in ('exceedance', 'major_hazard', 'general_hazard')
             and events.rectified_date is null, false) as is_open,
    {{ event_is_overdue_at('events', 'as_of.as_of_date') }} as is_overdue,
    {{ event_days_overdue_at('events', 'as_of.as_of_date') }} as days_overdue,
    cast(events.deaths as integer) as deaths,
    events.source_file,
    cast(events.source_record_no as bigint) as source_record_no
from events
cross join as_of
where events.uscc is not null
{% if not is_incremental() -%}
-- stored in employer order: the page reads one employer's rows, and DuckDB's min/max zone maps
-- then skip all other row groups (an incremental run appends its few rows)
order by events.province_code, events.uscc, events.event_date
{%- endif %}
