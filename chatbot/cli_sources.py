"""`python -m chatbot sources add|list|pull|remove`: wiki sources from Git repositories.

The command-line face may call sync/ to fetch; the JSON follows DESIGN.md. `add` pulls
the new source at once and answers with its `list` entry plus that first `pull`.
"""

from __future__ import annotations

import argparse

from chatbot.setup import knowledge_base
from chatbot.source_pull import PullResult, forget, pull, pull_all
from chatbot.source_store import BadSource, Source, SourceStore, name_from
from config import Settings
from config.cli import json_flag
from sync.sources import SourceAccess, check_url


class SourcesFailed(Exception):
    """A pull that failed for some source: the JSON is still printed, and the exit is 1."""

    def __init__(self, data: dict, text: str) -> None:
        super().__init__(text)
        self.data, self.text = data, text


def add_parser(commands: argparse._SubParsersAction) -> None:
    common = json_flag()
    sources = commands.add_parser("sources", help="wiki sources from Git repositories")
    actions = sources.add_subparsers(dest="action", required=True, parser_class=type(sources))
    add = actions.add_parser("add", parents=[common], help="add a source and pull it")
    add.add_argument("url", metavar="URL")
    add.add_argument("--name", help="its pages are NAME/<path> (default: from the URL)")
    add.add_argument("--branch", default="main", help="the branch to follow (default: main)")
    add.add_argument("--path", default="", metavar="SUBDIR", help="the folder holding the wiki")
    actions.add_parser("list", parents=[common], help="list sources")
    pulls = actions.add_parser("pull", parents=[common], help="fetch and re-index what changed")
    pulls.add_argument("name", nargs="?", metavar="NAME")
    remove = actions.add_parser("remove", parents=[common], help="forget a source and its pages")
    remove.add_argument("name", metavar="NAME")


def run(settings: Settings, args: argparse.Namespace) -> tuple[object, str]:
    """Raises BadSource or SyncError (one line, a code), or SourcesFailed."""
    return ACTIONS[args.action](settings, args, SourceStore(knowledge_base(settings)))


def _add(settings: Settings, args: argparse.Namespace, store: SourceStore) -> tuple[dict, str]:
    url = check_url(args.url, allow_private=settings.wiki_sources_allow_private)
    source = store.add(Source(args.name or name_from(url), url, args.branch, args.path))
    result = pull(store.kb, source, home=settings.home, access=SourceAccess.of(settings))
    data = {"source": _entry(store, store.get(source.name)), "pull": result.to_json()}
    text = f"Added {source.name}. {_line(result)}"
    if result.status == "failed":
        raise SourcesFailed(data, text)
    return data, text


def _list(settings: Settings, args: argparse.Namespace, store: SourceStore) -> tuple[list, str]:
    entries = [_entry(store, s) for s in store.all()]
    text = "\n".join(
        f"{e['name']}  {e['url']}  {e['branch']}  {e['commit'][:8] or '-'}  "
        f"{e['documents']} pages" + (f"  error: {e['error']}" if e["error"] else "")
        for e in entries
    )
    return entries, text or "No sources yet: python -m chatbot sources add URL."


def _pull(settings: Settings, args: argparse.Namespace, store: SourceStore) -> tuple[dict, str]:
    if args.name and not store.get(args.name):
        raise BadSource("not_found", f"No source named {args.name!r}; see sources list.")
    names = [args.name] if args.name else None
    access = SourceAccess.of(settings)
    results = pull_all(store.kb, home=settings.home, access=access, names=names)
    data = {"sources": [r.to_json() for r in results]}
    text = "\n".join(_line(r) for r in results) or "No sources to pull."
    if any(r.status == "failed" for r in results):
        raise SourcesFailed(data, text)
    return data, text


def _remove(settings: Settings, args: argparse.Namespace, store: SourceStore) -> tuple[dict, str]:
    source = store.get(args.name)
    if source is None:
        raise BadSource("not_found", f"No source named {args.name!r}; see sources list.")
    pages = forget(store.kb, source, home=settings.home)
    return {"removed": source.name, "documents": pages}, (
        f"Removed {source.name} and its {len(pages)} pages."
    )


def _entry(store: SourceStore, source: Source | None) -> dict:
    assert source is not None
    return {
        "name": source.name,
        "url": source.url,  # never holds credentials: check_url refuses them
        "branch": source.branch,
        "path": source.path,
        "commit": source.commit,
        "pulled_at": source.pulled_at,
        "documents": store.documents(source),
        "error": source.error,
    }


def _line(result: PullResult) -> str:
    if result.status == "failed":
        return f"{result.name}: failed: {result.error}"
    if result.status == "unchanged":
        return f"{result.name}: unchanged at {result.commit[:8]}."
    return (
        f"{result.name}: {result.commit[:8]}, {len(result.added)} added, "
        f"{len(result.changed)} changed, {len(result.removed)} removed."
    )


ACTIONS = {"add": _add, "list": _list, "pull": _pull, "remove": _remove}
