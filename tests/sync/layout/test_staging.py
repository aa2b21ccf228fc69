"""Staging reuses what the live data already holds: whole files, and chunks of files."""

import os

from sync import backup, restore
from tests.conftest import files_of


def test_a_restore_reads_shared_chunks_from_the_live_file_and_downloads_the_rest(
    ws, make_workspace
) -> None:
    v1 = os.urandom(3_000_000)
    v2 = v1[:1_500_000] + os.urandom(20_000) + v1[1_520_000:]
    (ws.data_dir / "big.bin").write_bytes(v1)
    backup(ws)
    (ws.data_dir / "big.bin").write_bytes(v2)
    newer = backup(ws)

    host = make_workspace("other")
    first = restore(host, _older(ws, newer.commit))
    assert files_of(host.data_dir) == {"big.bin": v1}
    assert first.downloaded > 3_000_000
    for oid in host.store.oids():  # a cache that no longer holds the old pack
        host.store.path(oid).unlink()

    second = restore(host, newer.commit)
    assert files_of(host.data_dir) == {"big.bin": v2}
    assert 20_000 < second.downloaded < 200_000  # the changed chunks' pack, not the file


def _older(ws, commit: str) -> str:
    return ws.git.rev_parse(f"{commit}~1")
