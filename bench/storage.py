"""What a backup costs in GitHub's LFS quota: the guide, whole files, and chunks, side by side.

Three systems back up the same data directory to three local bare remotes, in
one run: the original guide (`bench/fresh_clone.py`), Kura's whole-file format
(the last such version, commit WHOLE_FILE_COMMIT, unpacked with `git archive`
and driven through its `python -m sync` command line) and Kura today, driven
the same way. LFS storage is measured where a file remote keeps it
(`remote.git/lfs/objects`), so the figures are the bytes GitHub would bill.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from bench import datasets, fresh_clone

ROOT = Path(__file__).resolve().parent.parent
WHOLE_FILE_COMMIT = "decf93398ccf2c06e8ba43bfc82146865840a297"


@dataclass
class System:
    name: str
    remote: Path
    backup: Callable[[], None]
    restore: Callable[[Path], None]  # into a fresh host's data directory
    times: dict[str, float] = field(default_factory=dict)
    growth: dict[str, int] = field(default_factory=dict)

    def stored(self) -> tuple[int, int]:
        return lfs_stored(self.remote)

    def timed_backup(self, name: str) -> None:
        before = self.stored()[0]
        started = time.perf_counter()
        self.backup()
        self.times[name] = time.perf_counter() - started
        self.growth[name] = self.stored()[0] - before


def lfs_stored(remote: Path) -> tuple[int, int]:
    """Bytes and objects a file remote keeps in LFS: what GitHub would bill."""
    objects = [p for p in (remote / "lfs" / "objects").rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in objects), len(objects)


def bare(path: Path) -> Path:
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True)
    return path


def _unpack_whole_file_kura(target: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", WHOLE_FILE_COMMIT, "sync", "config"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def _kura(name: str, code: Path, data: Path, root: Path) -> System:
    """Kura from `code`, backing `data` up to `root`.git through its command line."""
    remote = bare(root.with_suffix(".git"))

    def run(data_dir: Path, home_dir: Path, *args: str) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": str(code),
            "KURA_DATA_DIR": str(data_dir),
            "KURA_HOME": str(home_dir),
            "GITHUB_DATA_REPO": str(remote),
            "MAX_FILE_SIZE_MB": "4096",
        }
        argv = [sys.executable, "-m", "sync", *args]
        subprocess.run(argv, env=env, cwd=code, check=True, capture_output=True)

    def restore(host: Path) -> None:
        run(host / "data", host / ".kura", "restore", "latest", "--yes")

    return System(name, remote, lambda: run(data, root / "home", "backup"), restore)


def run(size_mb: int = 300) -> str:
    with tempfile.TemporaryDirectory(prefix="kura-storage-") as tmp:
        root = Path(tmp)
        data = root / "data"
        datasets.make_data(data, total_mb=size_mb)
        logical = sum(p.stat().st_size for p in data.rglob("*") if p.is_file())
        old = _unpack_whole_file_kura(root / "whole-file-kura")
        guide_remote = bare(root / "guide.git")
        systems = [
            System(
                "guide (fresh clone)",
                guide_remote,
                lambda: fresh_clone.backup(data, str(guide_remote)),
                lambda host: fresh_clone.restore(host / "data", str(guide_remote)),
            ),
            _kura("Kura, whole files", old, data, root / "whole"),
            _kura("Kura, chunks", ROOT, data, root / "chunked"),
        ]
        chat, vectors = data / "chatbot.db", data / "chroma_db" / "chroma.sqlite3"
        steps: list[tuple[str, Callable[[], None]]] = [
            ("first backup", lambda: None),
            ("chat append, 200 rows", lambda: datasets.append_messages(chat)),
            ("vector store update, 100 rows", lambda: datasets.update_vectors(vectors)),
            ("chat delete 1,000 rows + VACUUM", lambda: _delete_and_vacuum(chat)),
        ]
        for name, change in steps:
            change()
            for system in systems:
                system.timed_backup(name)
        for system in systems:
            host = root / f"fresh-{system.name.split()[0]}-{len(system.times)}"
            started = time.perf_counter()
            system.restore(host)
            system.times["fresh-host restore"] = time.perf_counter() - started
            system.growth["fresh-host restore"] = _downloaded(host, system)
            shutil.rmtree(host)
        return _table(systems, [s for s, _ in steps], logical)


def _delete_and_vacuum(chat: Path) -> None:
    datasets.delete_messages(chat)
    datasets.vacuum(chat)


def _downloaded(host: Path, system: System) -> int:
    """LFS bytes the fresh host fetched: what its cache holds (the guide's clone is gone,
    and it fetched every object of the tip, the size of the data)."""
    lfs = host / ".kura" / "cache.git" / "lfs" / "objects"
    if lfs.is_dir():
        return sum(p.stat().st_size for p in lfs.rglob("*") if p.is_file())
    return sum(p.stat().st_size for p in (host / "data").rglob("*") if p.is_file())


def _table(systems: list[System], steps: list[str], logical: int) -> str:
    names = " | ".join(s.name for s in systems)
    lines = [
        f"Data: {logical / 1e6:.0f} MB (chat database, vector store, HNSW segment).",
        "",
        f"| LFS bytes stored (growth) | {names} | whole files / chunks |",
        "| --- |" + " ---: |" * (len(systems) + 1),
    ]
    for step in [*steps, "fresh-host restore"]:
        cells = [f"{s.growth[step] / 1e6:.2f} MB" for s in systems]
        ratio = systems[1].growth[step] / max(systems[2].growth[step], 1)
        label = "fresh-host restore (downloaded)" if step == "fresh-host restore" else step
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {ratio:.0f}x |")
    first = systems[2].growth["first backup"]
    objects = systems[2].stored()[1]
    lines += [
        "",
        f"Chunks: the first backup stores {first / logical:.0%} of the logical bytes; "
        f"{objects} LFS objects after all {len(steps)} backups.",
        "",
        f"| seconds | {names} | guide / chunks |",
        "| --- |" + " ---: |" * (len(systems) + 1),
    ]
    for step in [*steps, "fresh-host restore"]:
        cells = [f"{s.times[step]:.2f}" for s in systems]
        ratio = systems[0].times[step] / systems[2].times[step]
        lines.append(f"| {step} | " + " | ".join(cells) + f" | {ratio:.1f}x |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
