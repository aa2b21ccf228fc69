"""`python -m sync` as scripts see it: a real process, JSON on stdout, exit codes."""

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import cli_env, write_db

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

    code, hist, _ = cli("history", "--json")
    assert [h["commit"] for h in hist] == [second["commit"], first["commit"]]
    assert {h["kind"] for h in hist} == {"manual"} and all(ISO.match(h["date"]) for h in hist)
    assert {h["host"] for h in hist} == {socket.gethostname()}  # additive: who made it
    code, limited, _ = cli("history", "--limit", "1", "--json")
    assert [h["commit"] for h in limited] == [second["commit"]]

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
