from pathlib import Path

import pytest

from config import Settings, SettingsError, load_settings, mask_token, redact_url
from config.settings import read_secrets_file


def test_defaults() -> None:
    settings = load_settings(environ={}, secrets={})
    assert settings == Settings()
    assert settings.remote == str(Path(".kura") / "remote.git")
    assert settings.uses_default_remote


def test_near_real_time_defaults_lose_at_most_two_minutes() -> None:
    settings = load_settings(environ={}, secrets={})
    assert settings.backup_quiet_seconds == 30 and settings.backup_max_delay_minutes == 1
    assert settings.remote_watch_seconds == 60 and settings.remote_follow is False
    assert settings.backup_webhook_url is None


def test_sessions_end_after_an_idle_hour_or_a_week() -> None:
    settings = load_settings(environ={"SESSION_IDLE_MINUTES": "0.05"}, secrets={})
    assert settings.session_idle_minutes == 0.05 and settings.session_max_days == 7


def test_wiki_source_settings_and_their_one_line_errors() -> None:
    settings = load_settings(environ={}, secrets={})
    assert settings.wiki_sources_token_host == "github.com" and settings.wiki_sync_minutes == 60
    assert not settings.wiki_sources_allow_private and settings.wiki_sources_local_dir is None
    assert not settings.session_cookie_secure
    given = {
        "WIKI_SOURCES_TOKEN": "ghp_wiki",
        "WIKI_SOURCES_TOKEN_HOST": "GHE.example.com:8443",
        "WIKI_SOURCES_ALLOW_PRIVATE": "yes",
        "WIKI_SOURCES_LOCAL_DIR": "/srv/wikis",
        "SESSION_COOKIE_SECURE": "true",
    }
    settings = load_settings(environ=given, secrets={})
    assert settings.wiki_sources_token_host == "ghe.example.com:8443"
    assert settings.wiki_sources_allow_private and settings.session_cookie_secure
    assert settings.wiki_sources_local_dir == Path("/srv/wikis")
    assert "ghp_wiki" in settings.secrets()
    for bad in ("https://github.com", "github.com/team", "user@github.com", "host:99999"):
        with pytest.raises(SettingsError, match=r"^WIKI_SOURCES_TOKEN_HOST must be a host name"):
            load_settings(environ={"WIKI_SOURCES_TOKEN_HOST": bad}, secrets={})


def test_flags_beat_environment_beat_secrets() -> None:
    secrets = {"GITHUB_DATA_BRANCH": "from-secrets", "AUTO_BACKUP_MINUTES": 5, "UI_LANGUAGE": "ja"}
    environ = {"GITHUB_DATA_BRANCH": "from-env", "AUTO_BACKUP_MINUTES": "0.5"}
    settings = load_settings({"GITHUB_DATA_BRANCH": "from-flag"}, environ=environ, secrets=secrets)
    assert settings.branch == "from-flag"
    assert settings.auto_backup_minutes == 0.5
    assert settings.ui_language == "ja"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AUTO_BACKUP_MINUTES", "soon"),
        ("AUTO_BACKUP_MINUTES", "-1"),
        ("AUTO_BACKUP_MINUTES", "nan"),
        ("MAX_FILE_SIZE_MB", "0"),
        ("GITHUB_SYNC_ENABLED", "maybe"),
        ("GITHUB_DATA_BRANCH", "-evil"),
        ("GITHUB_DATA_BRANCH", "a..b"),
        ("UI_LANGUAGE", "fr"),
        ("NOTIFY_WEBHOOK_URL", "ftp://x"),
        ("LFS_QUOTA_GB", "-3"),
        ("BACKUP_QUIET_SECONDS", "-5"),
        ("BACKUP_MAX_DELAY_MINUTES", "inf"),
        ("REMOTE_WATCH_SECONDS", "often"),
        ("REMOTE_FOLLOW", "sometimes"),
        ("BACKUP_WEBHOOK_URL", "file:///etc/passwd"),
        ("SESSION_IDLE_MINUTES", "0"),
        ("SESSION_MAX_DAYS", "forever"),
        ("WIKI_SYNC_MINUTES", "-5"),
        ("LLM_CONTEXT_CHARS", "10"),
        ("LLM_CONTEXT_CHARS", "lots"),
    ],
)
def test_invalid_values_name_the_setting(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(environ={name: value}, secrets={})
    assert name in str(error.value)
    assert "\n" not in str(error.value)


def test_token_over_plain_http_only_to_loopback() -> None:
    base = {"GITHUB_TOKEN": "ghp_x" * 5}
    with pytest.raises(SettingsError, match="https"):
        load_settings(environ={**base, "GITHUB_DATA_REPO": "http://example.com/a.git"}, secrets={})
    for host in ("127.0.0.1", "localhost", "[::1]"):
        url = f"http://{host}:8080/a.git"
        assert load_settings(environ={**base, "GITHUB_DATA_REPO": url}, secrets={}).data_repo == url


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(SettingsError, match="GITHUB_TOKEN"):
        load_settings(
            environ={"GITHUB_DATA_REPO": "https://ghp_abc@github.com/a/b.git"}, secrets={}
        )


def test_home_inside_data_is_refused() -> None:
    with pytest.raises(SettingsError, match="KURA_HOME"):
        load_settings(environ={"KURA_DATA_DIR": "data", "KURA_HOME": "data/.kura"}, secrets={})


def test_secrets_file_is_read_and_malformed_is_a_clear_error(tmp_path: Path) -> None:
    good = tmp_path / "secrets.toml"
    good.write_text('GITHUB_DATA_BRANCH = "backups"\nAUTO_BACKUP_MINUTES = 0\n')
    assert load_settings(environ={}, secrets=read_secrets_file(good)).branch == "backups"
    bad = tmp_path / "bad.toml"
    bad.write_text("GITHUB_TOKEN = ")
    with pytest.raises(SettingsError, match="not valid TOML"):
        read_secrets_file(bad)
    assert read_secrets_file(tmp_path / "missing.toml") == {}


@pytest.mark.parametrize(
    ("token", "shown"),
    [
        ("github_pat_11ABCDEFG0123456789abcdefWXYZ", "github_pat_…WXYZ"),
        ("ghp_0123456789abcdefghijklmnopqrstuvWXYZ", "ghp_…WXYZ"),
        ("glpat-0123456789abcdefWXYZ", "glpat-…WXYZ"),
        ("short-token", "…"),
        (None, "not set"),
    ],
)
def test_mask_token(token: str | None, shown: str) -> None:
    assert mask_token(token) == shown


def test_redact_url() -> None:
    assert redact_url("https://user:pw@github.com/a/b.git") == "https://github.com/a/b.git"
    assert redact_url("git@github.com:a/b.git") == "git@github.com:a/b.git"
    assert redact_url("/srv/data.git") == "/srv/data.git"


def test_the_llm_context_budget_defaults_to_eight_thousand_characters() -> None:
    assert load_settings(environ={}, secrets={}).llm_context_chars == 8000
    assert (
        load_settings(environ={"LLM_CONTEXT_CHARS": "12000"}, secrets={}).llm_context_chars == 12000
    )


def test_an_instance_is_named_by_its_setting_or_a_stable_id(tmp_path: Path) -> None:
    from sync import Workspace

    assert load_settings(environ={"INSTANCE_NAME": "  team   laptop "}).instance_name == (
        "team laptop"
    )
    for bad in ("x" * 65, "line\x07bell"):
        with pytest.raises(SettingsError, match="INSTANCE_NAME must be one printable line"):
            load_settings(environ={"INSTANCE_NAME": bad})
    named = Workspace(Settings(data_dir=tmp_path / "d", home=tmp_path / "h", instance_name="n"))
    assert named.instance_name == "n"
    first = Workspace(Settings(data_dir=tmp_path / "d", home=tmp_path / "h"))
    again = Workspace(Settings(data_dir=tmp_path / "d", home=tmp_path / "h"))
    other = Workspace(Settings(data_dir=tmp_path / "d2", home=tmp_path / "h2"))
    assert first.instance_name == again.instance_name != other.instance_name
