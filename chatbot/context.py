"""What an LLM is given to read: the best passages with their neighbours in the page, up
to a budget in characters (LLM_CONTEXT_CHARS).

Three short passages held the fact asked for in half to three quarters of the questions
the wiki benchmark asks; the same search read further, its passages widened by the
passages around them, holds it far more often. Each passage is sent once: a neighbour
already sent is not sent again, and search never returns a page's other-language twin
beside it (KnowledgeBase.search).
"""

from __future__ import annotations

from dataclasses import replace

from chatbot.knowledge import Hit, KnowledgeBase

CONTEXT_CHARS = 8000
SEARCHED = 12  # passages searched for; the budget decides how many are sent
NEIGHBOURS = 2  # passages either side that come with a passage sent
SECTION_REACH = 40  # how far the best passage's section is read either side
SECTION_SHARE = 0.5  # of the budget, at most, for the best passage's section (measured:
# the whole budget crowded out the next passages, which held the fact when the best did not)


def llm_passages(kb: KnowledgeBase, question: str, *, budget: int = CONTEXT_CHARS) -> list[Hit]:
    """The passages to send, best first, each widened by its neighbours while the budget
    lasts: about `budget` characters in all, and at least the best passage."""
    with kb.batch():  # one connection for the search and every neighbour read
        return _within(kb, kb.search(question, limit=SEARCHED), budget)


def numbered(hits: list[Hit]) -> str:
    """The passages as the LLM reads them: numbered, each under its page and heading path."""
    return "\n\n".join(f"[{n}] {hit.where}\n{hit.text}" for n, hit in enumerate(hits, start=1))


def _within(kb: KnowledgeBase, hits: list[Hit], budget: int) -> list[Hit]:
    chosen: list[Hit] = []
    sent: set[tuple[str, int]] = set()
    used = 0
    for hit in hits:
        if (hit.document, hit.ordinal) in sent:
            continue
        room = budget - used
        if chosen and len(hit.text) > room:
            continue  # a shorter passage further down may still fit
        section = int(budget * SECTION_SHARE) if not chosen else 0
        widened = _widened(kb, hit, room, sent, section=section)
        sent.update((hit.document, n) for n in range(widened[0], widened[1] + 1))
        chosen.append(widened[2])
        used += len(widened[2].text)
    return chosen


def _widened(
    kb: KnowledgeBase, hit: Hit, room: int, sent: set[tuple[str, int]], *, section: int = 0
) -> tuple[int, int, Hit]:
    """The passage with the passages before and after it in its page, those not yet sent,
    nearest first, as long as they fit: (first ordinal, last ordinal, the widened hit).
    Two neighbours either side; with `section` characters, the rest of its section as far
    as they reach (the best passage's: its code blocks too, which its prose introduces)."""
    reach = SECTION_REACH if section else NEIGHBOURS
    around = {n.ordinal: n for n in kb.context(hit.document, hit.ordinal, around=reach)}
    first = last = hit.ordinal
    size = len(hit.text)
    for distance in range(1, reach + 1):
        for ordinal in (hit.ordinal + distance, hit.ordinal - distance):
            neighbour = around.get(ordinal)
            adjacent = ordinal in (first - 1, last + 1)
            if neighbour is None or not adjacent or (hit.document, ordinal) in sent:
                continue
            beyond = distance > NEIGHBOURS
            if beyond and neighbour.section != hit.section:
                continue
            added = len(_with_heading(neighbour, hit)) + 2
            if size + added > (min(room, section) if beyond else room):
                return _joined(around, hit, first, last)
            first, last = min(first, ordinal), max(last, ordinal)
            size += added
    return _joined(around, hit, first, last)


def _joined(around: dict[int, Hit], hit: Hit, first: int, last: int) -> tuple[int, int, Hit]:
    parts = [around.get(n) or hit for n in range(first, last + 1)]
    text = "\n\n".join(_with_heading(part, hit) for part in parts)
    return first, last, replace(hit, text=text)


def _with_heading(part: Hit, hit: Hit) -> str:
    """A neighbour from another section says which, so the model reads it as such."""
    if part.section == hit.section or not part.section:
        return part.text
    return f"({part.where})\n{part.text}"
