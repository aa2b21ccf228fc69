"""The backup's layout in git: the files a commit stores, the tree of a new backup, and
the history index."""
