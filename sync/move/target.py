"""The repository backups move to, as a workspace of its own under KURA_HOME."""

from __future__ import annotations

import dataclasses
import hashlib

from config import SettingsError
from config.settings import check_remote
from sync.errors import NotConfigured
from sync.repo.execute import credential_origin
from sync.workspace import Workspace


def target_workspace(ws: Workspace, url: str) -> Workspace:
    """A workspace for `url` whose scratch cache lives under KURA_HOME/move/, so the move
    never touches this host's own cache (what a move has done lives in the remotes).

    The token is MOVE_TOKEN, or GITHUB_TOKEN when the new repository is on the host
    GITHUB_TOKEN was issued for; no other host is ever handed a token."""
    url = url.strip()
    if not url:
        raise NotConfigured("Name the repository to move to (--to URL, or MOVE_DATA_REPO).")
    settings = ws.settings
    token = settings.move_token
    if token is None and _same_origin(url, ws.remote_url):
        token = settings.token
    try:
        check_remote("The repository to move to", url, token, "MOVE_TOKEN")
    except SettingsError as exc:
        raise NotConfigured(str(exc)) from None
    home = ws.home / "move" / hashlib.sha256(url.encode()).hexdigest()[:16]
    moved = dataclasses.replace(settings, data_repo=url, token=token, home=home)
    target = Workspace(moved)
    if target.remote_url == ws.remote_url:
        raise NotConfigured("Backups cannot move to the repository they are in; name a new one.")
    return target


def _same_origin(url: str, remote: str) -> bool:
    origin = credential_origin(url)
    return origin is not None and origin == credential_origin(remote)
