"""``ipx export assessment|hotspots|watchlist|feed-health``: published marts as CSV (column names
of the spec) or XLSX (Chinese headers, plus sheets explaining what the figures are).

Every export takes a ``scope``: None for everything (national users, evaluators), or the set of
provinces whose details the reader may see (a provincial user). National aggregates and
rankings stay in a scoped file; other provinces' details do not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ipx.exports.labels import label
from ipx.exports.scope import scope_filter, where_clause
from ipx.exports.writers import write_csv, write_xlsx

ASSESSMENT_COLUMNS = [
    "province_code", "province_name", "year", "injury_rate_per_1000", "baseline_injury_rate_per_1000",
    "target_injury_rate_per_1000", "od_rate_per_100k", "baseline_od_rate_per_100k", "training_coverage",
    "rectified_on_time_share", "on_time_clean_share", "fund_execution_rate", "score_injury_rate",
    "score_occupational_disease", "score_training", "score_rectification", "score_data_sharing",
    "score_reporting", "score_prevention_fund", "total_score", "grade", "rank",
]


def query_rows(con, sql: str, params: list) -> tuple[list[str], list[tuple]]:
    cur = con.execute(sql, params)
    return [d[0] for d in cur.description], cur.fetchall()


def spreadsheet_cells(rows: list[tuple]) -> list[list]:
    """Decimals as floats and lists as text, for spreadsheet cells."""
    out = []
    for row in rows:
        cells = []
        for v in row:
            if hasattr(v, "as_tuple"):
                v = float(v)
            elif isinstance(v, list):
                v = "、".join(map(str, v))
            cells.append(v)
        out.append(cells)
    return out


def _year_filter(year: int | None) -> tuple[str, list]:
    return ("WHERE year = ?", [year]) if year is not None else ("", [])


# What a provincial reader sees of another province in the assessment: its place in the ranking.
RANKING_COLUMNS = {"province_code", "province_name", "year", "total_score", "grade", "rank"}


def export_assessment(con, out: Path, year: int | None, scope: frozenset[str] | None = None) -> int:
    where, params = _year_filter(year)
    columns, rows = query_rows(con, f"SELECT {', '.join(ASSESSMENT_COLUMNS)} FROM marts.mart_provincial_assessment "
                               f"{where} ORDER BY year, rank, province_code", params)
    if scope is not None:  # the ranking stays whole; other provinces' indicators and scores do not
        keep = [c in RANKING_COLUMNS for c in columns]
        rows = [row if row[0] in scope else tuple(v if k else None for v, k in zip(row, keep)) for row in rows]
    if out.suffix.lower() != ".xlsx":
        return write_csv(out, columns, rows)
    weights = con.execute("SELECT component, component_name, weight, definition FROM reference.assessment_weights "
                          "ORDER BY component").fetchall()
    plan = con.execute("SELECT * FROM reference.plan_cycles").df().iloc[0].to_dict()
    definitions = [list(w) for w in weights] + [
        ["", "基期年度", plan["baseline_year"], "基期 b = 该指标2020年数值；目标路径 t(Y) = b × (1 − 0.04 × (Y − 2020))"],
        ["", "年降幅", plan["annual_reduction"], "目标路径每年下降比例"],
        ["", "培训目标年增幅", plan["training_ramp_per_year"], "C 的目标 = min(1, 0.2 × (Y − 2020))"],
        ["", "预防费执行目标", plan["fund_execution_target"], "G = 10 × min(1, 执行率 / 0.9)"],
        ["", "合格报送拒收上限", plan["clean_reject_share_max"], "现行版本拒收记录 ≤ 1% 视为合格"],
        ["", "取整", "", "得分保留2位、比率保留4位，四舍五入；总分 = 各项未取整得分之和再取整"],
        ["", "等级", "", "优秀 ≥ 90，良好 ≥ 75，合格 ≥ 60，其余不合格；排名按总分，同分同名次（1224）"],
    ]
    snapshot_where = "AND year <= ?" if year is not None else ""
    in_scope, scope_params = scope_filter(scope, national=False)
    snapshot_cols, snapshot = query_rows(
        con, "SELECT feed, feed_title, province_code, province_name, period, current_seq, first_seq, "
             "first_exported_at, records, records_loaded, records_rejected, on_time, clean "
             f"FROM marts.mart_feed_health WHERE accepted {snapshot_where} AND {in_scope} "
             "ORDER BY feed, province_code, period",
        ([year] if year is not None else []) + scope_params)
    as_of = con.execute("SELECT as_of_at, loaded_files, current_slices FROM marts.mart_data_as_of").fetchone()
    provisional = [r[0] for r in con.execute(
        f"SELECT DISTINCT year FROM marts.mart_assessment_coverage WHERE is_provisional AND is_assessed "
        f"{'AND year = ?' if year is not None else ''} ORDER BY year", [year] if year is not None else []).fetchall()]
    write_xlsx(out, [
        ("省级考核", [label(c) for c in columns], spreadsheet_cells(rows)),
        ("指标定义与权重", ["指标", "名称", "权重/参数", "定义"], definitions),
        ("数据快照", [label(c) for c in snapshot_cols], spreadsheet_cells(snapshot)),
        ("说明", ["项目", "内容"], [
            ["数据截至", str(as_of[0]) if as_of else ""],
            ["已入库文件数", as_of[1] if as_of else 0],
            ["现行数据片数", as_of[2] if as_of else 0],
            ["口径", "各指标与得分的定义见“指标定义与权重”表；未报送任何数据的省份不参加考核、不排名"],
            ["详细说明", "系统随附文档《已发布指标说明》中“省级考核”各篇：每项指标的定义与计算方法"],
            *([["范围", "本文件只含本省的指标明细与数据快照；其他省份只列总分、等级与排名"]] if scope is not None else []),
            *([["预评估", "、".join(f"{y}年" for y in provisional)
                + "：截至数据日期仍有应报数据未到报送期限，结果为预评估，可能随后续报送而变化"]] if provisional else []),
        ]),
    ], created=_utc(as_of[0]) if as_of else None)  # the same data gives the same file, on either engine
    return len(rows)


def _utc(beijing: dt.datetime | None) -> dt.datetime | None:
    """A Beijing wall-clock time (the warehouse's timestamps, spec 1) as UTC, as XLSX dates it."""
    return None if beijing is None else beijing - dt.timedelta(hours=8)


def _simple(table: str, order: str):
    def export(con, out: Path, year: int | None, scope: frozenset[str] | None = None) -> int:
        has_year = any(c[0] == "year" for c in con.execute(f"DESCRIBE marts.{table}").fetchall())
        where, params = where_clause(year if has_year else None, scope)
        columns, rows = query_rows(con, f"SELECT * FROM marts.{table} {where} ORDER BY {order}", params)
        if out.suffix.lower() == ".xlsx":
            write_xlsx(out, [(table.removeprefix("mart_"), [label(c) for c in columns], spreadsheet_cells(rows))])
            return len(rows)
        return write_csv(out, columns, spreadsheet_cells(rows))

    return export


export_hotspots = _simple("mart_hotspots", "year, province_code, industry_group")
export_watchlist = _simple("mart_watchlist", "priority_rank")
export_feed_health = _simple("mart_feed_health", "feed, province_code, period")
export_reconciliation = _simple(
    "mart_reconciliation", "signal, province_code, month, event_date, accident_no, decision_no, claim_accident_no, uscc")
