"""Text that users or documents control is shown as text, in a real browser: a Markdown
image in a conversation title, a document's name or its body never makes a viewer's
browser fetch anything (every request is recorded, in Chromium and at the beacon)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest
from playwright.sync_api import Browser, Page, expect

from chatbot.history import ChatHistory
from chatbot.knowledge import KnowledgeBase
from chatbot.parsing import parse
from tests.e2e.conftest import PASSWORD, Server


class _Beacon(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def beacon() -> Iterator[str]:
    _Beacon.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Beacon)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def plant(server: Server, beacon: str) -> str:
    """A conversation titled with an image, and wiki pages that name and hold images."""
    data = server.workspace.data_dir
    title = f"![t](http://{beacon}/title.png) **bold**"
    history = ChatHistory(data / "chatbot.db")
    conversation = history.start(title)
    history.add(conversation.id, "user", title)
    kb = KnowledgeBase(data / "wiki.db")
    markdown = (
        "# Beacon guide\n\nThe beacon lamp is lit at dusk.\n\n"
        f"![logo](http://{beacon}/doc.png)\n\n[click me](javascript:alert(1))\n\n"
        f"Reference style ![ref][img] too.\n\n[img]: http://{beacon}/ref.png\n"
    )
    kb.add(parse(f"![n](http:/{beacon}/name.png).md", markdown), size=len(markdown))
    html = (
        "<html><body><h1>Beacon lamp</h1><p>The beacon lamp needs oil. "
        f"![x](http://{beacon}/html-md.png)</p><img src='http://{beacon}/html.png'></body></html>"
    )
    kb.add(parse("lamp.html", html), size=len(html))
    return title


@pytest.mark.server_env({"UI_LANGUAGE": "en"})
def test_images_in_titles_names_and_documents_load_nothing(
    page: Page, server: Server, beacon: str
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    title = plant(server, beacon)

    # As the page writes it: every character, an invisible word joiner keeping `http://`
    # from being linked by itself.
    shown = title.replace("://", ":\u2060//")
    page.goto(server.url)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    sidebar = page.get_by_test_id("stSidebar")
    # The title is shown as written, in the sidebar, and in the delete dialog.
    sidebar.get_by_role("button", name=shown).click()
    expect(page.get_by_test_id("stChatMessage").get_by_text(shown)).to_be_visible()
    sidebar.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("dialog").get_by_text(shown)).to_be_visible()
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()

    # An answer quoting both pages: their images are links or text, never fetched.
    page.get_by_test_id("stChatInputTextArea").fill("When is the beacon lamp lit?")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The beacon lamp is lit at dusk.").first).to_be_visible()
    expect(page.get_by_role("link", name="x", exact=True)).to_be_visible()  # was an image
    page.get_by_role("button", name="[1] Beacon guide").click()  # the whole passage
    dialog = page.get_by_role("dialog")
    # A Markdown page's images and links are read as their text when it is imported.
    expect(dialog.get_by_text("logo", exact=True)).to_be_visible()
    expect(dialog.get_by_text("click me", exact=True)).to_be_visible()
    for link in page.locator("a").all():
        assert not (link.get_attribute("href") or "").lower().startswith("javascript:")
    page.keyboard.press("Escape")

    # The Knowledge page lists the document under its folder's name, as text.
    page.get_by_role("link", name="Knowledge").click()
    expect(page.get_by_text(f"![n](http:/{beacon} (1)")).to_be_visible()

    page.wait_for_load_state("networkidle")  # what an image would fetch is asked for by now
    assert _Beacon.hits == []
    assert not [url for url in requested if beacon in url]
    assert page.locator("img[src*='127.0.0.1']").count() == 0


# Each ends an image or a script where a renderer that reads Markdown with patterns
# (single backticks, any fence line) stops treating the text as text: the breakouts a probe
# found, mismatched fences, nested containers, references, entities and HTML in tables.
HOSTILE = [
    "The otter sleeps holding hands ` ![o](http://{b}/stray-backtick.png)",
    "Named `.md` and ``a`b`` then ![o](http://{b}/code-span.png)",
    "::: warning Don't ` ![x](http://{b}/container.png)\nbody\n:::",
    "<p>An otter ` ![h](http://{b}/html-p.png)</p>",
    "<pre>~~~</pre>\n\n![i](http://{b}/after-pre.png)",
    "```\nopen backticks\n~~~\n![a](http://{b}/mismatched.png)",
    "~~~\ntildes\n```\n![t](http://{b}/tildes.png)\n~~~",
    "````\nfour\n```\n![f](http://{b}/four.png)\n````\n\n![g](http://{b}/after-four.png)",
    "> - > ```\n> - > ![d](http://{b}/nested.png)",
    "Reference ![x][ref] style\n\n[ref]: http://{b}/reference.png",
    "Autolink <http://{b}/autolink.png> and www.{b}/bare.png",
    "&#33;[e](http://{b}/entity.png) &#96; ![f](http://{b}/entity-tick.png)",
    "| otter | cell |\n| --- | --- |\n"
    "| <img src='http://{b}/table.png'> | `x|![p](http://{b}/pipe.png)` |",
    "<script>window.kuraPwned = 1</script><img src=x onerror='window.kuraPwned = 1'>",
    "[click](javascript:window.kuraPwned=1) [data](data:text/html,<script>1</script>)",
]


def _hostile(beacon: str) -> str:
    return "\n\n".join(case.format(b=beacon) for case in HOSTILE)


@pytest.mark.server_env({"UI_LANGUAGE": "en"})
def test_hostile_markdown_loads_and_runs_nothing_for_any_viewer(
    browser: Browser, server: Server, beacon: str
) -> None:
    data = server.workspace.data_dir
    corpus = _hostile(beacon)
    history = ChatHistory(data / "chatbot.db")
    conversation = history.start("Otter notes")
    history.add(conversation.id, "user", "Tell me about the otter")
    history.add(conversation.id, "assistant", corpus)
    kb = KnowledgeBase(data / "wiki.db")
    page_text = "# Otter guide\n\nThe otter sleeps holding hands.\n\n" + corpus
    kb.add(parse("otter.md", page_text), size=len(page_text))

    requested: list[str] = []
    for viewer in ("asks", "opens"):  # the one who asks, then another user reading it
        context = browser.new_context()
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.goto(server.url)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", name="Ask the wiki").wait_for()
        if viewer == "asks":
            page.get_by_test_id("stChatInputTextArea").fill("How does the otter sleep?")
            page.keyboard.press("Enter")
            expect(page.get_by_text("holding hands").first).to_be_visible()
            page.get_by_role("button", name="[1] Otter guide").first.click()
            expect(page.get_by_role("dialog").get_by_text("open backticks")).to_be_visible()
            page.keyboard.press("Escape")
        else:
            page.get_by_test_id("stSidebar").get_by_role("button", name="Otter notes").click()
            expect(page.get_by_text("open backticks")).to_be_visible()
        page.wait_for_load_state("networkidle")  # what an image would fetch is asked for by now
        assert page.evaluate("window.kuraPwned") is None
        assert page.locator(f"img[src*='{beacon}']").count() == 0
        for link in page.locator("a").all():
            href = (link.get_attribute("href") or "").lower()
            assert not href.startswith(("javascript:", "data:")), href
        context.close()
    assert _Beacon.hits == []
    assert not [url for url in requested if beacon in url]
