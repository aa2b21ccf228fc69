"""The monitoring view from real recorded operations."""

import os

import pytest
from streamlit.testing.v1 import AppTest

from components.i18n import size
from sync import Workspace, backup
from sync.actions.storage import storage_usage
from sync.errors import FileTooLarge
from tests.app.conftest import open_admin


def _record_history(ws: Workspace) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    backup(ws)
    (ws.data_dir / "a.txt").write_bytes(os.urandom(5000))
    backup(ws, kind="auto")
    tight = Workspace(ws.settings.__class__(**{**ws.settings.__dict__, "max_file_size_mb": 0.001}))
    with pytest.raises(FileTooLarge):
        backup(tight)


def test_health_rates_failures_and_charts(admin: AppTest, app_env: Workspace) -> None:
    _record_history(app_env)
    open_admin(admin)
    assert not admin.exception
    metrics = {m.label: m.value for m in admin.metric}
    assert metrics["Success, 7 days"] == "67%"
    assert metrics["Success, last 100"] == "67%"
    captions = " ".join(c.value for c in admin.caption)
    assert "Last failure" in captions and "MAX_FILE_SIZE_MB" in captions
    usage = storage_usage(app_env)
    assert f"Git LFS storage used by all backups: {size(usage.lfs_bytes)}" in captions
    assert f"The last backup added {size(usage.last_growth)}" in captions
    assert usage.last_growth > 5000  # the random 5 KB, packed
    assert "Git LFS downloads this month (restores, verifies): 0 Bytes" in captions
    assert len(admin.get("vega_lite_chart")) >= 3  # data size, durations, size over time


def test_storage_over_quota_is_an_error(admin: AppTest, app_env: Workspace, monkeypatch) -> None:
    (app_env.data_dir / "a.bin").write_bytes(os.urandom(4096))
    backup(app_env)
    monkeypatch.setenv("LFS_QUOTA_GB", "0.000001")  # about 1 KiB
    open_admin(admin)
    assert any("Git LFS storage is full" in e.value for e in admin.error)


def test_next_auto_backup_is_shown(admin: AppTest, monkeypatch) -> None:
    monkeypatch.setenv("AUTO_BACKUP_MINUTES", "45")
    open_admin(admin)
    metrics = {m.label: m.value for m in admin.metric}
    assert metrics["Auto-backup"] == "every 45 min"
    assert any(c.value.startswith("next at ") for c in admin.caption)


def test_storage_near_the_quota_is_a_warning(admin: AppTest, app_env: Workspace, monkeypatch):
    (app_env.data_dir / "a.bin").write_bytes(os.urandom(4096))
    backup(app_env)
    used = storage_usage(app_env).lfs_bytes
    monkeypatch.setenv("LFS_QUOTA_GB", str(used / 0.9 / 1024**3))  # 90% used
    open_admin(admin)
    assert any("Git LFS storage used by all backups" in w.value for w in admin.warning)
    assert not any("full" in e.value for e in admin.error)


def test_a_very_long_history_is_a_warning(admin: AppTest, app_env: Workspace, monkeypatch) -> None:
    from bench.history import make_remote
    from sync.actions.storage import LONG_HISTORY

    remote = app_env.home.parent / "long.git"
    make_remote(remote, LONG_HISTORY + 1)
    (app_env.data_dir / "local.txt").write_text("keeps start-up restore away")
    monkeypatch.setenv("GITHUB_DATA_REPO", str(remote))
    open_admin(admin)
    assert any(f"{LONG_HISTORY + 1} backups" in w.value for w in admin.warning)
