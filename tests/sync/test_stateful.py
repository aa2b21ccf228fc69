"""Hosts on one real remote, driven by Hypothesis through sequences nobody wrote down.

Two or three hosts share a local bare repository (real git, real git-lfs, real SQLite).
The rules write, touch and copy files, append rows to a database that declares merge
rules, back up (now and then forced, or many times in a row: compaction), restore a
backup, undo, run the remote watch's fetch and maintenance with tiny trim thresholds,
flip a byte in a cached pack, empty the remote, and refuse the next push once. A model
says what each backup must hold:

- per file, the last writer wins, and a host writes only what it changed since it last
  saved or restored (by content);
- database rows are merged: a backup holds the host's rows and the tip's;
- a restore makes the newest backup exactly the restored data (recorded at once, or by
  the host's next backup when its push was refused); a forced backup, exactly the
  host's data;
- a move to a fresh repository holds the newest backup (or every one) as it was, and
  the hosts pointed at it go on from their moved backup (or restore first).

After every step: each backup that reported success restores on a fresh host to what
the model says; a refusal says what to do; the operations log holds every operation.
`make soak` runs many more examples (docs/benchmarks.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from config import Settings
from sync import Workspace, backup, restore
from sync.actions.move import move
from sync.actions.undo import undo
from sync.errors import ERROR_CODES, SyncError
from sync.models import RestoreResult
from sync.oplog import read_operations
from sync.repo.maintenance import maintain

EXAMPLES = int(os.environ.get("KURA_STATEFUL_EXAMPLES", "20"))
STEPS = int(os.environ.get("KURA_STATEFUL_STEPS", "20"))
# Shrinking replays sequences whose commits land in other seconds (other ids): a soak may
# turn it off to report the first failing sequence whole.
SHRINK = os.environ.get("KURA_STATEFUL_SHRINK", "1") != "0"
# The suite's run is the same every time (a failure it meets is a regression); the soak,
# which sets KURA_STATEFUL_EXAMPLES, explores anew on every run.
DERANDOMIZE = "KURA_STATEFUL_EXAMPLES" not in os.environ
PATHS = ("notes.txt", "docs/guide.md", "shared.txt")
DB = "chat.db"
# Refusals that leave nothing changed and say what to do.
REFUSALS = {"restore_first", "nothing_to_undo", "push_rejected", "busy"}

Content = dict[str, object]  # path: bytes, or for DB the frozenset of its row ids


def _git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def new_remote(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    _git("init", "--quiet", "--bare", "--initial-branch=main", str(path))
    _git("config", "uploadpack.allowFilter", "true", cwd=path)


def remote_tip(path: Path) -> str | None:
    try:
        return _git("rev-parse", "--verify", "--quiet", "refs/heads/main", cwd=path).strip()
    except subprocess.CalledProcessError:
        return None


def moved_from(remote: Path) -> dict[str, str]:
    """A moved repository's commits with the backup each was moved from, oldest first
    (the first `Kura-Moved-From`; those after it name where that one came from)."""
    out = _git(
        "log",
        "--reverse",
        "--format=%H %(trailers:key=Kura-Moved-From,valueonly,separator=%x20)",
        "main",
        cwd=remote,
    )
    return dict(line.split()[:2] for line in out.splitlines() if line.strip())


def add_rows(db: Path, ids: list[str]) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(
            "CREATE TABLE IF NOT EXISTS rows (id TEXT PRIMARY KEY);"
            "CREATE TABLE IF NOT EXISTS kura_merge_rules (tbl TEXT NOT NULL, key TEXT NOT NULL,"
            " position INTEGER NOT NULL, version TEXT, columns TEXT NOT NULL DEFAULT '');"
            "CREATE TABLE IF NOT EXISTS kura_tombstones (tbl TEXT NOT NULL, key TEXT NOT NULL,"
            " deleted_at TEXT NOT NULL, PRIMARY KEY (tbl, key));"
        )
        if not conn.execute("SELECT 1 FROM kura_merge_rules").fetchone():
            conn.execute("INSERT INTO kura_merge_rules VALUES ('rows', 'id', 1, NULL, '')")
        conn.executemany("INSERT OR IGNORE INTO rows VALUES (?)", [(i,) for i in ids])
    conn.close()


def read_content(directory: Path) -> Content:
    """What a data directory holds, as the model compares it."""
    content: Content = {}
    for path in sorted(directory.rglob("*")):
        name = path.relative_to(directory).as_posix()
        if not path.is_file() or name.endswith(("-wal", "-shm", "-journal")):
            continue
        if name == DB:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                content[name] = frozenset(r[0] for r in conn.execute("SELECT id FROM rows"))
            finally:
                conn.close()
        else:
            content[name] = path.read_bytes()
    return content


def merged(mine: Content, seen: Content, tip: Content) -> Content:
    """What a backup on `tip` holds: per file the tip's version unless this host changed
    it since `seen` (a deletion loses to a change made there since); a database this host
    changed, its rows merged with the tip's. A database it did not change is the tip's,
    like any file: another host's restore stays restored."""
    out: Content = {}
    for path in sorted(set(mine) | set(tip)):
        if path == DB and path in mine and mine[path] != seen.get(path):
            out[path] = mine[path] | tip.get(path, frozenset())  # type: ignore[operator]
            continue
        if mine.get(path) == seen.get(path):
            chosen = tip.get(path)
        elif path not in mine and path in tip and tip[path] != seen.get(path):
            chosen = tip[path]
        else:
            chosen = mine.get(path)
        if chosen is not None:
            out[path] = chosen
    return out


def forced(mine: Content, tip: Content) -> Content:
    """What a forced backup holds: this host's files exactly, its rows merged with the tip's."""
    if DB in mine and DB in tip:
        return {**mine, DB: mine[DB] | tip[DB]}  # type: ignore[operator]
    return dict(mine)


@dataclass
class Host:
    ws: Workspace
    seen: Content = field(default_factory=dict)  # what it last saved or restored
    seen_commit: str | None = None
    unrecorded: bool = False  # a restore its next backup records
    operations: int = 0  # backups and restores it ran: the log must hold each
    rows: int = 0


class Hosts(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="kura-stateful-"))
        self.remote = self.root / "remote.git"
        new_remote(self.remote)
        self.hosts: list[Host] = []
        self.backups: dict[str, Content] = {}  # every commit on the remote: what it holds
        self.history: list[str] = []  # the remote's branch, oldest first
        self.checked: set[str] = set()
        self.fresh = 0
        self.moves = 0

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    # -- set-up --------------------------------------------------------------------
    @initialize(count=st.integers(2, 3))
    def hosts_on_one_remote(self, count: int) -> None:
        for n in range(count):
            self.hosts.append(Host(self._workspace(f"host{n}")))
        first = self.hosts[0]
        (first.ws.data_dir / "notes.txt").write_bytes(b"team notes")
        self._add_rows(first, 3)
        self._back_up(first)
        for host in self.hosts[1:]:
            self._restore(host, "latest")

    def _workspace(self, name: str) -> Workspace:
        root = self.root / name
        (root / "data").mkdir(parents=True, exist_ok=True)
        return Workspace(
            Settings(data_dir=root / "data", home=root / ".kura", data_repo=str(self.remote))
        )

    # -- what people do --------------------------------------------------------------
    hosts_ = st.integers(0, 2)

    @rule(n=hosts_, path=st.sampled_from(PATHS), text=st.binary(min_size=0, max_size=40))
    def write(self, n: int, path: str, text: bytes) -> None:
        target = self._host(n).ws.data_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text)

    @rule(n=hosts_, path=st.sampled_from(PATHS))
    def delete(self, n: int, path: str) -> None:
        (self._host(n).ws.data_dir / path).unlink(missing_ok=True)

    @rule(n=hosts_)
    def touch_everything(self, n: int) -> None:
        for path in self._host(n).ws.data_dir.rglob("*"):
            if path.is_file():
                os.utime(path, ns=(1_000_000_000, 1_000_000_000))

    @rule(n=hosts_)
    def copy_the_data_directory(self, n: int) -> None:
        data = self._host(n).ws.data_dir
        copy = data.with_name("copy")
        shutil.copytree(data, copy)
        shutil.rmtree(data)
        copy.rename(data)

    @rule(n=hosts_, count=st.integers(1, 5))
    def append_rows(self, n: int, count: int) -> None:
        self._add_rows(self._host(n), count)

    @rule(n=hosts_, force=st.booleans())
    def back_up(self, n: int, force: bool) -> None:
        self._back_up(self._host(n), force=force)

    @precondition(lambda self: self.history)
    @rule(n=hosts_, pick=st.integers(0, 10_000))
    def restore_a_backup(self, n: int, pick: int) -> None:
        self._restore(self._host(n), self.history[pick % len(self.history)])

    @rule(n=hosts_)
    def undo_the_newest_restore(self, n: int) -> None:
        host = self._host(n)
        before, tip = read_content(host.ws.data_dir), self._tip_content()
        try:
            result = undo(host.ws)
        except SyncError as exc:
            # Nothing to undo is an answer, not an operation. The restore an undo tries is
            # logged, also when its target went with an emptied remote (invalid_ref).
            if exc.code != "nothing_to_undo":
                host.operations += 1
            if exc.code not in ("nothing_to_undo", "invalid_ref"):
                self._refused(exc)
            assert read_content(host.ws.data_dir) in (before, forced(before, tip))
            return
        host.operations += 1
        self._restored(host, result, before, tip)

    @rule(n=hosts_)
    def watch_and_maintain(self, n: int) -> None:
        """The remote watch's fetch and the scheduler's maintenance, trimming hard."""
        ws = self._host(n).ws
        try:
            ws.fetch()
            maintain(ws, history_kept=2)
        except SyncError as exc:
            assert exc.code == "busy", exc

    @rule(n=hosts_)
    def a_busy_hour(self, n: int) -> None:
        """Many small backups in a row: the cache's small packs pass compaction's tier."""
        host = self._host(n)
        for _ in range(9):
            self._add_rows(host, 2)
            self._back_up(host)

    @rule(n=hosts_, pick=st.integers(0, 10_000))
    def damage_the_cache(self, n: int, pick: int) -> None:
        """One byte flipped in a cached pack, its size unchanged (a new file: a local
        remote's git-lfs may share the cache's inode)."""
        store = self._host(n).ws.store
        oids = sorted(store.oids())
        if not oids:
            return
        path = store.path(oids[pick % len(oids)])
        damaged = bytearray(path.read_bytes())
        damaged[len(damaged) // 2] ^= 0x5A
        path.unlink()
        path.write_bytes(bytes(damaged))

    @rule()
    def empty_the_remote(self) -> None:
        """The repository deleted and created again (GitHub frees LFS storage no other way)."""
        new_remote(self.remote)
        self.history = []

    @precondition(lambda self: bool(self.history))
    @rule(n=hosts_, every=st.booleans())
    def move_to_a_fresh_repository(self, n: int, every: bool) -> None:
        """The quota's way out: the newest backup (or all of them) into a new repository,
        then every host pointed at it (GITHUB_DATA_REPO changed, caches kept)."""
        host = self._host(n)
        self.moves += 1
        target = self.root / f"moved{self.moves}.git"
        new_remote(target)
        host.operations += 1
        move(host.ws, str(target), keep_days=36500 if every else None)
        moved = moved_from(target)  # new: original, oldest first
        assert list(moved.values()) == (self.history if every else self.history[-1:])
        for new, old in moved.items():
            self.backups[new] = self.backups[old]
        copies = {old: new for new, old in moved.items()}
        self.history, self.remote = list(moved), target
        for index, each in enumerate(self.hosts):
            each.ws = self._workspace(f"host{index}")
            each.seen_commit = copies.get(each.seen_commit, each.seen_commit)

    @rule()
    def refuse_the_next_push(self) -> None:
        hook = self.remote / "hooks" / "pre-receive"
        hook.write_text(f"#!/bin/sh\nrm -f '{hook}'\necho 'protected branch' >&2\nexit 1\n")
        hook.chmod(0o755)

    # -- checks ----------------------------------------------------------------------
    @invariant()
    def every_backup_restores_to_what_the_model_says(self) -> None:
        if not self.hosts:
            return
        tip = remote_tip(self.remote)
        assert tip == (self.history[-1] if self.history else None)
        for commit in self.history:
            if commit not in self.checked:
                assert self._fresh_restore(commit) == self.backups[commit], commit[:8]
                self.checked.add(commit)

    @invariant()
    def the_operations_log_holds_every_operation(self) -> None:
        for host in self.hosts:
            assert len(read_operations(host.ws.home)) == host.operations

    # -- the model -------------------------------------------------------------------
    def _host(self, n: int) -> Host:
        return self.hosts[n % len(self.hosts)]

    def _add_rows(self, host: Host, count: int) -> None:
        index = self.hosts.index(host)
        ids = [f"h{index}-{host.rows + i}" for i in range(count)]
        host.rows += count
        add_rows(host.ws.data_dir / DB, ids)

    def _tip_content(self) -> Content:
        return self.backups[self.history[-1]] if self.history else {}

    def _lineage_ok(self, host: Host) -> bool:
        return not self.history or host.seen_commit in self.history

    def _back_up(self, host: Host, *, force: bool = False) -> None:
        mine = read_content(host.ws.data_dir)
        tip = self._tip_content()
        host.operations += 1
        try:
            result = backup(host.ws, force=force)
        except SyncError as exc:
            self._refused(exc)
            if exc.code == "restore_first":
                assert not force and not host.unrecorded and not self._lineage_ok(host)
            return
        assert force or host.unrecorded or self._lineage_ok(host)
        if host.unrecorded:
            expected = mine  # the restore's record: this host's data exactly
        elif not self.history:
            expected = mine  # a first backup (on a new or emptied remote)
        else:
            expected = forced(mine, tip) if force else merged(mine, host.seen, tip)
        self._landed(result.commit, result.status, expected)
        host.seen, host.seen_commit, host.unrecorded = mine, result.commit, False
        if DB in mine and DB in expected:
            host.seen = {**mine, DB: expected[DB]}  # merged into the live file first

    def _landed(self, commit: str, status: str, expected: Content) -> None:
        if status == "created":
            # A commit git made before (same tree, parent, message and second: a first
            # backup on an emptied remote) holds the same data.
            assert self.backups.setdefault(commit, expected) == expected
            self.history.append(commit)
        else:
            assert status == "unchanged" and commit == self.history[-1]
            assert self.backups[commit] == expected

    def _restore(self, host: Host, ref: str) -> None:
        before, tip = read_content(host.ws.data_dir), self._tip_content()
        host.operations += 1
        try:
            result = restore(host.ws, ref)
        except SyncError as exc:
            self._refused(exc)
            # Untouched, but for the tip's rows its safety backup merged into the live file.
            assert read_content(host.ws.data_dir) in (before, forced(before, tip))
            return
        self._restored(host, result, before, tip)

    def _restored(self, host: Host, result: RestoreResult, before: Content, tip: Content) -> None:
        commit, status = result.commit, result.status
        target = self.backups[commit]
        assert read_content(host.ws.data_dir) == target
        if status == "unchanged":
            return
        if result.safety_backup is not None:  # the data it replaced, forced (rows merged)
            self._landed(result.safety_backup, "created", forced(before, tip))
        host.seen, host.seen_commit = target, commit
        if status == "unrecorded":
            host.unrecorded = True
            return
        assert status == "restored"
        record = remote_tip(self.remote)
        if not self.history or record != self.history[-1]:  # on an emptied remote: the first
            self._landed(record, "created", target)
        host.seen_commit = record
        host.unrecorded = False

    def _refused(self, exc: SyncError) -> None:
        """A refusal or failure: a known code and one line that says what to do."""
        assert exc.code in ERROR_CODES or exc.code in REFUSALS, exc.code
        assert exc.message and "\n" not in exc.message and "Traceback" not in exc.message
        assert exc.code in REFUSALS, f"{exc.code}: {exc.message}"

    def _fresh_restore(self, commit: str) -> Content:
        """A fresh host's restore of `commit`, from a copy of the remote (a restore records
        itself as the newest backup: the hosts under test must not see it)."""
        self.fresh += 1
        scratch = self.root / f"fresh{self.fresh}"
        shutil.copytree(self.remote, scratch / "remote.git", symlinks=True)
        (scratch / "data").mkdir()
        settings = Settings(
            data_dir=scratch / "data", home=scratch / ".kura", data_repo=str(scratch / "remote.git")
        )
        try:
            restore(Workspace(settings), commit)
            return read_content(scratch / "data")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


Hosts.TestCase.settings = settings(
    max_examples=EXAMPLES,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, *([Phase.shrink] if SHRINK else [])],
    stateful_step_count=STEPS,
    deadline=None,
    derandomize=DERANDOMIZE,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestHosts = Hosts.TestCase


def test_a_host_whose_rows_did_not_change_keeps_another_hosts_restore() -> None:
    """A sequence a soak found: host 0 restores an older backup (dropping rows its busy
    hours added, which host 2 still holds); host 2, whose database is as it last saved
    it (only touched), backs up: unchanged, the restore stays."""
    machine = Hosts()
    steps = [
        ("hosts_on_one_remote", 3),
        ("a_busy_hour", 0),
        ("refuse_the_next_push",),
        ("refuse_the_next_push",),
        ("a_busy_hour", 0),
        ("refuse_the_next_push",),
        ("a_busy_hour", 0),
        ("touch_everything", 1),
        ("touch_everything", 1),
        ("back_up", 2, False),
        ("a_busy_hour", 0),
        ("a_busy_hour", 0),
        ("touch_everything", 0),
        ("back_up", 2, False),
        ("restore_a_backup", 0, 737),
        ("delete", 0, "shared.txt"),
        ("touch_everything", 2),
        ("touch_everything", 1),
        ("back_up", 0, False),
        ("back_up", 2, False),
    ]
    try:
        for name, *args in steps:
            getattr(machine, name)(*args)
            machine.every_backup_restores_to_what_the_model_says()
            machine.the_operations_log_holds_every_operation()
        host0, host2 = machine.hosts[0], machine.hosts[2]
        assert read_content(host2.ws.data_dir)[DB] != machine._tip_content()[DB]
        assert machine.backups[machine.history[-1]] == read_content(host0.ws.data_dir)
    finally:
        machine.teardown()


def test_a_host_goes_on_after_its_backup_moved_twice() -> None:
    """A sequence a soak found: the newest backup moved to a second repository, then to a
    third; the host that backed up before both moves finds its copy and backs up."""
    machine = Hosts()
    try:
        machine.hosts_on_one_remote(2)
        for _ in range(2):
            machine.move_to_a_fresh_repository(0, False)
            machine.every_backup_restores_to_what_the_model_says()
        machine.a_busy_hour(0)  # nine backups, none refused with restore_first
        machine.every_backup_restores_to_what_the_model_says()
        machine.the_operations_log_holds_every_operation()
        assert len(machine.history) == 10
    finally:
        machine.teardown()
