"""English or Japanese: which a question is asked in and which a passage is written in,
so that a page that exists in both languages answers in the question's."""

from __future__ import annotations

import re

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
_LATIN = re.compile(r"[A-Za-z]")


def has_japanese(text: str) -> bool:
    return _JAPANESE.search(text) is not None


def asked_in(question: str) -> str:
    return "ja" if has_japanese(question) else "en"


def written_in(text: str) -> str:
    """Japanese pages are full of English names and code; a quarter of kana and kanji
    against Latin letters already makes a page Japanese."""
    japanese = len(_JAPANESE.findall(text))
    return "ja" if japanese and japanese * 4 >= len(_LATIN.findall(text)) else "en"
