"""Wiki sources cannot reach inside: refused before git connects, in a network namespace
with no route (`unshare -rnm`), where listeners on the metadata, private, CGNAT and
unique-local addresses see every connection that a failed check would let through."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sync.errors import RemoteUnreachable, SourceRefused
from sync.sources.reach import is_internal, pinned_resolution

ROOT = Path(__file__).resolve().parents[2]

INSIDE = [
    "https://169.254.169.254/latest/meta-data.git",
    "https://metadata.google.internal/computeMetadata.git",
    "https://[::ffff:169.254.169.254]/x.git",
    "https://2852039166/x.git",  # 169.254.169.254 as one number
    "https://0251.0376.0251.0376/x.git",  # ...and in octal
    "https://10.0.0.5/team/wiki.git",
    "https://intranet.example/team/wiki.git",
    "https://100.64.0.1/team/wiki.git",
    "https://192.168.1.10/team/wiki.git",
    "https://[fd00::5]/team/wiki.git",
    "https://localhost/team/wiki.git",
    "http://127.0.0.1/team/wiki.git",
]


def sandboxed(tmp_path: Path, allow_private: bool, *urls: str) -> dict:
    done = subprocess.run(
        [
            *("unshare", "-rnm", sys.executable, "-m", "tests.servers.sandbox"),
            *(str(tmp_path), str(allow_private).lower(), *urls),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_internal_addresses_are_refused_before_git_connects(tmp_path: Path) -> None:
    seen = sandboxed(tmp_path, False, *INSIDE)
    for url in INSIDE:
        outcome = seen["results"][url]
        assert outcome["error"] == "SourceRefused", (url, outcome)
        assert "inside this server's network" in outcome["message"]
        assert "WIKI_SOURCES_ALLOW_PRIVATE" in outcome["message"]
    assert seen["connections"] == []


def test_a_public_source_that_redirects_inside_is_not_followed(tmp_path: Path) -> None:
    """wiki.example is public (8.8.8.8 here) and answers 302 to the metadata address."""
    seen = sandboxed(tmp_path, False, "http://wiki.example/team/wiki.git")
    outcome = seen["results"]["http://wiki.example/team/wiki.git"]
    assert outcome["error"] == "RemoteUnreachable" and "redirects" in outcome["message"]
    assert seen["connections"] == ["8.8.8.8:80"]  # the public host, and nothing after it


def test_the_operator_may_allow_a_lan_server(tmp_path: Path) -> None:
    """The listeners do see a connection that is let through: the checks above are real."""
    seen = sandboxed(tmp_path, True, "https://intranet.example/team/wiki.git")
    assert seen["results"]["https://intranet.example/team/wiki.git"]["error"] is not None
    assert seen["connections"] == ["10.0.0.5:443"]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.0.1",
        "169.254.1.1",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fd12::1",
        "ff02::1",
        "::ffff:10.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "2002:a9fe:a9fe::1",
    ],
)
def test_what_counts_as_inside(address: str) -> None:
    import ipaddress

    assert is_internal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "140.82.112.3", "2606:4700:4700::1111"])
def test_public_addresses_are_outside(address: str) -> None:
    import ipaddress

    assert not is_internal(ipaddress.ip_address(address))


def test_a_name_is_pinned_to_the_addresses_that_were_checked() -> None:
    """git connects to what was checked, not to a second DNS answer (rebinding)."""
    assert pinned_resolution("https://localhost:8443/x.git", allow_private=True) in (
        ["localhost:8443:127.0.0.1"],
        ["localhost:8443:[::1],127.0.0.1"],
        ["localhost:8443:127.0.0.1,[::1]"],
    )
    assert pinned_resolution("/srv/wiki.git", allow_private=False) == []
    with pytest.raises(SourceRefused):
        pinned_resolution("https://localhost/x.git", allow_private=False)


def test_an_unknown_host_is_one_line() -> None:
    with pytest.raises(RemoteUnreachable, match="was not found"):
        pinned_resolution("https://no-such-host.invalid/x.git", allow_private=False)
