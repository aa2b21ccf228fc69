"""`python -m chatbot sources` and pulls into a real wiki.db: the JSON of DESIGN.md,
incremental re-indexing, and the last good index kept when a pull fails."""

import json
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from chatbot.cli import main
from chatbot.knowledge import KnowledgeBase
from chatbot.source_pull import PullResult, pull
from chatbot.source_store import Source, SourceStore
from sync.sources import NO_ACCESS, SourceAccess
from tests.sync.test_sources import commit_all

PAGES = {
    "docs/index.md": "# Home\n\nWelcome to the team wiki.",
    "docs/guide/restore.md": "# Restore\n\nPick a restore point in the history table.",
    "docs/guide/tokens.md": "# Tokens\n\nCreate a fine-grained token with Contents write.",
}


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    repo = tmp_path / "team-wiki"
    for path, text in PAGES.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    (repo / "src.py").write_text("print('code, not the wiki')")
    from tests.conftest import git

    git("init", "-q", "-b", "main", str(repo))
    commit_all(repo, "first")
    return repo


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> Callable[..., Done]:
    """`python -m chatbot` in this process: the same main() as tests/chatbot/test_cli.py's
    real processes, a second faster per call (KURA_HOME beside the data, as there)."""

    def call(data: Path, *args: str) -> Done:
        monkeypatch.setenv("KURA_HOME", str(data.parent / ".kura"))
        capsys.readouterr()
        code = main(["--data-dir", str(data), *args])
        out = capsys.readouterr()
        return Done(code, out.out, out.err)

    return call


@pytest.fixture
def sources(run: Callable[..., Done]) -> Callable[..., tuple[int, dict | list]]:
    def call(data: Path, *args: str) -> tuple[int, dict | list]:
        done = run(data, "sources", *args, "--json")
        return done.returncode, json.loads(done.stdout)

    return call


def test_add_list_pull_remove_as_scripts_see_them(
    tmp_path: Path, upstream: Path, run, sources
) -> None:
    data = tmp_path / "data"
    code, added = sources(data, "add", str(upstream), "--path", "docs")
    assert code == 0 and added["pull"]["status"] == "updated"
    assert sorted(added["pull"]["added"]) == [
        "team-wiki/guide/restore.md",
        "team-wiki/guide/tokens.md",
        "team-wiki/index.md",
    ]
    code, listed = sources(data, "list")
    assert listed == [
        {
            "name": "team-wiki",
            "url": str(upstream),
            "branch": "main",
            "path": "docs",
            "commit": added["pull"]["commit"],
            "pulled_at": listed[0]["pulled_at"],
            "documents": 3,
            "error": "",
        }
    ]
    asked = json.loads(run(data, "ask", "How do I restore?", "--json").stdout)
    assert asked["sources"][0]["document"] == "team-wiki/guide/restore.md"

    (upstream / "docs" / "guide" / "restore.md").write_text("# Restore\n\nPress Undo after.")
    (upstream / "docs" / "guide" / "tokens.md").unlink()
    commit_all(upstream, "edit")
    code, pulled = sources(data, "pull")
    [result] = pulled["sources"]
    assert code == 0 and result["status"] == "updated"
    assert (result["added"], result["changed"], result["removed"]) == (
        [],
        ["team-wiki/guide/restore.md"],
        ["team-wiki/guide/tokens.md"],
    )
    assert sources(data, "pull", "team-wiki")[1]["sources"][0]["status"] == "unchanged"

    code, removed = sources(data, "remove", "team-wiki")
    assert removed == {
        "removed": "team-wiki",
        "documents": ["team-wiki/guide/restore.md", "team-wiki/index.md"],
    }
    assert sources(data, "list") == (0, [])
    assert json.loads(run(data, "documents", "--json").stdout) == []


def test_bad_input_is_one_line_with_a_code(tmp_path: Path, upstream: Path, run, sources) -> None:
    data = tmp_path / "data"
    for args, expected in (
        (("add", "ext::sh -c id"), "source_refused"),
        (("add", "https://github.com:99999/x"), "source_refused"),
        (("add", "https://[::1/x"), "source_refused"),
        (("pull", "nope"), "not_found"),
        (("remove", "nope"), "not_found"),
        (("add", str(upstream), "--name", "../up"), "invalid_name"),
        (("add", str(upstream), "--branch", "main:refs/heads/x"), "invalid_branch"),
        (("add", str(upstream), "--branch=--upload-pack=id"), "invalid_branch"),
    ):
        done = run(data, "sources", *args, "--json")
        assert done.returncode == 1, args
        assert json.loads(done.stdout)["error"]["code"] == expected
        assert "Traceback" not in done.stderr
    sources(data, "add", str(upstream), "--path", "docs")
    done = run(data, "sources", "add", str(upstream), "--json")
    assert json.loads(done.stdout)["error"]["code"] == "exists"


def test_a_failed_pull_keeps_the_last_good_index(
    tmp_path: Path, upstream: Path, run, sources
) -> None:
    data = tmp_path / "data"
    sources(data, "add", str(upstream), "--path", "docs")
    shutil.move(upstream, tmp_path / "moved")
    code, pulled = sources(data, "pull")
    assert code == 1 and pulled["sources"][0]["status"] == "failed"
    assert "could not be reached" in pulled["sources"][0]["error"]
    assert len(json.loads(run(data, "documents", "--json").stdout)) == 3
    assert "could not be reached" in sources(data, "list")[1][0]["error"]


def test_a_fresh_host_re_reads_only_what_changed(tmp_path: Path, upstream: Path) -> None:
    """The mirror lived under KURA_HOME and is gone; wiki.db came back from a backup."""
    kb = KnowledgeBase(tmp_path / "data" / "wiki.db")
    store = SourceStore(kb)
    source = store.add(Source("team", str(upstream), "main", "docs"))
    assert pull(kb, source, home=tmp_path / "home", access=NO_ACCESS).status == "updated"
    shutil.rmtree(tmp_path / "home")
    (upstream / "docs" / "index.md").write_text("# Home\n\nWelcome back.")
    commit_all(upstream, "edit")
    again = pull(kb, store.get("team"), home=tmp_path / "home", access=NO_ACCESS)
    assert (again.status, again.changed, again.removed) == ("updated", ["team/index.md"], [])


def test_a_folder_import_never_touches_a_sources_pages(tmp_path: Path, upstream: Path) -> None:
    from chatbot.importer import Importer

    kb = KnowledgeBase(tmp_path / "data" / "wiki.db")
    source = SourceStore(kb).add(Source("team", str(upstream), "main", "docs"))
    pull(kb, source, home=tmp_path / "home", access=NO_ACCESS)
    for folder in ("team", "other"):
        (tmp_path / "wikis" / folder).mkdir(parents=True)
        (tmp_path / "wikis" / folder / "index.md").write_text(f"# {folder}\n\nA folder.")
    report = Importer(kb).paths([tmp_path / "wikis" / "team", tmp_path / "wikis" / "other"])
    assert [line.split(" ")[0] for line in report.skipped] == ["team/index.md"]
    page = next(d for d in kb.documents() if d.name == "team/index.md")
    assert page.origin == "source:team" and page.title == "Home"


def test_an_upload_neither_replaces_nor_joins_a_sources_pages(
    tmp_path: Path, upstream: Path
) -> None:
    from chatbot.importer import Importer

    kb = KnowledgeBase(tmp_path / "data" / "wiki.db")
    source = SourceStore(kb).add(Source("team", str(upstream), "main", "docs"))
    pull(kb, source, home=tmp_path / "home", access=NO_ACCESS)
    importer = Importer(kb)
    importer.upload("index.md", b"# Mine\n\nAn upload.")  # named like team/index.md only
    importer.upload("team/new.md", b"# New\n\nLooks like a source page.")
    report = importer.report
    assert report.replaced == [] and report.imported == []  # no toast says "replaced"
    assert report.skipped == [
        "team/index.md comes from the wiki source team; change it there, or upload the file "
        "under another name.",
        "team/new.md would be a page in the folder of the wiki source team; upload it under "
        "another folder.",
    ]
    assert not [d.name for d in kb.documents() if not d.origin]  # nothing uploaded


def test_scheduled_pulls_wait_for_the_restore_and_for_backups(
    tmp_path: Path, upstream: Path
) -> None:
    from chatbot.source_schedule import SourcePuller
    from sync.repo.locking import operation_lock
    from tests.conftest import wait_until

    kb = KnowledgeBase(tmp_path / "data" / "wiki.db")
    SourceStore(kb).add(Source("team", str(upstream), "main", "docs"))
    held = [True]
    lock = tmp_path / "home" / "operation.lock"
    puller = SourcePuller(
        kb=kb,
        home=tmp_path / "home",
        lock_file=lock,
        access=NO_ACCESS,
        every_minutes=60,
        hold=lambda: held[0],
        lock_wait=0.1,
    )
    assert not puller.round() and kb.documents() == []  # the start-up restore runs
    held[0] = False
    with operation_lock(lock):
        assert not puller.round()  # a backup runs: never a half-indexed snapshot
    puller.start()
    try:
        wait_until(lambda: puller.state.pulled_at is not None, timeout=20)
        assert [r.status for r in puller.state.results] == ["updated"]
        assert len(kb.documents()) == 3
        (upstream / "docs" / "new.md").write_text("# New\n\nA new page.")
        commit_all(upstream, "new page")
        first = puller.state.pulled_at
        puller.pull_now()
        wait_until(lambda: puller.state.pulled_at != first, timeout=20)
        assert puller.state.results[0].added == ["team/new.md"]
    finally:
        puller.stop()


def test_a_pull_reads_while_a_backup_runs_and_writes_after_it(
    tmp_path: Path, upstream: Path
) -> None:
    """The fetch and the reading of pages hold nothing a backup waits for; only the writes
    wait for the backup's lock."""
    from sync.repo.locking import operation_lock
    from tests.conftest import wait_until

    kb = KnowledgeBase(tmp_path / "data" / "wiki.db")
    source = SourceStore(kb).add(Source("team", str(upstream), "main", "docs"))
    lock, home = tmp_path / "home" / "operation.lock", tmp_path / "home"
    fetched = home / "sources" / "team.git" / "refs" / "heads" / "main"
    results: list[PullResult] = []

    def pulled() -> None:
        backup_lock = lambda: operation_lock(lock, wait=60)  # noqa: E731
        results.append(pull(kb, source, home=home, access=NO_ACCESS, hold=backup_lock))

    with operation_lock(lock):  # a backup runs
        puller = threading.Thread(target=pulled)
        puller.start()
        wait_until(fetched.exists, timeout=30)  # fetched (and reading) under the backup
        assert kb.documents() == [] and puller.is_alive()
    puller.join(timeout=60)
    assert [r.status for r in results] == ["updated"]
    assert len(kb.documents()) == 3


def test_a_wiki_restored_while_a_pull_reads_is_not_written_over(
    tmp_path: Path, upstream: Path
) -> None:
    from contextlib import contextmanager

    from chatbot.source_pull import CHANGED_MEANWHILE

    kb = KnowledgeBase(tmp_path / "data" / "wiki.db")
    store = SourceStore(kb)
    source = store.add(Source("team", str(upstream), "main", "docs"))

    @contextmanager
    def restored_meanwhile():
        store.pulled("team", commit="0" * 40)  # a restore brought back an older wiki.db
        yield

    result = pull(kb, source, home=tmp_path / "home", access=NO_ACCESS, hold=restored_meanwhile)
    assert (result.status, result.error) == ("failed", CHANGED_MEANWHILE)
    assert kb.documents() == [] and store.get("team").commit == ""  # next pull lists all
    again = pull(kb, store.get("team"), home=tmp_path / "home", access=NO_ACCESS)
    assert again.status == "updated" and len(kb.documents()) == 3


def test_a_second_pull_while_one_runs_is_busy(tmp_path: Path, upstream: Path, run, sources) -> None:
    from chatbot.source_pull import mirror_of

    data = tmp_path / "data"
    sources(data, "add", str(upstream), "--path", "docs")
    home = tmp_path / ".kura"  # where tests.chatbot.test_cli.run puts KURA_HOME
    source = SourceStore(KnowledgeBase(data / "wiki.db")).get("team-wiki")
    with mirror_of(home, source, NO_ACCESS).locked():
        done = run(data, "sources", "pull", "--json")
    assert done.returncode == 1 and json.loads(done.stdout)["error"]["code"] == "busy"
    assert sources(data, "list")[1][0]["error"] == ""  # a busy pull is not a failure


def test_a_private_source_over_https_like_http_with_a_token(
    tmp_path: Path, upstream: Path, http_server
) -> None:
    from tests.conftest import TOKEN, git

    served = http_server.create_repo(repo="private-wiki")
    git("push", "-q", str(served), "main", cwd=upstream)
    kb = KnowledgeBase(tmp_path / "data" / "wiki.db")
    store = SourceStore(kb)
    source = store.add(Source("private", http_server.repo_url(repo="private-wiki"), "main", "docs"))
    local = SourceAccess(allow_private=True)  # the fixture is on loopback
    denied = pull(kb, source, home=tmp_path / "home", access=local)
    assert denied.status == "failed" and "WIKI_SOURCES_TOKEN" in denied.error
    assert kb.documents() == []
    host = http_server.url.removeprefix("http://")
    access = SourceAccess(sources_token=TOKEN, sources_token_host=host, allow_private=True)
    done = pull(kb, store.get("private"), home=tmp_path / "home", access=access)
    assert done.status == "updated" and len(done.added) == 3
    assert store.get("private").error == ""
    for path in [*(tmp_path / "home").rglob("*"), kb.path]:
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
