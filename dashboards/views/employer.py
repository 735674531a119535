"""单位档案: one employer's profile (placeholder, being built)."""

from __future__ import annotations

import streamlit as st

from dashboards import auth

auth.require_page(auth.EMPLOYER)
st.title("单位档案")
