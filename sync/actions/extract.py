"""One data file of a backup, as a temporary copy (to read pages back out of a safety backup)."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sync.actions.recovery import recover
from sync.actions.resolve import resolve
from sync.content.pack import PackReader
from sync.layout.staging import fetch_objects, write_file
from sync.layout.stored import read_data_files
from sync.repo.locking import operation_lock
from sync.workspace import Workspace

EXTRACT_WAIT = 60.0


@contextlib.contextmanager
def backup_file(ws: Workspace, ref: str, path: str) -> Iterator[Path | None]:
    """A private copy of `path` (relative to the data directory) as backup REF holds it;
    None when it holds no such file. The copy is deleted when the block ends."""
    ws.require_enabled()
    with tempfile.TemporaryDirectory(dir=ws.home, prefix="extract-") as tmp:
        target = Path(tmp) / Path(path).name
        # A short read: it waits for a running backup (the auto-backup's included) to end.
        with operation_lock(ws.lock_file, wait=EXTRACT_WAIT):
            recover(ws)
            ws.ensure_cache()
            commit = resolve(ws, ref, ws.tip())
            stored = read_data_files(ws.git, commit).get(path)
            if stored is None:
                target = None
            else:
                fetch_objects(ws, commit, {path: stored})
                with PackReader(ws.store) as packs:
                    write_file(ws, stored, target, packs)
        yield target
