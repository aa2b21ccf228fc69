import hashlib

import pytest

from sync.content.manifest import ChunkRef, Manifest, parse_manifest
from sync.errors import VerificationFailed

PACK = "ab" * 32


def _manifest() -> Manifest:
    chunks = tuple(
        ChunkRef(hashlib.sha256(bytes([i])).hexdigest(), 10 + i, PACK, 11 + 20 * i, 20)
        for i in range(3)
    )
    return Manifest(33, "cd" * 32, "fastcdc-16k", chunks, {PACK: 100})


def test_a_manifest_reads_back_as_written() -> None:
    manifest = _manifest()
    assert parse_manifest(manifest.encode()) == manifest
    assert manifest.encode().startswith(b"kura-manifest 1\nsize 33\n")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("size 33", "size 34"), "damaged"),
        (lambda t: t.replace("kura-manifest 1", "kura-manifest 2"), "newer Kura"),
        (lambda t: t.replace(f"pack {PACK}", f"pack {'ef' * 32}"), "damaged"),
        (lambda t: t[:-1], "damaged"),
    ],
)
def test_a_damaged_or_newer_manifest_is_refused(change, message: str) -> None:
    text = change(_manifest().encode().decode())
    with pytest.raises(VerificationFailed, match=message):
        parse_manifest(text.encode())
