"""Text reaches the page only through components/text.py. Streamlit renders Markdown in
nearly every string it shows, so each string a page or component hands it must be Kura's
own words (`t()`, a literal), text escaped by `plain()` or `code()`, the wiki's Markdown
written again by `wiki_markdown()`, or a number, size or time Kura formatted. A variable
counts when every value given to it does, or when it is annotated `Markdown`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "components").glob("*.py")]
)
# Streamlit calls whose first argument (or `label=`/`text=`) is shown as Markdown.
SHOWN = {
    "markdown",
    "caption",
    "write",
    "info",
    "warning",
    "error",
    "success",
    "toast",
    "title",
    "header",
    "subheader",
    "button",
    "expander",
    "metric",
    "form_submit_button",
    "checkbox",
    "radio",
    "selectbox",
    "text_input",
    "number_input",
    "download_button",
    "link_button",
    "popover",
    "status",
    "spinner",
    "badge",
    "dialog",
    "page_link",
    "file_uploader",
}
KEYWORDS = ("label", "text", "body", "help")
# What makes text safe: components/text.py, the messages, and Kura's own formatting of
# numbers, sizes and times.
SAFE_CALLS = {
    "t",
    "error_text",
    "plain",
    "wiki_markdown",
    "code",
    "Markdown",
    "size",
    "ago",
    "when",
    "day_label",
    "duration",
    "unsaved_text",
    "failure_text",
    "len",
    "int",
}


def _shown_arguments(tree: ast.AST):
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in SHOWN:
            continue
        if node.func.attr != "progress" and node.args:
            yield node, node.args[0]
        for keyword in node.keywords:
            if keyword.arg in KEYWORDS:
                yield node, keyword.value


class _Scope:
    """A function's parameters annotated `Markdown` and the values given to each name."""

    def __init__(self, function: ast.FunctionDef | None) -> None:
        self.markdown: set[str] = set()
        self.values: dict[str, list[ast.expr]] = {}
        if function is None:
            return
        for argument in [*function.args.args, *function.args.kwonlyargs]:
            if argument.annotation is not None and "Markdown" in ast.unparse(argument.annotation):
                self.markdown.add(argument.arg)
        for node in ast.walk(function):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.values.setdefault(target.id, []).append(node.value)
            elif (
                isinstance(node, ast.NamedExpr | ast.AnnAssign)
                and node.value is not None
                and isinstance(node.target, ast.Name)
            ):
                self.values.setdefault(node.target.id, []).append(node.value)

    def safe(self, node: ast.expr, seen: frozenset[str] = frozenset()) -> bool:
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            return name in SAFE_CALLS
        if isinstance(node, ast.JoinedStr):
            return all(
                self.safe(v.value, seen) for v in node.values if isinstance(v, ast.FormattedValue)
            )
        if isinstance(node, ast.BinOp):
            return self.safe(node.left, seen) and self.safe(node.right, seen)
        if isinstance(node, ast.IfExp):
            return self.safe(node.body, seen) and self.safe(node.orelse, seen)
        if isinstance(node, ast.Name):
            if node.id in self.markdown:
                return True
            values = self.values.get(node.id)
            if not values or node.id in seen:
                return False
            return all(self.safe(v, seen | {node.id}) for v in values)
        return False


def _functions(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            yield node


def _unsafe(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for function in _functions(tree):
        scope = _Scope(function)
        for call, argument in _shown_arguments(function):
            if not scope.safe(argument):
                found.append(f"{path.relative_to(ROOT)}:{call.lineno}: {ast.unparse(argument)}")
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shown_string_comes_through_components_text(path: Path) -> None:
    assert _unsafe(path) == []


def test_the_check_sees_a_raw_value() -> None:
    """The check itself: a document's title handed to st.markdown unescaped is found."""
    source = "def show(doc):\n    label = doc.title\n    st.markdown(label)\n"
    tree = ast.parse(source)
    function = next(_functions(tree))
    assert [not _Scope(function).safe(arg) for _, arg in _shown_arguments(function)] == [True]
