"""`python -m chatbot` as scripts see it: JSON shapes from DESIGN.md, real processes."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(data: Path, *args: str, **settings: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "KURA_HOME": str(data.parent / ".kura"), **settings}
    return subprocess.run(
        [sys.executable, "-m", "chatbot", "--data-dir", str(data), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_import_documents_and_ask(tmp_path: Path) -> None:
    docs, data = tmp_path / "docs", tmp_path / "data"
    (docs / "sub").mkdir(parents=True)
    (docs / "guide.en.html").write_text(
        "<title>Guide</title><h1>Restore</h1><p>Pick a restore point and press Restore.</p>"
    )
    (docs / "sub" / "notes.md").write_text("# Notes\n\nBackups run every thirty minutes.")
    (docs / "broken.md").write_bytes(b"\x00\x01binary")
    (docs / "ignored.png").write_bytes(b"not a document")

    done = run(data, "import", str(docs), "--json")
    assert done.returncode == 0
    imported = json.loads(done.stdout)
    assert imported["imported"] == 2 and imported["removed"] == []
    assert imported["documents"] == [
        {"document": "guide.en.html", "title": "Restore", "chunks": 1, "status": "added"},
        {"document": "sub/notes.md", "title": "Notes", "chunks": 1, "status": "added"},
    ]
    assert imported["skipped"] == ["broken.md looks binary; skipped."]
    assert "broken.md looks binary" in done.stderr and "Traceback" not in done.stderr

    # The folder again, after an edit, a new page and a deleted one: in step with it.
    (docs / "sub" / "notes.md").write_text("# Notes\n\nBackups run every five minutes.")
    (docs / "sub" / "faq.md").write_text("# FAQ\n\nAsk the wiki.")
    (docs / "guide.en.html").unlink()
    again = json.loads(run(data, "import", str(docs), "--json").stdout)
    assert [(d["document"], d["status"]) for d in again["documents"]] == [
        ("sub/faq.md", "added"),
        ("sub/notes.md", "changed"),
    ]
    assert again["removed"] == ["guide.en.html"]
    same = json.loads(run(data, "import", str(docs), "--json").stdout)
    assert (same["imported"], same["unchanged"]) == (0, ["sub/faq.md", "sub/notes.md"])
    (docs / "guide.en.html").write_text(
        "<title>Guide</title><h1>Restore</h1><p>Pick a restore point and press Restore.</p>"
    )
    assert json.loads(run(data, "import", str(docs), "--json").stdout)["imported"] == 1
    listed = json.loads(run(data, "documents", "--json").stdout)
    assert [d["document"] for d in listed] == ["guide.en.html", "sub/faq.md", "sub/notes.md"]

    missing = run(data, "import", str(tmp_path / "nowhere"), "--json")
    assert missing.returncode == 1 and json.loads(missing.stdout)["error"]["code"] == "not_found"

    asked = json.loads(run(data, "ask", "How do I restore?", "--json").stdout)
    assert asked["sources"][0] == {
        "document": "guide.en.html",
        "title": "Restore",  # the h1, not the <title>
        "score": asked["sources"][0]["score"],
        "number": 1,  # the [1] the answer cites it by
        "section": "Restore",
        "passage": 0,
    }
    assert isinstance(asked["sources"][0]["score"], float)
    assert "Pick a restore point" in asked["answer"]
    assert (data / "wiki.db").is_file()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    done = run(tmp_path / "data", "frobnicate", "--json")
    assert done.returncode == 2
    assert json.loads(done.stdout)["error"]["code"] == "usage"


def test_cleanup_deletes_old_conversations(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from chatbot.history import ChatHistory

    data = tmp_path / "data"
    history = ChatHistory(data / "chatbot.db")
    history.start("ancient", at=datetime.now(UTC) - timedelta(days=200))
    history.start("recent")
    done = run(data, "cleanup", "--days", "90", "--json")
    assert (done.returncode, json.loads(done.stdout)) == (0, {"deleted": 1})
    assert [c.title for c in history.conversations()] == ["recent"]


def test_ask_keeps_the_exchange_in_a_conversation_and_lists_it(tmp_path: Path) -> None:
    docs, data = tmp_path / "docs", tmp_path / "data"
    docs.mkdir()
    (docs / "restore.md").write_text("# Restore\n\nPick a restore point and press Restore.")
    run(data, "import", str(docs))
    assert json.loads(run(data, "conversations", "--json").stdout) == []
    assert run(data, "ask", "How do I restore?").returncode == 0  # without: not kept
    assert json.loads(run(data, "conversations", "--json").stdout) == []

    first = json.loads(
        run(data, "ask", "How do I restore?", "--conversation", "new", "--json").stdout
    )
    again = run(data, "ask", "And then?", "--conversation", first["conversation"], "--json")
    assert json.loads(again.stdout)["conversation"] == first["conversation"]
    run(data, "ask", "バックアップは?", "--conversation", "new")

    listed = json.loads(run(data, "conversations", "--json").stdout)
    assert [(c["title"], c["messages"]) for c in listed] == [
        ("バックアップは?", 2),
        ("How do I restore?", 4),
    ]
    assert listed[1]["id"] == first["conversation"] and len(first["conversation"]) == 32
    assert set(listed[0]) == {"id", "title", "messages", "updated_at", "host"}
    assert listed[0]["host"] and listed[0]["updated_at"].startswith("20")

    unknown = run(data, "ask", "?", "--conversation", "nope", "--json")
    assert unknown.returncode == 1
    assert json.loads(unknown.stdout)["error"]["code"] == "not_found"
    assert "Traceback" not in unknown.stderr
    assert len(json.loads(run(data, "conversations", "--json").stdout)) == 2


def test_ask_answers_through_the_llm_when_one_is_configured(tmp_path: Path) -> None:
    from tests.openai_standin import OpenAiStandIn

    docs, data = tmp_path / "docs", tmp_path / "data"
    docs.mkdir()
    (docs / "token.md").write_text(
        "# Token\n\nRotate the token every 90 days.\n\n## Where\n\nIn the Settings page."
    )
    assert run(data, "import", str(docs)).returncode == 0
    server = OpenAiStandIn(lambda body: "Every 90 days, in Settings [1].")
    llm = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.base_url}
    try:
        done = run(data, "ask", "How often do I rotate the token?", "--json", **llm)
        assert done.returncode == 0, done.stderr
        answer = json.loads(done.stdout)
        assert answer["answer"] == "Every 90 days, in Settings [1]." and answer["mode"] == "llm"
        assert [s["document"] for s in answer["sources"]] == ["token.md"]
        prompt = server.requests[-1]["body"]["messages"][-1]["content"]
        assert "Rotate the token every 90 days." in prompt and "In the Settings page." in prompt

        asked = len(server.requests)
        plain = json.loads(run(data, "ask", "rotate token", "--extractive", "--json", **llm).stdout)
        assert plain["mode"] == "extractive" and "Rotate the token" in plain["answer"]
        assert len(server.requests) == asked  # --extractive never calls the endpoint

        server.fail_with = 500
        failed = run(data, "ask", "rotate token", "--json", **llm)
        assert failed.returncode == 0 and json.loads(failed.stdout)["mode"] == "extractive"
        assert "LLM endpoint failed" in failed.stderr and "sk-test" not in failed.stderr
    finally:
        server.stop()
