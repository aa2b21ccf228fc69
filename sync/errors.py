"""Typed errors: each carries a stable code (the CLI's contract) and a one-line message
that says what to do. Messages never hold secrets or git's raw stderr."""

from __future__ import annotations


class SyncError(Exception):
    code = "sync_failed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotConfigured(SyncError):
    code = "not_configured"


class AuthFailed(SyncError):
    code = "auth_failed"


class RemoteUnreachable(SyncError):
    code = "remote_unreachable"


class RemoteGone(RemoteUnreachable):
    """The default local remote this host backed up to is no longer there."""

    code = "remote_gone"


class LfsMissing(SyncError):
    code = "lfs_missing"


class FileTooLarge(SyncError):
    code = "file_too_large"


class Busy(SyncError):
    code = "busy"


class InvalidRef(SyncError):
    code = "invalid_ref"


class NothingToUndo(SyncError):
    code = "nothing_to_undo"


class NoSuchFile(SyncError):
    code = "not_found"


class VerificationFailed(SyncError):
    code = "verification_failed"


class PushRejected(SyncError):
    code = "push_rejected"


class ConfirmationRequired(SyncError):
    code = "confirmation_required"


class RestoreFirst(SyncError):
    """This host never restored from the remote, which already holds backups."""

    code = "restore_first"


class BackupsMoved(SyncError):
    """The remote's newest commit says backups moved to another repository."""

    code = "moved"


class ShrinkGuard(SyncError):
    """The backup would drop most of the latest backup's data."""

    code = "shrink_guard"


class GitFailed(SyncError):
    """A git command failed for a reason with no better name; details go to the log only."""

    code = "git_failed"


ERROR_CODES = tuple(
    cls.code
    for cls in (
        NotConfigured,
        AuthFailed,
        RemoteUnreachable,
        RemoteGone,
        LfsMissing,
        FileTooLarge,
        Busy,
        InvalidRef,
        VerificationFailed,
        PushRejected,
        ConfirmationRequired,
        RestoreFirst,
        ShrinkGuard,
        GitFailed,
    )
)


class SourceRefused(SyncError):
    """A wiki source's URL or content Kura will not fetch (a transport helper, credentials
    in the URL, plain http to another machine)."""

    code = "source_refused"
