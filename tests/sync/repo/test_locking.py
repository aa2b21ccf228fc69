import subprocess
import sys
import threading
import time
from pathlib import Path
from subprocess import PIPE

import pytest

from sync import backup, backup_file, diff, history, restore, status
from sync.errors import Busy
from sync.repo.locking import operation_lock

ROOT = Path(__file__).resolve().parents[3]


def test_a_second_thread_gets_busy_at_once(ws) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with operation_lock(ws.lock_file):
            entered.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait(10)
    try:
        with pytest.raises(Busy) as error:
            backup(ws)
        assert error.value.code == "busy"
        with pytest.raises(Busy):
            restore(ws, "latest")
    finally:
        release.set()
        holder.join()
    assert backup(ws).status == "created"  # free again


def test_read_only_commands_answer_while_an_operation_runs(ws) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    point = backup(ws)
    with operation_lock(ws.lock_file):
        assert status(ws).last_backup.commit == point.commit
        assert [b.commit for b in history(ws)] == [point.commit]
        assert diff(ws, point.commit).is_noop


def test_two_processes_backing_up_at_once(make_workspace) -> None:
    ws = make_workspace()
    for i in range(20):
        (ws.data_dir / f"f{i}.bin").write_bytes(bytes([i]) * 200_000)
    args = ["--data-dir", str(ws.data_dir), "--remote", ws.remote_url, "backup", "--json"]
    env = {"KURA_HOME": str(ws.home), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    if ws.settings.token:
        env["GITHUB_TOKEN"] = ws.settings.token
    command = [sys.executable, "-m", "sync", *args]
    children = [
        subprocess.Popen(command, cwd=ROOT, env=env, text=True, stdout=PIPE, stderr=PIPE)
        for _ in range(2)
    ]
    results = [child.communicate(timeout=120) for child in children]
    codes = sorted(child.returncode for child in children)
    outputs = " ".join(out for out, _ in results)
    errors = " ".join(err for _, err in results)
    assert codes in ([0, 0], [0, 1])
    if codes == [0, 1]:
        assert '"code": "busy"' in outputs
    assert ".lock" not in errors and "cannot lock" not in errors  # never git's own lock error
    assert '"status": "created"' in outputs


def test_reading_a_file_out_of_a_backup_waits_for_a_running_backup(ws) -> None:
    (ws.data_dir / "a.txt").write_text("kept")
    point = backup(ws)
    held = threading.Event()

    def hold() -> None:
        with operation_lock(ws.lock_file):
            held.set()
            time.sleep(1.0)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    started = time.monotonic()
    with backup_file(ws, point.commit, "a.txt") as copy:
        assert copy is not None and copy.read_text() == "kept"
    assert time.monotonic() - started >= 0.5  # it queued instead of failing with busy
    holder.join()
