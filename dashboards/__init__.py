"""The ipx dashboard: a multi-page Streamlit app over the published marts (see README.md)."""
