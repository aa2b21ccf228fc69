"""Health shows the server itself: its start, how long until it was ready (the start-up
restore's share) and its memory, as the original guide's checklist asks operators to watch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from streamlit.testing.v1 import AppTest

from components.process import process_facts
from components.runtime import startup
from sync import Workspace
from tests.app.conftest import open_admin
from tests.conftest import wait_until


def test_the_process_knows_its_start_and_memory() -> None:
    facts = process_facts()
    now = datetime.now(UTC)
    assert now - timedelta(days=1) < facts.started_at <= now
    assert facts.rss and facts.peak >= facts.rss > 10 * 2**20  # an interpreter, at least


def test_health_shows_start_up_time_and_memory(admin: AppTest, app_env: Workspace) -> None:
    open_admin(admin)
    wait_until(lambda: startup().state.finished_at is not None)
    admin.run()
    said = " ".join(c.value for c in admin.caption)
    assert "This server started" in said and "was ready in" in said
    assert "the start-up restore" in said and "Memory:" in said
