"""What the data directory held when it was last backed up or restored.

Kept in KURA_HOME (never backed up). It makes `dirty` a stat-only check and
lets a backup skip files that did not change since.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sync.local.atomic import write_atomic
from sync.local.snapshot import LocalFile, Signature


@dataclass(frozen=True)
class SavedFile:
    signature: Signature
    oid: str  # sha256 of the content (the LFS object)
    size: int  # content size as stored
    blob: str  # git blob id of the pointer


@dataclass
class SavedState:
    commit: str | None = None
    files: dict[str, SavedFile] = field(default_factory=dict)

    def is_dirty(self, local: list[LocalFile]) -> bool:
        """True when the data may differ from `commit`: a file added, removed or touched."""
        if self.commit is None:
            return bool(local)
        if {f.path for f in local} != set(self.files):
            return True
        return any(self.files[f.path].signature != f.signature for f in local)

    def matching(self, file: LocalFile) -> SavedFile | None:
        saved = self.files.get(file.path)
        return saved if saved and saved.signature == file.signature else None


def load_state(path: Path) -> SavedState:
    try:
        raw = json.loads(path.read_text())
        files = {
            name: SavedFile(tuple(v["signature"]), v["oid"], v["size"], v["blob"])
            for name, v in raw["files"].items()
        }
        return SavedState(raw.get("commit"), files)
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        # Unknown baseline: the data counts as dirty, so nothing is ever assumed safe.
        return SavedState()


def save_state(path: Path, state: SavedState) -> None:
    """Write atomically, so a reader never sees half a file."""
    payload = {"commit": state.commit, "files": {k: asdict(v) for k, v in state.files.items()}}
    write_atomic(path, json.dumps(payload, sort_keys=True).encode())
