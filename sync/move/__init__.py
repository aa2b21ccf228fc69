"""Moving backups to a fresh repository when the LFS quota is spent.

GitHub frees a repository's LFS storage only when the repository is deleted, so the
way out of a full quota is a new repository holding what matters: the newest backup
and, if wanted, the backups of the last days, their chunks written once into dense
packs. The old repository is left as it was, apart from one marker commit that tells
every instance still pointed at it where the backups went.

- `target`: the new repository's workspace, and the one token it may be given;
- `kept`: which backups move, and their trees and messages as git holds them;
- `dense`: the kept backups' chunks copied once into large packs;
- `replay`: the kept backups committed again on the new repository;
- `marker`: the old repository's last commit, and how a host reads it;
- `lineage`: a host that backed up to the old repository goes on in the new one.
"""
