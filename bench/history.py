"""History of 1,000 backups: Kura's one-pass listing against per-commit GitPython reads,
and the admin page's server time on top of it (AppTest runs the real app.py)."""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import git as gitpython

from config import Settings
from sync import Workspace, history
from sync.repo.lfs import Pointer, parse_pointer

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
FILES = ["chatbot.db", "wiki.db", "chroma_db/chroma.sqlite3", "chroma_db/7c1f/index.bin", "a.txt"]


def make_remote(path: Path, commits: int) -> None:
    """A backup branch of `commits` Kura-style commits, written in one git fast-import."""
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True)
    rng = random.Random(1)
    sizes = {name: rng.randint(10_000, 50_000_000) for name in FILES}
    lines = []
    stored = objects = 0
    for n in range(commits):
        changed = ["chatbot.db"] if n else FILES
        if n % 10 == 0:
            changed = [*changed, rng.choice(FILES)]
        files, added = [], 0
        for name in changed:
            sizes[name] += rng.randint(0, 50_000)
            pointer = Pointer(os.urandom(32).hex(), sizes[name]).encode().decode()
            files += [f"M 100644 inline data/{name}", f"data {len(pointer.encode())}", pointer]
            added += sizes[name]
        stored, objects = stored + added, objects + len(changed)
        # The trailers say what the tree holds, and the remote's LFS totals after it, as
        # Kura's own commits do.
        message = (
            f"Automatic backup\n\nKura-Kind: auto\nKura-Files: {len(FILES)}\n"
            f"Kura-Bytes: {sum(sizes.values())}\nKura-Host: bench\n"
            f"Kura-Storage: added={added} bytes={stored} objects={objects} backups={n + 1}\n"
        )
        lines.append("commit refs/heads/main")
        lines.append(f"committer Kura <kura@localhost> {1_700_000_000 + n * 1800} +0000")
        lines += [f"data {len(message.encode())}", message, *files]
    script = ("\n".join(lines) + "\n").encode()
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=script, check=True)


def naive_history(repo_path: Path) -> list[tuple[str, int, int]]:
    """What a straightforward GitPython version does: walk each commit's tree."""
    repo = gitpython.Repo(repo_path)
    out = []
    for commit in repo.iter_commits("main"):
        files = total = 0
        for blob in commit.tree.traverse():
            if blob.type == "blob" and blob.path.startswith("data/"):
                pointer = parse_pointer(blob.data_stream.read())
                files += 1
                total += pointer.size if pointer else blob.size
        out.append((commit.hexsha, files, total))
    return out


def admin_page_seconds(ws: Workspace, rounds: int) -> tuple[float, float]:
    os.environ.update(
        KURA_DATA_DIR=str(ws.data_dir),
        KURA_HOME=str(ws.home),
        GITHUB_DATA_REPO=ws.settings.remote,
        SHARED_PASSWORD="bench",
        AUTO_BACKUP_MINUTES="0",
    )
    at = _admin_page()
    assert not at.exception and len(at.dataframe) == 2, "the admin page did not render"
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        at.run()
        samples.append(time.perf_counter() - started)
    first = _first_render(ws)
    return statistics.median(samples), first


def _first_render(ws: Workspace) -> float:
    """A cold render: new session, empty caches (history computed from scratch)."""
    import streamlit as st

    st.cache_data.clear()
    started = time.perf_counter()
    _admin_page()
    return time.perf_counter() - started


def _admin_page() -> AppTest:
    """The admin page's render() on its own, logged in through its guard, as the app
    tests open it (AppTest cannot switch to a callable st.Page)."""
    from streamlit.testing.v1 import AppTest

    from components.runtime import startup

    at = AppTest.from_string("from pages import admin\nadmin.render()\n", default_timeout=120)
    at.run()
    startup().wait_settled(timeout=120)
    at.run()
    at.text_input[0].input("bench")
    at.button[0].click()
    return at.run()


def run(commits: int = 1000, rounds: int = 5) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="kura-history-") as tmp:
        root = Path(tmp)
        remote = root / "remote.git"
        make_remote(remote, commits)
        data = root / "data"
        data.mkdir()
        (data / "notes.txt").write_text("local data, so start-up restore leaves it alone\n")
        ws = Workspace(Settings(data_dir=data, home=root / "home", data_repo=str(remote)))
        history(ws)  # clone the cache once
        kura = []
        for _ in range(rounds):
            started = time.perf_counter()
            backups = history(ws, refresh=False)
            kura.append(time.perf_counter() - started)
        assert len(backups) == commits
        started = time.perf_counter()
        naive = naive_history(remote)
        naive_seconds = time.perf_counter() - started
        assert [(b.commit, b.files, b.bytes) for b in backups] == naive, "both agree"
        warm, cold = admin_page_seconds(ws, rounds)
        return {
            "history": statistics.median(kura),
            "naive": naive_seconds,
            "admin_warm": warm,
            "admin_cold": cold,
        }
