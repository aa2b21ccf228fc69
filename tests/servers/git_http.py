"""A smart-HTTP git server with token auth and a real Git LFS server, on 127.0.0.1.

`git http-backend` answers the git protocol; giftless (local storage) answers
Git LFS, in GitHub's URL layout: /OWNER/REPO.git for git and
/OWNER/REPO.git/info/lfs for LFS. HTTP Basic auth accepts any user name and
the token as password. Served by waitress in a background thread.
"""

from __future__ import annotations

import base64
import io
import subprocess
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import jwt
from waitress.server import create_server

CHUNK = 1024 * 1024
# Signs the short-lived tokens giftless puts in its upload and download actions.
ACTION_KEY = "kura-tests-action-signing-key-0123456789"
JWT_OPTIONS = {"algorithm": "HS256", "private_key": ACTION_KEY}
Environ = dict
StartResponse = Callable


@dataclass
class GitHttpServer:
    root: Path  # holds <owner>/<repo>.git
    token: str
    lfs_root: Path
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    forbid_push: bool = False
    forbid_push_to: str | None = None  # ... only to a repository whose path holds this
    # Tests that need a push race: the first push waits here until the event is set.
    hold_first_push: threading.Event | None = None
    # ... only a push to a repository whose path holds this (None: any)
    hold_push_repo: str | None = None
    push_started: threading.Event = field(default_factory=threading.Event)
    drop_held_push: bool = False  # a held push then fails, as if its connection died
    delay_lfs_upload: float = 0.0
    # Tests that need an upload in flight: every LFS upload waits here until it is set.
    hold_lfs_upload: threading.Event | None = None
    upload_started: threading.Event = field(default_factory=threading.Event)
    delay_lfs_download: float = 0.0
    download_rate: float = 0.0  # bytes per second for LFS downloads, 0 = unthrottled
    download_started: threading.Event = field(default_factory=threading.Event)
    over_quota: bool = False
    down: bool = False  # answer 503 to everything, like a remote in an outage
    # Send git's requests (and, apart, the LFS batch API's) elsewhere with a redirect,
    # after the token was checked: a remote that moved, or one that tries to lead the
    # token to another host.
    redirect_git: str | None = None
    redirect_lfs: str | None = None
    default_repo: str = "data"
    _server: object = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.effective_port}"  # type: ignore[union-attr]

    def repo_url(self, owner: str = "team", repo: str | None = None) -> str:
        return f"{self.url}/{owner}/{repo or self.default_repo}.git"

    def repo_path(self, owner: str = "team", repo: str | None = None) -> Path:
        return self.root / owner / f"{repo or self.default_repo}.git"

    def create_repo(self, owner: str = "team", repo: str | None = None) -> Path:
        path = self.repo_path(owner, repo)
        subprocess.run(
            ["git", "init", "--quiet", "--bare", "--initial-branch=main", str(path)], check=True
        )
        # As GitHub does: partial clones (`--filter=blob:none`) are served.
        subprocess.run(["git", "config", "uploadpack.allowFilter", "true"], cwd=path, check=True)
        # giftless creates this on the first upload, racily when uploads run in parallel.
        (self.lfs_root / owner / (repo or self.default_repo)).mkdir(parents=True, exist_ok=True)
        return path

    def clear_faults(self) -> None:
        self.forbid_push = self.over_quota = self.down = False
        self.forbid_push_to = None
        self.redirect_git = self.redirect_lfs = None
        self.hold_first_push = None
        self.hold_push_repo = None
        self.drop_held_push = False
        self.push_started.clear()
        if self.hold_lfs_upload is not None:
            self.hold_lfs_upload.set()  # never leave an upload waiting for a finished test
        self.hold_lfs_upload = None
        self.delay_lfs_upload = self.delay_lfs_download = self.download_rate = 0.0
        self.upload_started.clear()
        self.download_started.clear()

    def reset(self, *, repo: str) -> None:
        """Clear every fault knob and point the defaults at a fresh repository."""
        self.clear_faults()
        self.default_repo = repo
        self.create_repo()

    def start(self) -> GitHttpServer:
        self._lfs = _giftless(self.lfs_root)
        self._server = create_server(
            self, host="127.0.0.1", port=0, threads=8, connection_limit=1000, channel_timeout=30
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.close()  # type: ignore[union-attr]

    # -- WSGI -------------------------------------------------------------------
    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        status_holder: list[str] = []
        if self.down:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"down for maintenance\n"]

        def recording_start(status: str, headers: list, exc_info=None):
            status_holder.append(status)
            return start_response(status, headers, exc_info)

        if not self._authorized(environ):
            self.requests.append((environ["REQUEST_METHOD"], path, 401))
            start_response(
                "401 Unauthorized",
                [("WWW-Authenticate", 'Basic realm="kura-test"'), ("Content-Type", "text/plain")],
            )
            return [b"Unauthorized\n"]
        redirect = self.redirect_lfs if "/info/lfs/" in path else self.redirect_git
        if redirect:
            self.requests.append((environ["REQUEST_METHOD"], path, 307))
            query = environ.get("QUERY_STRING", "")
            start_response("307 Temporary Redirect", [("Location", f"{redirect}{path}?{query}")])
            return [b""]
        if "/info/lfs/" in path:
            body = self._lfs_route(environ, recording_start)
        else:
            body = self._git(environ, recording_start)
        code = int(status_holder[0].split()[0]) if status_holder else 0
        self.requests.append((environ["REQUEST_METHOD"], path, code))
        return body

    def _authorized(self, environ: Environ) -> bool:
        """Basic auth with the token, or (LFS transfers) the JWT our batch answer handed out."""
        if "/objects/storage/" in environ["PATH_INFO"]:
            return _valid_action_token(environ)
        header = environ.get("HTTP_AUTHORIZATION", "")
        if not header.startswith("Basic "):
            return False
        try:
            _user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return password == self.token

    def _lfs_route(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if self.forbid_push and _is_upload(environ):
            start_response("403 Forbidden", [("Content-Type", "application/vnd.git-lfs+json")])
            return [b'{"message": "write access denied"}']
        if self.over_quota and _is_upload(environ):
            # What GitHub answers once an account's LFS storage is used up.
            start_response("403 Forbidden", [("Content-Type", "application/vnd.git-lfs+json")])
            return [
                b'{"message": "This repository is over its data quota. Account responsible '
                b'for LFS bandwidth should purchase more data packs to restore access."}'
            ]
        if environ["REQUEST_METHOD"] == "PUT":
            self.upload_started.set()
            if self.hold_lfs_upload is not None:
                self.hold_lfs_upload.wait(60)
            time.sleep(self.delay_lfs_upload)
        download = self._stream_download(environ, start_response)
        return download if download is not None else self._lfs(environ, start_response)

    def _stream_download(self, environ: Environ, start_response: StartResponse):
        """Serve object downloads from storage in 1 MiB chunks (giftless streams tiny ones)."""
        if environ["REQUEST_METHOD"] != "GET" or "/objects/storage/" not in environ["PATH_INFO"]:
            return None
        parts = environ["PATH_INFO"].strip("/").split("/")
        owner, repo, oid = parts[0], parts[1].removesuffix(".git"), parts[-1]
        path = self.lfs_root / owner / repo / oid
        if not path.is_file():
            return None
        self.download_started.set()
        time.sleep(self.delay_lfs_download)
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/octet-stream"),
                ("Content-Length", str(path.stat().st_size)),
            ],
        )
        return _file_chunks(path, rate=self.download_rate)

    def _git(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        pushing = "git-receive-pack" in environ.get("PATH_INFO", "") + environ.get(
            "QUERY_STRING", ""
        )
        refused_here = (
            self.forbid_push_to is not None and self.forbid_push_to in environ["PATH_INFO"]
        )
        if pushing and (self.forbid_push or refused_here):
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"Permission denied\n"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else environ["wsgi.input"].read()
        if self._holds_push(environ["PATH_INFO"]):
            held, self.hold_first_push = self.hold_first_push, None
            self.push_started.set()
            held.wait(60)
            if self.drop_held_push:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"connection lost\n"]
        cgi = {
            "GIT_PROJECT_ROOT": str(self.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": environ.get("PATH_INFO", ""),
            "REQUEST_METHOD": environ["REQUEST_METHOD"],
            "QUERY_STRING": environ.get("QUERY_STRING", ""),
            "CONTENT_TYPE": environ.get("CONTENT_TYPE", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": "kura",
            "REMOTE_ADDR": "127.0.0.1",
            "PATH": "/usr/bin:/bin",
        }
        if environ.get("HTTP_CONTENT_ENCODING"):
            cgi["HTTP_CONTENT_ENCODING"] = environ["HTTP_CONTENT_ENCODING"]
        if environ.get("HTTP_GIT_PROTOCOL"):
            cgi["GIT_PROTOCOL"] = environ["HTTP_GIT_PROTOCOL"]
        done = subprocess.run(
            ["git", "http-backend"], input=body, env=cgi, capture_output=True, check=False
        )
        head, _, payload = done.stdout.partition(b"\r\n\r\n")
        status, headers = "200 OK", []
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = value.strip()
            elif name:
                headers.append((name, value.strip()))
        start_response(status, headers)
        return [payload]

    def _holds_push(self, path: str) -> bool:
        wanted = self.hold_push_repo
        return (
            self.hold_first_push is not None
            and path.endswith("/git-receive-pack")
            and (wanted is None or wanted in path)
        )


def _valid_action_token(environ: Environ) -> bool:
    """Uploads carry the JWT in a Bearer header, downloads in the `jwt` query parameter."""
    header = environ.get("HTTP_AUTHORIZATION", "")
    token = header[7:] if header.startswith("Bearer ") else None
    token = token or parse_qs(environ.get("QUERY_STRING", "")).get("jwt", [None])[0]
    if not token:
        return False
    try:
        jwt.decode(token, ACTION_KEY, algorithms=["HS256"], options={"verify_aud": False})
    except jwt.PyJWTError:
        return False
    return True


def _is_upload(environ: Environ) -> bool:
    if environ["REQUEST_METHOD"] == "PUT":
        return True
    if not environ["PATH_INFO"].endswith("/objects/batch"):
        return False
    # Read the batch request and put it back, so that giftless can read it too.
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return b'"upload"' in body


def _file_chunks(path: Path, *, rate: float = 0.0):
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            if rate:
                time.sleep(len(chunk) / rate)  # a slow link, for watching progress
            yield chunk


def _giftless(storage: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from giftless.app import init_app

        return init_app(
            additional_config={
                "LEGACY_ENDPOINTS": False,
                # The WSGI wrapper above checks every request; giftless then takes the
                # token it signed from its own actions, or lets the batch request in.
                "AUTH_PROVIDERS": [
                    {"factory": "giftless.auth.jwt:factory", "options": JWT_OPTIONS},
                    "giftless.auth.allow_anon:read_write",
                ],
                "PRE_AUTHORIZED_ACTION_PROVIDER": {
                    "factory": "giftless.auth.jwt:factory",
                    "options": {**JWT_OPTIONS, "default_lifetime": 300},
                },
                "TRANSFER_ADAPTERS": {
                    "basic": {
                        "factory": "giftless.transfer.basic_streaming:factory",
                        "options": {
                            "storage_class": "giftless.storage.local_storage:LocalStorage",
                            "storage_options": {"path": str(storage)},
                        },
                    }
                },
            }
        )
