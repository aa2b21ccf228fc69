"""Results that cross layers: small, typed and JSON-ready."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

BackupKind = Literal[
    "manual", "auto", "pre-restore", "startup", "restore", "undo", "moved", "external"
]
KURA_KINDS: tuple[str, ...] = (
    "manual",
    "auto",
    "pre-restore",
    "startup",
    "restore",
    "undo",
    "moved",  # the old repository's last commit after a move (`sync.move.marker`)
)


# The notes Kura writes on a backup about another one, each followed by its short id; the
# admin page shows them in its own language.
MOVED_NOTE = "Backups moved to "  # the old repository's marker, followed by the new URL
NOTE_PREFIXES = {
    "pre-restore": "Safety backup before restoring ",
    "restore": "Restore of ",
    "undo": "Undo: back to ",
}


@dataclass(frozen=True)
class FileInfo:
    """A file in the data directory."""

    path: str  # posix, relative to the data directory
    size: int
    modified: datetime
    kind: Literal["sqlite", "text", "binary"]

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "modified": self.modified.isoformat()}


@dataclass(frozen=True)
class Failure:
    """A failed backup or restore attempt, as the operations log recorded it."""

    time: datetime
    operation: str  # backup | restore
    code: str
    message: str  # the one-line message the user saw
    last_success: datetime | None = None  # of the same operation; None when not recent

    def to_json(self) -> dict[str, Any]:
        success = self.last_success.isoformat() if self.last_success else None
        return {**asdict(self), "time": self.time.isoformat(), "last_success": success}


@dataclass(frozen=True)
class BackupFile:
    """A data file as a backup holds it."""

    path: str  # posix, relative to the data directory
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size}


@dataclass(frozen=True)
class BackupInfo:
    """One backup (a commit on the backup branch)."""

    commit: str
    date: datetime
    message: str
    kind: BackupKind
    files: int
    bytes: int
    host: str = ""  # the machine that made it (Kura-Host); "" for commits made outside Kura
    uploaded: int | None = None  # LFS bytes it added (Kura-Storage); None when unknown
    restored: str | None = None  # a restore's or an undo's: the backup it brought back
    replaced: str | None = None  # ... and the backup that held the data it replaced
    restored_message: str | None = None  # ... the note of the backup it brought back
    restored_date: datetime | None = None  # ... and when that backup was made

    @property
    def short(self) -> str:
        return self.commit[:8]

    def to_json(self) -> dict[str, Any]:
        restored_date = self.restored_date.isoformat() if self.restored_date else None
        return {**asdict(self), "date": self.date.isoformat(), "restored_date": restored_date}


@dataclass(frozen=True)
class FileOrigin:
    """The backup that wrote a file's version: its commit, time, host and kind."""

    commit: str
    date: datetime
    host: str  # "" for commits made outside Kura
    kind: BackupKind


@dataclass(frozen=True)
class NewerBackup:
    """The newest backup holds files this host lacks and did not change itself."""

    commit: str
    date: datetime | None  # when the newest of those files was backed up
    host: str
    kind: BackupKind
    files: tuple[str, ...]  # paths inside the data directory


@dataclass(frozen=True)
class BackupResult:
    status: Literal["created", "unchanged"]
    commit: str | None
    files: int
    bytes: int
    changed_files: int
    uploaded: int = 0  # bytes of new LFS objects (packs) this backup uploaded
    changed: tuple[str, ...] = ()  # paths added, changed or removed, inside the data directory
    merged: tuple[str, ...] = ()  # databases another instance's rows were merged into first

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FileChange:
    path: str
    size_before: int | None  # None: the file does not exist now
    size_after: int | None  # None: the restore removes it


@dataclass(frozen=True)
class RestorePlan:
    """What restoring `commit` would change in the data directory."""

    commit: str
    added: list[FileChange] = field(default_factory=list)
    removed: list[FileChange] = field(default_factory=list)
    changed: list[FileChange] = field(default_factory=list)

    @property
    def is_noop(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_json(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "added": [c.path for c in self.added],
            "removed": [c.path for c in self.removed],
            "changed": [c.path for c in self.changed],
            "details": [asdict(c) for c in (*self.added, *self.removed, *self.changed)],
        }


@dataclass(frozen=True)
class UnrecordedRestore:
    """A restore whose data is in place but not yet recorded as the newest backup (its
    push was refused or cut off): the next backup records it, never the older data."""

    restored: str  # the backup brought back
    replaced: str | None  # the backup holding the data it replaced (what an undo restores)
    undo: bool = False  # an undo's restore

    @property
    def kind(self) -> Literal["restore", "undo"]:
        return "undo" if self.undo else "restore"

    @property
    def message(self) -> str:
        return NOTE_PREFIXES[self.kind] + self.restored[:8]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RestoreResult:
    # unrecorded: the data is the backup's, but recording it as the newest backup failed
    status: Literal["restored", "unchanged", "unrecorded"]
    commit: str
    safety_backup: str | None
    bytes: int = 0  # the restored data's size
    downloaded: int = 0  # LFS bytes fetched from the remote for it
    unrecorded: Any = field(default=None, compare=False)  # the SyncError that kept it unrecorded

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "commit": self.commit,
            "safety_backup": self.safety_backup,
            "bytes": self.bytes,
            "downloaded": self.downloaded,
        }


@dataclass(frozen=True)
class LastBackup:
    commit: str
    date: datetime

    def to_json(self) -> dict[str, Any]:
        return {"commit": self.commit, "date": self.date.isoformat()}


@dataclass(frozen=True)
class StorageUsage:
    """Git LFS storage and bandwidth against the quota (`sync.actions.storage`)."""

    lfs_bytes: int  # stored on the remote, in real (compressed) bytes
    lfs_objects: int
    backups: int
    last_growth: int  # bytes the newest backup added
    median_growth: int  # median over the last 20 backups
    days_until_full: float | None  # at `daily_growth`; None when it does not grow or is unknown
    bandwidth_this_month: int  # LFS bytes restores and verifies downloaded
    daily_growth: int | None = None  # the median day of the last two weeks; None under 3 days

    def quota_share(self, quota_gb: float) -> float:
        return self.lfs_bytes / (quota_gb * 1024**3)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Status:
    remote: str  # redacted
    branch: str
    data_dir: str
    files: list[FileInfo]
    last_backup: LastBackup | None
    dirty: bool
    lfs_available: bool
    restore_pending: bool = False  # started empty, not restored yet: backups refuse
    restore_unrecorded: UnrecordedRestore | None = None  # the next backup records it
    storage: StorageUsage | None = None
    last_failure: Failure | None = None  # the last backup or restore attempt, when it failed

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def to_json(self) -> dict[str, Any]:
        return {
            "remote": self.remote,
            "branch": self.branch,
            "data_dir": self.data_dir,
            "files": [f.to_json() for f in self.files],
            "total_bytes": self.total_bytes,
            "last_backup": self.last_backup.to_json() if self.last_backup else None,
            "dirty": self.dirty,
            "lfs_available": self.lfs_available,
            "restore_pending": self.restore_pending,
            "restore_unrecorded": (
                self.restore_unrecorded.to_json() if self.restore_unrecorded else None
            ),
            "storage": self.storage.to_json() if self.storage else None,
            "last_failure": self.last_failure.to_json() if self.last_failure else None,
        }


@dataclass(frozen=True)
class VerifyResult:
    commit: str
    files: int
    bytes: int
    sqlite_checked: int
    mode: Literal["presence", "deep"] = "presence"
    objects: int = 0  # LFS objects the backup needs
    downloaded: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"status": "ok", **asdict(self)}
