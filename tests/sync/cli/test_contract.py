"""`python -m sync` as scripts see it: a real process, JSON on stdout, exit codes."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import cli_env, message_ids, write_db

ROOT = Path(__file__).resolve().parents[3]
SHA = re.compile(r"^[0-9a-f]{40}$")
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


@pytest.fixture
def cli(ws):
    def run(*args: str) -> tuple[int, object, str]:
        return cli_with_env(ws, {}, *args)

    return run


def test_backup_then_unchanged(cli, ws) -> None:
    write_db(ws.data_dir / "chatbot.db", range(20))
    code, data, _ = cli("backup", "-m", "from cli", "--json")
    assert code == 0
    assert data["status"] == "created" and SHA.match(data["commit"])
    assert data["files"] == 1 and data["changed_files"] == 1 and data["bytes"] > 0
    code, again, _ = cli("backup", "--json")
    assert (code, again["status"], again["commit"]) == (0, "unchanged", data["commit"])


def test_status_history_diff_restore_verify(cli, ws) -> None:
    (ws.data_dir / "a.txt").write_text("one")
    _, first, _ = cli("backup", "--json")
    (ws.data_dir / "a.txt").write_text("two")
    (ws.data_dir / "b.txt").write_text("new")
    _, second, _ = cli("backup", "--json")

    code, st, _ = cli("status", "--json")
    assert code == 0
    assert {f["path"] for f in st["files"]} == {"a.txt", "b.txt"}
    assert all(ISO.match(f["modified"]) and f["size"] > 0 for f in st["files"])
    assert st["total_bytes"] == 6 and st["dirty"] is False
    assert st["last_backup"]["commit"] == second["commit"] and ISO.match(st["last_backup"]["date"])
    assert st["branch"] == "main" and st["remote"] == ws.settings.remote
    storage = st["storage"]
    assert storage["lfs_bytes"] > 0 and storage["last_growth"] > 0
    assert storage["median_growth"] > 0 and storage["bandwidth_this_month"] == 0
    assert storage["days_until_full"] is None or storage["days_until_full"] > 0
    assert storage["daily_growth"] is None  # additive: under three whole days of backups

    code, hist, _ = cli("history", "--json")
    assert [h["commit"] for h in hist] == [second["commit"], first["commit"]]
    assert {h["kind"] for h in hist} == {"manual"} and all(ISO.match(h["date"]) for h in hist)
    assert {h["host"] for h in hist} == {ws.instance_name}  # additive: who made it
    code, limited, _ = cli("history", "--limit", "1", "--json")
    assert [h["commit"] for h in limited] == [second["commit"]]
    # Past what git's 32-bit counts hold, and a day past what its dates read: exact anyway.
    assert cli("history", "--skip", "2147483648", "--json")[1] == []
    assert cli("history", "--skip", "1", "--limit", "4294967296", "--json")[1] == [hist[1]]
    assert cli("history", "--before", "9999-12-31", "--json")[1] == hist
    said = subprocess.run(
        [sys.executable, "-m", "sync", "history", "--skip", "5"],
        cwd=ROOT,
        env=cli_env(ws),
        capture_output=True,
        text=True,
        check=True,
    )
    assert said.stdout.strip() == "No backups match these options."

    code, plan, _ = cli("diff", first["commit"][:7], "--json")
    assert code == 0
    assert plan == {
        **plan,
        "commit": first["commit"],
        "added": [],
        "removed": ["b.txt"],
        "changed": ["a.txt"],
    }

    code, refused, _ = cli("restore", first["commit"][:7], "--json")
    assert code == 1 and refused["error"]["code"] == "confirmation_required"
    assert (ws.data_dir / "b.txt").exists()

    code, restored, _ = cli("restore", first["commit"][:7], "--yes", "--json")
    assert code == 0
    assert restored == {
        **restored,
        "status": "restored",
        "commit": first["commit"],
        "safety_backup": None,
        "bytes": 3,
    }
    assert sorted(p.name for p in ws.data_dir.iterdir()) == ["a.txt"]

    code, verified, _ = cli("verify", "--json")
    assert code == 0 and verified["status"] == "ok"
    assert verified["mode"] == "presence" and verified["downloaded"] == 0
    code, deep, _ = cli("verify", "--deep", "--json")
    assert code == 0 and deep["mode"] == "deep" and deep["downloaded"] > 0
    code, st, _ = cli("status", "--json")
    assert st["storage"]["bandwidth_this_month"] >= deep["downloaded"]


@pytest.mark.parametrize("ref", ["--output=x", "HEAD~1", "ABCDEF0", "abc", "-n"])
def test_bad_refs_are_invalid_ref_even_after_double_dash(cli, ws, ref: str) -> None:
    (ws.data_dir / "a.txt").write_text("a")
    cli("backup")
    for command in (["restore", "--yes", "--json", "--", ref], ["diff", "--json", "--", ref]):
        code, data, stderr = cli(*command)
        assert code == 1, command
        assert data["error"]["code"] == "invalid_ref"
        assert stderr.startswith("error: ")
    assert (ws.data_dir / "a.txt").read_text() == "a"


def test_usage_errors_exit_2(cli) -> None:
    code, data, stderr = cli("frobnicate", "--json")
    assert code == 2 and data["error"]["code"] == "usage"
    code, _, stderr = cli("history", "--limit", "zero")
    assert code == 2 and stderr.startswith("error: ")


def test_file_too_large_is_reported(ws) -> None:
    (ws.data_dir / "big.bin").write_bytes(b"x" * 200_000)
    code, data, stderr = cli_with_env(ws, {"MAX_FILE_SIZE_MB": "0.1"}, "backup", "--json")
    assert code == 1
    assert data["error"]["code"] == "file_too_large"
    assert "big.bin" in data["error"]["message"]
    assert stderr.count("\n") == 1 and stderr.startswith("error: ")


def test_invalid_setting_is_not_configured(ws) -> None:
    code, data, _ = cli_with_env(ws, {"AUTO_BACKUP_MINUTES": "soon"}, "status", "--json")
    assert code == 1
    assert data["error"]["code"] == "not_configured"
    assert "AUTO_BACKUP_MINUTES" in data["error"]["message"]


def cli_with_env(ws, extra: dict[str, str], *args: str) -> tuple[int, dict, str]:
    env = cli_env(ws, **extra)
    done = subprocess.run(
        [sys.executable, "-m", "sync", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stderr
    data = json.loads(done.stdout) if "--json" in args and done.stdout.strip() else None
    return done.returncode, data, done.stderr


def test_ls_lists_a_backups_files_and_dump_writes_one_out(cli, ws, tmp_path) -> None:
    write_db(ws.data_dir / "chatbot.db", range(50))
    (ws.data_dir / "docs").mkdir()
    (ws.data_dir / "docs" / "a note.txt").write_bytes(b"first words\n")
    _, first, _ = cli("backup", "--json")
    (ws.data_dir / "docs" / "a note.txt").write_bytes(b"later words\n")
    cli("backup", "--json")

    code, files, _ = cli("ls", first["commit"][:8], "--json")
    assert code == 0
    assert [f["path"] for f in files] == ["chatbot.db", "docs/a note.txt"]
    assert files[1]["size"] == 12 and files[0]["size"] > 0
    done = subprocess.run(
        [sys.executable, "-m", "sync", "dump", first["commit"], "docs/a note.txt"],
        cwd=ROOT,
        env=cli_env(ws),
        capture_output=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (0, b"first words\n")
    target = tmp_path / "chat.db"
    code, out, _ = cli("dump", "latest", "chatbot.db", "--output", str(target), "--json")
    assert code == 0 and out["bytes"] == target.stat().st_size == files[0]["size"]
    assert message_ids(target) == list(range(50))  # the consistent copy the backup took

    code, error, _ = cli("dump", "latest", "missing.txt", "--json")
    assert code == 1 and error["error"]["code"] == "not_found"
    assert "python -m sync ls latest" in error["error"]["message"]
    code, error, _ = cli("ls", "not-a-ref", "--json")
    assert code == 1 and error["error"]["code"] == "invalid_ref"


def test_a_failed_backup_stays_in_status_until_one_succeeds(cli, ws, tmp_path) -> None:
    (ws.data_dir / "a.txt").write_text("one")
    cli("backup", "--json")
    code, st, _ = cli("status", "--json")
    assert st["last_failure"] is None
    (ws.data_dir / "a.txt").write_text("two")
    gone = str(tmp_path / "gone.git")
    code, error, _ = cli_with_env(ws, {"GITHUB_DATA_REPO": gone}, "backup", "--json")
    assert code == 1
    code, st, _ = cli("status", "--json")  # another process, as a new tab would ask
    failure = st["last_failure"]
    assert failure["operation"] == "backup" and failure["code"] == error["error"]["code"]
    assert failure["message"] == error["error"]["message"] and ISO.match(failure["time"])
    code, _, _ = cli("backup", "--json")
    assert code == 0
    assert cli("status", "--json")[1]["last_failure"] is None


def test_undo_brings_back_what_the_newest_restore_replaced(cli, ws, make_workspace) -> None:
    (ws.data_dir / "a.txt").write_text("first")
    _, first, _ = cli("backup", "--json")
    (ws.data_dir / "a.txt").write_text("second")
    _, second, _ = cli("backup", "--json")
    code, error, _ = cli("undo", "--yes", "--json")
    assert code == 1 and error["error"]["code"] == "nothing_to_undo"
    assert "not a restore" in error["error"]["message"]

    (ws.data_dir / "a.txt").write_text("unsaved")
    code, restored, _ = cli("restore", first["commit"], "--yes", "--json")
    assert code == 0 and (ws.data_dir / "a.txt").read_text() == "first"
    _, hist, _ = cli("history", "--limit", "2", "--json")
    assert [h["kind"] for h in hist] == ["restore", "pre-restore"]
    assert hist[0]["restored"] == first["commit"]
    assert hist[0]["replaced"] == restored["safety_backup"] == hist[1]["commit"]
    assert hist[0]["uploaded"] == 0 and hist[1]["uploaded"] > 0  # a restore uploads nothing

    code, _, _ = cli("undo", "--json")  # no terminal to ask: refused, nothing changed
    assert code == 1 and (ws.data_dir / "a.txt").read_text() == "first"
    other = make_workspace("other")  # any host, from the history alone
    code, undone, _ = cli_with_env(other, {}, "restore", "latest", "--yes", "--json")
    code, undone, _ = cli_with_env(other, {}, "undo", "--yes", "--json")
    assert code == 0 and undone["commit"] == restored["safety_backup"]
    assert (other.data_dir / "a.txt").read_text() == "unsaved"
    _, hist, _ = cli("history", "--limit", "1", "--json")
    assert hist[0]["kind"] == "undo" and hist[0]["restored"] == restored["safety_backup"]
    assert second["commit"] != hist[0]["restored"]
    code, error, _ = cli("undo", "--yes", "--json")  # an undo is not undone in turn
    assert code == 1 and error["error"]["code"] == "nothing_to_undo"
