"""The one place that runs subprocesses (git and git-lfs).

Every call gets a scrubbed environment built from an allow-list, no terminal
prompts, an isolated git configuration, a timeout that kills the whole process
group, and redaction of every secret from what it returns or raises. The token
reaches git only through a credential helper that reads it from this call's
environment: never argv, never a URL, never a file.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import signal
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, urlsplit

from sync.errors import GitFailed

log = logging.getLogger(__name__)

TOKEN_VARIABLE = "KURA_GIT_TOKEN"
ORIGIN_VARIABLE = "KURA_GIT_TOKEN_ORIGIN"
TOKEN_USER = "x-access-token"
# A shell function in config, not a script on disk: git passes the action
# (get/store/erase) as $1; only "get" answers, so nothing is ever stored. It is
# registered for the token's origin only (credential.<origin>.helper), and checks
# again itself: it answers only when the protocol and host git asks for are exactly
# that origin, so no other host, port or scheme ever gets the token.
CREDENTIAL_HELPER = (
    '!f() { test "$1" = get || return 0; p=; h=; '
    'while IFS= read -r l && test -n "$l"; do case "$l" in '
    "protocol=*) p=${l#protocol=};; host=*) h=${l#host=};; esac; done; "
    f'test -n "${TOKEN_VARIABLE}" && test "$p://$h" = "${ORIGIN_VARIABLE}" && '
    "printf 'username=" + TOKEN_USER + "\\npassword=%s\\n' \"$" + TOKEN_VARIABLE + '"; }; f'
)

_INHERITED = (
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "TMPDIR",
    "SSH_AUTH_SOCK",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "GIT_SSL_CAINFO",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
)

# Config every git call gets, passed through GIT_CONFIG_* so that argv stays clean.
_BASE_CONFIG: tuple[tuple[str, str], ...] = (
    ("credential.helper", ""),  # drop any helper that could store or hand out a token
    # A redirect is an error, never followed: a credential must not travel to wherever
    # a server points (git-lfs drops it on a redirect to another host by itself).
    ("http.followRedirects", "false"),
    ("core.askPass", ""),
    ("lfs.locksverify", "false"),
    # A server that accepts but never answers must fail, not hang: git aborts below
    # 1 KB/s for 30 s, git-lfs after 30 s without activity.
    ("lfs.activitytimeout", "30"),
    ("lfs.dialtimeout", "15"),
    ("lfs.transfer.maxretries", "2"),
    ("http.lowSpeedLimit", "1000"),
    ("http.lowSpeedTime", "30"),
    ("gc.auto", "0"),
    ("user.name", "Kura"),
    ("user.email", "kura@localhost"),
    ("init.defaultBranch", "main"),
)


def credential_origin(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, as git names it to a credential helper;
    None for anything else (a local path, ssh), which never gets a token."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    if parts.scheme not in ("http", "https") or not host:
        return None
    return f"{parts.scheme}://{host}"


@dataclass(frozen=True)
class Secrets:
    """Values to keep out of everything a command returns, and the token to hand to git,
    with the one origin (`https://github.com`) it is for: no origin, no token."""

    token: str | None = None
    others: tuple[str, ...] = ()
    origin: str | None = None

    def forms(self) -> list[str]:
        """Every spelling in which a secret could surface: raw, URL-encoded, base64."""
        forms: set[str] = set()
        for value in (self.token, *self.others):
            if not value:
                continue
            forms.update({value, quote(value, safe=""), quote(value)})
            for text in (value, f"{TOKEN_USER}:{value}"):
                encoded = base64.b64encode(text.encode()).decode()
                forms.update({encoded, encoded.rstrip("=")})
        return sorted((f for f in forms if len(f) >= 4), key=len, reverse=True)

    def redact(self, text: str) -> str:
        for form in self.forms():
            text = text.replace(form, "***")
        return text


NO_SECRETS = Secrets()


@dataclass(frozen=True)
class Result:
    argv: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: str  # already redacted

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8", "surrogateescape")


class CommandFailed(GitFailed):
    """A command exited non-zero or timed out. `detail` is redacted and meant for logs."""

    def __init__(self, result: Result, *, timed_out: bool = False) -> None:
        name = " ".join(result.argv[:3])
        what = "timed out" if timed_out else f"failed (exit {result.returncode})"
        super().__init__(f"{name} {what}; see the server log for details.")
        self.result = result
        self.timed_out = timed_out
        self.detail = result.stderr


@dataclass(frozen=True, kw_only=True)
class Call:
    """What one invocation needs besides argv."""

    cwd: Path | None = None
    secrets: Secrets = NO_SECRETS
    timeout: float = 120.0
    env: Mapping[str, str] = field(default_factory=dict)


def environment(secrets: Secrets = NO_SECRETS, extra: Mapping[str, str] | None = None) -> dict:
    env = {k: os.environ[k] for k in _INHERITED if k in os.environ}
    env.update(
        LC_ALL="C",
        LANG="C",
        GIT_TERMINAL_PROMPT="0",
        GCM_INTERACTIVE="never",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_LFS_SKIP_SMUDGE="1",
    )
    config = list(_BASE_CONFIG)
    if secrets.token and secrets.origin:
        config.append((f"credential.{secrets.origin}.helper", CREDENTIAL_HELPER))
        env[TOKEN_VARIABLE] = secrets.token
        env[ORIGIN_VARIABLE] = secrets.origin
    env.update(config_variables(config))
    env.update(extra or {})
    return env


def config_variables(config: Sequence[tuple[str, str]], *, start: int = 0) -> dict[str, str]:
    """Git configuration as GIT_CONFIG_* variables (never argv), from index `start`."""
    env = {"GIT_CONFIG_COUNT": str(start + len(config))}
    for index, (key, value) in enumerate(config, start):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    return env


def run(
    argv: Sequence[str],
    call: Call = Call(),
    *,
    input: bytes | BinaryIO | None = None,
    check: bool = True,
) -> Result:
    """Run a command to completion; raise CommandFailed on failure when `check`. `input`:
    bytes, or an open file read as the command's standard input (a large stream)."""
    argv = tuple(argv)
    log.debug("run %s in %s", tuple(call.secrets.redact(a) for a in argv), call.cwd)
    piped = input is None or isinstance(input, bytes)
    with _popen(argv, call, stdin=subprocess.PIPE if piped else input) as process:
        try:
            stdout, stderr = process.communicate(input if piped else None, timeout=call.timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            stdout, stderr = process.communicate()
            result = _result(argv, -9, stdout, stderr, call.secrets)
            log.warning("%s timed out after %ss: %s", result.argv[:3], call.timeout, result.stderr)
            raise CommandFailed(result, timed_out=True) from None
    result = _result(argv, process.returncode, stdout, stderr, call.secrets)
    if check and result.returncode != 0:
        log.info("%s failed: %s", result.argv[:4], result.stderr.strip()[-2000:])
        raise CommandFailed(result)
    return result


@contextlib.contextmanager
def stream(argv: Sequence[str], call: Call = Call()) -> Iterator[subprocess.Popen]:
    """A long-lived process with pipes (git cat-file --batch); killed on exit."""
    with _popen(tuple(argv), call, stdin=subprocess.PIPE) as process:
        try:
            yield process
        finally:
            _kill(process)


def _popen(argv: tuple[str, ...], call: Call, *, stdin: int | BinaryIO) -> subprocess.Popen:
    try:
        return subprocess.Popen(
            argv,
            cwd=call.cwd,
            env=environment(call.secrets, call.env),
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # so a timeout can kill git's helpers too
        )
    except FileNotFoundError:
        raise GitFailed(f"{argv[0]} is not installed; install it and try again.") from None


def _kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _result(
    argv: tuple[str, ...], code: int, stdout: bytes, stderr: bytes, secrets: Secrets
) -> Result:
    argv = tuple(secrets.redact(arg) for arg in argv)
    err = secrets.redact(stderr.decode("utf-8", "replace"))
    if secrets.token and secrets.token.encode() in stdout:
        stdout = secrets.redact(stdout.decode("utf-8", "surrogateescape")).encode(
            "utf-8", "surrogateescape"
        )
    return Result(argv, code, stdout, err)
