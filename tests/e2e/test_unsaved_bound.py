"""The default settings lose at most two minutes of conversations to a SIGKILL.

A real `streamlit run app.py` with the default auto-backup settings; conversations
written into its data directory every two seconds; the whole process group killed
without warning; the latest backup restored on a fresh host.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from playwright.sync_api import Page

from chatbot.history import ChatHistory
from config import Settings
from sync import Workspace, restore
from sync import history as history_of
from tests.e2e.conftest import launch, log_in

WRITING_SECONDS = 135.0
BOUND_SECONDS = 120.0


def test_a_killed_server_loses_at_most_the_last_two_minutes(
    tmp_path: Path, bare_remote: Path, page: Page
) -> None:
    defaults = {"AUTO_BACKUP_MINUTES": "30"}  # the default; the fixture turns it off
    with launch(tmp_path / "server", remote=str(bare_remote), env=defaults) as server:
        page.goto(server.url)  # the first page load starts the auto-backup
        page.get_by_label("Password", exact=True).wait_for()
        history = ChatHistory(server.workspace.data_dir / "chatbot.db", host="writer")
        written: list[tuple[float, str]] = []
        started = time.monotonic()
        while time.monotonic() - started < WRITING_SECONDS:
            conversation = history.start(f"question {len(written)}")
            history.add(conversation.id, "user", f"question {len(written)}")
            written.append((time.monotonic(), conversation.id))
            if len(written) == 5:  # the sidebar says for how long the data has been unsaved
                log_in(page, server.url)
                page.get_by_text("unsaved for").first.wait_for()
            time.sleep(2)
        os.killpg(server.process.pid, signal.SIGKILL)
        killed = time.monotonic()
        server.process.wait(timeout=10)

    kept = {c.id for c in _latest_on_a_fresh_host(tmp_path, bare_remote).conversations()}
    missing = [at for at, conversation in written if conversation not in kept]
    lost = killed - min(missing) if missing else 0.0
    print(f"lost the last {lost:.0f} s of writes ({len(missing)} of {len(written)} conversations)")
    assert kept, "no backup ever landed"
    assert lost <= BOUND_SECONDS
    # Only a tail of the newest writes may be missing: never a hole further back.
    assert missing == [at for at, _ in written][len(written) - len(missing) :]


def test_a_stopped_server_takes_a_goodbye_backup_of_unsaved_changes(
    tmp_path: Path, bare_remote: Path, page: Page
) -> None:
    """SIGTERM (a platform restart, `docker stop`): the last changes are backed up on the
    way out, by the server's lifespan (or, on a plain Streamlit server, the atexit hook,
    when the interpreter's executors already refuse work)."""
    slow = {"AUTO_BACKUP_MINUTES": "30", "BACKUP_QUIET_SECONDS": "600"}  # never due by itself
    with launch(tmp_path / "server", remote=str(bare_remote), env=slow) as server:
        page.goto(server.url)
        page.get_by_label("Password", exact=True).wait_for()
        history = ChatHistory(server.workspace.data_dir / "chatbot.db", host="writer")
        conversation = history.start("written just before the stop")
        server.process.terminate()
        # Served through st.App, uvicorn shuts down and then re-raises the SIGTERM.
        assert server.process.wait(timeout=60) in (0, -signal.SIGTERM)
    assert "Taking a last backup" in server.log.read_text()
    assert [b.kind for b in history_of(server.workspace)] == ["auto"]
    assert _latest_on_a_fresh_host(tmp_path, bare_remote).exists(conversation.id)


def _latest_on_a_fresh_host(tmp_path: Path, remote: Path) -> ChatHistory:
    root = tmp_path / "fresh"
    fresh = Workspace(Settings(data_dir=root / "data", home=root / ".kura", data_repo=str(remote)))
    restore(fresh, "latest")
    return ChatHistory(fresh.data_dir / "chatbot.db")
