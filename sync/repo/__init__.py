"""The repository: every git and git-lfs process, the remote's LFS objects, the cache's
locks and its maintenance."""
