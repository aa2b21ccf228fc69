"""Row-level merge of two copies of one SQLite file, by rules the file declares itself.

A file opts in with two tables (chatbot.db does; sync/ never learns its schema):

- `kura_merge_rules(tbl, key, position, version, columns)`: for each table, its key
  column (globally unique ids) and the order tables merge in (parents first). A rule
  with a `version` column says the comma-separated `columns` (and the version) follow
  the copy whose version is newest; a table whose only rule has no version is
  append-only: its rows are added, never changed.
- `kura_tombstones(tbl, key, deleted_at)`: deletions. A deleted row stays deleted
  unless the other copy changed it after the deletion: the newest change wins.

Merging adds the other copy's missing rows, takes its newer versions, applies both
copies' tombstones and drops rows whose parent row is gone. It never replaces the
file, is idempotent, and two copies merged into each other end up equal.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

RULES = "kura_merge_rules"
TOMBSTONES = "kura_tombstones"


@dataclass(frozen=True)
class MergeCount:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0

    def __bool__(self) -> bool:
        return bool(self.inserted or self.updated or self.deleted)


@dataclass(frozen=True)
class _Table:
    name: str
    key: str
    columns: tuple[str, ...]  # present in both copies
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # (version, columns it governs)

    def latest(self, alias: str) -> str:
        """SQL for the time of a row's newest change ('' when it never changes)."""
        versions = [f"{alias}.{_quote(v)}" for v, _ in self.groups]
        if not versions:
            return "''"
        return versions[0] if len(versions) == 1 else f"max({', '.join(versions)})"


def is_mergeable(path: Path) -> bool:
    """True when the file is a SQLite database that declares merge rules."""
    if not path.is_file():
        return False  # connecting would create it
    try:
        with _open(path) as connection:
            return all(_has_table(connection, "main", t) for t in (RULES, TOMBSTONES))
    except sqlite3.DatabaseError:
        return False


def merge_into(live: Path, other: Path) -> MergeCount:
    """Merge `other`'s rows into `live` in one transaction; what changed in `live`."""
    with _open(live) as connection:
        connection.execute("ATTACH DATABASE ? AS other", (str(other),))
        connection.execute("BEGIN IMMEDIATE")
        try:
            count = _merge(connection)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return count


def _merge(connection: sqlite3.Connection) -> MergeCount:
    tables = _tables(connection)
    if _has_table(connection, "other", TOMBSTONES):
        connection.execute(
            f"INSERT INTO main.{TOMBSTONES} (tbl, key, deleted_at) "
            f"SELECT tbl, key, deleted_at FROM other.{TOMBSTONES} WHERE true "
            "ON CONFLICT (tbl, key) DO UPDATE SET deleted_at = max(deleted_at, excluded.deleted_at)"
        )
    inserted = sum(_insert_missing(connection, table) for table in tables)
    updated = sum(_take_newer(connection, table) for table in tables)
    deleted = sum(_apply_tombstones(connection, table) for table in tables)
    deleted += _drop_orphans(connection, {t.name for t in tables})
    return MergeCount(inserted, updated, deleted)


def _insert_missing(connection: sqlite3.Connection, table: _Table) -> int:
    name, key, columns = _quote(table.name), _quote(table.key), _list(table.columns)
    picked = ", ".join(f"o.{_quote(c)}" for c in table.columns)
    cursor = connection.execute(
        f"INSERT INTO main.{name} ({columns}) SELECT {picked} FROM other.{name} AS o "
        f"WHERE NOT EXISTS (SELECT 1 FROM main.{name} AS m WHERE m.{key} = o.{key}) "
        f"AND NOT EXISTS (SELECT 1 FROM main.{TOMBSTONES} AS d WHERE d.tbl = ? "
        f"AND d.key = o.{key} AND d.deleted_at >= {table.latest('o')}) ORDER BY o.rowid",
        (table.name,),
    )
    return cursor.rowcount


def _take_newer(connection: sqlite3.Connection, table: _Table) -> int:
    name, key = _quote(table.name), _quote(table.key)
    changed = 0
    for version, governed in table.groups:
        columns = (*[c for c in governed if c != version], version)
        mine = ", ".join(f"main.{name}.{_quote(c)}" for c in columns)
        theirs = ", ".join(f"o.{_quote(c)}" for c in columns)
        v = _quote(version)
        # Equal versions fall back to comparing the values, so both copies pick the same.
        cursor = connection.execute(
            f"UPDATE main.{name} SET ({_list(columns)}) = "
            f"(SELECT {theirs} FROM other.{name} AS o WHERE o.{key} = main.{name}.{key}) "
            f"WHERE EXISTS (SELECT 1 FROM other.{name} AS o WHERE o.{key} = main.{name}.{key} "
            f"AND (o.{v} > main.{name}.{v} OR (o.{v} = main.{name}.{v} "
            f"AND ({theirs}) > ({mine}))))"
        )
        changed += cursor.rowcount
    return changed


def _apply_tombstones(connection: sqlite3.Connection, table: _Table) -> int:
    name, key = _quote(table.name), _quote(table.key)
    cursor = connection.execute(
        f"DELETE FROM main.{name} WHERE EXISTS (SELECT 1 FROM main.{TOMBSTONES} AS d "
        f"WHERE d.tbl = ? AND d.key = main.{name}.{key} "
        f"AND d.deleted_at >= {table.latest(f'main.{name}')})",
        (table.name,),
    )
    return cursor.rowcount


def _drop_orphans(connection: sqlite3.Connection, names: set[str]) -> int:
    """Rows whose parent is gone (deleted here, or never merged): foreign keys say which."""
    dropped = 0
    while True:
        orphans = [
            (table, rowid)
            for table, rowid, *_ in connection.execute("PRAGMA main.foreign_key_check")
            if table in names and rowid is not None
        ]
        if not orphans:
            return dropped
        for table, rowid in orphans:
            connection.execute(f"DELETE FROM main.{_quote(table)} WHERE rowid = ?", (rowid,))
        dropped += len(orphans)


def _tables(connection: sqlite3.Connection) -> list[_Table]:
    """The rules of the live copy, checked against both copies' real columns."""
    rows = connection.execute(
        f"SELECT tbl, key, position, version, columns FROM main.{RULES} ORDER BY position, rowid"
    ).fetchall()
    tables: dict[str, _Table] = {}
    for name, key, _, version, governed in rows:
        mine = _columns(connection, "main", name)
        theirs = set(_columns(connection, "other", name))
        if not theirs:
            continue  # the other copy predates this table: nothing to take from it
        wanted = {key, *([version] if version else []), *_split(governed)}
        if not wanted <= set(mine) or not {key} <= theirs:
            raise sqlite3.DatabaseError(f"merge rule for {name} names a missing column")
        table = tables.get(name) or _Table(name, key, tuple(c for c in mine if c in theirs), ())
        if version and {version, *_split(governed)} <= theirs:
            table = _Table(name, key, table.columns, (*table.groups, (version, _split(governed))))
        tables[name] = table
    return list(tables.values())


def _columns(connection: sqlite3.Connection, schema: str, table: str) -> tuple[str, ...]:
    rows = connection.execute(f"PRAGMA {schema}.table_info({_quote(table)})").fetchall()
    return tuple(row[1] for row in rows)


def _has_table(connection: sqlite3.Connection, schema: str, name: str) -> bool:
    found = connection.execute(
        f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return found is not None


def _split(columns: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in columns.split(",") if c.strip())


def _list(columns: tuple[str, ...]) -> str:
    return ", ".join(_quote(c) for c in columns)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@contextlib.contextmanager
def _open(path: Path) -> Iterator[sqlite3.Connection]:
    # Autocommit: transactions are begun and ended here, explicitly.
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()
