"""Questions to search terms, for English and for languages written without spaces.

Latin-script words lose question words and stop words; Japanese (and Chinese)
text is cut into runs of kanji and katakana, since hiragana there mostly carries
particles and endings (は, を, ですか …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STOP_WORDS = frozenset(
    (
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "am",
        "do",
        "does",
        "did",
        "doing",
        "can",
        "could",
        "should",
        "would",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "from",
        "by",
        "with",
        "about",
        "into",
        "and",
        "or",
        "not",
        "no",
        "if",
        "then",
        "than",
        "so",
        "as",
        "please",
        "tell",
        "explain",
        "show",
        "give",
        "describe",
        "use",
        "using",
        "get",
        "want",
        "need",
        "know",
        "find",
        "way",
        "ways",
    )
)
_LATIN = re.compile(r"[0-9A-Za-z\u00c0-\u024f][0-9A-Za-z\u00c0-\u024f_'-]*")
_CJK = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶ\u30a1-\u30fa\u30fc\uff66-\uff9f]+"
)


@dataclass(frozen=True)
class Terms:
    words: list[str]  # Latin-script words, lower-case
    cjk: list[str]  # runs of kanji/katakana

    @property
    def empty(self) -> bool:
        return not (self.words or self.cjk)


def terms(question: str) -> Terms:
    words = [w.lower().strip("'-") for w in _LATIN.findall(question)]
    words = [w for w in dict.fromkeys(words) if w and w not in STOP_WORDS and len(w) > 1]
    cjk = list(dict.fromkeys(_CJK.findall(question)))
    return Terms(words, cjk)


def trigrams(run: str) -> list[str]:
    """Overlapping 3-character pieces of a run (the run itself when shorter)."""
    if len(run) <= 3:
        return [run]
    return list(dict.fromkeys(run[i : i + 3] for i in range(len(run) - 2)))
