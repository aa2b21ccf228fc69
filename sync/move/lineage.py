"""A host that backed up to the old repository goes on in the new one.

After GITHUB_DATA_REPO names the new repository, this host's last backup is a commit
the new history does not hold; its moved copy says `Kura-Moved-From: <it>`. Found,
the saved state is re-pointed at the copy (same contents, manifests naming the new
packs), so the host backs up on top without `restore_first` and without uploading
the old packs again. A last backup the move did not keep (older than its window) is
not found: that host restores first, as any host that fell behind a rewritten
history does.
"""

from __future__ import annotations

import dataclasses

from sync.layout.state import SavedState, load_state, save_state
from sync.layout.stored import read_data_files
from sync.move.marker import MOVED_FROM
from sync.workspace import Workspace


def adopt_move(ws: Workspace, known: str | None, tip: str) -> str | None:
    """The commit of `tip`'s history moved from `known` (this host's last backup or
    restore), with the saved state re-pointed at it; None when there is none."""
    if known is None:
        return None
    found = ws.git.log(tip, "%H", grep=f"{MOVED_FROM}: {known}", limit=1).decode()
    moved = found.strip("\0\n ")
    if not moved:
        return None
    saved = load_state(ws.state_file)
    if saved.commit == known:
        stored = read_data_files(ws.git, moved)
        files = {
            path: dataclasses.replace(file, blob=stored[path].blob)
            if path in stored and stored[path].content_id == file.oid
            else file
            for path, file in saved.files.items()
        }
        save_state(ws.state_file, SavedState(moved, files))
        ws.keep_saved(moved)
    return moved
