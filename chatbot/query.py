"""Questions to search terms, for English and for languages written without spaces.

Latin-script words lose question words and stop words. Japanese is cut into
words by SudachiPy (chatbot/japanese.py), and also into runs of kanji and
katakana for the trigram index, since hiragana there mostly carries particles
and endings (は, を, ですか …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chatbot import japanese
from chatbot.language import has_japanese

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
        "have",
        "has",
        "had",
        "many",
        "much",
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
# Words of how a question is asked, not what it is about (normalized forms).
_JAPANESE_FILLER = frozenset(
    [
        *("為る", "有る", "居る", "成る", "出来る", "教える", "下さる", "良い"),
        *("何", "如何", "どう", "どこ", "何処", "いつ", "誰"),
    ]
)
_LATIN = re.compile(r"[0-9A-Za-z\u00c0-\u024f][0-9A-Za-z\u00c0-\u024f_'-]*")
_CJK = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶ\u30a1-\u30fa\u30fc\uff66-\uff9f]+"
)


@dataclass(frozen=True)
class Terms:
    words: list[str]  # Latin-script words, lower-case
    cjk: list[str]  # runs of kanji/katakana
    japanese: list[str] = field(default_factory=list)  # Japanese words, normalized

    @property
    def empty(self) -> bool:
        return not (self.words or self.cjk or self.japanese)


def terms(question: str) -> Terms:
    words = [w.lower().strip("'-") for w in _LATIN.findall(question)]
    words = [w for w in dict.fromkeys(words) if w and w not in STOP_WORDS and len(w) > 1]
    cjk = list(dict.fromkeys(_CJK.findall(question)))
    found = japanese.words(question) if has_japanese(question) else []
    return Terms(words, cjk, [w for w in dict.fromkeys(found) if w not in _JAPANESE_FILLER])


def trigrams(run: str) -> list[str]:
    """Overlapping 3-character pieces of a run (the run itself when shorter)."""
    if len(run) <= 3:
        return [run]
    return list(dict.fromkeys(run[i : i + 3] for i in range(len(run) - 2)))
