"""A server that wants credentials from everyone: it answers `401` with a Basic challenge
to every request and writes down every Authorization header it is sent.

It stands for a host that a token was not issued for (an attacker's source, or where a
redirect points): a test asserts that the canary token never reaches it.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from waitress.server import create_server


@dataclass
class CanaryTrap:
    requests: list[str] = field(default_factory=list)  # "METHOD /path"
    credentials: list[str] = field(default_factory=list)  # decoded Authorization headers
    _server: object = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.effective_port}"  # type: ignore[union-attr]

    def start(self) -> CanaryTrap:
        self._server = create_server(self, host="127.0.0.1", port=0, threads=4)
        threading.Thread(target=self._server.run, daemon=True).start()  # type: ignore[union-attr]
        return self

    def stop(self) -> None:
        self._server.close()  # type: ignore[union-attr]

    def received(self, secret: str) -> bool:
        return any(secret in seen for seen in self.credentials)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        self.requests.append(f"{environ['REQUEST_METHOD']} {environ.get('PATH_INFO', '')}")
        header = environ.get("HTTP_AUTHORIZATION", "")
        if header:
            kind, _, value = header.partition(" ")
            try:
                shown = base64.b64decode(value).decode("utf-8", "replace")
            except ValueError:
                shown = value
            self.credentials.append(f"{kind} {shown} {value}")
        start_response(
            "401 Unauthorized",
            [("WWW-Authenticate", 'Basic realm="trap"'), ("Content-Type", "text/plain")],
        )
        return [b"Unauthorized\n"]
