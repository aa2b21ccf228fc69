"""Failure and recovery notifications (Slack-compatible webhook) and heartbeat pings.

Notifications never break a backup: every error is logged and swallowed.
Identical failures are sent once per `repeat_after`; the first success after a
failure sends a recovery. Messages are our own one-line texts, redacted again
for good measure.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sync.repo.execute import NO_SECRETS, Secrets

log = logging.getLogger(__name__)
TIMEOUT = 10.0


@dataclass
class Notifier:
    """Tell people when backups fail and when they work again.

    Example::

        notifier = Notifier(webhook_url=settings.notify_webhook_url,
                            heartbeat_url=settings.heartbeat_url)
        notifier.failed("backup", "remote_unreachable", "The backup remote could not ...")
        notifier.succeeded("backup")
    """

    webhook_url: str | None = None
    heartbeat_url: str | None = None
    secrets: Secrets = NO_SECRETS
    host: str = field(default_factory=socket.gethostname)  # the instance's name
    repeat_after: float = 3600.0
    _failing: bool = False
    _last_sent: dict[tuple[str, str], float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(self, operation: str, code: str, message: str) -> None:
        with self._lock:
            self._failing = True
            key = (operation, f"{code}:{message}")
            now = time.monotonic()
            if now - self._last_sent.get(key, -self.repeat_after) < self.repeat_after:
                return
            self._last_sent[key] = now
        text = f":warning: Kura {operation} failed on {self.host}: {message}"
        self._post(operation, "failure", text, code=code, message=message)

    def succeeded(self, operation: str) -> None:
        with self._lock:
            recovered, self._failing = self._failing, False
            if recovered:
                self._last_sent.clear()
        if recovered:
            text = f":white_check_mark: Kura {operation} works again on {self.host}."
            self._post(operation, "recovery", text)
        if self.heartbeat_url:
            self._send(self.heartbeat_url, None)

    def _post(self, operation: str, event: str, text: str, **fields: str) -> None:
        if not self.webhook_url:
            return
        payload = {
            "text": self.secrets.redact(text),
            "event": event,
            "operation": operation,
            "host": self.host,
            "time": datetime.now(UTC).isoformat(),
            **{k: self.secrets.redact(v) for k, v in fields.items()},
        }
        self._send(self.webhook_url, payload)

    def _send(self, url: str, payload: dict | None) -> None:
        post_json(url, payload)


def post_json(url: str, payload: dict | None) -> None:
    """POST `payload` as JSON (an empty body for None); log a failure, never raise."""
    import urllib.request  # http, ssl and email load when a notice is sent, not at start-up

    data = json.dumps(payload).encode() if payload is not None else b""
    request = urllib.request.Request(url, data=data, method="POST")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            response.read()
    except (OSError, ValueError) as exc:
        log.warning("Notification to %s failed: %s", _host(url), exc.__class__.__name__)


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or "?"
