"""A backup's files: what `ls REF` lists and `dump REF PATH` writes out.

Listing reads the tree and its manifests (lock-free, like diff). A file's bytes are
rebuilt from its packs by `backup_file` (`sync.actions.extract`): for an SQLite file,
the consistent copy the backup took.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import BinaryIO

from sync.actions.extract import backup_file
from sync.actions.resolve import resolve
from sync.errors import NoSuchFile
from sync.layout.stored import read_data_files
from sync.models import BackupFile
from sync.refs import validate_ref
from sync.workspace import Workspace


def list_files(ws: Workspace, ref: str) -> tuple[str, list[BackupFile]]:
    """The backup's commit and its data files, by path."""
    validate_ref(ref)
    ws.require_enabled()
    ws.ensure_cache()
    with ws.reading():
        tip = ws.tip() or ws.fetch()
        commit = resolve(ws, ref, tip)
        files = read_data_files(ws.git, commit)
    return commit, [BackupFile(path, files[path].size) for path in sorted(files)]


def dump_file(ws: Workspace, ref: str, path: str, out: BinaryIO) -> int:
    """Write the file's bytes as backup REF holds them to `out`; the bytes written."""
    validate_ref(ref)
    with backup_file(ws, ref, path) as copy:
        if copy is None:
            raise NoSuchFile(
                f"Backup {ref} holds no file {path!r}; list its files with "
                f"`python -m sync ls {ref}`."
            )
        with Path(copy).open("rb") as source:
            shutil.copyfileobj(source, out, 1024 * 1024)
        return copy.stat().st_size
