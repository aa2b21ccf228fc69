"""Wiki source mirrors: real git through GitPython, against a local repository and the
smart-HTTP server with token auth."""

import binascii
import os
import socket
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest
from gitdb.exc import BadObject

from sync.errors import AuthFailed, Busy, RemoteUnreachable, SourceRefused
from sync.repo.execute import Secrets
from sync.sources import Mirror, Page, check_url
from sync.sources.environment import source_environment
from tests.conftest import TOKEN, git
from tests.servers.git_http import GitHttpServer


def commit_all(repo: Path, message: str) -> str:
    git("add", "-A", cwd=repo)
    git("-c", "user.name=T", "-c", "user.email=t@t", "commit", "-qm", message, cwd=repo)
    return git("rev-parse", "HEAD", cwd=repo).strip()


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    repo = tmp_path / "upstream"
    git("init", "-q", "-b", "main", str(repo))
    (repo / "docs" / "guide").mkdir(parents=True)
    (repo / "docs" / "index.md").write_text("# Home\n\nWelcome.")
    (repo / "docs" / "guide" / "restore.md").write_text("# Restore\n\nPick a point.")
    (repo / "docs" / "logo.png").write_bytes(b"\x89PNG not a page")
    (repo / "README.md").write_text("# Code\n\nNot the wiki.")
    commit_all(repo, "first")
    return repo


def mirror(tmp_path: Path, url: str, **options) -> Mirror:
    return Mirror(tmp_path / "home" / "sources" / "team.git", url=url, branch="main", **options)


def paths(found) -> list[str]:
    return sorted(page.path for page in found.pages)


def test_a_first_pull_lists_the_folders_pages(tmp_path: Path, upstream: Path) -> None:
    source = mirror(tmp_path, str(upstream))
    commit = source.fetch()
    found = source.pages(commit, folder="docs")
    assert found.complete and paths(found) == ["guide/restore.md", "index.md"]
    page = next(p for p in found.pages if p.path == "index.md")
    assert source.read(page) == b"# Home\n\nWelcome."
    assert not (source.path / "docs").exists(), "a bare mirror: nothing is checked out"


def test_the_next_pull_lists_only_what_changed(tmp_path: Path, upstream: Path) -> None:
    source = mirror(tmp_path, str(upstream))
    first = source.fetch()
    (upstream / "docs" / "index.md").write_text("# Home\n\nWelcome back.")
    (upstream / "docs" / "guide" / "restore.md").unlink()
    (upstream / "docs" / "new.md").write_text("# New\n\nFresh.")
    (upstream / "README.md").write_text("# Code\n\nChanged, outside the folder.")
    second = commit_all(upstream, "second")
    assert source.fetch() == second
    found = source.pages(second, folder="docs", since=first)
    assert not found.complete
    assert (paths(found), found.removed) == (["index.md", "new.md"], ["guide/restore.md"])


def test_a_force_push_is_still_diffed_exactly(tmp_path: Path, upstream: Path) -> None:
    source = mirror(tmp_path, str(upstream))
    first = source.fetch()
    git("checkout", "-q", "--orphan", "rewritten", cwd=upstream)
    git("rm", "-rq", "--cached", ".", cwd=upstream)
    (upstream / "docs" / "guide" / "restore.md").unlink()
    rewritten = commit_all(upstream, "history rewritten")
    git("branch", "-f", "main", "rewritten", cwd=upstream)
    assert source.fetch() == rewritten
    found = source.pages(rewritten, folder="docs", since=first)
    assert (paths(found), found.removed) == ([], ["guide/restore.md"])


def test_without_the_earlier_commit_every_page_is_listed(tmp_path: Path, upstream: Path) -> None:
    """A fresh host: the mirror under KURA_HOME is gone, the index came back from backup."""
    source = mirror(tmp_path, str(upstream))
    commit = source.fetch()
    found = source.pages(commit, folder="docs", since="0" * 40)
    assert found.complete and paths(found) == ["guide/restore.md", "index.md"]


def test_links_submodules_lfs_and_huge_files_are_skipped(tmp_path: Path, upstream: Path) -> None:
    docs = upstream / "docs"
    (docs / "passwd.md").symlink_to("/etc/passwd")
    (docs / "lfs.md").write_text(
        "version https://git-lfs.github.com/spec/v1\noid sha256:" + "a" * 64 + "\nsize 12\n"
    )
    (docs / "huge.md").write_bytes(b"# Huge\n" + b"x" * (10 * 1024 * 1024 + 1))
    commit_all(upstream, "hostile")
    sub = git("rev-parse", "HEAD", cwd=upstream).strip()
    git("update-index", "--add", "--cacheinfo", f"160000,{sub},docs/vendor.md", cwd=upstream)
    git("-c", "user.name=T", "-c", "user.email=t@t", "commit", "-qm", "sub", cwd=upstream)
    source = mirror(tmp_path, str(upstream))
    found = source.pages(source.fetch(), folder="docs")
    assert paths(found) == ["guide/restore.md", "index.md"]
    assert sorted(found.skipped) == [
        "huge.md is over 10 MiB; skipped.",
        "lfs.md is stored in Git LFS; skipped.",
        "passwd.md is a symbolic link, which is never followed; skipped.",
        "vendor.md is a submodule, which is never followed; skipped.",
    ]


def test_a_repository_over_the_size_cap_is_refused(tmp_path: Path, upstream: Path) -> None:
    source = mirror(tmp_path, str(upstream), max_bytes=20)
    with pytest.raises(SourceRefused, match="the folder that holds the wiki"):
        source.pages(source.fetch())


def test_a_tree_with_a_dotdot_path_is_refused(tmp_path: Path) -> None:
    repo = tmp_path / "evil"
    git("init", "-q", "-b", "main", str(repo))
    blob = _write(repo, "blob", b"# Evil\n")
    inner = _write(repo, "tree", b"100644 ..\0" + binascii.unhexlify(blob))
    top = _write(repo, "tree", b"40000 docs\0" + binascii.unhexlify(inner))
    commit = git("commit-tree", top, "-m", "evil", cwd=repo).strip()
    git("update-ref", "refs/heads/main", commit, cwd=repo)
    with pytest.raises(SourceRefused, match="malformed tree"):
        mirror(tmp_path, str(repo)).fetch()


def _write(repo: Path, kind: str, raw: bytes) -> str:
    done = subprocess.run(
        ["git", "hash-object", "-t", kind, "--literally", "-w", "--stdin"],
        input=raw,
        capture_output=True,
        cwd=repo,
        check=True,
    )
    return done.stdout.decode().strip()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ext::sh -c touch% /tmp/pwned", "not a repository URL"),
        ("file::/tmp/repo", "not a repository URL"),
        ("--upload-pack=touch /tmp/pwned", "not a repository URL"),
        (f"https://x:{TOKEN}@github.com/team/wiki.git", "must not contain credentials"),
        ("http://example.com/team/wiki.git", "plain http"),
        ("ssh://git@github.com/team/wiki.git", "Only https URLs"),
        ("", "Give the source's Git URL"),
    ],
)
def test_unsafe_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(SourceRefused, match=reason) as refused:
        check_url(url)
    assert TOKEN not in str(refused.value)


def test_safe_urls_pass() -> None:
    for url in ("https://github.com/team/team.wiki.git", "http://127.0.0.1:8080/t.git", "/srv/w"):
        assert check_url(f" {url} ") == url


def test_over_http_with_a_token_that_never_lands_anywhere(
    tmp_path: Path, upstream: Path, http_server: GitHttpServer
) -> None:
    served = http_server.create_repo(repo="wiki-token")
    git("push", "-q", str(served), "main", cwd=upstream)
    url = http_server.repo_url(repo="wiki-token")
    source = mirror(tmp_path, url, token=TOKEN, allow_private=True)  # the fixture: loopback
    commit = source.fetch()
    assert paths(source.pages(commit, folder="docs")) == ["guide/restore.md", "index.md"]
    for path in source.path.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path

    with pytest.raises(AuthFailed, match="WIKI_SOURCES_TOKEN") as refused:
        mirror(tmp_path / "wrong", url, token="ghp_wrong0123456789", allow_private=True).fetch()
    assert "ghp_wrong" not in str(refused.value)


def test_git_never_sees_the_servers_secrets(
    tmp_path: Path, upstream: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitPython hands git the server's whole environment: a git on PATH that writes down
    what it got shows the password and the API key blanked, and no token at all for a
    local repository."""
    seen = tmp_path / "environments"
    wrapper = tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    wrapper.write_text(
        f'#!/bin/sh\nenv >> "{seen}"\necho "ARGV $*" >> "{seen}"\nexec /usr/bin/git "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("SHARED_PASSWORD", "pw-never-to-git")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-never-to-git")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_backup_never_to_git")
    source = mirror(tmp_path, str(upstream), token=TOKEN)
    source.pages(source.fetch(), folder="docs")
    text = seen.read_text()
    assert "git" in text and "pw-never-to-git" not in text and "sk-never-to-git" not in text
    assert "ghp_backup_never_to_git" not in text
    assert TOKEN not in text  # a local repository is no token's origin: git never gets it
    argv = [line for line in text.splitlines() if line.startswith("ARGV ")]
    assert any("fetch" in line for line in argv) and not any(TOKEN in line for line in argv)
    assert source_environment(Secrets())["SHARED_PASSWORD"] == ""


def test_a_remote_that_hangs_fails_within_the_time_limit(tmp_path: Path) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(silent.accept()[0]), daemon=True).start()
    url = f"http://127.0.0.1:{silent.getsockname()[1]}/team/wiki.git"
    started = time.monotonic()
    with pytest.raises(RemoteUnreachable, match="did not answer in time"):
        mirror(tmp_path, url, timeout=3, allow_private=True).fetch()
    assert time.monotonic() - started < 20
    silent.close()


def test_a_second_pull_of_the_same_source_is_busy(tmp_path: Path, upstream: Path) -> None:
    source = mirror(tmp_path, str(upstream))
    source.path.parent.mkdir(parents=True)
    with source.locked(), pytest.raises(Busy), mirror(tmp_path, str(upstream)).locked():
        pass


def _largest_object(mirror_path: Path) -> int:
    """The largest object anywhere in the mirror: listing them fetches nothing."""
    listed = git("cat-file", "--batch-all-objects", "--batch-check=%(objectsize)", cwd=mirror_path)
    return max(int(size) for size in listed.split())


def test_a_page_over_the_limit_is_never_downloaded(
    tmp_path: Path, upstream: Path, http_server: GitHttpServer
) -> None:
    """A 40 MB page, on the first pull and on a later one that also renames a page (a
    rename detection would read, and so fetch, every blob it compares)."""
    served = http_server.create_repo(repo="wiki-huge")
    git("push", "-q", str(served), "main", cwd=upstream)
    source = mirror(
        tmp_path, http_server.repo_url(repo="wiki-huge"), token=TOKEN, allow_private=True
    )
    first = source.fetch()
    (upstream / "docs" / "huge.md").write_bytes(b"# Huge\n" + os.urandom(40 * 2**20))
    git("mv", "docs/guide/restore.md", "docs/guide/restoring.md", cwd=upstream)
    second = commit_all(upstream, "huge")
    git("push", "-q", str(served), "main", cwd=upstream)

    assert source.fetch() == second
    changed = source.pages(second, folder="docs", since=first)
    assert changed.skipped == ["huge.md is over 10 MiB; skipped."]
    assert (paths(changed), changed.removed) == (["guide/restoring.md"], ["guide/restore.md"])
    whole = source.pages(second, folder="docs")
    assert whole.skipped == ["huge.md is over 10 MiB; skipped."]
    assert _largest_object(source.path) < 2**20
    huge = git("rev-parse", "HEAD:docs/huge.md", cwd=upstream).strip()
    with pytest.raises((BadObject, ValueError)):  # the left-out blob: never downloaded
        source.read(Page("huge.md", huge, 0))
    source.close()
    assert _largest_object(source.path) < 2**20
    assert sum(p.stat().st_size for p in source.path.rglob("*") if p.is_file()) < 2**20


def test_a_fetch_over_the_byte_cap_is_stopped(
    tmp_path: Path, upstream: Path, http_server: GitHttpServer
) -> None:
    for index in range(6):  # pages each under the page limit, together over the cap
        (upstream / "docs" / f"big{index}.md").write_bytes(os.urandom(2**20))
    commit_all(upstream, "big")
    served = http_server.create_repo(repo="wiki-big")
    git("push", "-q", str(served), "main", cwd=upstream)
    url = http_server.repo_url(repo="wiki-big")
    source = mirror(tmp_path, url, token=TOKEN, allow_private=True, max_bytes=2**20)
    with pytest.raises(SourceRefused, match="sent over 1 MB"):
        source.fetch()
    assert not source.path.exists(), "what it sent is not kept"
