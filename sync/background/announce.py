"""The backup webhook: one JSON POST after each successful backup, so other systems can
react at once (a CI job that verifies it, a chat channel, a dashboard)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sync.background.notify import post_json
from sync.models import BackupResult
from sync.workspace import Workspace


def announce_backup(ws: Workspace, result: BackupResult, *, kind: str) -> None:
    """POST the new backup to BACKUP_WEBHOOK_URL; nothing for `unchanged`. Never raises."""
    url = ws.settings.backup_webhook_url
    if not url or result.status != "created":
        return
    post_json(url, backup_payload(ws, result, kind=kind))


def backup_payload(ws: Workspace, result: BackupResult, *, kind: str) -> dict[str, Any]:
    """What the webhook carries: no remote URL, no token, nothing from settings but the
    branch; paths are redacted like every other text Kura sends."""
    redact = ws.secrets.redact
    return {
        "event": "backup",
        "commit": result.commit,
        "branch": ws.branch,
        "host": ws.instance_name,
        "kind": kind,
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": result.files,
        "bytes": result.bytes,
        "uploaded": result.uploaded,
        "changed_files": [redact(p) for p in result.changed],
        "merged": [redact(p) for p in result.merged],
    }
