"""Kura's wiki knowledge base: import documents, search them, answer with sources (no Streamlit)."""
