"""Chinese labels of published columns, shared by the XLSX exports and the dashboard."""

from __future__ import annotations

LABELS: dict[str, str] = {
    # common
    "province_code": "省份代码", "province_name": "省份", "year": "年度", "uscc": "统一社会信用代码",
    "employer_name": "单位名称", "industry_code": "行业代码", "key_industry_code": "重点行业代码",
    "key_industry_name": "重点行业", "feed": "数据项", "feed_title": "数据项名称", "period": "期间",
    # assessment
    "injury_rate_per_1000": "重点行业工伤事故发生率(‰)",
    "baseline_injury_rate_per_1000": "基期发生率(‰)",
    "target_injury_rate_per_1000": "目标路径值(‰)",
    "od_rate_per_100k": "职业病发病率(1/10万)",
    "baseline_od_rate_per_100k": "基期职业病发病率(1/10万)",
    "training_coverage": "关键岗位培训覆盖率",
    "rectified_on_time_share": "按期整改率",
    "on_time_clean_share": "按时合格报送率",
    "fund_execution_rate": "工伤预防费执行率",
    "score_injury_rate": "A 事故发生率得分",
    "score_occupational_disease": "B 职业病得分",
    "score_training": "C 培训得分",
    "score_rectification": "D 整改得分",
    "score_data_sharing": "E 数据共享得分",
    "score_reporting": "F 报告报送得分",
    "score_prevention_fund": "G 预防费得分",
    "total_score": "总分", "grade": "等级", "rank": "排名",
    # hotspots
    "is_national": "全国合计", "industry_group": "行业组代码", "industry_group_name": "行业",
    "is_key_industry": "重点行业", "snapshot_quarters": "参保快照季度数", "insured_workers": "参保职工数(年均)",
    "injuries": "工伤事故数", "fatalities": "工亡人数", "accidents": "生产安全事故数",
    "accident_deaths": "事故死亡人数", "od_cases": "职业病报告数", "exceedances": "超标样本数",
    "injury_rate_gap_per_1000": "与目标路径差距(‰)", "injury_rate_gap_pct": "与目标路径差距(%)",
    "target_status": "目标进度", "injury_rate_per_1000_change": "发生率较上年变化(‰)",
    "fatalities_change": "工亡人数较上年变化", "accidents_change": "事故数较上年变化",
    "od_rate_per_100k_change": "职业病发病率较上年变化(1/10万)", "exceedances_change": "超标样本数较上年变化",
    # watchlist
    "priority_rank": "优先序", "priority_tier": "优先级", "worst_exceedance_ratio": "近12个月最高超标倍数",
    "exceedances_12m": "近12个月超标次数", "repeat_exceedance_factors": "重复超标因素数",
    "repeat_exceedances": "重复超标次数", "exceeded_factors": "超标因素", "open_items": "待整改项",
    "overdue_items": "逾期项", "open_exceedances": "超标待整改", "overdue_exceedances": "超标逾期",
    "open_major_hazards": "重大隐患待整改", "overdue_major_hazards": "重大隐患逾期",
    "open_general_hazards": "一般隐患待整改", "overdue_general_hazards": "一般隐患逾期",
    "max_days_overdue": "最长逾期天数", "linked_injuries_12m": "近12个月工伤", "od_cases_12m": "近12个月职业病",
    "union_complaints_12m": "近12个月职工投诉", "listing_reasons": "列入原因",
    # employer profile (单位档案)
    "event_date": "日期", "event_year": "年度", "event_kind": "类别", "description": "情况",
    "event_status": "状态", "deadline": "整改期限", "rectified_date": "整改日期",
    "exceedance_ratio": "超标倍数", "days_overdue": "逾期天数", "factor": "危害因素", "value": "检测值",
    "limit_value": "限值", "unit": "单位", "hazards": "隐患数", "major_hazards": "重大隐患数",
    "recognised_injuries": "认定工伤数", "injury_deaths": "工伤死亡人数",
    "union_inspections_with_findings": "工会检查发现问题次数", "union_issues_found": "工会检查发现问题数",
    "union_complaints": "职工投诉数", "worst_exceedance_ratio_ever": "历次最高超标倍数",
    "industry_division_name": "行业门类", "latest_insured_workers": "参保职工数(人)",
    "profile_link": "单位档案",
    # feed health
    "agency": "报送部门", "cadence": "报送周期", "due_at": "截止时间", "status": "状态代码", "status_zh": "状态",
    "accepted": "已接收", "on_time": "按时", "clean": "合格", "submissions": "提交次数",
    "quarantined_submissions": "被隔离次数", "first_seq": "首次接收序号", "current_seq": "现行序号",
    "first_exported_at": "首次导出时间", "records": "记录数", "records_loaded": "入库记录数",
    "records_rejected": "拒收记录数", "records_flagged": "标记记录数", "rejected_share": "拒收比例",
    "expected_in_delivery_share": "计入数据共享", "counts_on_time_and_clean": "按时且合格",
}


def label(column: str) -> str:
    return LABELS.get(column, column)


# Validation rules (the `rule` of ingest.rejected_records and mart_data_quality) in Chinese; the
# rule ids stay in exports for engineers, and the dashboard shows these names.
RULE_NAMES: dict[str, str] = {
    "required": "必填项为空", "required_when": "条件必填项为空",
    "uscc_format": "统一社会信用代码格式错误", "uscc_check": "统一社会信用代码校验码错误",
    "ric_format": "公民身份号码格式错误", "ric_birth_date": "公民身份号码出生日期无效", "ric_check": "公民身份号码校验码错误",
    "area_format": "行政区划代码格式错误", "area_province": "行政区划不属于本省",
    "industry_format": "行业代码格式错误", "industry_division": "行业大类不存在", "industry_section": "行业门类与大类不符",
    "int": "不是有效整数", "grade": "不是有效等级", "dec": "不是有效数值", "percent": "不是有效百分比",
    "amount": "不是有效金额", "date": "不是有效日期", "datetime": "不是有效日期时间", "enum": "不在规定取值内",
    "range_min": "低于下限", "range_max": "高于上限", "not_before": "日期早于应在其后的日期",
    "not_above": "大于应不超过的数值", "severity_mismatch": "事故等级与伤亡损失不符",
    "factor_unknown": "危害因素不在限值表中", "metric_without_limit": "检测指标无接触限值",
    "unit_mismatch": "单位与限值不符", "duplicate_key": "文件内主键重复", "row_shape": "记录列数与表头不符",
    "cross_slice_duplicate": "被后续期间的同一记录取代", "orphan_employer": "单位不在参保名册中",
}

# Why a whole file was quarantined (ingest.files.quarantine_reason).
QUARANTINE_REASONS: dict[str, str] = {
    "manifest_unreadable": "清单文件无法读取", "manifest_mismatch": "清单与文件名所指数据片不符",
    "sha256_mismatch": "文件校验值与清单不符", "row_count_mismatch": "记录数与清单不符",
    "data_file_missing": "清单所指数据文件不存在", "file_name_invalid": "文件名不符合规定",
    "file_unreadable": "文件无法读取", "header_invalid": "表头不符合规定", "encoding": "文件编码与清单不符",
    "name_conflict": "文件名冲突",
}


def rule_name(rule: str | None) -> str | None:
    return RULE_NAMES.get(rule, rule) if rule else rule


def quarantine_reason(reason: str | None) -> str | None:
    return QUARANTINE_REASONS.get(reason, reason) if reason else reason
