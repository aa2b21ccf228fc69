"""Kura: entry point. Page config, start-up restore, login gate, navigation."""

from pathlib import Path

import streamlit as st

dir_path = Path(__file__).parent


def run() -> None:
    st.set_page_config(page_title="Kura", page_icon=":material/database:")
    st.title("Kura")
    st.write("The app arrives with the app issue; the sync engine runs from `python -m sync`.")


if __name__ == "__main__":
    run()
