"""Every user-visible text, in English and Japanese (UI_LANGUAGE)."""

from __future__ import annotations

from datetime import datetime, timedelta

import humanize

from components.runtime import runtime
from components.text import Markdown, plain

MESSAGES: dict[str, dict[str, str]] = {
    "app.title": {"en": "Kura", "ja": "Kura"},
    "nav.login": {"en": "Log in", "ja": "ログイン"},
    "nav.admin": {"en": "Admin", "ja": "管理"},
    "login.title": {"en": "Log in to Kura", "ja": "Kura にログイン"},
    "login.password": {"en": "Password", "ja": "パスワード"},
    "login.submit": {"en": "Log in", "ja": "ログイン"},
    "login.wrong": {"en": "Incorrect password.", "ja": "パスワードが違います。"},
    "login.busy": {
        "en": "Many logins are being tried at once; wait a few seconds and try again.",
        "ja": "多数のログインが同時に試みられています。数秒待ってからもう一度お試しください。",
    },
    "login.generated": {
        "en": "No SHARED_PASSWORD is set: a password was generated and printed in the server log.",
        "ja": "SHARED_PASSWORD が未設定のため、パスワードを生成してサーバーログに出力しました。",
    },
    "logout": {"en": "Log out", "ja": "ログアウト"},
    "settings.invalid": {
        "en": "Kura cannot start: {error}",
        "ja": "Kura を起動できません: {error}",
    },
    "startup.title": {"en": "Restoring the team's data", "ja": "チームのデータを復元しています"},
    "startup.connecting": {
        "en": "Connecting to the backup remote…",
        "ja": "バックアップ先に接続しています…",
    },
    "startup.downloading": {
        "en": "Downloaded {done} of {total} ({files})",
        "ja": "{total} のうち {done} をダウンロードしました({files})",
    },
    "startup.checking": {
        "en": "Checking the restored files…",
        "ja": "復元したファイルを検査しています…",
    },
    "startup.saving": {"en": "Putting the data in place…", "ja": "データを配置しています…"},
    "startup.wait": {
        "en": "Kura restarted on an empty disk and is bringing its data back from the backups. "
        "This page continues on its own.",
        "ja": "Kura は空のディスクで再起動したため、バックアップからデータを戻しています。"
        "完了するとこのページは自動で進みます。",
    },
    "startup.held_public": {
        "en": "The data has not been restored from the backups yet; backups are paused. "
        "Log in for details.",
        "ja": "データはまだバックアップから復元されていないため、バックアップを止めています。"
        "詳しくはログインしてください。",
    },
    "startup.failed": {
        "en": "The team's data could not be restored from the backups yet: {error} "
        "Backups are held until it is, so this start cannot overwrite them. "
        "Next try at {when}.",
        "ja": "チームのデータをまだバックアップから復元できていません: {error} "
        "復元できるまでバックアップを保留し、この起動がバックアップを上書きしないようにしています。"
        "次の再試行は {when} です。",
    },
    "startup.diverged": {
        "en": "This data was never restored from the backup remote, which already holds "
        "backups. Backups are held so that it cannot bury them: on the admin page, restore "
        "the latest backup, or start fresh to back this data up on top.",
        "ja": "このデータはバックアップ先から復元されたものではなく、バックアップ先にはすでに"
        "バックアップがあります。上書きしないようバックアップを保留しています。管理ページで"
        "最新のバックアップを復元するか、このデータで新しく始めてください。",
    },
    "startup.retry": {"en": "Retry now", "ja": "今すぐ再試行"},
    "startup.restore_latest": {"en": "Restore the latest backup", "ja": "最新のバックアップを復元"},
    "startup.fresh": {"en": "Start fresh…", "ja": "新しく始める…"},
    "startup.fresh_title": {
        "en": "Start fresh with this data?",
        "ja": "このデータで新しく始めますか?",
    },
    "startup.fresh_remote": {
        "en": "The remote holds {count} backups. The newest, {commit} from {date}, has {files} "
        "({size}).",
        "ja": "バックアップ先には {count} 件のバックアップがあります。最新の {commit}"
        "({date})は {files}({size})です。",
    },
    "startup.fresh_local": {
        "en": "Starting fresh backs up this host's data, {files} ({size}), as the newest "
        "backup. The remote's backups stay in the history and can still be restored.",
        "ja": "このホストのデータ {files}({size})を最新のバックアップとして保存します。"
        "既存のバックアップは履歴に残り、復元できます。",
    },
    "startup.fresh_button": {"en": "Start fresh with this data", "ja": "このデータで新しく始める"},
    "startup.fresh_done": {
        "en": "Started fresh: backup {commit}.",
        "ja": "新しく始めました: バックアップ {commit}",
    },
    "startup.meanwhile": {
        "en": "{count} pages written here before the team's data came back are kept in "
        "backup {commit}.",
        "ja": "チームのデータが戻る前にここで追加された {count} ページは、バックアップ {commit} "
        "に保存されています。",
    },
    "startup.meanwhile_chats": {
        "en": "Conversations from that time are kept in backup {commit} too.",
        "ja": "その間の会話もバックアップ {commit} に保存されています。",
    },
    "startup.meanwhile_import": {"en": "Import them again", "ja": "もう一度取り込む"},
    "startup.meanwhile_done": {
        "en": "Imported {count} pages again.",
        "ja": "{count} ページをもう一度取り込みました。",
    },
    "dismiss": {"en": "Dismiss", "ja": "閉じる"},
    "backup.anyway": {"en": "Back up anyway", "ja": "それでもバックアップ"},
    "backup.cancel": {"en": "Don't back up", "ja": "バックアップしない"},
    "admin.title": {"en": "Backups and data", "ja": "バックアップとデータ"},
    "card.remote": {"en": "Backup remote", "ja": "バックアップ先"},
    "card.token": {"en": "token {token}", "ja": "トークン {token}"},
    "card.branch": {"en": "Branch", "ja": "ブランチ"},
    "card.last_backup": {"en": "Last backup", "ja": "最終バックアップ"},
    "card.never": {"en": "never", "ja": "なし"},
    "card.unsaved": {"en": "Unsaved changes", "ja": "未保存の変更"},
    "card.dirty": {"en": "yes", "ja": "あり"},
    "card.clean": {"en": "none", "ja": "なし"},
    "card.auto": {"en": "Auto-backup", "ja": "自動バックアップ"},
    "card.auto_on": {"en": "within {bound} of a change", "ja": "変更から{bound}以内"},
    "card.auto_off": {"en": "off", "ja": "オフ"},
    "card.next_run": {"en": "next at {when}", "ja": "次回 {when}"},
    "card.auto_failing": {"en": "failing: {error}", "ja": "失敗中: {error}"},
    "card.auto_changes": {
        "en": "{quiet:g} s after changes settle, within {bound}",
        "ja": "変更が {quiet:g} 秒落ち着いたら(最長 {bound})",
    },
    "card.unsaved_for": {"en": "unsaved for {duration}", "ja": "{duration}未保存"},
    "card.throttled": {
        "en": "spaced to every {duration} so the LFS quota lasts",
        "ja": "LFS の容量を保つため {duration}ごとに間隔を空けています",
    },
    "monitor.title": {"en": "Health", "ja": "稼働状況"},
    "monitor.rate_week": {"en": "Success, 7 days", "ja": "成功率(7日)"},
    "backup_files.title": {
        "en": "Files in backup {commit}",
        "ja": "バックアップ {commit} のファイル",
    },
    "backup_files.none": {
        "en": "This backup holds no files.",
        "ja": "このバックアップにファイルはありません。",
    },
    "backup_files.download": {"en": "Download", "ja": "ダウンロード"},
    "monitor.process": {
        "en": "This server started {started} and was ready in {ready:.1f} s (the start-up "
        "restore {restore:.1f} s of it).",
        "ja": "このサーバーは {started} に起動し、{ready:.1f} 秒で準備ができました"
        "(うち起動時の復元 {restore:.1f} 秒)。",
    },
    "monitor.process_starting": {
        "en": "This server started {started}; the start-up restore has not finished.",
        "ja": "このサーバーは {started} に起動しました。起動時の復元はまだ終わっていません。",
    },
    "monitor.memory": {
        "en": "Memory: {rss} now, {peak} at most.",
        "ja": "メモリ: 現在 {rss}、最大 {peak}。",
    },
    "monitor.rate_100": {"en": "Success, last 100", "ja": "成功率(直近100件)"},
    "monitor.none": {"en": "no operations yet", "ja": "まだありません"},
    "monitor.last_success_backup": {
        "en": "Last successful backup",
        "ja": "最後に成功したバックアップ",
    },
    "monitor.last_success_restore": {"en": "Last successful restore", "ja": "最後に成功した復元"},
    "monitor.last_failure": {"en": "Last failure", "ja": "最終失敗"},
    "monitor.failure_detail": {
        "en": "Last failure ({when}): {message}",
        "ja": "最終失敗 ({when}): {message}",
    },
    "monitor.durations": {
        "en": "Backup durations (s), the newest 200",
        "ja": "バックアップ所要時間(秒)、最新 200 件",
    },
    "monitor.storage": {
        "en": "Git LFS storage used by all backups: {used} of {quota} ({share:.0%}).",
        "ja": "全バックアップの Git LFS 使用量: {quota} 中 {used} ({share:.0%})。",
    },
    "monitor.growth": {
        "en": "The last backup added {last}; the median of the last 20 is {median}. {outlook}",
        "ja": "直近のバックアップで {last} 増加 (直近 20 件の中央値 {median})。{outlook}",
    },
    "monitor.full_in": {
        "en": "At {rate} a day (the median day of the last two weeks), the quota is full "
        "in {days:.0f} days.",
        "ja": "1 日 {rate}(直近 2 週間の中央値)のペースでは {days:.0f} 日で上限に達します。",
    },
    "monitor.too_early": {
        "en": "A forecast needs three whole days of backups.",
        "ja": "予測には 3 日分のバックアップが必要です。",
    },
    "monitor.not_growing": {
        "en": "Storage is not growing.",
        "ja": "使用量は増えていません。",
    },
    "monitor.bandwidth": {
        "en": "Git LFS downloads this month (restores, verifies): {bandwidth}.",
        "ja": "今月の Git LFS ダウンロード量 (復元・検証): {bandwidth}。",
    },
    "move.title": {"en": "Moving to a fresh repository", "ja": "新しいリポジトリへの移転"},
    "move.why": {
        "en": "GitHub never frees Git LFS storage in place: pruning or rewriting history "
        "does not give it back, only deleting the repository does. The way out is a fresh "
        "repository holding the newest backup and the backups of the last days, each "
        "chunk stored once. This repository stays as it is, as an archive to delete when "
        "you are ready.",
        "ja": "GitHub は Git LFS の容量をその場では解放しません。履歴を整理しても戻らず、"
        "リポジトリを削除したときだけ解放されます。解決策は、最新のバックアップと直近の"
        "バックアップだけを、チャンクを一度ずつ保存した新しいリポジトリに移すことです。"
        "このリポジトリはそのまま残り、準備ができたら削除できるアーカイブになります。",
    },
    "move.keep_days": {"en": "Keep the backups of the last days", "ja": "残す日数"},
    "move.plan": {
        "en": "A move would keep {backups} backups (the newest and those of the {days} days "
        "before it): the new repository would hold at most {size} (the newest backup alone: "
        "{newest}).",
        "ja": "移転で残すバックアップは {backups} 件です(最新と、その前の {days} 日分)。"
        "新しいリポジトリの容量は最大 {size} です(最新のバックアップだけなら {newest})。",
    },
    "move.set_target": {
        "en": "To move from here, create an empty repository, set MOVE_DATA_REPO to it "
        "(and MOVE_TOKEN when it is on another host than GITHUB_DATA_REPO), then restart. "
        "Or run python -m sync move --to URL --keep-days N.",
        "ja": "ここから移転するには、空のリポジトリを作り、MOVE_DATA_REPO に設定して"
        "(GITHUB_DATA_REPO と別のホストなら MOVE_TOKEN も)再起動してください。"
        "python -m sync move --to URL --keep-days N でも移転できます。",
    },
    "move.button": {"en": "Move backups to {url}", "ja": "{url} へバックアップを移転"},
    "move.confirm_title": {"en": "Move the backups?", "ja": "バックアップを移転しますか?"},
    "move.confirm_text": {
        "en": "Kura writes {backups} backups into {url}, which must be empty. This repository "
        "is not changed, apart from one last commit that tells every instance where the "
        "backups went. Afterwards, set GITHUB_DATA_REPO to {url} and restart.",
        "ja": "{url}(空である必要があります)に {backups} 件のバックアップを書き込みます。"
        "このリポジトリは変更されず、移転先を各インスタンスに知らせる最後のコミットが"
        "一つ加わるだけです。終わったら GITHUB_DATA_REPO を {url} にして再起動してください。",
    },
    "move.confirm": {"en": "Move", "ja": "移転する"},
    "move.running": {"en": "Moving the backups…", "ja": "バックアップを移転しています…"},
    "move.failed": {"en": "The move stopped", "ja": "移転が止まりました"},
    "move.done": {
        "en": "Moved {count} backups to {url} ({size} there). Set GITHUB_DATA_REPO to it "
        "and restart.",
        "ja": "{count} 件のバックアップを {url} に移しました(容量 {size})。"
        "GITHUB_DATA_REPO をそこに設定して再起動してください。",
    },
    "cleanup.retention": {
        "en": "Conversations untouched for {days:g} days are deleted after each backup "
        "(CONVERSATION_RETENTION_DAYS).",
        "ja": "{days:g} 日間更新のない会話は、バックアップのたびに削除されます"
        "(CONVERSATION_RETENTION_DAYS)。",
    },
    "restore.retention": {
        "en": "This backup holds {count} conversations untouched for more than {days:g} days: "
        "retention deletes them again after the restore.",
        "ja": "このバックアップには {days:g} 日より古い会話が {count} 件あります。"
        "復元後、保持期間の設定により再び削除されます。",
    },
    "monitor.storage_full": {
        "en": "Git LFS storage is full ({share:.0%} of LFS_QUOTA_GB): backups will be refused.",
        "ja": "Git LFS の容量が上限です (LFS_QUOTA_GB の {share:.0%}): "
        "バックアップが拒否されます。",
    },
    "monitor.long_history": {
        "en": "The history holds {count} backups: consider starting a fresh data repository.",
        "ja": "履歴が {count} 件あります。新しいデータリポジトリへの移行を検討してください。",
    },
    "card.lfs": {"en": "git-lfs", "ja": "git-lfs"},
    "card.lfs_ok": {"en": "installed", "ja": "インストール済み"},
    "card.lfs_missing": {"en": "missing", "ja": "未インストール"},
    "sync.off": {
        "en": "Backups are turned off (GITHUB_SYNC_ENABLED=false).",
        "ja": "バックアップは無効です (GITHUB_SYNC_ENABLED=false)。",
    },
    "files.title": {"en": "Data files", "ja": "データファイル"},
    "files.total": {"en": "{count}, {size} in all", "ja": "{count}、合計 {size}"},
    "files.none": {"en": "The data directory is empty.", "ja": "データディレクトリは空です。"},
    "files.near_limit": {
        "en": "{path} is {size}, near MAX_FILE_SIZE_MB ({limit}): backups fail above it.",
        "ja": "{path} は {size} で MAX_FILE_SIZE_MB ({limit}) に近づいています。",
    },
    "col.path": {"en": "Path", "ja": "パス"},
    "col.size": {"en": "Size", "ja": "サイズ"},
    "col.modified": {"en": "Modified", "ja": "更新"},
    "col.modified_at": {"en": "Modified at", "ja": "更新日時"},
    "col.type": {"en": "Type", "ja": "種類"},
    "col.date": {"en": "Date", "ja": "日時"},
    "col.message": {"en": "Message", "ja": "メッセージ"},
    "col.kind": {"en": "Kind", "ja": "種類"},
    "col.files": {"en": "Files", "ja": "ファイル数"},
    "col.commit": {"en": "Commit", "ja": "コミット"},
    "col.host": {"en": "Host", "ja": "ホスト"},
    "col.uploaded": {"en": "Uploaded", "ja": "アップロード"},
    "col.origin": {"en": "Latest backup from", "ja": "最新バックアップの出所"},
    "newer.title": {
        "en": "A newer backup from {host} holds {files} this instance does not have",
        "ja": "{host} からの新しいバックアップに、このインスタンスにない {files} があります",
    },
    "newer.detail": {"en": "{when} · {kind} · {paths}", "ja": "{when} · {kind} · {paths}"},
    "newer.load": {"en": "Load it", "ja": "読み込む"},
    "newer.unknown_host": {"en": "another instance", "ja": "別のインスタンス"},
    "watch.checked": {
        "en": "Remote checked {when} (every {seconds:g} s){follow}",
        "ja": "リモート確認 {when}({seconds:g} 秒ごと){follow}",
    },
    "watch.following": {
        "en": "; newer backups load automatically",
        "ja": "、新しいバックアップは自動で読み込みます",
    },
    "watch.followed": {
        "en": "Loaded {commit} from the remote automatically.",
        "ja": "リモートから {commit} を自動で読み込みました。",
    },
    "watch.failing": {
        "en": "Checking the remote failed: {error}",
        "ja": "リモートの確認に失敗: {error}",
    },
    "history.title": {"en": "Backups", "ja": "バックアップ履歴"},
    "history.none": {"en": "No backups yet.", "ja": "バックアップはまだありません。"},
    "history.pick": {
        "en": "Select a row to pick it as the restore point.",
        "ja": "行を選ぶと復元ポイントになります。",
    },
    "history.picked": {
        "en": "Restore point: {commit} ({date})",
        "ja": "復元ポイント: {commit} ({date})",
    },
    "history.day": {"en": "Backups made by (day)", "ja": "この日までのバックアップ"},
    "history.hour": {
        "en": "{start}–{end} · {count} backups",
        "ja": "{start}〜{end} · {count} 件",
    },
    "history.restore_of": {"en": "Restore of “{note}” ({when})", "ja": "「{note}」({when}) の復元"},
    "history.undo_of": {
        "en": "Undo: back to “{note}” ({when})",
        "ja": "取り消し: 「{note}」({when}) に戻す",
    },
    "history.hour_one": {"en": "{start}–{end} · 1 backup", "ja": "{start}〜{end} · 1 件"},
    "history.search": {"en": "Search the notes", "ja": "メモを検索"},
    "history.newer": {"en": "Newer", "ja": "新しい方へ"},
    "history.older": {"en": "Older", "ja": "古い方へ"},
    "history.page": {"en": "Backups {first}–{last}", "ja": "{first}〜{last} 件目"},
    "history.nothing_found": {
        "en": "No backup matches: clear the day or the search.",
        "ja": "一致するバックアップはありません。日付か検索語を消してください。",
    },
    "history.chart": {"en": "Data size over the backups", "ja": "バックアップごとのデータサイズ"},
    "chart.size": {"en": "Data size", "ja": "データサイズ"},
    "chart.duration": {"en": "Duration", "ja": "所要時間"},
    "chart.seconds": {"en": "s", "ja": "秒"},
    "restore.button": {"en": "Restore…", "ja": "復元…"},
    "restore.dialog": {"en": "Restore a backup", "ja": "バックアップの復元"},
    "restore.summary": {
        "en": "Restoring {commit} from {date} makes the data directory exactly that backup:",
        "ja": "{date} の {commit} を復元すると、データディレクトリは"
        "そのバックアップと同一になります:",
    },
    "restore.added": {"en": "added", "ja": "追加"},
    "restore.removed": {"en": "removed", "ja": "削除"},
    "restore.changed": {"en": "changed", "ja": "変更"},
    "restore.noop": {
        "en": "The data already matches this backup.",
        "ja": "データはすでにこのバックアップと同じです。",
    },
    "restore.safety": {
        "en": "There are unsaved changes: a safety backup is taken first, so you can undo.",
        "ja": "未保存の変更があるため、先に安全バックアップを取ります(元に戻せます)。",
    },
    "restore.confirm": {"en": "Restore {commit}", "ja": "{commit} を復元"},
    "restore.cancel": {"en": "Cancel", "ja": "キャンセル"},
    "restore.running": {"en": "Restoring {commit}…", "ja": "{commit} を復元中…"},
    "restore.done": {"en": "Restored {commit}.", "ja": "{commit} を復元しました。"},
    "restore.unchanged": {
        "en": "Nothing to restore: already {commit}.",
        "ja": "復元不要: すでに {commit} です。",
    },
    "restore.undo": {"en": "Undo restore", "ja": "復元を取り消す"},
    "held.unrecorded": {
        "en": "The restore of {commit} is in place here, but it is not recorded as the newest "
        "backup yet (the remote refused it). Until it is, a fresh host would restore the older "
        "data. Kura records it at the next backup.",
        "ja": "{commit} の復元はこのホストでは完了していますが、最新のバックアップとしてまだ記録"
        "されていません（リモートが拒否しました）。記録されるまで、新しいホストは古いデータを"
        "復元します。次のバックアップで記録されます。",
    },
    "held.record_now": {"en": "Record it now", "ja": "今すぐ記録"},
    "held.restore_first": {
        "en": "Backups are held: the backup remote holds backups this instance never saw (its "
        "history was replaced, or this instance never restored from it). Restore the latest "
        "backup to work on the team's data, or back up this instance's data on top anyway. "
        "History keeps every backup either way.",
        "ja": "バックアップを保留しています: バックアップ先に、このインスタンスが見たことのない"
        "バックアップがあります（履歴が置き換えられたか、ここでは一度も復元していません）。"
        "チームのデータで作業するには最新のバックアップを復元し、このデータを残すにはその上に"
        "バックアップしてください。どちらでも履歴はすべて残ります。",
    },
    "held.remote_gone": {
        "en": "Backups are held: the backup repository this instance used has disappeared. "
        "Put it back to go on, or start a new backup repository holding this instance's data.",
        "ja": "バックアップを保留しています: このインスタンスが使っていたバックアップ用リポジトリが"
        "見つかりません。元に戻すか、このデータで新しいバックアップ用リポジトリを始めてください。",
    },
    "held.anyway": {"en": "Back up on top anyway", "ja": "それでも上にバックアップ"},
    "held.new_remote": {
        "en": "Start a new backup repository",
        "ja": "新しいバックアップ用リポジトリを始める",
    },
    "held.restore_title": {
        "en": "Restore the latest backup?",
        "ja": "最新のバックアップを復元しますか?",
    },
    "held.restore_text": {
        "en": "The data here is replaced by the latest backup. Changes no backup holds yet are "
        "saved first in a safety backup, so this can be undone.",
        "ja": "ここのデータは最新のバックアップに置き換わります。まだバックアップされていない変更は"
        "先に安全用バックアップに保存されるので、元に戻せます。",
    },
    "held.anyway_title": {
        "en": "Back up this data on top?",
        "ja": "このデータを上にバックアップしますか?",
    },
    "held.anyway_text_restore_first": {
        "en": "This instance's data becomes the newest backup, above the backups it never saw. "
        "A fresh host then restores this data; the others stay in the history.",
        "ja": "このインスタンスのデータが、見たことのないバックアップの上に最新のバックアップとして"
        "保存されます。新しいホストはこのデータを復元し、ほかのバックアップは履歴に残ります。",
    },
    "held.anyway_text_remote_gone": {
        "en": "A new, empty backup repository is made where the old one was, and this instance's "
        "data is backed up into it whole. The old repository's backups are not in it.",
        "ja": "元の場所に空のバックアップ用リポジトリを作り、このデータを丸ごとバックアップします。"
        "古いリポジトリのバックアップは含まれません。",
    },
    "failure.backup": {"en": "Backup failed {when}", "ja": "バックアップ失敗（{when}）"},
    "failure.restore": {"en": "Restore failed {when}", "ja": "復元失敗（{when}）"},
    "failure.detail": {
        "en": "{what} ({when}); it stays here until a backup or restore succeeds.",
        "ja": "{what}（{when}）。バックアップか復元が成功するまで表示されます。",
    },
    "failure.unrecorded": {"en": "Restore not recorded yet", "ja": "復元が未記録"},
    "failure.retry": {"en": "Retry the backup", "ja": "バックアップを再試行"},
    "failure.backup_short": {"en": "Failed", "ja": "失敗"},
    "failure.restore_short": {"en": "Restore failed", "ja": "復元に失敗"},
    "failure.last_success": {"en": "last success {when}", "ja": "最後の成功: {when}"},
    "restore.undone": {
        "en": "Undone: the data is {commit} again",
        "ja": "取り消しました: データは {commit} に戻りました",
    },
    "restore.undo_hint": {
        "en": "Restored {commit}. Undo brings back {previous}.",
        "ja": "{commit} を復元しました。取り消すと {previous} に戻ります。",
    },
    "backup.message": {"en": "Note for this backup (optional)", "ja": "メモ(任意)"},
    "backup.button": {"en": "Back up now", "ja": "今すぐバックアップ"},
    "backup.running": {"en": "Backing up…", "ja": "バックアップ中…"},
    "backup.failed": {"en": "Backup failed", "ja": "バックアップに失敗しました"},
    "backup.held": {"en": "Backup not taken", "ja": "バックアップしませんでした"},
    "restore.failed": {"en": "Restore of {commit} failed", "ja": "{commit} の復元に失敗しました"},
    "backup.created": {
        "en": "Backed up {files} ({size}) as {commit}; uploaded {uploaded}.",
        "ja": "{files} ({size}) を {commit} としてバックアップしました。アップロード: {uploaded}",
    },
    "count.files": {"en": "{n} files", "ja": "{n} ファイル"},
    "count.file": {"en": "1 file", "ja": "1 ファイル"},
    "backup.unchanged": {
        "en": "Nothing changed since the last backup.",
        "ja": "前回のバックアップから変更はありません。",
    },
    "error": {"en": "{message}", "ja": "{message}"},
    "error.ja_detail": {"en": "{message} ({detail})", "ja": "{message}(詳細: {detail})"},
    "nav.chat": {"en": "Chat", "ja": "チャット"},
    "nav.knowledge": {"en": "Knowledge", "ja": "ナレッジ"},
    "chat.title": {"en": "Ask the wiki", "ja": "ウィキに質問"},
    "chat.placeholder": {"en": "Ask a question about the wiki", "ja": "ウィキについて質問する"},
    "chat.new": {"en": "New chat", "ja": "新しいチャット"},
    "chat.conversations": {"en": "Conversations", "ja": "会話"},
    "chat.search": {"en": "Search conversations", "ja": "会話を検索"},
    "chat.no_match": {
        "en": "No conversation holds these words.",
        "ja": "一致する会話はありません。",
    },
    "chat.shown": {"en": "{shown} of {total}", "ja": "{total} 件中 {shown} 件"},
    "chat.more": {"en": "Show more", "ja": "さらに表示"},
    "chat.rename": {"en": "Rename", "ja": "名前を変更"},
    "chat.delete": {"en": "Delete", "ja": "削除"},
    "chat.confirm_title": {"en": "Delete this conversation?", "ja": "この会話を削除しますか?"},
    "chat.confirm_text": {
        "en": "“{title}” and its {count} messages are deleted for everyone.",
        "ja": "「{title}」とその {count} 件のメッセージを全員分削除します。",
    },
    "confirm.cancel": {"en": "Cancel", "ja": "キャンセル"},
    "chat.sources": {"en": "Sources", "ja": "出典"},
    "chat.source_title": {"en": "The passage in its page", "ja": "ページ内の該当箇所"},
    "chat.source_gone": {
        "en": "This passage is no longer in the wiki: its page was removed. Ask again to get "
        "sources from the wiki as it is now.",
        "ja": "この箇所はもうウィキにありません(ページが削除されました)。もう一度質問すると、"
        "今のウィキから出典を示します。",
    },
    "chat.bad_history": {
        "en": "data/chatbot.db is not Kura's chat history (another app's tables?): move it "
        "aside or restore a backup from the admin page.",
        "ja": "data/chatbot.db は Kura のチャット履歴ではありません。退避するか、管理ページから"
        "バックアップを復元してください。",
    },
    "chat.empty_wiki": {
        "en": "The wiki is empty: import documents on the Knowledge page first.",
        "ja": "ウィキが空です。先にナレッジページで文書を取り込んでください。",
    },
    "chat.llm_failed": {
        "en": "The LLM could not answer; here are the matching passages instead.",
        "ja": "LLM が応答できなかったため、該当する箇所を示します。",
    },
    "kb.title": {"en": "Knowledge base", "ja": "ナレッジベース"},
    "kb.upload": {"en": "Markdown, text or HTML files", "ja": "Markdown・テキスト・HTML ファイル"},
    "kb.upload_folder": {
        "en": "Or a whole folder (pages keep their paths)",
        "ja": "またはフォルダーごと（パスを保ったまま）",
    },
    "kb.top": {"en": "(top level)", "ja": "（最上位）"},
    "kb.unchanged": {
        "en": "{count} documents were unchanged.",
        "ja": "{count} 件の文書は変更がありませんでした。",
    },
    "kb.import": {"en": "Import", "ja": "取り込む"},
    "kb.importing": {"en": "Importing {name}…", "ja": "{name} を取り込み中…"},
    "kb.imported": {
        "en": "Imported {count} documents.",
        "ja": "{count} 件の文書を取り込みました。",
    },
    "kb.skipped": {"en": "Skipped: {reason}", "ja": "スキップ: {reason}"},
    "kb.ambiguous": {
        "en": "{name} is named like {count} documents. Which one does it replace?",
        "ja": "{name} と同じ名前の文書が {count} 件あります。どれを置き換えますか?",
    },
    "kb.replace_which": {"en": "Replace", "ja": "置き換える文書"},
    "kb.keep_new": {
        "en": "None: keep it as a new document",
        "ja": "置き換えずに新しい文書として追加",
    },
    "kb.replaced": {
        "en": "{name} replaced {document}.",
        "ja": "{name} で {document} を置き換えました。",
    },
    "kb.none": {"en": "No documents yet.", "ja": "文書はまだありません。"},
    "kb.delete": {"en": "Delete document", "ja": "文書を削除"},
    "kb.deleted": {"en": "Deleted {name}.", "ja": "{name} を削除しました。"},
    "kb.confirm_title": {"en": "Delete this document?", "ja": "この文書を削除しますか?"},
    "kb.confirm_text": {
        "en": "{name} and its {count} passages leave the wiki.",
        "ja": "{name} とその {count} 個のパッセージをウィキから削除します。",
    },
    "col.title": {"en": "Title", "ja": "タイトル"},
    "col.chunks": {"en": "Passages", "ja": "パッセージ数"},
    "default.manual": {"en": "Manual backup", "ja": "手動バックアップ"},
    "default.auto": {"en": "Automatic backup", "ja": "自動バックアップ"},
    "default.startup": {"en": "Backup at start-up", "ja": "起動時のバックアップ"},
    "default.pre-restore": {
        "en": "Safety backup before a restore",
        "ja": "復元前の保全バックアップ",
    },
    "time.now": {"en": "now", "ja": "たった今"},
    "host.this": {"en": "{host} (this instance)", "ja": "{host}(このインスタンス)"},
    "default.pre-restore_of": {
        "en": "Safety backup before restoring {commit}",
        "ja": "{commit} を復元する前の保全バックアップ",
    },
    "default.restore_of": {"en": "Restore of {commit}", "ja": "{commit} の復元"},
    "default.undo_of": {"en": "Undo: back to {commit}", "ja": "取り消し: {commit} に戻す"},
    "default.moved_to": {"en": "Backups moved to {url}", "ja": "バックアップは {url} へ移転"},
    "kind.manual": {"en": "manual", "ja": "手動"},
    "kind.auto": {"en": "auto", "ja": "自動"},
    "kind.pre-restore": {"en": "pre-restore", "ja": "復元前の保全"},
    "kind.startup": {"en": "startup", "ja": "起動時"},
    "kind.restore": {"en": "restore", "ja": "復元"},
    "kind.undo": {"en": "undo", "ja": "取り消し"},
    "kind.moved": {"en": "moved", "ja": "移転"},
    "kind.external": {"en": "external", "ja": "外部"},
    "chat.not_covered": {
        "en": "The wiki does not cover this yet: no passage matches the question.",
        "ja": "ウィキにはまだこの内容がありません。質問に合う箇所が見つかりませんでした。",
    },
    "chat.fewer_sources": {
        "en": "Only {count} passage(s) in the wiki matched this question.",
        "ja": "この質問に合う箇所は、ウィキに {count} か所しかありませんでした。",
    },
    "col.imported": {"en": "Imported", "ja": "取り込み日時"},
    "col.document": {"en": "Document", "ja": "文書"},
    "col.source": {"en": "Source", "ja": "ソース"},
    "col.url": {"en": "URL", "ja": "URL"},
    "col.branch": {"en": "Branch", "ja": "ブランチ"},
    "col.pulled": {"en": "Pulled", "ja": "取得"},
    "col.pages": {"en": "Pages", "ja": "ページ数"},
    "col.error": {"en": "Last error", "ja": "直近のエラー"},
    "src.title": {"en": "Wiki sources (Git)", "ja": "ウィキのソース (Git)"},
    "src.help": {
        "en": "A Git repository whose pages feed the wiki: a GitHub wiki "
        "(https://github.com/OWNER/REPO.wiki.git) or a docs folder. Pulled at start-up and "
        "every {minutes} minutes; only the pages that changed are read again.",
        "ja": "ページをウィキに取り込む Git リポジトリ(GitHub の wiki "
        "https://github.com/OWNER/REPO.wiki.git や docs フォルダー)。起動時と {minutes} "
        "分ごとに取得し、変わったページだけを読み直します。",
    },
    "src.url": {"en": "Repository URL", "ja": "リポジトリの URL"},
    "src.name": {"en": "Name (its pages are NAME/…)", "ja": "名前(ページは 名前/… になります)"},
    "src.branch": {"en": "Branch", "ja": "ブランチ"},
    "src.path": {"en": "Folder inside it (optional)", "ja": "中のフォルダー(任意)"},
    "src.add": {"en": "Add and pull", "ja": "追加して取得"},
    "src.none": {"en": "No sources yet.", "ja": "ソースはまだありません。"},
    "src.pick": {"en": "Source", "ja": "ソース"},
    "src.pull": {"en": "Pull now", "ja": "今すぐ取得"},
    "src.remove": {"en": "Remove source…", "ja": "ソースを削除…"},
    "src.confirm_title": {"en": "Remove this source?", "ja": "このソースを削除しますか?"},
    "src.confirm": {
        "en": "{name} and its {pages} pages leave the wiki. The repository is not touched.",
        "ja": "{name} とその {pages} ページがウィキから消えます。リポジトリはそのままです。",
    },
    "src.confirm_yes": {"en": "Remove {name}", "ja": "{name} を削除"},
    "src.removed": {
        "en": "Removed {name} and its {pages} pages.",
        "ja": "{name} と {pages} ページを削除しました。",
    },
    "src.updated": {
        "en": "{name}: {added} added, {changed} changed, {removed} removed.",
        "ja": "{name}: 追加 {added}、変更 {changed}、削除 {removed}。",
    },
    "src.unchanged": {"en": "{name}: no change upstream.", "ja": "{name}: 変更はありません。"},
    "src.failed": {"en": "{name}: {error}", "ja": "{name}: {error}"},
    "src.pulling": {"en": "Pulling {name}…", "ja": "{name} を取得中…"},
    "cleanup.title": {"en": "Old conversations", "ja": "古い会話"},
    "cleanup.days": {
        "en": "Delete conversations older than (days)",
        "ja": "次の日数より古い会話を削除",
    },
    "cleanup.button": {"en": "Delete old conversations", "ja": "古い会話を削除"},
    "cleanup.confirm_title": {"en": "Delete old conversations?", "ja": "古い会話を削除しますか?"},
    "cleanup.confirm_text": {
        "en": "Every conversation untouched for more than {days} days is deleted for everyone.",
        "ja": "{days} 日を超えて更新のない会話を全員分削除します。",
    },
    "cleanup.done": {
        "en": "Deleted {count} conversations.",
        "ja": "{count} 件の会話を削除しました。",
    },
}


def language() -> str:
    try:
        return runtime().settings.ui_language
    except Exception:  # noqa: BLE001 - invalid settings: the error itself must still show
        return "en"


def t(key: str, **values: object) -> Markdown:
    """The message in the UI language. Every text value put into it is escaped (`plain`):
    a title, a name or an error message is shown as written, never as Markdown, so it
    cannot draw an image or a link into a page. Numbers keep their format specs."""
    text = MESSAGES[key].get(language()) or MESSAGES[key]["en"]
    if not values:
        return Markdown(text)
    shown = {k: plain(v) if isinstance(v, str) else v for k, v in values.items()}
    return Markdown(text.format(**shown))


def cell(key: str, **values: object) -> str:
    """The message as plain text, for a table cell (which shows text, not Markdown: the
    escapes `t` adds would show as backslashes)."""
    text = MESSAGES[key].get(language()) or MESSAGES[key]["en"]
    return text.format(**values)


def _humanize_in_language() -> None:
    if language() == "ja":
        humanize.i18n.activate("ja_JP")
    else:
        humanize.i18n.deactivate()


def ago(moment: datetime) -> str:
    """'12 minutes ago' in the UI language (humanize's ja_JP leaves "now" in English)."""
    _humanize_in_language()
    said = humanize.naturaltime(datetime.now(moment.tzinfo) - moment)
    return cell("time.now") if said == "now" else said


def host_label(host: str) -> str:
    """The instance that made a backup, "(this instance)" when it is this one."""
    if host and host == runtime().workspace.instance_name:
        return cell("host.this", host=host)
    return host


def kind_label(kind: str) -> str:
    """A backup's kind (manual, auto, restore …) in the UI language; another tool's as is."""
    key = f"kind.{kind}"
    return cell(key) if key in MESSAGES else kind


def duration(delta: timedelta | float) -> str:
    """'2 minutes' in the UI language (a float is seconds)."""
    _humanize_in_language()
    return humanize.naturaldelta(delta)


def files(n: int) -> str:
    return t("count.file") if n == 1 else t("count.files", n=n)


def size(n: int) -> str:
    return humanize.naturalsize(n, binary=True)
