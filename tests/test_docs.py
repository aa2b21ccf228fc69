"""The files the README tells people to copy say what the code expects."""

from pathlib import Path

import yaml

from config import SETTING_NAMES

ROOT = Path(__file__).resolve().parents[1]


def test_the_verify_workflow_runs_the_documented_command() -> None:
    workflow = yaml.safe_load((ROOT / "docs" / "workflows" / "verify-backups.yml").read_text())
    steps = workflow["jobs"]["verify"]["steps"]
    [verify] = [s for s in steps if s.get("run") == "python -m sync verify latest"]
    [deep] = [s for s in steps if s.get("run") == "python -m sync verify latest --deep"]
    assert set(verify["env"]) <= set(SETTING_NAMES) and deep["env"] == verify["env"]
    crons = [c["cron"] for c in workflow[True]["schedule"]]
    assert len(crons) == 2 and crons[1] in deep["if"] and crons[1] in verify["if"]
    assert workflow["permissions"] == {"contents": "read"}
    assert any("git-lfs" in s.get("run", "") for s in steps)


def test_the_secrets_example_names_only_real_settings() -> None:
    import tomllib

    example = tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text())
    assert set(example) <= set(SETTING_NAMES)


def test_packages_txt_installs_git_lfs() -> None:
    assert (ROOT / "packages.txt").read_text().split() == ["git-lfs"]


def test_the_push_workflow_verifies_the_pushed_backup_cheaply() -> None:
    workflow = yaml.safe_load((ROOT / "docs" / "workflows" / "verify-on-push.yml").read_text())
    assert list(workflow[True]) == ["push"]  # yaml reads the key `on` as True
    job = workflow["jobs"]["verify"]
    [verify] = [s for s in job["steps"] if "python -m sync verify" in s.get("run", "")]
    assert verify["run"] == 'python -m sync verify "$PUSHED" --json'
    assert job["env"]["PUSHED"] == "${{ github.sha }}"
    assert set(verify["env"]) <= set(SETTING_NAMES)
    assert workflow["concurrency"]["cancel-in-progress"] is True
    assert workflow["permissions"] == {"contents": "read"}


def test_every_setting_is_in_the_readmes_table() -> None:
    readme = (ROOT / "README.md").read_text()
    table = {line.split("|")[1].strip() for line in readme.splitlines() if line.startswith("| ")}
    named = {name.strip() for row in table for name in row.split(",")}
    assert set(SETTING_NAMES) <= named, set(SETTING_NAMES) - named


def test_every_test_the_threat_table_names_exists() -> None:
    """docs/security.md names the test behind each threat: each must be there to run."""
    import re

    text = (ROOT / "docs" / "security.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    named = 0
    for row in rows:
        current: Path | None = None
        for ref in re.findall(r"`((?:tests/)?[\w/]*test_\w+\.py)?(?:::(\w+))?`", row):
            path, function = ref
            if path:
                current = ROOT / path if path.startswith("tests/") else _find(path)
                assert current.is_file(), path
            if function:
                assert current is not None, row
                assert f"def {function}(" in current.read_text(), (current.name, function)
                named += 1
    assert named > 40


def _find(name: str) -> Path:
    found = sorted((ROOT / "tests").rglob(Path(name).name))
    assert len(found) == 1, name
    return found[0]
