"""Japanese text to the words a search should match, with SudachiPy.

Japanese is written without spaces, so the word index needs a tokenizer. SudachiPy's
dictionary ships inside the sudachidict_core wheel (nothing is fetched at run time)
and it loads in about 0.15 s, once per process. Words are kept in their normalized
form, so 設定する, 設定し and 設定した all match 設定, and 出来る matches できる.
Particles, auxiliaries, symbols and spaces carry no topic and are dropped.

Example::

    >>> words("ロケールを設定するには?")
    ['ロケール', '設定', '為る']
"""

from __future__ import annotations

import threading
from functools import cache

from sudachipy import Dictionary, Tokenizer

_NOT_WORDS = frozenset(("助詞", "助動詞", "補助記号", "記号", "空白"))
_LONGEST = 10_000  # characters per call: SudachiPy's input limit is far above a passage
_local = threading.local()


def words(text: str) -> list[str]:
    """The normalized content words of the text, in order, lower-cased."""
    found: list[str] = []
    for start in range(0, len(text), _LONGEST):
        for morpheme in _tokenizer().tokenize(text[start : start + _LONGEST]):
            if morpheme.part_of_speech()[0] not in _NOT_WORDS:
                word = morpheme.normalized_form().strip().lower()
                if word:
                    found.append(word)
    return found


@cache
def _dictionary() -> Dictionary:
    return Dictionary(dict="core")


def _tokenizer() -> Tokenizer:
    # A tokenizer is not safe to share between threads (Streamlit runs each session's
    # script in its own); the dictionary is, and holds all the memory.
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _dictionary().tokenizer(mode="C", fields={"pos", "normalized_form"})
        _local.tokenizer = tokenizer
    return tokenizer
