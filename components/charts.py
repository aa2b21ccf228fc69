"""Charts over time: ticks a person reads (dates and hours, not every second), axes with
their units, tooltips with the time and the value as they appear elsewhere on the page.

Vega draws times in the browser's zone, the viewer's: the same clock as components/clock.
"""

from __future__ import annotations

from datetime import datetime

import altair as alt
import pandas as pd
import streamlit as st


def over_time(
    times: list[datetime], values: list[float], *, title: str, unit: str, area: bool = False
) -> None:
    frame = pd.DataFrame({"time": pd.to_datetime(times, utc=True), "value": values})
    base = alt.Chart(frame)
    mark = base.mark_area(opacity=0.5, line=True) if area else base.mark_line(point=True)
    axis = alt.Axis(format=tick_format(times), labelAngle=0, tickCount=5, labelOverlap=True)
    chart = mark.encode(
        x=alt.X("time:T", title=None, axis=axis),
        # Not stacked: two backups at the same second (a safety backup and its restore)
        # are two sizes, never their sum.
        y=alt.Y("value:Q", title=f"{title} ({unit})", axis=alt.Axis(tickCount=4), stack=None),
        tooltip=[
            alt.Tooltip("time:T", title=" ", format="%Y-%m-%d %H:%M"),
            alt.Tooltip("value:Q", title=unit, format=",.2f"),
        ],
    )
    st.altair_chart(chart.properties(height=200), width="stretch")


def tick_format(times: list[datetime]) -> str:
    """Ticks that differ from each other: seconds over a few minutes, minutes over a day
    or two, days beyond (one format for minutes everywhere repeated "10:42" five times)."""
    span = (max(times) - min(times)).total_seconds() if times else 0
    if span < 3600:
        return "%H:%M:%S"
    if span < 2 * 86400:
        return "%m-%d %H:%M"
    return "%Y-%m-%d"
