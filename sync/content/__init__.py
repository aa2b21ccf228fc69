"""Kura's content store: data files as compressed, deduplicated chunks in pack objects.

Like restic's `internal/` packages, each piece is small and named for what it is:
`chunker` cuts a file into chunks, `pack` groups compressed chunks into LFS
objects, `manifest` describes one file (the versioned format a backup's tree
holds), `index` knows which chunks the remote already has, `writer` stores a
file and `reader` rebuilds one. docs/architecture.md documents the format.
"""
