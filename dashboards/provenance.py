"""The line on every page that says how current the data is: the data's as-of time
(``marts.mart_data_as_of``) and when this version was published (``meta.publication``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import data

NOTHING_PUBLISHED = "尚无已发布的数据：请先运行 `ipx run` 构建并发布数据仓库。"


def _when(value) -> str:
    if value is None or pd.isna(value):
        return "—"
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S")


def as_of_line(pub: data.Publication) -> str:
    as_of = data.load(pub, data.AS_OF)
    if as_of is not None and not as_of.empty:
        row = as_of.iloc[0]
        parts = [f"数据截至 {_when(row['as_of_at'])}（北京时间）", f"已入库文件 {int(row['loaded_files']):,} 个"]
    else:
        parts = ["数据截至时间：已发布数据中没有 mart_data_as_of"]
    if pub.serving_copy:
        parts.append(f"发布时间 {_when(pub.published_at)}")
    else:
        parts.append("尚未发布服务副本，直接读取数据仓库")
    return " · ".join(parts)


def show(pub: data.Publication | None) -> None:
    if pub is None:
        st.info(NOTHING_PUBLISHED)
        return
    st.caption(as_of_line(pub))


def require_publication() -> data.Publication:
    """The version this run reads; stops the page with a message when nothing is published."""
    pub = data.publication()
    if pub is None:
        st.stop()
    return pub
