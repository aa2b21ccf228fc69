"""Run inside `unshare -rnm` (a network namespace with only loopback, and a private mount
namespace): give `lo` the addresses an attacker would aim a wiki source at, listen on each,
map a few host names to them, try every URL given as a wiki source, and print what
happened (JSON) and which listener was connected to.

Nothing can leave the machine from here, even if a check failed: the namespace has no
route anywhere. `tests/sync/test_source_reach.py` runs it.

Usage: python -m tests.servers.sandbox WORKDIR ALLOW_PRIVATE URL...
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from pathlib import Path

# Where an attacker points a source: the cloud's metadata service, a private LAN, CGNAT,
# a unique-local IPv6 address; and one public address standing for the internet.
TRAPS = ("169.254.169.254", "10.0.0.5", "100.64.0.1", "192.168.1.10", "fd00::5")
PUBLIC = "8.8.8.8"
HOSTS = {
    "metadata.google.internal": "169.254.169.254",
    "intranet.example": "10.0.0.5",
    "wiki.example": PUBLIC,
}


def _network() -> None:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for address in (*TRAPS, PUBLIC):
        prefix = "/128" if ":" in address else "/32"
        subprocess.run(["ip", "addr", "add", address + prefix, "dev", "lo"], check=True)


def _hosts(workdir: Path) -> None:
    hosts = workdir / "hosts"
    lines = ["127.0.0.1 localhost", *(f"{ip} {name}" for name, ip in HOSTS.items())]
    hosts.write_text("\n".join(lines) + "\n")
    subprocess.run(["mount", "--bind", str(hosts), "/etc/hosts"], check=True)


def _listen(address: str, port: int, seen: list[str]) -> None:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    server = socket.socket(family, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((address, port))
    server.listen()

    def accept() -> None:
        while True:
            connection, _ = server.accept()
            seen.append(f"{address}:{port}")
            if address == PUBLIC and port == 80:
                _redirect_to_metadata(connection)
            connection.close()

    threading.Thread(target=accept, daemon=True).start()


def _redirect_to_metadata(connection: socket.socket) -> None:
    """The public server: every request is sent on to the metadata address."""
    connection.recv(65536)
    location = "http://169.254.169.254/latest/meta-data/team/wiki.git/info/refs"
    connection.sendall(
        f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n"
        "Connection: close\r\n\r\n".encode()
    )


def main(workdir: Path, allow_private: bool, urls: list[str]) -> dict:
    from sync.errors import SyncError
    from sync.sources import Mirror

    _network()
    _hosts(workdir)
    seen: list[str] = []
    for address in (*TRAPS, PUBLIC):
        for port in (80, 443):
            _listen(address, port, seen)
    results = {}
    for index, url in enumerate(urls):
        mirror = Mirror(
            workdir / f"mirror-{index}.git",
            url=url,
            branch="main",
            allow_private=allow_private,
            timeout=20,
        )
        try:
            mirror.fetch()
            results[url] = {"error": None}
        except SyncError as error:
            results[url] = {"error": type(error).__name__, "message": error.message}
        finally:
            mirror.close()
    return {"results": results, "connections": seen}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    print(json.dumps(main(Path(sys.argv[1]), sys.argv[2] == "true", sys.argv[3:])))
