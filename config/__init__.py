"""Typed settings read from flags, the environment and `.streamlit/secrets.toml`."""

from config.display import mask_token, redact_url
from config.errors import SettingsError
from config.settings import SETTING_NAMES, Settings, load_settings

__all__ = [
    "SETTING_NAMES",
    "Settings",
    "SettingsError",
    "load_settings",
    "mask_token",
    "redact_url",
]
