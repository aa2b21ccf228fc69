"""Every malformed source URL gets one line that says what to fix, never a traceback:
a list of the forms people and probes type, then Hypothesis exploring beyond it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.errors import SyncError
from sync.sources import check_url

MALFORMED = [
    "https://github.com:99999/x",
    "https://github.com:0/x",
    "https://github.com:-1/x",
    "https://github.com:port/x",
    "https://github.com:/x",
    "https://github.com:80:80/x",
    "https://github.com:１２３/x",
    "https://[::1/x",
    "https://[::1]]/x",
    "https://[fe80::1%25eth0]/x",
    "https://[not:an:address]/x",
    "https://[]/x",
    "https://user@github.com/x",
    "https://user:pass@github.com/x",
    "https://@github.com/x",
    "https://:@github.com/x",
    "https://github.com@evil.example/x",
    "https://github.com%2F@evil.example/x",
    "https://%67ithub.com/x",
    "https://github%2ecom/x",
    "https://gith\u0000ub.com/x",
    "https://github.com/x\r\nHost: evil",
    "https://github.com/\tx",
    "https://github.com/x y",
    "https://github .com/x",
    "https://github.com\\@evil.example/x",
    "https:\\\\github.com\\x",
    "https://ｇｉｔｈｕｂ.com/x",
    "https://bücher.example/x",
    "https://" + "a" * 64 + ".example/x",
    "https://" + "a." * 130 + "example/x",
    "https://github.com/" + "x" * 5000,
    "https://-github.com/x",
    "https://github-.com/x",
    "https://git_hub.com/x",
    "https://github..com/x",
    "https://.github.com/x",
    "https:///x",
    "https://",
    "https:github.com/x",
    "https//github.com/x",
    "http://github.com/x",
    "ftp://github.com/x",
    "ssh://git@github.com/x",
    "git://github.com/x",
    "git@github.com:owner/repo.git",
    "javascript:alert(1)",
    "data:text/plain,x",
    "ext::sh -c id",
    "fd::17",
    "--upload-pack=id",
    "-x",
    "file://evil.example/etc",
    "relative/path.git",
    "\x7fhttps://github.com/x",
    "https://github.com/x\u2028y",
    "   ",
    "",
    # Found by Hypothesis: control and astral characters, whose escapes made the quoted
    # URL, and so the message, longer than a line.
    "0" * 24 + "\x1f" * 12 + "\x08\x08" + "\U00012544" * 2 + "\U0001b2fc" * 2,
]


def _one_line(url: str, *, operator: bool) -> None:
    try:
        checked = check_url(url, operator=operator)
    except SyncError as error:
        assert error.message and "\n" not in error.message and len(error.message) < 300, url
        assert "Traceback" not in error.message
        return
    assert checked == url.strip(), url  # taken: then exactly as typed


@pytest.mark.parametrize("url", MALFORMED)
def test_a_malformed_url_is_one_line_that_says_what_to_fix(url: str) -> None:
    assert len(MALFORMED) >= 50
    for operator in (False, True):
        with pytest.raises(SyncError) as refused:
            check_url(url, operator=operator)
        message = refused.value.message
        assert "\n" not in message and len(message) < 300, message
        assert any(hint in message for hint in ("use", "put", "must", "Give", "Only")), message


@settings(max_examples=300, deadline=None, derandomize=True)  # the same cases every run
@given(
    st.one_of(
        st.text(max_size=200),
        st.builds(
            lambda host, port, path: f"https://{host}{port}/{path}",
            st.text(max_size=40),
            st.one_of(
                st.just(""),
                st.integers(-5, 10**6).map(lambda p: f":{p}"),
                st.text(max_size=8).map(lambda p: ":" + p),
            ),
            st.text(max_size=40),
        ),
    )
)
def test_any_text_is_taken_or_refused_in_one_line(url: str) -> None:
    for operator in (False, True):
        _one_line(url, operator=operator)
