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


# Language codes documentation sites name folders and suffixes with (en/, ja/, .ja.md).
_CODES = frozenset(
    [
        "en",
        "ja",
        "zh",
        "ko",
        "fr",
        "de",
        "es",
        "pt",
        "ru",
        "it",
        "nl",
        "pl",
        "tr",
        "uk",
        "vi",
        "id",
        "th",
        "ar",
        "fa",
        "he",
        "cs",
        "sv",
        "da",
        "fi",
        "nb",
        "hu",
        "ro",
        "el",
        "hi",
        "bn",
        "zh-cn",
        "zh-tw",
        "zh-hans",
        "zh-hant",
        "pt-br",
        "es-es",
        "ja-jp",
        "ko-kr",
        "en-us",
        "en-gb",
    ]
)


def page_language(name: str) -> tuple[str, str]:
    """(the page's name without its language, the language code or ""): `ja/guide/setup.md`
    and `en/guide/setup.md` are one page in two languages, as are `setup.ja.md` and
    `setup.md`."""
    parts = name.split("/")
    for index, part in enumerate(parts[:-1]):
        if part.lower() in _CODES:
            return "/".join(parts[:index] + parts[index + 1 :]), part.lower()[:2]
    stem, dot, suffix = parts[-1].rpartition(".")
    base, marker, code = stem.rpartition(".")
    if dot and marker and code.lower() in _CODES:
        return "/".join([*parts[:-1], f"{base}.{suffix}"]), code.lower()[:2]
    return name, ""
