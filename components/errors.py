"""sync's errors in the page's language. Each error carries a stable code (the CLI's
contract) and an English sentence; on a Japanese page the code picks the Japanese
sentence, and where the English one names the very file, backup or source, it follows
as the detail."""

from __future__ import annotations

from components.i18n import language, t
from components.text import Markdown

JA = {
    "not_configured": "バックアップ先が設定されていません。GITHUB_DATA_REPO を設定してください。",
    "auth_failed": (
        "リモートが認証情報を拒否しました。GITHUB_TOKEN とそのアクセス権を確認してください。"
    ),
    "remote_unreachable": (
        "バックアップ先のリモートに接続できませんでした。ネットワークと GITHUB_DATA_REPO を"
        "確認し、しばらくしてからもう一度お試しください。"
    ),
    "remote_gone": (
        "このホストのバックアップ先がなくなりました。管理ページから新しいバックアップ先を"
        "始めてください。"
    ),
    "lfs_missing": "git-lfs がありません。git-lfs を入れてからもう一度お試しください。",
    "file_too_large": "ファイルが MAX_FILE_SIZE_MB の上限を超えています。",
    "busy": "別のバックアップか復元が実行中です。終わってからもう一度お試しください。",
    "invalid_ref": "そのバックアップは見つかりません。",
    "nothing_to_undo": "取り消せる復元はありません。",
    "not_found": "見つかりません。",
    "verification_failed": "バックアップを検証できませんでした。",
    "push_rejected": (
        "リモートがプッシュを拒否しました(保護されたブランチやフック)。"
        "リモートの設定を確認してください。"
    ),
    "confirmation_required": "この操作には確認が必要です。",
    "restore_first": (
        "このホストはまだリモートのバックアップから復元していません。"
        "先に最新のバックアップを復元してください。"
    ),
    "shrink_guard": "このバックアップは最新のバックアップのデータの大半を消してしまいます。",
    "moved": (
        "バックアップは別のリポジトリに移転しました。GITHUB_DATA_REPO を移転先に設定して"
        "再起動してください。"
    ),
    "git_failed": "git の操作に失敗しました。サーバーのログを確認してください。",
    "source_refused": "このソースは取り込めません。",
    "interrupted": "操作が中断されました。もう一度お試しください。",
    "sync_failed": "同期に失敗しました。",
}
# Codes whose English sentence names the file, backup or source concerned.
DETAILED = {
    "file_too_large",
    "invalid_ref",
    "not_found",
    "verification_failed",
    "shrink_guard",
    "moved",
    "source_refused",
    "sync_failed",
}


def error_text(code: str, message: str) -> Markdown:
    """The error as the page says it: escaped, in the page's language."""
    said = JA.get(code) if language() == "ja" else None
    if said is None:
        return t("error", message=message)
    return t("error.ja_detail" if code in DETAILED else "error", message=said, detail=message)
