"""Restore points named by users: validated before any git process sees them."""

from __future__ import annotations

import re

from sync.errors import InvalidRef

LATEST = "latest"
_HEX = re.compile(r"[0-9a-f]{7,40}")


def validate_ref(ref: str) -> str:
    """`latest`, a full lowercase commit id, or a lowercase hex prefix of 7+ characters."""
    if ref == LATEST or _HEX.fullmatch(ref):
        return ref
    raise InvalidRef(
        f"{ref[:60]!r} is not a restore point: use 'latest' or a commit id from the history "
        "(7 to 40 lowercase hex characters)."
    )
