"""One typed, validated Settings object for the app and the command lines.

Sources, first wins: explicit overrides (command-line flags), environment
variables, `.streamlit/secrets.toml` (or `st.secrets`, passed in by the app),
then defaults.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from config.errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = Path(".streamlit") / "secrets.toml"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Every setting Kura reads; names follow the original guide where it had one."""

    shared_password: str | None = None
    sync_enabled: bool = True
    data_repo: str | None = None
    token: str | None = None
    branch: str = "main"
    data_dir: Path = Path("data")
    home: Path = Path(".kura")
    auto_backup_minutes: float = 30.0
    backup_quiet_seconds: float = 30.0  # back up once writes settle this long...
    backup_max_delay_minutes: float = 1.0  # ...and at most this long after the first change
    remote_watch_seconds: float = 60.0  # how often to look for other instances' backups
    remote_follow: bool = False  # load them at once (an instance that only reads)
    max_file_size_mb: float = 2048.0  # files are chunked: no single LFS object grows with them
    notify_webhook_url: str | None = None
    heartbeat_url: str | None = None
    backup_webhook_url: str | None = None
    lfs_quota_gb: float = 10.0
    session_idle_minutes: float = 60.0  # a login ends after this long without activity...
    session_max_days: float = 7.0  # ...and this long after it began, whatever the activity
    wiki_sources_token: str | None = None  # for private wiki sources...
    wiki_sources_token_host: str = "github.com"  # ...sent to this host and no other
    wiki_sources_allow_private: bool = False  # sources on loopback/private addresses
    wiki_sources_local_dir: Path | None = None  # the page may add local sources under it
    session_cookie_secure: bool = False  # always Secure, behind a TLS proxy that says nothing
    wiki_sync_minutes: float = 60.0  # pull wiki sources at start-up, then this often (0: off)
    ui_language: str = "en"
    instance_name: str | None = None  # how backups and notices name this instance
    move_repo: str | None = None  # an empty repository backups may move to (the admin page's)
    move_token: str | None = None  # its token, when GITHUB_TOKEN is not for its host
    retention_days: float = 0.0  # conversations older than this go after backups (0: keep)
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_model: str | None = None
    llm_context_chars: int = 8000  # what the LLM is given to read, in characters
    openai_embedding_model: str | None = None

    @property
    def remote(self) -> str:
        """The backup remote: the configured URL or the embedded local bare repository."""
        return self.data_repo or str(self.home / "remote.git")

    @property
    def uses_default_remote(self) -> bool:
        return not self.data_repo

    @property
    def max_file_size_bytes(self) -> int:
        return int(self.max_file_size_mb * 1024 * 1024)

    def secrets(self) -> tuple[str, ...]:
        """Values that must never reach a log, an exception, argv or the page."""
        values = (
            self.token,
            self.move_token,
            self.shared_password,
            self.openai_api_key,
            self.wiki_sources_token,
        )
        return tuple(v for v in values if v)


def _text(name: str, value: Any) -> str | None:
    text = str(value).strip()
    return text or None


def _flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingsError(f"{name} must be true or false, not {value!r}.")


def _number(name: str, value: Any, *, minimum: float = 0.0, positive: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{name} must be a number, not {value!r}.") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise SettingsError(f"{name} must be a finite number, not {value!r}.")
    if number < minimum or (positive and number == 0):
        bound = "greater than 0" if positive else f"at least {minimum:g}"
        raise SettingsError(f"{name} must be {bound}, not {value!r}.")
    return number


def _positive(name: str, value: Any) -> float:
    return _number(name, value, positive=True)


def _characters(name: str, value: Any) -> int:
    """A budget of text: at least one passage's worth, at most what a model reads well."""
    number = _number(name, value, positive=True)
    if not 1000 <= number <= 200_000:
        raise SettingsError(f"{name} must be between 1000 and 200000 characters, not {value!r}.")
    return int(number)


def _instance_name(name: str, value: Any) -> str | None:
    """A name people read in the history: one line, printable, at most 64 characters."""
    text = " ".join(str(value).split())
    if len(text) > 64 or not text.isprintable():
        raise SettingsError(f"{name} must be one printable line of at most 64 characters.")
    return text or None


def branch_name(name: str, value: Any) -> str:
    """A branch name git accepts and no option or refspec can hide in (`name` is the setting
    or flag, for the error)."""
    text = str(value).strip()
    bad = (
        not text
        or text.startswith(("-", "/", "."))
        or text.endswith(("/", ".", ".lock"))
        or ".." in text
        or "//" in text
        or "@{" in text
        or any(c in text for c in " ~^:?*[\\\x7f")
        or any(ord(c) < 32 for c in text)
    )
    if bad:
        raise SettingsError(f"{name} is not a valid branch name: {value!r}.")
    return text


def _language(name: str, value: Any) -> str:
    text = str(value).strip().lower()
    if text not in ("en", "ja"):
        raise SettingsError(f"{name} must be 'en' or 'ja', not {value!r}.")
    return text


def _path(name: str, value: Any) -> Path:
    text = str(value).strip()
    if not text:
        raise SettingsError(f"{name} must not be empty.")
    return Path(text).expanduser()


def _optional_path(name: str, value: Any) -> Path | None:
    text = str(value).strip()
    return Path(text).expanduser().absolute() if text else None


def _host(name: str, value: Any) -> str:
    """host or host:port, the way it appears in a URL (no scheme, path or credentials)."""
    text = str(value).strip().lower()
    parts = urlsplit(f"https://{text}")
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        parts = None  # type: ignore[assignment]
    if not text or parts is None or not parts.hostname or parts.netloc != text or "@" in text:
        raise SettingsError(f"{name} must be a host name, optionally with :port, not {value!r}.")
    return text


def _url(name: str, value: Any) -> str | None:
    text = _text(name, value)
    if text and urlsplit(text).scheme not in ("http", "https"):
        raise SettingsError(f"{name} must be an http(s) URL.")
    return text


_FIELDS: dict[str, tuple[str, Any]] = {
    "SHARED_PASSWORD": ("shared_password", _text),
    "GITHUB_SYNC_ENABLED": ("sync_enabled", _flag),
    "GITHUB_DATA_REPO": ("data_repo", _text),
    "GITHUB_TOKEN": ("token", _text),
    "GITHUB_DATA_BRANCH": ("branch", branch_name),
    "KURA_DATA_DIR": ("data_dir", _path),
    "KURA_HOME": ("home", _path),
    "AUTO_BACKUP_MINUTES": ("auto_backup_minutes", _number),
    "BACKUP_QUIET_SECONDS": ("backup_quiet_seconds", _number),
    "BACKUP_MAX_DELAY_MINUTES": ("backup_max_delay_minutes", _number),
    "REMOTE_WATCH_SECONDS": ("remote_watch_seconds", _number),
    "REMOTE_FOLLOW": ("remote_follow", _flag),
    "MAX_FILE_SIZE_MB": ("max_file_size_mb", _positive),
    "NOTIFY_WEBHOOK_URL": ("notify_webhook_url", _url),
    "HEARTBEAT_URL": ("heartbeat_url", _url),
    "BACKUP_WEBHOOK_URL": ("backup_webhook_url", _url),
    "LFS_QUOTA_GB": ("lfs_quota_gb", _positive),
    "SESSION_IDLE_MINUTES": ("session_idle_minutes", _positive),
    "SESSION_MAX_DAYS": ("session_max_days", _positive),
    "WIKI_SOURCES_TOKEN": ("wiki_sources_token", _text),
    "WIKI_SOURCES_TOKEN_HOST": ("wiki_sources_token_host", _host),
    "WIKI_SOURCES_ALLOW_PRIVATE": ("wiki_sources_allow_private", _flag),
    "WIKI_SOURCES_LOCAL_DIR": ("wiki_sources_local_dir", _optional_path),
    "SESSION_COOKIE_SECURE": ("session_cookie_secure", _flag),
    "WIKI_SYNC_MINUTES": ("wiki_sync_minutes", _number),
    "UI_LANGUAGE": ("ui_language", _language),
    "INSTANCE_NAME": ("instance_name", _instance_name),
    "MOVE_DATA_REPO": ("move_repo", _text),
    "MOVE_TOKEN": ("move_token", _text),
    "CONVERSATION_RETENTION_DAYS": ("retention_days", _number),
    "OPENAI_API_KEY": ("openai_api_key", _text),
    "OPENAI_BASE_URL": ("openai_base_url", _url),
    "OPENAI_MODEL": ("openai_model", _text),
    "OPENAI_EMBEDDING_MODEL": ("openai_embedding_model", _text),
    "LLM_CONTEXT_CHARS": ("llm_context_chars", _characters),
}
SETTING_NAMES = tuple(_FIELDS)


def read_secrets_file(path: Path = SECRETS_FILE) -> dict[str, Any]:
    """The secrets file Streamlit reads; missing is fine, malformed is an error."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path} is not valid TOML ({exc}); fix or remove it.") from None


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    secrets: Mapping[str, Any] | None = None,
) -> Settings:
    """Merge the sources into Settings. Keys are the setting names (GITHUB_TOKEN ...).

    `secrets` defaults to `.streamlit/secrets.toml` in the working directory.
    """
    environ = os.environ if environ is None else environ
    secrets = read_secrets_file() if secrets is None else secrets
    values: dict[str, Any] = {}
    for name, (field, parse) in _FIELDS.items():
        for source in (overrides or {}, environ, secrets):
            if source.get(name) is not None:
                values[field] = parse(name, source[name])
                break
    settings = Settings(**values)
    _check_consistency(settings)
    return settings


def _check_consistency(settings: Settings) -> None:
    data = settings.data_dir.resolve()
    home = settings.home.resolve()
    if home == data or home.is_relative_to(data) or data.is_relative_to(home):
        raise SettingsError("KURA_HOME and KURA_DATA_DIR must not contain each other.")
    check_remote("GITHUB_DATA_REPO", settings.data_repo, settings.token, "GITHUB_TOKEN")
    check_remote("MOVE_DATA_REPO", settings.move_repo, settings.move_token, "MOVE_TOKEN")


def check_remote(name: str, url: str | None, token: str | None, token_name: str) -> None:
    """A remote URL that carries no credentials, and no token in clear over plain http."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https"):
        return
    if parts.username or parts.password:
        raise SettingsError(f"{name} must not contain credentials; put the token in {token_name}.")
    if token and parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        raise SettingsError(f"{name} uses plain http; use https so the token is not sent in clear.")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
