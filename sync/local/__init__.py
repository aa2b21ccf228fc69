"""The local data: scanning and snapshotting files, SQLite, a restore's staging and its
journaled swap, and the saved state."""
