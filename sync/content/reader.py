"""Rebuilding a file from its manifest, checked against its whole-content hash."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sync.content.manifest import Manifest
from sync.content.pack import PackReader
from sync.errors import VerificationFailed


def assemble(manifest: Manifest, packs: PackReader, target: Path) -> None:
    """Write the file at `target`; VerificationFailed if a pack is missing or the content
    does not hash to what the manifest says."""
    whole = hashlib.sha256()
    with target.open("wb") as out:
        for data in packs.read(manifest.chunks):
            whole.update(data)
            out.write(data)
    if whole.hexdigest() != manifest.sha256:
        raise VerificationFailed("its content does not match its hash")
