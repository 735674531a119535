"""领导简报: the one-click PDF briefing (placeholder, being built)."""

from __future__ import annotations

import streamlit as st

from dashboards import auth

auth.require_page(auth.BRIEFING)
st.title("领导简报")
