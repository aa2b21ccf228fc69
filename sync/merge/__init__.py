"""Merging another instance's rows into live SQLite files, by rules each file declares."""
