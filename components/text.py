"""What users write is shown as text; what the wiki says is shown as its Markdown. Neither
is ever rendered as HTML, and neither makes a viewer's browser fetch anything.

Streamlit renders Markdown in almost every string it shows (buttons, toasts, captions,
dialogs, status labels), images included. Text a user or a remote controls (a
conversation title, a document or source name, an error message, a commit message) is
therefore escaped before it reaches one: `plain()`, which `t()` applies to every value it
puts into a message. The result is marked `Markdown`, so it is never escaped twice.
"""

from __future__ import annotations

import re

# Inline Markdown anywhere in a line; what starts a block (heading, list, quote) only at
# its start.
_INLINE = re.compile(r"([\\`*_\[\]<>!|~&$])")
# What GFM turns into a link by itself, whatever escapes it (it matches the text after
# parsing): `https://`, `www.`, `a@b.c`. An invisible word joiner breaks the pattern.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
JOINER = "\u2060"
_BLOCK = re.compile(r"^(\s*(?:\d+)?)((?<=\d)[.)]|(?<!\d)[#+\-=])")


class Markdown(str):
    """Text that is safe to render as Markdown: escaped, or written by Kura itself."""


def plain(text: str) -> Markdown:
    """Escape what Markdown or HTML would act on, keep line breaks, for st.markdown (and
    every other Streamlit call that renders Markdown): no image, link, autolink, emphasis,
    heading, list or HTML from a user's text."""
    if isinstance(text, Markdown):
        return text
    lines = [_escape_line(line) for line in str(text).splitlines()]
    return Markdown("  \n".join(lines))


def code(text: str) -> Markdown:
    """Text as inline code, shown exactly as written: the fence is one backtick longer than
    any run of backticks inside it, so nothing can close it early."""
    flat = " ".join(str(text).splitlines())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {flat} " if flat.startswith("`") or flat.endswith("`") else flat
    return Markdown(f"{fence}{padded}{fence}")


def _escape_line(line: str) -> str:
    line = _AUTOLINK.sub(JOINER, _INLINE.sub(r"\\\1", line))
    return _BLOCK.sub(lambda m: m.group(1) + "\\" + m.group(2), line)


_FENCE = re.compile(r"^\s*(> )*\s*(```|~~~)")
_SAFE_SCHEMES = ("http:", "https:", "mailto:", "#", "/")
# `![alt](…)`, `![alt][ref]`, `![alt]`: the `!` makes it an image the browser fetches.
_IMAGE = re.compile(r"!(?=\[)")
# `[text](target …)`: the target's scheme decides whether it stays a link.
_LINK = re.compile(r"\]\(\s*<?([^)\s>]*)")
# `[ref]: target` definitions, used by reference links and images.
_DEFINITION = re.compile(r"^(\s{0,3})\[([^\]]+)\]:\s*<?(\S*?)>?(\s|$)")


def wiki_markdown(text: str) -> Markdown:
    """The wiki's Markdown (code blocks, lists, tables), for st.markdown with raw HTML off,
    which shows any HTML in a document as text. Outside code: images become links (a
    viewer's browser never fetches what a document names), a link whose target is not
    http(s), mailto or on this site becomes text (never `javascript:`), `<` is text (no
    autolinks, no HTML), and `$` is escaped: a shell prompt in a sentence is not a formula."""
    lines, in_code = [], False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
        elif not in_code:
            line = _outside_code(_definition(line))
        lines.append(line)
    return Markdown("\n".join(lines))


def _outside_code(line: str) -> str:
    spans = line.split("`")
    return "`".join(s if i % 2 else _neutral(s) for i, s in enumerate(spans))


def _neutral(text: str) -> str:
    text = text.replace("$", "\\$").replace("<", "\\<")
    text = _IMAGE.sub("\\\\!", text)
    return _LINK.sub(_link, text)


def _link(match: re.Match[str]) -> str:
    target = match.group(1)
    if _safe(target):
        return match.group(0)
    return "\\]\\(" + match.group(0)[2:]  # no longer a link: shown as written


def _definition(line: str) -> str:
    found = _DEFINITION.match(line)
    if not found or _safe(found.group(3)):
        return line
    return f"{found.group(1)}\\[{line[len(found.group(1)) + 1 :]}"


def _safe(target: str) -> bool:
    lowered = target.strip().lower()
    scheme = re.match(r"^[a-z][a-z0-9+.-]*:", lowered)
    return not scheme or lowered.startswith(_SAFE_SCHEMES)
