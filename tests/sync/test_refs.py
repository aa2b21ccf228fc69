import pytest

from sync.errors import InvalidRef
from sync.refs import validate_ref


@pytest.mark.parametrize("ref", ["latest", "abcdef0", "0123456789abcdef0123456789abcdef01234567"])
def test_accepts_latest_and_lowercase_hex(ref: str) -> None:
    assert validate_ref(ref) == ref


@pytest.mark.parametrize(
    "ref",
    [
        "--output=x",
        "-p",
        "HEAD~1",
        "HEAD",
        "main",
        "ABCDEF0",
        "abcdef",  # too short
        "0123456789abcdef0123456789abcdef012345678",  # 41 characters
        "abcdefg",
        "abc def0",
        "abcdef0\n",
        "",
        "latest ",
        "refs/heads/main",
        "abcdef0^{tree}",
        "@{-1}",
    ],
)
def test_refuses_everything_else(ref: str) -> None:
    with pytest.raises(InvalidRef) as error:
        validate_ref(ref)
    assert error.value.code == "invalid_ref"
    assert "\n" not in error.value.message
