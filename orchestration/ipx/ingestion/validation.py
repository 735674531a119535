"""The validation query of a feed, derived from its contract (spec sections 1-3).

``ValidationPlan`` turns a contract into a single SQL statement over the ``_incoming`` temp
table, which holds the records of one or more files of the feed: every typed value, every rule
outcome as a list of ``{field, rule, severity, message}``, the pseudonyms. R outcomes reject
the record, W outcomes flag it. What differs between files travels as columns: ``_file_idx``,
``_province`` (for the area-code rule), ``_scale_<column>`` (1 or 10,000 for amounts given in
万元), ``_extra`` (the columns kept aside). Planning the statement once for many files keeps
small deliveries cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipx.contracts import Column, FeedContract
from ipx.ingestion import pseudonym
from ipx.ingestion import sql_rules as r
from ipx.ingestion.sql_rules import lit


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Rule:
    field: str
    rule: str
    severity: str
    condition: str  # SQL that is TRUE when the rule is broken
    message: str


def scale_column(name: str) -> str:
    return f"_scale_{name}"


@dataclass
class ValidationPlan:
    contract: FeedContract

    # ------------------------------------------------------------ typed values
    def value(self, col: Column) -> str:
        return f"i.{q(col.name)}"

    def typed(self, col: Column) -> str:
        v = self.value(col)
        t = col.type
        if t in ("text", "area_code"):
            return v
        if t in ("uscc", "resident_id", "industry_code"):
            return f"upper({v})"
        if t == "int":
            return r.int_value(v)
        if t == "grade":
            return r.grade_value(v)
        if t == "dec":
            return r.dec_value(v, col.sql_type)
        if t == "percent":
            return r.percent_value(v, col.sql_type)
        if t == "amount":
            return r.amount_value(v, f"i.{q(scale_column(col.name))}")
        if t == "date":
            return r.date_value(v)
        if t == "datetime":
            return r.datetime_value(v)
        if t == "enum":
            return r.enum_value(v, r.enum_mapping(col))
        raise ValueError(t)

    def loaded_value(self, col: Column) -> str:
        """What the raw table stores: typed values, pseudonyms, canonical factor names."""
        tv = f"t.{q(col.name)}"
        if col.pii == "pseudonymise":
            return f"CASE WHEN {tv} IS NOT NULL THEN {pseudonym.sql_expression(tv)} END"
        if col.type in ("uscc", "resident_id", "area_code", "industry_code"):
            return tv
        if any(c.check == "exposure_limit_known" and c.field == col.name for c in self.contract.checks):
            mapping = r.limit_factor_mapping()
            return f"coalesce({r.enum_value(tv, mapping)}, {tv})"
        return tv

    # ------------------------------------------------------------ rules
    def rules(self) -> list[Rule]:
        out: list[Rule] = []
        for col in self.contract.columns:
            if col.loaded or col.required:
                out.extend(self.column_rules(col))
        out.extend(self.feed_rules())
        return out

    def column_rules(self, col: Column) -> list[Rule]:
        v, t = f"t.{q('_v_' + col.name)}", f"t.{q(col.name)}"
        label = col.header
        rules: list[Rule] = []

        def add(rule: str, cond: str, message: str, severity: str = "R") -> None:
            rules.append(Rule(col.name, rule, severity, cond, f"{label}: {message}"))

        if col.required:
            add("required", f"{v} IS NULL", "必填项为空")
        for other, wanted in col.required_when.items():
            ot = f"t.{q(other)}"
            add("required_when", f"{v} IS NULL AND {ot} = {lit(wanted)}",
                f"{self.contract.column(other).header}为{wanted}时必填")
        present = f"{v} IS NOT NULL"
        kind = col.type
        if kind == "uscc":
            add("uscc_format", f"{present} AND NOT {r.uscc_format_ok(t)}", "不是18位统一社会信用代码")
            add("uscc_check", f"{present} AND {r.uscc_format_ok(t)} AND NOT {r.uscc_check_ok(t)}", "校验码错误")
        elif kind == "resident_id":
            add("ric_format", f"{present} AND NOT {r.ric_format_ok(t)}", "不是18位公民身份号码")
            add("ric_birth_date", f"{present} AND {r.ric_format_ok(t)} AND NOT {r.ric_birth_ok(t)}",
                "出生日期不是有效日期")
            add("ric_check", f"{present} AND {r.ric_format_ok(t)} AND {r.ric_birth_ok(t)} "
                f"AND NOT {r.ric_check_ok(t)}", "校验码错误")
        elif kind == "area_code":
            add("area_format", f"{present} AND NOT regexp_full_match({t}, '[0-9]{{6}}')", "不是6位行政区划代码")
            add("area_province", f"{present} AND regexp_full_match({t}, '[0-9]{{6}}') "
                f"AND NOT {r.area_in_province(t, 't._province')}", "不属于本文件所属省份")
        elif kind == "industry_code":
            ok = f"regexp_full_match({t}, {lit(r.INDUSTRY_RE)})"
            add("industry_format", f"{present} AND NOT {ok}", "不是GB/T 4754行业代码")
            add("industry_division", f"{present} AND {ok} AND NOT {r.division_known(t)}",
                "行业大类不存在", "W")
            add("industry_section", f"{present} AND {ok} AND {r.division_known(t)} AND NOT {r.section_ok(t)}",
                "门类字母与行业大类不符", "W")
        elif kind != "text":
            names = {"int": "整数", "grade": "等级(1-10)", "dec": "数值", "percent": "百分比数值",
                     "amount": "金额", "date": "日期", "datetime": "日期时间", "enum": "规定取值"}
            message = f"不是有效的{names[kind]}"
            if kind == "enum":
                values = sorted(set(r.enum_mapping(col).values()))
                message = "不在规定取值内（" + "、".join(values) + "）"
            add(kind, f"{present} AND {t} IS NULL", message)
        if col.min is not None:
            add("range_min", f"{t} < {col.min}", f"小于 {col.min:g}", col.range_severity)
        if col.min_exclusive is not None:
            add("range_min", f"{t} <= {col.min_exclusive}", f"须大于 {col.min_exclusive:g}", col.range_severity)
        if col.max is not None:
            add("range_max", f"{t} > {col.max}", f"大于 {col.max:g}", col.range_severity)
        if col.not_before:
            other = self.contract.column(col.not_before)
            add("not_before", f"{t} < t.{q(other.name)}", f"早于{other.header}")
        if col.not_above:
            other = self.contract.column(col.not_above)
            add("not_above", f"{t} > t.{q(other.name)}", f"大于{other.header}", col.not_above_severity)
        return rules

    def feed_rules(self) -> list[Rule]:
        out: list[Rule] = []
        for chk in self.contract.checks:
            label = self.contract.column(chk.field).header
            if chk.check == "severity_matches_counts":
                tier = r.computed_severity("t.deaths", "t.serious_injuries", "t.direct_loss_10k_yuan")
                out.append(Rule(chk.field, "severity_mismatch", chk.severity,
                                f"t.severity IS NOT NULL AND t.severity <> {tier}",
                                f"{label}: 与死亡、重伤人数和直接经济损失对应的等级不符"))
            elif chk.check == "exposure_limit_known":
                factor = f"coalesce({r.enum_value('t.factor', r.limit_factor_mapping())}, t.factor)"
                known = f"list_contains({r.str_list(sorted(set(r.limit_factor_mapping().values())))}, {factor})"
                pair = f"list_contains({r.str_list(r.limit_pairs())}, {factor} || '|' || t.metric)"
                out.append(Rule(chk.field, "factor_unknown", chk.severity,
                                f"t.factor IS NOT NULL AND NOT {known}", f"{label}: 不在限值表中"))
                out.append(Rule(chk.field, "metric_without_limit", chk.severity,
                                f"t.factor IS NOT NULL AND t.metric IS NOT NULL AND {known} AND NOT {pair}",
                                f"{label}: 该检测指标无职业接触限值"))
            elif chk.check == "unit_matches_limit":
                factor = f"coalesce({r.enum_value('t.factor', r.limit_factor_mapping())}, t.factor)"
                unit = r.limit_unit(f"{factor} || '|' || t.metric")
                out.append(Rule(chk.field, "unit_mismatch", chk.severity,
                                f"t.unit IS NOT NULL AND {unit} IS NOT NULL AND t.unit <> {unit}",
                                f"{label}: 不是限值的单位"))
        return out

    # ------------------------------------------------------------ statement
    def validated_sql(self) -> str:
        """SELECT over ``_incoming`` giving typed values and outcomes."""
        cols = [c for c in self.contract.columns if c.loaded or c.required]
        typed = ",\n  ".join(
            f"{self.value(c)} AS {q('_v_' + c.name)}, {self.typed(c)} AS {q(c.name)}" for c in cols
        )
        rules = self.rules()
        outcome_items = ",\n    ".join(
            f"CASE WHEN {rule.condition} THEN {{'field': {lit(rule.field)}, 'rule': {lit(rule.rule)}, "
            f"'severity': {lit(rule.severity)}, 'message': {lit(rule.message)}}} END"
            for rule in rules
        )
        # A record repeats the key of an earlier record of its file: found by grouping the (few)
        # repeated keys and joining them back, not by a window over all records (which carried
        # every column through a sort: a fifth of the statement on a national year)
        key_cols = [self.contract.column(k) for k in self.contract.key]
        key_names = ["_file_idx"] + [c.name for c in key_cols]
        repeated = (f"SELECT i._file_idx, {', '.join(f'{self.typed(c)} AS {q(c.name)}' for c in key_cols)}, "
                    f"min(i._record_no) AS _first_no FROM _incoming AS i "
                    f"WHERE {' AND '.join(f'{self.typed(c)} IS NOT NULL' for c in key_cols)} "
                    f"GROUP BY ALL HAVING count(*) > 1")
        on = " AND ".join(f"t.{q(k)} = d.{q(k)}" for k in key_names)
        key_field = self.contract.key[0]
        key_header = self.contract.column(key_field).header
        dup = (f"CASE WHEN t._record_no > d._first_no THEN {{'field': {lit(key_field)}, 'rule': 'duplicate_key', "
               f"'severity': 'R', 'message': {lit(key_header + ': 文件内重复，首次出现于第 ')} || "
               f"CAST(d._first_no AS VARCHAR) || ' 条记录'}} END")
        shape = ("CASE WHEN t._row_error IS NOT NULL THEN {'field': NULL, 'rule': 'row_shape', "
                 "'severity': 'R', 'message': t._row_error} END")
        return f"""
WITH t AS (
  SELECT i._file_idx, i._province, i._record_no, i._row_error, i._extra,
  {typed}
  FROM _incoming AS i
)
SELECT t.*,
  list_filter([
    {shape},
    {outcome_items},
    {dup}
  ], lambda o: o IS NOT NULL) AS _outcomes
FROM t LEFT JOIN ({repeated}) AS d ON {on}
"""
