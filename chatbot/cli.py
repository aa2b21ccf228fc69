"""`python -m chatbot`: import documents, list them, ask, follow wiki sources (the contract
in DESIGN.md)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from chatbot import cli_sources
from chatbot.answer import Answer, extractive_answer
from chatbot.importer import Importer
from chatbot.knowledge import KnowledgeBase
from chatbot.setup import chat_history, knowledge_base, llm_answerer
from chatbot.source_store import BadSource
from config import Settings, SettingsError, load_settings
from config.cli import Parser, UsageError, fail, json_flag
from sync.errors import SyncError


class CommandFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def build_parser() -> argparse.ArgumentParser:
    common = json_flag()
    parser = Parser(prog="python -m chatbot", description="Kura's wiki knowledge base.")
    parser.add_argument("--data-dir", metavar="DIR", help="data directory (KURA_DATA_DIR)")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    imports = commands.add_parser("import", parents=[common], help="import files or folders")
    imports.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    commands.add_parser("documents", parents=[common], help="list imported documents")
    ask = commands.add_parser("ask", parents=[common], help="answer from the wiki")
    ask.add_argument("question", metavar="QUESTION")
    ask.add_argument(
        "--conversation",
        metavar="new|ID",
        help="keep the exchange in chat history: a new conversation, or the one with this id",
    )
    ask.add_argument(
        "--extractive",
        action="store_true",
        help="answer with the wiki's own lines, even when an LLM is configured",
    )
    commands.add_parser("conversations", parents=[common], help="list conversations, newest first")
    cleanup = commands.add_parser("cleanup", parents=[common], help="delete old conversations")
    cleanup.add_argument(
        "--days",
        type=_days,
        required=True,
        metavar="N",
        help="delete conversations untouched for more than N days",
    )
    cli_sources.add_parser(commands)
    return parser


def _days(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        return fail("usage", f"{exc} (see python -m chatbot --help)", "--json" in argv, status=2)
    try:
        overrides = {"KURA_DATA_DIR": args.data_dir} if args.data_dir else {}
        settings = load_settings(overrides)
    except SettingsError as exc:
        return fail("not_configured", str(exc), args.json)
    status = 0
    try:
        data, text = COMMANDS[args.command](settings, args)
    except (CommandFailed, BadSource, SyncError) as exc:
        return fail(exc.code, getattr(exc, "message", str(exc)), args.json)
    except cli_sources.SourcesFailed as exc:
        data, text, status = exc.data, exc.text, 1
    print(json.dumps(data, ensure_ascii=False) if args.json else text)
    return status


def _import(settings: Settings, args: argparse.Namespace) -> tuple[dict, str]:
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        raise CommandFailed("not_found", f"No such file or folder: {missing[0]}; check the path.")
    report = Importer(knowledge_base(settings)).paths(args.paths)
    for reason in report.skipped:
        print(f"skipped: {reason}", file=sys.stderr)
    documents = [
        {"document": d.name, "title": d.title, "chunks": d.chunks, "status": status}
        for status, infos in (("added", report.added), ("changed", report.changed))
        for d in infos
    ]
    data = {
        "imported": len(documents),
        "documents": documents,
        "removed": report.removed,
        "unchanged": report.unchanged,
        "renamed": [{"from": old, "to": new} for old, new in report.renamed],
        "skipped": report.skipped,
    }
    lines = [f"{d['status']}: {d['document']} ({d['chunks']} passages)" for d in documents]
    lines += [f"removed: {name}" for name in report.removed]
    lines += [f"renamed: {old} is now {new}" for old, new in report.renamed]
    summary = (
        f"Imported {len(documents)} documents ({len(report.added)} new, "
        f"{len(report.changed)} changed); {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed, {len(report.skipped)} skipped."
    )
    return data, "\n".join([*lines, summary])


def _documents(settings: Settings, args: argparse.Namespace) -> tuple[list, str]:
    docs = knowledge_base(settings).documents()
    data = [
        {
            "document": d.name,
            "title": d.title,
            "chunks": d.chunks,
            "size": d.size,
            "imported_at": d.imported_at,
        }
        for d in docs
    ]
    text = "\n".join(f"{d.name}  {d.title}  {d.chunks} passages" for d in docs)
    return data, text or "No documents yet."


def _ask(settings: Settings, args: argparse.Namespace) -> tuple[dict, str]:
    history, conversation = chat_history(settings), args.conversation
    if conversation not in (None, "new") and not history.exists(conversation):
        raise CommandFailed(
            "not_found",
            f"No conversation {conversation!r}: pick an id from python -m chatbot conversations, "
            "or use --conversation new.",
        )
    kb = knowledge_base(settings)
    answer, mode = _llm_answer(settings, kb, args) or (extractive_answer(kb, args.question), "")
    data = {**answer.to_json(), "mode": mode or "extractive"}
    if conversation is not None:
        if conversation == "new":
            conversation = history.start(args.question).id
        history.add(conversation, "user", args.question)
        history.add(conversation, "assistant", answer.text, data["sources"])
        data["conversation"] = conversation
    sources = "\n".join(f"[{s.number}] {s.where} ({s.document})" for s in answer.sources)
    return data, f"{answer.text}\n\nSources:\n{sources}" if sources else answer.text


def _llm_answer(
    settings: Settings, kb: KnowledgeBase, args: argparse.Namespace
) -> tuple[Answer, str] | None:
    """The chat page's answer: through the LLM when one is configured and --extractive is
    not given. None when there is no LLM, or it failed (said on stderr)."""
    llm = None if args.extractive else llm_answerer(settings)
    if llm is None:
        return None
    from chatbot.context import llm_passages
    from chatbot.llm import LlmUnavailable, finish

    hits = llm_passages(kb, args.question, budget=settings.llm_context_chars)
    try:
        return finish("".join(llm.stream(args.question, hits)), hits), "llm"
    except LlmUnavailable as exc:
        print(f"warning: {exc} Answered from the wiki's own lines.", file=sys.stderr)
        return None


def _conversations(settings: Settings, args: argparse.Namespace) -> tuple[list, str]:
    conversations = chat_history(settings).conversations()
    data = [
        {
            "id": c.id,
            "title": c.title,
            "messages": c.messages,
            "updated_at": c.updated_at,
            "host": c.host,
        }
        for c in conversations
    ]
    text = "\n".join(f"{c.id}  {c.updated_at}  {c.messages:>3}  {c.title}" for c in conversations)
    return data, text or "No conversations yet."


def _cleanup(settings: Settings, args: argparse.Namespace) -> tuple[dict, str]:
    deleted = chat_history(settings).cleanup(days=args.days)
    return {"deleted": deleted}, f"Deleted {deleted} conversations older than {args.days} days."


COMMANDS = {
    "import": _import,
    "documents": _documents,
    "ask": _ask,
    "conversations": _conversations,
    "cleanup": _cleanup,
    "sources": cli_sources.run,
}
