"""The shared password: the configured one, or one generated once and kept in KURA_HOME."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from config.settings import Settings


def password_file(settings: Settings) -> Path:
    return settings.home / "password"


def shared_password(settings: Settings) -> tuple[str, bool]:
    """(password, generated). There is never open access: without SHARED_PASSWORD one is made."""
    if settings.shared_password:
        return settings.shared_password, False
    path = password_file(settings)
    try:
        existing = path.read_text().strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing, True
    password = secrets.token_urlsafe(15)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    return password, True


def main() -> None:
    """`python -m config.password`: say how to log in (make run prints this first)."""
    from config.settings import load_settings

    settings = load_settings()
    password, generated = shared_password(settings)
    if generated:
        print(f"Kura: log in with the generated password: {password}")
        print(f"      (kept in {password_file(settings)}; set SHARED_PASSWORD to choose one)")
    else:
        print("Kura: log in with SHARED_PASSWORD.")


if __name__ == "__main__":
    main()
