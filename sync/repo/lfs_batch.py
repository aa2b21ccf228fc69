"""Ask the remote whether it holds LFS objects, without downloading them.

Over http(s) this is the Git LFS batch API (`POST <repo>.git/info/lfs/objects/batch`,
a download request answers per object: present, or an error such as 404); for a
local or `file://` remote, the remote's own `lfs/objects` directory. The token
goes only into one request's Authorization header, and redirects are refused so
that it never follows the request elsewhere.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from sync.errors import AuthFailed, RemoteUnreachable, SyncError
from sync.repo.execute import TOKEN_USER
from sync.repo.lfs import LfsStore, local_store
from sync.workspace import Workspace

log = logging.getLogger(__name__)
BATCH = 100  # objects per request, as git-lfs sends them
TIMEOUT = 60.0
MEDIA_TYPE = "application/vnd.git-lfs+json"


class CannotAsk(SyncError):
    """This remote offers no way to ask without downloading (ssh)."""


def missing_objects(ws: Workspace, objects: dict[str, int]) -> dict[str, str]:
    """{oid: what is wrong} for the objects the remote lacks or holds at another size."""
    url = ws.remote_url
    if urllib.parse.urlsplit(url).scheme in ("http", "https"):
        return _ask_server(_endpoint(url), ws.settings.token, objects)
    store = local_store(url)  # a local path: Workspace.remote_url made it absolute
    if store is not None:
        return _look_in(store, objects)
    raise CannotAsk("This remote cannot be asked about LFS objects without downloading them.")


def _look_in(store: LfsStore, objects: dict[str, int]) -> dict[str, str]:
    problems = {}
    for oid, size in objects.items():
        try:
            found = store.path(oid).stat().st_size
        except FileNotFoundError:
            problems[oid] = "missing"
            continue
        if found != size:
            problems[oid] = f"{found} bytes instead of {size}"
    return problems


def _endpoint(url: str) -> str:
    """git-lfs's default: `<url>.git/info/lfs`, or `<url>/info/lfs` when it ends in .git."""
    base = url.rstrip("/")
    return f"{base}/info/lfs" if base.endswith(".git") else f"{base}.git/info/lfs"


def _ask_server(endpoint: str, token: str | None, objects: dict[str, int]) -> dict[str, str]:
    problems = {}
    items = sorted(objects.items())
    for start in range(0, len(items), BATCH):
        asked = dict(items[start : start + BATCH])
        problems.update(_read_answer(_post(endpoint, token, asked), asked))
    return problems


def _read_answer(answer: dict, asked: dict[str, int]) -> dict[str, str]:
    problems = {oid: answer.get("problem", "missing") for oid in asked}
    for item in answer.get("objects", []):
        oid = item.get("oid")
        if oid not in asked:
            continue
        if "error" in item:
            problems[oid] = f"error {item['error'].get('code', '?')}"
        elif item.get("size") != asked[oid]:
            problems[oid] = f"{item.get('size')} bytes instead of {asked[oid]}"
        elif "download" not in (item.get("actions") or {}) and not item.get("authenticated"):
            problems[oid] = "no download offered"
        else:
            del problems[oid]
    return problems


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the Authorization header must not follow a redirect anywhere


def _post(endpoint: str, token: str | None, objects: dict[str, int]) -> dict:
    body = json.dumps(
        {
            "operation": "download",
            "transfers": ["basic"],
            "objects": [{"oid": oid, "size": size} for oid, size in objects.items()],
        }
    ).encode()
    request = urllib.request.Request(f"{endpoint}/objects/batch", data=body, method="POST")
    request.add_header("Accept", MEDIA_TYPE)
    request.add_header("Content-Type", MEDIA_TYPE)
    if token:
        basic = base64.b64encode(f"{TOKEN_USER}:{token}".encode()).decode()
        request.add_header("Authorization", f"Basic {basic}")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        # Some servers (giftless) answer for the whole batch: none there, or none valid.
        if exc.code == 404:
            return {"objects": [], "problem": "missing"}
        if exc.code == 422:
            return {"objects": [], "problem": "missing or not at the recorded size"}
        if exc.code in (401, 403):
            raise AuthFailed(
                "The LFS server refused the token: check GITHUB_TOKEN and its access to the "
                "repository."
            ) from None
        log.warning("LFS batch request failed: HTTP %s", exc.code)
        raise RemoteUnreachable(
            f"The LFS server answered HTTP {exc.code}; try again later."
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.warning("LFS batch request failed: %s", type(exc).__name__)
        raise RemoteUnreachable(
            "The LFS server could not be reached: check GITHUB_DATA_REPO and the network."
        ) from None
