"""The questions the wiki benchmark asks: each names the page its answer lives in and a
fact the answer must show (a name, a command, a syntax), matched case-insensitively."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    text: str
    document: str  # the page's name in the wiki
    fact: str


PYTHON_DOCS = [
    Question("How do I parse a JSON string into a Python object?", "json.html", "json.loads"),
    Question("How can I read rows from a CSV file?", "csv.html", "csv.reader"),
    Question("How do I match a regular expression against a string?", "re.html", "re.match"),
    Question(
        "How do I format a date and time as a string with strftime?", "datetime.html", "strftime"
    ),
    Question(
        "How do I run an external command and capture its output?",
        "subprocess.html",
        "subprocess.run",
    ),
    Question(
        "How do I open a connection to an SQLite database?", "sqlite3.html", "sqlite3.connect"
    ),
    Question(
        "How do I parse command-line arguments and options?", "argparse.html", "ArgumentParser"
    ),
    Question("What is a named tuple and how do I create one?", "collections.html", "namedtuple"),
    Question("How do I compute a SHA-256 hash of some bytes?", "hashlib.html", "sha256"),
    Question("How do I pick a random integer in a range?", "random.html", "randint"),
    Question("How do I copy a whole directory tree?", "shutil.html", "copytree"),
    Question(
        "How do I create a temporary file that is deleted automatically?",
        "tempfile.html",
        "NamedTemporaryFile",
    ),
    Question("How do I read the files inside a ZIP archive?", "zipfile.html", "ZipFile"),
    Question("How do I serialize Python objects with pickle?", "pickle.html", "pickle.dump"),
    Question("How do I compress a file with gzip?", "gzip.html", "gzip.open"),
    Question("How do I generate a random UUID?", "uuid.html", "uuid4"),
    Question("How do I encode bytes as base64 text?", "base64.html", "b64encode"),
    Question("How do I compute the median of a list of numbers?", "statistics.html", "median"),
    Question("How do I use a heap as a priority queue?", "heapq.html", "heappush"),
    Question("How do I start a new thread and wait for it?", "threading.html", "start()"),
    Question("How do I cache a function's results with lru_cache?", "functools.html", "lru_cache"),
    Question("How do I write unit tests with assertEqual?", "unittest.html", "assertEqual"),
    Question("How do I get a file's suffix with a Path object?", "pathlib.html", "suffix"),
    Question(
        "How do I find the insertion point in a sorted list with bisection?",
        "bisect.html",
        "bisect",
    ),
]

# Node.js's API reference (Debian's nodejs-doc) and PyMdown Extensions' mkdocs site (PyPI).
MARKDOWN = [
    Question("How do I read a whole file into memory asynchronously?", "node/fs.md", "readFile"),
    Question(
        "How do I spawn a child process and capture its output?", "node/child_process.md", "spawn("
    ),
    Question(
        "How do I create an HTTP server that listens on a port?", "node/http.md", "createServer"
    ),
    Question("How do I compute a SHA-256 hash of a string?", "node/crypto.md", "createHash"),
    Question("How do I join path segments into one path?", "node/path.md", "path.join"),
    Question(
        "How do I read lines of input from the terminal?", "node/readline.md", "createInterface"
    ),
    Question("How do I schedule a function to run after a delay?", "node/timers.md", "setTimeout"),
    Question("How do I compress a stream with gzip?", "node/zlib.md", "createGzip"),
    Question("How do I run JavaScript in a worker thread?", "node/worker_threads.md", "new Worker"),
    Question("How do I listen for an event only once?", "node/events.md", "once("),
    Question("How do I decode a base64 string into a Buffer?", "node/buffer.md", "Buffer.from"),
    Question("How do I read the query parameters of a URL?", "node/url.md", "searchParams"),
    Question("How do I resolve a hostname to an IP address?", "node/dns.md", "lookup"),
    Question("How many CPUs does the machine have?", "node/os.md", "cpus()"),
    Question("How do I skip a test in the built-in test runner?", "node/test.md", "skip"),
    Question(
        "How do I mark a package as an ES module with the type field?", "node/packages.md", '"type"'
    ),
    Question("How do I pipe streams together and handle errors?", "node/stream.md", "pipeline"),
    Question(
        "How do I start a TLS server with a key and certificate?", "node/tls.md", "tls.createServer"
    ),
    Question(
        "How do I share one port between worker processes with cluster?", "node/cluster.md", "fork"
    ),
    Question("How do I format a string with %s placeholders?", "node/util.md", "util.format"),
    Question("How do I add tabbed content blocks?", "pymdown/extensions/tabbed.md", "==="),
    Question(
        "How do I nest fenced code blocks inside lists?", "pymdown/extensions/superfences.md", "```"
    ),
    Question(
        "How do I include a snippet from another file?", "pymdown/extensions/snippets.md", "--8<--"
    ),
    Question("How do I make a task list with checkboxes?", "pymdown/extensions/tasklist.md", "[x]"),
    Question(
        "How do I show keyboard keys like Ctrl+Alt+Delete?",
        "pymdown/extensions/keys.md",
        "++ctrl+alt+delete++",
    ),
    Question("How do I highlight text with a mark?", "pymdown/extensions/mark.md", "=="),
    Question("How do I write LaTeX math equations?", "pymdown/extensions/arithmatex.md", "$"),
    Question("How do I create collapsible details blocks?", "pymdown/extensions/details.md", "???"),
    Question("How do I insert emoji with shortcodes?", "pymdown/extensions/emoji.md", ":smile:"),
    Question(
        "How do I auto-link URLs and GitHub issue references?",
        "pymdown/extensions/magiclink.md",
        "magiclink",
    ),
    Question(
        "How do I mark additions and deletions with Critic Markup?",
        "pymdown/extensions/critic.md",
        "{++",
    ),
    Question("How do I strike through text with tildes?", "pymdown/extensions/tilde.md", "~~"),
    Question("How do I install PyMdown Extensions?", "pymdown/installation.md", "pip install"),
]

DEBIAN_REFERENCE = [
    Question("aptitude でパッケージを検索するには?", "ch02.ja.html", "aptitude search"),
    Question("パッケージのアーカイブとリポジトリの仕組みは?", "ch02.ja.html", "sources.list"),
    Question("systemd によるシステムの起動の流れ", "ch03.ja.html", "/sbin/init"),
    Question("udev によるデバイスの管理", "ch03.ja.html", "自動検出"),
    Question("ユーザーのパスワードを変更するには?", "ch04.ja.html", "passwd"),
    Question("PAM による認証の仕組み", "ch04.ja.html", "/etc/pam.d"),
    Question("ネットワークインターフェースの設定方法", "ch05.ja.html", "/etc/network/interfaces"),
    Question("メールサーバーの設定について教えてください", "ch06.ja.html", "exim4"),
    Question("SSH でリモートホストにログインするには?", "ch06.ja.html", "ssh "),
    Question("CUPS で印刷するには?", "ch06.ja.html", "lpr"),
    Question("フォントの設定方法", "ch07.ja.html", "fc-"),
    Question("ロケールを設定するには?", "ch08.ja.html", "dpkg-reconfigure locales"),
    Question("日本語のインプットメソッドの使い方", "ch08.ja.html", "ibus"),
    Question("screen プログラムの使い方", "ch09.ja.html", "^A"),
    Question("データのバックアップとリカバリー", "ch10.ja.html", "rsync"),
    Question("アーカイブと圧縮のツール", "ch10.ja.html", "tar"),
    Question("ディスクの暗号化", "ch10.ja.html", "cryptsetup"),
    Question("iconv でテキストの文字コードを変換するには?", "ch11.ja.html", "iconv -f"),
    Question("シェルスクリプトの書き方", "ch12.ja.html", "#!/bin/sh"),
    Question("Make の使い方", "ch12.ja.html", "Makefile"),
    Question("Python でのプログラミング", "ch12.ja.html", "python3"),
    Question("ファイルのパーミッションとは?", "ch01.ja.html", "chmod"),
    Question("Vim エディターの使い方", "ch01.ja.html", "vimtutor"),
]
