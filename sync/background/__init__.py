"""Background workers and what they report: the auto-backup, the remote watch, the
start-up restore thread, notifications and a restore's progress."""
