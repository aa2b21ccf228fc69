"""An excerpt never starts or ends inside a code block."""

from pathlib import Path

from chatbot.answer import extractive_answer
from chatbot.chunking import chunk
from chatbot.fences import balanced, blocks, head, slices
from chatbot.knowledge import KnowledgeBase
from chatbot.parsing import parse

SCRIPT = "\n".join(f"# add this flag when step {n} runs\nrun --step {n}" for n in range(120))
PAGE = f"# Deploy\n\nRun the script below.\n\n```sh\n{SCRIPT}\n```\n\nThen check the logs.\n"


def test_a_long_code_block_is_cut_into_pieces_fenced_with_its_language() -> None:
    passages = chunk(parse("deploy.md", PAGE))
    code = [p.text for p in passages if "run --step" in p.text]
    assert len(code) > 1
    for text in code:
        assert balanced(text), text[:80]
        body = text[text.index("```sh") :]
        assert body.startswith("```sh\n") and body.endswith("```")
    rejoined = "\n".join(
        line for text in code for line in text.split("\n") if line.startswith(("#", "run"))
    )
    assert rejoined == SCRIPT  # every line, once, in order


def test_a_quoted_code_block_is_cut_with_its_quote_marks() -> None:
    quoted = "> **Tip**\n> \n> ```js\n> a()\n> b()\n> c()\n> ```"
    assert slices(quoted, 25) == [
        "> **Tip**\n> ",
        "> ```js\n> a()\n> b()\n> ```",
        "> ```js\n> c()\n> ```",
    ]


def test_a_shortened_quote_ends_on_a_whole_line_with_its_fence_closed() -> None:
    excerpt = head(f"Run this:\n\n```sh\n{SCRIPT}\n```", 300)
    assert balanced(excerpt) and len(excerpt) < 320
    assert excerpt.startswith("Run this:\n\n```sh\n# add this flag")
    assert "\n```\n\n…" in excerpt


def test_every_answer_from_inside_a_long_code_block_is_fenced(tmp_path: Path) -> None:
    kb = KnowledgeBase(tmp_path / "wiki.db")
    kb.add(parse("deploy.md", PAGE), size=len(PAGE))
    for question in ("Which flag for step 77?", "How do I deploy?", "step 3 run"):
        answer = extractive_answer(kb, question)
        assert answer.passages and balanced(answer.text), answer.text
        assert "\n# add" not in answer.text.split("```")[0]  # no comment outside a fence


def test_a_code_block_with_blank_lines_inside_stays_one_block(tmp_path: Path) -> None:
    code = "```js\nconst a = 1;\n\n// Prints: 1\nconsole.log(a);\n\n\nrun(a);\n```"
    page = f"# Events\n\nListen once with `once()`.\n\n{code}\n\nAfter the code.\n"
    [passage] = chunk(parse("events.md", page))
    assert code in passage.text
    kb = KnowledgeBase(tmp_path / "wiki.db")
    kb.add(parse("events.md", page), size=len(page))
    answer = extractive_answer(kb, "How do I listen once?")
    assert code in answer.text and balanced(answer.text)


def test_a_tilde_fence_cut_short_is_closed_on_a_line_of_its_own() -> None:
    excerpt = head("Run:\n\n~~~sh\n" + "echo step\n" * 80 + "~~~", 200)
    assert balanced(excerpt) and excerpt.endswith("\n~~~\n\n…")


STEPS = (
    "# Deploy\n\n"
    + "\n\n".join(
        f"{n}. **Step {n}**\n\n   First paragraph of step {n}. "
        + "More words here. " * 20
        + f"\n\n   Second paragraph of step {n}: run `deploy --step {n}`."
        for n in range(1, 5)
    )
    + "\n"
)


def test_a_list_whose_items_hold_paragraphs_is_one_block_cut_between_items() -> None:
    [section] = parse("deploy.md", STEPS).sections
    assert len(blocks(section.text)) == 1  # the blank line inside an item is the item's
    passages = [passage.text for passage in chunk(parse("deploy.md", STEPS))]
    assert len(passages) > 1
    assert all(text.startswith(f"{n}. Step {n}") for n, text in enumerate(passages, start=1))
    assert all(f"deploy --step {n}" in text for n, text in enumerate(passages, start=1))


def test_a_lead_that_introduces_a_long_code_block_is_shortened_on_whole_lines(
    tmp_path: Path,
) -> None:
    code = "\n".join(f"kura restore --point {n} --verbose" for n in range(24))
    intro = "Restore every point from the command line as follows:"
    page = f"# Restore\n\n{intro}\n\n```sh\n{code}\n```\n"
    kb = KnowledgeBase(tmp_path / "wiki.db")
    kb.add(parse("restore.md", page), size=len(page))
    answer = extractive_answer(kb, "How do I restore every point from the command line?")
    first = answer.text.split("\n\n**", 1)[0]  # the lead, before the next quoted passage
    assert "as follows:\n\n```sh\nkura restore --point 0 --verbose" in first
    assert len(first) < 700 and balanced(first)
    assert all(line.endswith(("verbose", "```", "…")) for line in first.split("\n")[5:] if line)
