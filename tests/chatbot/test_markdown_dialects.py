"""Markdown as documentation sites write it: VitePress, Docusaurus and Starlight (MDX),
MyST (Sphinx) and GitHub."""

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
        "npm\n\n```bash\nnpm install --save docusaurus\n```\n\n"
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


def _write(text: str, name: str = "page.md") -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / name
    path.write_text(text)
    return path


def test_a_myst_page_reads_its_directives_roles_and_targets() -> None:
    page = read_document(PAGES / "myst.md")
    assert [s.heading for s in page.sections] == ["Installation › Supported Methods"]
    assert page.sections[0].text == (
        "Python comes with an `ensurepip` module, see the guide.\n\n"
        # an extension's directive is a code block named after it
        "```pip-cli\n$ python -m ensurepip --upgrade\n```\n\n"
        # a note keeps the code block it holds whole, its options dropped
        "> **Example**\n> \n> The user requests `pip install tea`:\n> \n"
        "> ```\n> pip install tea\n> ```\n\n"
        "> **Note**\n> \n> The zip application is experimental.\n\n"
        "> **New in version 22.2**\n> \n> The `--dry-run` flag.\n\n"
        "```python\nimport pip\n```\n\n"
        # tabs read as labelled variants; the toctree and the comment have no words
        "Unix/macOS\n\n```\npython -m pip --version\n```\n\n"
        "Windows\n\n```\npy -m pip --version\n```"
    )


def test_percent_lines_are_text_on_a_page_that_is_not_myst() -> None:
    page = read_document(_write("# Growth\n\n% of users who came back, by month.\n"))
    assert page.sections[0].text == "% of users who came back, by month."


def test_a_starlight_page_reads_steps_tabs_asides_and_trees() -> None:
    page = read_document(PAGES / "starlight.mdx")
    assert page.title == "Install Astro"
    install, docusaurus = page.sections
    assert install.text == (
        # code indented inside <Steps> items stays code, each package manager labelled
        "1. Run the wizard:\n   \n   npm\n   \n"
        "   ```shell\n   npm create astro@latest\n   ```\n   \n   pnpm\n   \n"
        "   ```shell\n   pnpm create astro@latest\n   ```\n"
        "2. Start the server:\n   \n   ```sh\n   npm run dev\n   ```\n\n"
        "macOS\n\n```sh\nbrew install astro\n```\n\nWindows\n\nUse winget.\n\n"
        "> **Watch out**\n> \n> Never commit `.env` files.\n\n"
        "> **Note: Node version**\n> \n> Node 18 or newer.\n\n"
        "```ini\nSECRET=1\n```\n\n"  # a titled fence keeps its language
        "- src/\n  - pages/\n    - index.astro"
    )
    # A fence right after a tag's line is still a fence, labelled by the tab
    assert docusaurus.text == (
        "npm\n\n```bash\nnpm install --save docusaurus\n```\n\n"
        "yarn\n\n```bash\nyarn add docusaurus\n```"
    )


def test_component_tags_inside_code_blocks_stay_code() -> None:
    text = "# Usage\n\nWrite:\n\n```mdx\n<Steps>\n1. One\n</Steps>\n```\n"
    page = read_document(_write(text, "page.mdx"))
    assert page.sections[0].text == "Write:\n\n```mdx\n<Steps>\n1. One\n</Steps>\n```"


def test_directives_inside_code_blocks_stay_code() -> None:
    text = "# Usage\n\n````md\n```{note}\nA note.\n```\n(target)=\n````\n"
    page = read_document(_write(text))
    assert page.sections[0].text == "````md\n```{note}\nA note.\n```\n(target)=\n````"


def test_a_stray_closing_tag_leaves_the_open_ones_and_code_keeps_its_tabs() -> None:
    text = (
        '# Build\n\n<Tabs>\n  <TabItem label="make">\n  ```make\n  all:\n  \tcc main.c\n  ```\n'
        "  </Aside>\n  Run it.\n  </TabItem>\n</Tabs>\n"
    )
    page = read_document(_write(text, "page.mdx"))
    assert page.sections[0].text == "make\n\n```make\nall:\n\tcc main.c\n```\n\nRun it."
