import base64
import time
from urllib.parse import quote

import pytest

from sync.repo import execute
from sync.repo.execute import Call, CommandFailed, Secrets

TOKEN = "ghp_Secret+Token/With=Odd&Chars1234"


def test_child_environment_is_scrubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_TOKEN", "OPENAI_API_KEY", "SHARED_PASSWORD", "GIT_DIR", "KURA_HOME"):
        monkeypatch.setenv(name, "leak-" + name)
    out = execute.run(["env"]).text
    assert "leak-" not in out
    assert "GIT_TERMINAL_PROMPT=0" in out.splitlines()


def test_token_is_only_in_the_environment_of_the_call() -> None:
    call = Call(secrets=Secrets(token=TOKEN, origin="https://github.com"))
    out = execute.run(["env"], call).stdout
    # the child had it; what came back to us is redacted
    assert TOKEN.encode() not in out
    assert b"KURA_GIT_TOKEN=***" in out
    # with no origin to give it to, it is not even in the environment
    assert b"KURA_GIT_TOKEN" not in execute.run(["env"], Call(secrets=Secrets(token=TOKEN))).stdout


def test_credential_helper_answers_from_the_environment() -> None:
    secrets = Secrets(token="tok-12345678", origin="https://example.com")
    result = execute.run(
        ["git", "credential", "fill"],
        Call(secrets=secrets),
        input=b"protocol=https\nhost=example.com\n\n",
    )
    # redacted in what we get back, but git did produce it from the environment
    assert "username=x-access-token" in result.text
    assert "password=***" in result.text


@pytest.mark.parametrize(
    "asked",
    [
        "protocol=https\nhost=example.org",  # another host
        "protocol=https\nhost=example.com:8443",  # another port
        "protocol=http\nhost=example.com",  # another scheme
        "protocol=https\nhost=example.com.evil.org",  # a look-alike
    ],
)
def test_credential_helper_answers_only_its_own_origin(asked: str) -> None:
    secrets = Secrets(token="tok-12345678", origin="https://example.com")
    result = execute.run(
        ["git", "credential", "fill"],
        Call(secrets=secrets),
        input=f"{asked}\n\n".encode(),
        check=False,
    )
    assert result.returncode != 0 and "tok-12345678" not in result.text + result.stderr
    assert "password" not in result.text


def test_credential_helper_stays_silent_without_a_token() -> None:
    result = execute.run(
        ["git", "credential", "fill"], input=b"protocol=https\nhost=example.com\n\n", check=False
    )
    assert result.returncode != 0  # no prompt, no answer: git gives up
    assert "password=" not in result.text


@pytest.mark.parametrize(
    "form",
    [
        TOKEN,
        quote(TOKEN, safe=""),
        base64.b64encode(TOKEN.encode()).decode(),
        base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode(),
    ],
)
def test_redaction_covers_every_form(form: str) -> None:
    secrets = Secrets(token=TOKEN)
    result = execute.run(
        ["sh", "-c", f"echo '{form}' >&2; exit 3"], Call(secrets=secrets), check=False
    )
    assert form not in result.stderr
    assert "***" in result.stderr
    with pytest.raises(CommandFailed) as error:
        execute.run(["sh", "-c", f"echo '{form}' >&2; exit 3"], Call(secrets=secrets))
    assert form not in str(error.value) and form not in error.value.detail


def test_timeout_kills_the_whole_process_group(tmp_path) -> None:
    marker = tmp_path / "child.pid"
    started = time.monotonic()
    with pytest.raises(CommandFailed) as error:
        execute.run(["sh", "-c", f"sleep 30 & echo $! > {marker}; wait"], Call(timeout=0.5))
    assert error.value.timed_out
    assert time.monotonic() - started < 10
    child = int(marker.read_text())
    time.sleep(0.2)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1][0] != "Z"  # a zombie has already died
    except FileNotFoundError:
        return False


def test_missing_program_is_a_clear_error() -> None:
    with pytest.raises(execute.GitFailed, match="not installed"):
        execute.run(["kura-no-such-program"])
