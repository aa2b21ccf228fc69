"""The environment git gets when GitPython runs it for a wiki source.

GitPython starts git with the server's whole environment plus what it is given, so
everything else is blanked here: SHARED_PASSWORD, OPENAI_API_KEY, the backup token and
any other secret of the server never reach git, its helpers or a hostile server's
error messages. The source's token reaches git only through the same credential helper
backups use (sync/execute.py), from this environment: never argv, a URL or a file.
"""

from __future__ import annotations

import os

from sync import execute
from sync.execute import Secrets

# Beside the base configuration every git call gets: only these transports, no
# submodules, and objects checked as they arrive, so a tree with a `..` or `.git` entry
# is refused rather than stored.
_SOURCE_CONFIG = (
    ("protocol.allow", "never"),
    ("protocol.https.allow", "always"),
    ("protocol.http.allow", "always"),
    ("protocol.file.allow", "always"),
    ("fetch.recurseSubmodules", "false"),
    ("fetch.fsckObjects", "true"),
    ("transfer.fsckObjects", "true"),
)


def source_environment(token: str | None) -> dict[str, str]:
    clean = execute.environment(Secrets(token=token))
    base = int(clean["GIT_CONFIG_COUNT"])
    for offset, (key, value) in enumerate(_SOURCE_CONFIG):
        clean[f"GIT_CONFIG_KEY_{base + offset}"] = key
        clean[f"GIT_CONFIG_VALUE_{base + offset}"] = value
    clean["GIT_CONFIG_COUNT"] = str(base + len(_SOURCE_CONFIG))
    return {**{name: "" for name in os.environ if name not in clean}, **clean}
