"""The environment git gets when GitPython runs it for a wiki source.

GitPython starts git with the server's whole environment plus what it is given, so
everything else is blanked here: SHARED_PASSWORD, OPENAI_API_KEY, the backup token and
any other secret of the server never reach git, its helpers or a hostile server's
error messages. The source's token reaches git only through the same credential helper
backups use (sync/repo/execute.py), scoped to the source's own origin, from this environment:
never argv, a URL or a file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from sync.repo import execute
from sync.repo.execute import Secrets

# Beside the base configuration every git call gets (no credential helper but the scoped
# one, redirects refused): only these transports, no submodules, and objects checked as
# they arrive, so a tree with a `..` or `.git` entry is refused rather than stored.
_SOURCE_CONFIG = (
    ("protocol.allow", "never"),
    ("protocol.https.allow", "always"),
    ("protocol.http.allow", "always"),
    ("protocol.file.allow", "always"),
    ("fetch.recurseSubmodules", "false"),
    ("fetch.fsckObjects", "true"),
    ("transfer.fsckObjects", "true"),
)


def source_environment(secrets: Secrets, *, resolve: Sequence[str] = ()) -> dict[str, str]:
    """`resolve`: `HOST:PORT:ADDRESS` pins (sync/sources/reach.py), so that git connects to
    the addresses that were checked and to no others."""
    clean = execute.environment(secrets)
    extra = [*_SOURCE_CONFIG, *(("http.curloptResolve", pin) for pin in resolve)]
    clean.update(execute.config_variables(extra, start=int(clean["GIT_CONFIG_COUNT"])))
    return {**{name: "" for name in os.environ if name not in clean}, **clean}
