"""Markdown as documentation sites write it: VitePress, Docusaurus (MDX) and GitHub."""

from pathlib import Path

from chatbot.chunking import chunk
from chatbot.knowledge import where
from chatbot.parsing import Section, read_document

PAGES = Path(__file__).parent / "pages"


def test_a_vitepress_page_reads_as_its_site_shows_it() -> None:
    page = read_document(PAGES / "vitepress.md")
    assert page.title == "Reactivity ref()"
    heading = "<Transition> and パラメータの宣言"  # escapes and emphasis are text
    assert page.sections == [
        Section(
            heading,
            "Intro to transitions.\n\n"
            "> **Tip**\n> \n> Use `ref()` for primitives.\n\n"
            "> **Warning: Be careful**\n> \n> Mutating props is not allowed.\n> > \n"
            "> > **Nested details**\n> > \n> > Hidden text.\n\n"
            "```sh\nnpm add -D vitepress\n```\n\n```sh\npnpm add -D vitepress\n```\n\n"
            "```js\nexport default { data() { return { count: 0 } } }\n```",
        ),
        # The second variant of the same example: found under its own name, never
        # quoted beside the first.
        Section(f"{heading} › Composition API", "```js\nconst count = ref(0)\n```"),
        Section(f"{heading} › Events", "Listen with `v-on`."),
    ]


def test_a_docusaurus_page_drops_imports_and_component_tags_and_keeps_its_notes() -> None:
    page = read_document(PAGES / "docusaurus.mdx")
    assert page.title == "Installation"
    assert [s.text for s in page.sections] == [
        "```bash\nnpm install --save docusaurus\n```\n\n"
        "> **Danger: Take care**\n> \n> Never commit `.env` files.\n\n"
        "> **Info**\n> \n> Node 18 or newer."
    ]


def test_github_alerts_are_quoted_with_their_kind() -> None:
    page = read_document(PAGES / "github.md")
    assert page.sections[0].text == (
        "> **Note**\n> \n> The token needs the `repo` scope.\n\n"
        "> **Warning**\n> \n> Rotating the token logs everyone out.\n\n"
        "> A plain quote stays a quote."
    )


def test_include_lines_are_dropped_outside_code_and_kept_inside_it() -> None:
    text = (
        '# Snippets\n\n--8<-- "missing.md"\n\nKept.\n\n'
        '```text\n--8<-- "shown.md"\n<<< @/shown.js\n```\n'
    )
    page = read_document(_write(text))
    assert page.sections[0].text == 'Kept.\n\n```text\n--8<-- "shown.md"\n<<< @/shown.js\n```'


def test_labels_are_text_even_from_an_older_wiki() -> None:
    assert where("Create a `Config` class", "") == "Create a Config class"
    assert where("Guide", "Guide › *パラメータ*の宣言") == "Guide › パラメータの宣言"


def test_the_passages_of_a_vitepress_page_keep_their_containers_whole() -> None:
    passages = chunk(read_document(PAGES / "vitepress.md"))
    warning = next(p.text for p in passages if "Be careful" in p.text)
    assert "Mutating props is not allowed." in warning
    assert all(p.text.count("```") % 2 == 0 for p in passages)


def _write(text: str) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "page.md"
    path.write_text(text)
    return path
