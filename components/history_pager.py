"""Which backups the history table shows: a page of them, newest first, from a day on
or holding a word in their note. A year of minute backups is 175,000 rows: the page
reads only its own (sync's history with a limit, a skip, a day, a search)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time

import streamlit as st

from components import clock
from components.i18n import t

PAGE = 50
_VIEW = "kura_history_view"


@dataclass(frozen=True)
class HistoryView:
    page: int = 0
    day: date | None = None  # backups made on this day or before it, in the viewer's zone
    search: str = ""

    @property
    def skip(self) -> int:
        return self.page * PAGE

    @property
    def before(self) -> datetime | None:
        if self.day is None:
            return None
        return datetime.combine(self.day, time.max, tzinfo=clock.viewer_zone())


def controls() -> HistoryView:
    """The day and search boxes; a new day or search starts again at its first page."""
    view: HistoryView = st.session_state.get(_VIEW, HistoryView())
    left, right = st.columns(2)
    day = left.date_input(t("history.day"), value=None, key="kura_history_day")
    search = right.text_input(t("history.search"), max_chars=200, key="kura_history_search")
    if (day, search.strip()) != (view.day, view.search):
        view = HistoryView(day=day, search=search.strip())
        st.session_state[_VIEW] = view
    return view


def pager(view: HistoryView, *, shown: int, more: bool) -> None:
    """Newer and Older under the table (`shown` rows); `more` when an older page exists."""
    if view.page == 0 and not more:
        return
    newer, where, older = st.columns([1, 2, 1])
    if newer.button(t("history.newer"), disabled=view.page == 0, icon=":material/arrow_back:"):
        _show(replace(view, page=view.page - 1))
    where.caption(t("history.page", first=view.skip + 1, last=view.skip + shown))
    if older.button(t("history.older"), disabled=not more, icon=":material/arrow_forward:"):
        _show(replace(view, page=view.page + 1))


def _show(view: HistoryView) -> None:
    st.session_state[_VIEW] = view
    st.rerun()
