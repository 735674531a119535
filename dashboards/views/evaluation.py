"""终期评估 (spec 7): for a plan year (the last one is the final evaluation, earlier ones are
progress), the nation and every assessed province — key-industry injury rate against its 2020
baseline and the target path, the five key-industry groups (and a province's own additions),
the occupational-disease rate beside pneumoconiosis, key-position training against its target,
and the assessment record — with statuses as colours (marts.mart_plan_evaluation and _groups);
provinces that delivered nothing are listed as 未报送; the evaluation export (``ipx export
evaluation``). A provincial user sees the national row and its own province only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import auth, data, drawing, provenance
from dashboards import coverage as delivered
from dashboards.coverage import coverage_of, provisional_years
from dashboards.evaluation_tables import (
    GROUP_LABELS,
    INJURY_FORMATS,
    INJURY_LABELS,
    KEY_INDUSTRIES,
    NATIONAL,
    OD,
    OD_FORMATS,
    OD_LABELS,
    RECORD_FORMATS,
    RECORD_LABELS,
    TRAINING,
    export_file,
    grid_cells,
    group_order,
    national_first,
    visible,
    year_label,
)
from dashboards.plan_charts import STATUS_COLOURS, od_rates, status_grid, training_bars
from dashboards.scoped_exports import download_button
from dashboards.table_format import MISSING, show_table, styled


def _status_cell(value) -> str:
    colour = STATUS_COLOURS.get(value)
    if not colour:
        return ""
    text = "#1a1a1a" if value in ("基本达成", "无数据", "未报送") else "#ffffff"
    return f"background-color: {colour}; color: {text}; font-weight: bold"


def _table(frame: pd.DataFrame, labels: dict, formats: dict, status: str | None = None):
    shown = frame[list(labels)].rename(columns=labels)
    styler = styled(shown, formats)
    if status:
        styler = styler.map(_status_cell, subset=[labels[status]])
    return styler


def _threshold(plan: pd.DataFrame | None, column: str, default: float) -> str:
    value = plan.iloc[0][column] if plan is not None and not plan.empty and column in plan else default
    return f"{abs(float(value)):g}" if pd.notna(value) else f"{abs(default):g}"


def _method_line(plan: pd.DataFrame | None, last_year: int | None) -> str:
    name = plan.iloc[0]["plan_name"] if plan is not None and not plan.empty else "工伤预防五年行动计划"
    base = int(plan.iloc[0]["baseline_year"]) if plan is not None and not plan.empty else 2020
    achieved = _threshold(plan, "final_achieved_change_pct_max", -20)
    basic = _threshold(plan, "final_basically_achieved_change_pct_max", -15)
    return (f"{name}：{last_year or '最后一'}年为终期评估（重点行业工伤事故发生率较基期下降 {achieved}% 及以上为达成、"
            f"下降 {basic}%—{achieved}% 为基本达成、其余为未达成），此前各年为年度进度评估（不高于目标路径值为进度正常，"
            f"否则为进度滞后）。职业病发病率低于基期为下降。基期为{base}年。")


def render() -> None:
    viewer = auth.require_page(auth.EVALUATION)
    pub = provenance.require_publication()
    st.title("终期评估")

    evaluation = data.load(pub, data.EVALUATION)
    if evaluation is None or evaluation.empty:
        st.info("已发布的数据中没有实施进度与终期评估结果。")
        return
    groups = data.load(pub, data.EVALUATION_GROUPS)
    coverage_rows = data.load(pub, data.COVERAGE)
    plan = data.load(pub, data.PLAN_CYCLES)
    own = viewer.province if viewer.role == "provincial" else None

    years = sorted(int(y) for y in evaluation["year"].unique())
    final_years = {int(y) for y in evaluation.loc[evaluation["is_final_year"].fillna(False).astype(bool), "year"]}
    last_year = int(plan.iloc[0]["last_year"]) if plan is not None and not plan.empty else None
    provisional = provisional_years(coverage_rows)
    st.caption(_method_line(plan, last_year))
    c1, c2 = st.columns([2, 3])
    year = c1.selectbox("评估年度", years, index=years.index(data.default_year(pub, years)), key="ev_year",
                        format_func=lambda y: year_label(y, final_years, provisional))
    if last_year is not None and last_year not in years:
        c1.caption(f"{last_year}年终期评估尚无数据。")
    with c2:
        st.write("")
        download_button(
            f"下载{year}年评估导出文件（XLSX）" + ("（全国与本省）" if own else ""), viewer=viewer, what="evaluation", year=year,
            make=lambda: export_file(data.warehouse_path(), year, scope=viewer.scope),
            file_name=f"实施进度与终期评估-{year}" + (f"-{own}" if own else "") + ".xlsx", key="ev_download")

    final = year in final_years
    rows = national_first(visible(evaluation[evaluation["year"] == year], own))
    group_rows = (visible(groups[groups["year"] == year], own) if groups is not None
                  else pd.DataFrame(columns=["province_code", "industry_group", "industry_group_code"]))
    provinces_only = evaluation[(evaluation["year"] == year) & (evaluation["province_code"] != NATIONAL)]
    coverage = coverage_of(coverage_rows, provinces_only, year)

    st.subheader(f"{year}年 " + ("终期评估结果" if final else "实施进度"))
    if coverage.provisional:
        st.warning(f"{year}年为预评估：截至数据日期仍有应报数据未到报送期限，结果可能随后续报送而变化。")
    delivered.show(coverage, "不参加评估，全国数据为已报送省份之和")
    if own and not coverage.is_assessed(own):
        st.info(f"{dict(coverage.not_delivered).get(own, own)}{year}年未报送：没有任何数据项被接收，不参加评估。")

    key_industries = data.load(pub, data.KEY_INDUSTRIES)
    key_order = list(dict.fromkeys(key_industries["key_industry_code"])) if key_industries is not None else []
    columns = [KEY_INDUSTRIES] + group_order(group_rows, key_order) + [OD, TRAINING]
    names, cells = grid_cells(rows, group_rows)
    national_name = rows.loc[rows["province_code"] == NATIONAL, "province_name"]
    codes = dict(zip(rows["province_name"], rows["province_code"]))
    drawing.show(status_grid(names, columns, cells, bold=set(national_name), codes=codes), key="ev_status_grid")
    if final:
        legend = "绿色：达成 / 下降 / 培训达标；琥珀色：基本达成；红色：未达成 / 未下降 / 培训未达标；灰色：无数据。"
    else:
        legend = "绿色：进度正常 / 下降 / 培训达标；红色：进度滞后 / 未下降 / 培训未达标；灰色：无数据。"
    st.caption(legend + "格内为评估结果与较基期变化；鼠标悬停可见发生率、基期与目标。"
               "空白：该省没有这一重点行业（地方增列行业只在增列省份评估）。")

    # -------------------------------------------------------------- key-industry injury rate
    st.subheader("重点行业工伤事故发生率（每千名参保职工）")
    show_table(_table(rows, INJURY_LABELS, INJURY_FORMATS, "injury_status"), key="ev_injury")
    st.markdown("**分行业**")
    options = list(rows["province_code"])
    names_by_code = dict(zip(rows["province_code"], rows["province_name"]))
    province = st.selectbox("省份", options, index=options.index(own) if own in options else 0, key="ev_province",
                            format_func=lambda c: names_by_code.get(c, c))
    chosen = group_rows[group_rows["province_code"] == province]
    if chosen.empty:
        st.info(f"{names_by_code.get(province, province)}{year}年没有分行业评估结果。")
    else:
        order = {name: i for i, name in enumerate(columns)}
        chosen = chosen.assign(_order=chosen["industry_group"].map(order)).sort_values("_order")
        show_table(_table(chosen, GROUP_LABELS, INJURY_FORMATS, "injury_status"), key="ev_groups")
    st.caption(f"“{MISSING}”：基期或当年没有参保职工，发生率无法计算（评估结果为无数据）。"
               "较基期变化 = (本年 − 基期) ÷ 基期 × 100。")

    # -------------------------------------------------------------- occupational disease
    st.subheader("职业病与尘肺病发病率（每10万参保职工）")
    show_table(_table(rows, OD_LABELS, OD_FORMATS, "od_status"), key="ev_od")
    drawing.show(od_rates(rows.rename(columns={"province_name": "name", "od_rate_baseline": "od_base",
                                               "od_rate": "od", "pneumoconiosis_rate_baseline": "pn_base",
                                               "pneumoconiosis_rate": "pn"})), key="ev_od_chart")
    st.caption("尘肺病为职业病种类“职业性尘肺病及其他呼吸系统疾病”的报告，是职业病的一部分。"
               "评估结果按职业病发病率是否低于基期判定。")

    # -------------------------------------------------------------- training
    st.subheader("关键岗位培训覆盖率")
    drawing.show(training_bars(rows.rename(columns={"province_name": "name", "training_coverage": "coverage",
                                                    "training_target": "target"})), key="ev_training_chart")
    st.caption("竖线为当年目标 min(1, 0.2 × (年度 − 2020))：绿色达到目标，红色未达到。"
               "覆盖率 = 当年关键岗位名册人员中，2021年起至当年底有培训合格记录的人员所占比例。")

    # -------------------------------------------------------------- assessment record
    first = int(plan.iloc[0]["first_year"]) if plan is not None and not plan.empty else 2021
    st.subheader(f"考核记录（{first}—{year}年）")
    record = rows[rows["province_code"] != NATIONAL]
    if record.empty:
        st.info("没有可显示的考核记录。")
    else:
        show_table(_table(record, RECORD_LABELS, RECORD_FORMATS), key="ev_record")
    st.caption("平均总分为该省被考核各年公布总分的平均值；各等级为评为该等级的年数。全国不计考核记录。")

render()
