"""What a command hands back: JSON for scripts, text for people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import humanize


@dataclass(frozen=True)
class Output:
    data: Any  # JSON-ready
    text: str


def size(n: int | None) -> str:
    return "-" if n is None else humanize.naturalsize(n, binary=True)
