"""Streamlit's own chrome (menus, toolbars, English widget texts) hidden or put in Chinese."""

from __future__ import annotations


def apply() -> None:
    """Called once per script run by ``app.py`` before any page renders."""
