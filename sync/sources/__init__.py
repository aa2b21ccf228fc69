"""Wiki sources: Git repositories (a GitHub wiki, a docs folder) mirrored under KURA_HOME.

GitPython drives git here, and only here: the chatbot is handed each page's path and
bytes, and never runs git. A mirror is a bare, shallow clone with no working tree, so a
hostile repository's symbolic links, `..` paths and submodules are never written to disk.
"""

from sync.sources.access import NO_ACCESS, SourceAccess
from sync.sources.mirror import Mirror, Page, Pages
from sync.sources.url import check_url

__all__ = ["NO_ACCESS", "Mirror", "Page", "Pages", "SourceAccess", "check_url"]
