"""Turn a failed network command into the typed error a user can act on.

git and git-lfs run with LC_ALL=C, so their messages are stable enough to match.
Only our own one-line messages leave this module; stderr goes to the log.
"""

from __future__ import annotations

import logging
import re
from typing import NoReturn

from sync.errors import AuthFailed, GitFailed, LfsMissing, PushRejected, RemoteUnreachable
from sync.repo.execute import Result

log = logging.getLogger(__name__)

_MISSING_BRANCH = re.compile(r"couldn't find remote ref", re.I)
_LFS_MISSING = re.compile(r"'lfs' is not a git command|git-lfs: not found", re.I)
_QUOTA = re.compile(r"over (?:your |the |its )?(?:lfs |data )?quota|exceeded.{0,40}quota", re.I)
_FORBIDDEN = re.compile(
    r"\b403\b|forbidden|permission to .* denied|permission denied|access denied|"
    r"write access|not authorized to",
    re.I,
)
_AUTH = re.compile(
    r"\b401\b|authentication failed|could not read (?:username|password)|"
    r"terminal prompts disabled|invalid credentials|bad credentials|unauthorized",
    re.I,
)
_REJECTED = re.compile(
    r"\[rejected\]|non-fast-forward|fetch first|pre-receive hook declined|"
    r"protected branch|\[remote rejected\]",
    re.I,
)
_UNREACHABLE = re.compile(
    r"could not resolve|connection refused|failed to connect|timed out|timeout|"
    r"couldn't connect|network is unreachable|no route to host|connection reset|"
    r"could not read from remote|unable to access|does not appear to be a git repository|"
    r"operation too slow|empty reply|ssl|tls|eof",
    re.I,
)


# Why a remote could not be reached, in words a user can act on; git's stderr never
# leaves this module, these few words do.
_CAUSES = (
    # A redirect is never followed (a token must not travel with it): give the new address.
    (
        re.compile(r"returned error: 30[12378]\b|redirect", re.I),
        "it redirects to another address, which is never followed: use that address",
    ),
    (
        re.compile(r"connection refused|couldn't connect|failed to connect", re.I),
        "connection refused",
    ),
    (re.compile(r"could not resolve host|name or service not known", re.I), "host name not found"),
    (
        re.compile(
            r"does not appear to be a git repository|repository .* not found|\b404\b|"
            r"no such file or directory",
            re.I,
        ),
        "no repository at that address",
    ),
    (re.compile(r"timed out|timeout|operation too slow", re.I), "no answer in time"),
    (re.compile(r"ssl|tls|certificate", re.I), "a TLS or certificate error"),
    (re.compile(r"network is unreachable|no route to host", re.I), "network unreachable"),
    (re.compile(r"\b50[023]\b|service unavailable|bad gateway", re.I), "the server is down"),
)


def unreachable_cause(text: str, returncode: int = 1) -> str:
    """A few words for why a remote could not be reached, or "" when git did not say."""
    if returncode == -9:
        return "no answer in time"
    return next((cause for pattern, cause in _CAUSES if pattern.search(text)), "")


def is_missing_branch(result: Result) -> bool:
    return bool(_MISSING_BRANCH.search(result.stderr))


_MOVED = re.compile(
    r"non-fast-forward|fetch first|stale info|failed to update ref|cannot lock ref|"
    r"incorrect old value",
    re.I,
)


def is_non_fast_forward(result: Result) -> bool:
    """The branch moved under the push (another instance backed up first)."""
    return bool(_MOVED.search(result.stderr + result.text))


_BAD_OBJECT = re.compile(
    r"missing|not found|does not exist|invalid hash|expected oid|failed checks|"
    r"cannot validate|\b404\b|\b422\b",
    re.IGNORECASE,
)


def is_bad_object(result: Result) -> bool:
    """git-lfs could not get an object because the remote lacks it or holds it damaged
    (git-lfs checks every object's hash as it downloads it)."""
    return bool(_BAD_OBJECT.search(result.stderr))


def raise_for(result: Result, *, operation: str) -> NoReturn:
    """Raise the error that explains why `operation` (fetch, push, lfs push ...) failed."""
    text = f"{result.stderr}\n{result.text}"
    log.warning("%s failed (exit %s): %s", operation, result.returncode, text.strip()[-2000:])
    if _LFS_MISSING.search(text):
        raise LfsMissing("git-lfs is not installed: install it (apt-get install git-lfs).")
    if _QUOTA.search(text):
        raise PushRejected(
            "The remote is over its Git LFS storage quota: free space or buy more, then retry."
        )
    if _FORBIDDEN.search(text):
        if "push" in operation:
            raise AuthFailed(
                "The remote refused the upload (403): the token lacks Contents: write on "
                "the data repository."
            )
        raise AuthFailed("The remote refused access (403): check the token's repository access.")
    if _AUTH.search(text):
        raise AuthFailed(
            "The remote rejected the credentials: check GITHUB_TOKEN (expired or mistyped?)."
        )
    if "push" in operation and _REJECTED.search(text):
        raise PushRejected(
            "The remote rejected the backup (a protected branch or a hook?): check the "
            "branch's rules."
        )
    if result.returncode == -9 or _UNREACHABLE.search(text):
        cause = unreachable_cause(text, result.returncode)
        raise RemoteUnreachable(
            f"The backup remote could not be reached{f' ({cause})' if cause else ''}: check "
            "GITHUB_DATA_REPO and the network, then retry."
        )
    raise GitFailed(f"{operation} failed; see the server log for details.")
