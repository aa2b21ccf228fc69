"""The monitoring view from real recorded operations."""

import json
import os
import time

import pyarrow.ipc
import pytest
from streamlit.testing.v1 import AppTest

from components.i18n import size
from components.monitoring import CHARTED
from sync import Workspace, backup
from sync.actions.storage import storage_usage
from sync.errors import FileTooLarge
from sync.oplog import record
from tests.app.conftest import open_admin, shown
from tests.conftest import fast_import_history, wait_until


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
    captions = shown(" ".join(c.value for c in admin.caption))
    assert "Last failure" in captions and "MAX_FILE_SIZE_MB" in captions
    usage = storage_usage(app_env)
    assert f"Git LFS storage used by all backups: {size(usage.lfs_bytes)}" in captions
    assert f"The last backup added {size(usage.last_growth)}" in captions
    assert usage.last_growth > 5000  # the random 5 KB, packed
    assert "Git LFS downloads this month (restores, verifies): 0 Bytes" in captions
    # Backups minutes apart, all today: no rate to believe yet, and it says so.
    assert "A forecast needs three whole days of backups." in captions
    specs = [json.loads(c.proto.spec) for c in admin.get("vega_lite_chart")]
    titles = sorted(spec["encoding"]["y"]["title"] for spec in specs)
    assert titles == ["Data size (MiB)", "Duration (s)"]  # each chart once, with its unit
    for spec in specs:  # distinct ticks (backups seconds apart: seconds); tooltips say what
        assert spec["encoding"]["x"]["axis"]["format"] == "%H:%M:%S"
        assert spec["encoding"]["y"]["stack"] is None  # sizes, never summed
        assert [tip["format"] for tip in spec["encoding"]["tooltip"]] == ["%Y-%m-%d %H:%M", ",.2f"]


def test_days_without_growth_forecast_nothing(admin: AppTest, app_env: Workspace) -> None:
    """Six days of backups that stored no new LFS object: a steady rate of nothing."""
    fast_import_history(app_env, 6)
    usage = storage_usage(app_env)
    assert (usage.daily_growth, usage.days_until_full) == (0, None)
    open_admin(admin)
    assert any("Storage is not growing." in c.value for c in admin.caption)


def test_storage_over_quota_is_an_error(admin: AppTest, app_env: Workspace, monkeypatch) -> None:
    (app_env.data_dir / "a.bin").write_bytes(os.urandom(4096))
    backup(app_env)
    monkeypatch.setenv("LFS_QUOTA_GB", "0.000001")  # about 1 KiB
    open_admin(admin)
    assert any("Git LFS storage is full" in e.value for e in admin.error)


def test_the_auto_backup_rule_and_how_long_data_is_unsaved(
    admin: AppTest, app_env: Workspace, monkeypatch
) -> None:
    monkeypatch.setenv("AUTO_BACKUP_MINUTES", "45")
    monkeypatch.setenv("BACKUP_QUIET_SECONDS", "600")  # nothing is backed up during the test
    monkeypatch.setenv("BACKUP_MAX_DELAY_MINUTES", "20")
    open_admin(admin)
    metrics = {m.label: m.value for m in admin.metric}
    assert metrics["Auto-backup"] == "600 s after changes settle, within 20 minutes"

    def unsaved_for() -> bool:
        # Written anew each time: the start-up restore may still back up the first write.
        (app_env.data_dir / "a.txt").write_text(f"unsaved {time.monotonic()}")
        admin.run()
        return {m.label: m.value for m in admin.metric}["Unsaved changes"].startswith("unsaved")

    wait_until(unsaved_for, timeout=30)  # the auto-backup's next look (every 5 s) saw it
    metrics = {m.label: m.value for m in admin.metric}
    assert metrics["Unsaved changes"].startswith("unsaved for ")
    assert any(c.value.startswith("next at ") for c in admin.caption)


def test_without_a_quiet_period_the_bound_is_the_rule(admin: AppTest, monkeypatch) -> None:
    monkeypatch.setenv("AUTO_BACKUP_MINUTES", "45")
    monkeypatch.setenv("BACKUP_QUIET_SECONDS", "0")
    monkeypatch.setenv("BACKUP_MAX_DELAY_MINUTES", "90")
    open_admin(admin)
    assert {m.label: m.value for m in admin.metric}[
        "Auto-backup"
    ] == "within 45 minutes of a change"


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


def test_the_durations_chart_shows_the_newest_backups_not_all(
    admin: AppTest, app_env: Workspace
) -> None:
    _record_history(app_env)
    for _ in range(CHARTED + 300):  # a few days of minute backups in the operations log
        with record(app_env.home, "backup", "auto") as recording:
            recording.status = "created"
    open_admin(admin)
    [durations] = [c for c in admin.get("vega_lite_chart") if "Duration" in c.proto.spec]
    [dataset] = durations.proto.datasets  # Arrow, as Streamlit sends it to the browser
    points = pyarrow.ipc.open_stream(dataset.data.data).read_all().num_rows
    assert points == CHARTED


def test_chart_ticks_follow_the_span_of_time() -> None:
    from datetime import UTC, datetime, timedelta

    from components.charts import tick_format

    start = datetime(2026, 12, 3, 9, tzinfo=UTC)
    spans = [timedelta(minutes=5), timedelta(hours=20), timedelta(days=40)]
    formats = [tick_format([start, start + span]) for span in spans]
    assert formats == ["%H:%M:%S", "%m-%d %H:%M", "%Y-%m-%d"]
    assert tick_format([]) == "%H:%M:%S"
