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

# pip's documentation as its sdist ships it (docs/html/**/*.md): MyST, Sphinx's Markdown,
# with directives, roles and targets on most pages. English only.
PIP_MYST = [
    Question("Where does pip store its cache?", "topics/caching.md", "pip cache dir"),
    Question(
        "How do I remove one package from pip's cache?", "topics/caching.md", "pip cache remove"
    ),
    Question("How do I install without using the cache?", "topics/caching.md", "--no-cache-dir"),
    Question("What is pip's configuration file called?", "topics/configuration.md", "pip.conf"),
    Question(
        "Which environment variable points pip at a config file?",
        "topics/configuration.md",
        "PIP_CONFIG_FILE",
    ),
    Question(
        "How do I set an option for the install command only in the config file?",
        "topics/configuration.md",
        "[install]",
    ),
    Question(
        "How do I put a username and password in the index URL?",
        "topics/authentication.md",
        "username:password@",
    ),
    Question("Can pip read credentials from a netrc file?", "topics/authentication.md", ".netrc"),
    Question(
        "How do I make pip use keyring for credentials?",
        "topics/authentication.md",
        "--keyring-provider",
    ),
    Question(
        "How do I install a package straight from a Git repository?",
        "topics/vcs-support.md",
        "git+https://",
    ),
    Question(
        "How do I install my local project in editable mode?",
        "topics/local-project-installs.md",
        "pip install -e",
    ),
    Question(
        "How do I pin every package version for a repeatable install?",
        "topics/repeatable-installs.md",
        "pip freeze",
    ),
    Question(
        "How do I make pip check a hash for every package?",
        "topics/secure-installs.md",
        "--require-hashes",
    ),
    Question(
        "How do I use the system's certificate store?",
        "topics/https-certificates.md",
        "truststore",
    ),
    Question(
        "How do I install pip with ensurepip?",
        "installation.md",
        "python -m ensurepip --upgrade",
    ),
    Question(
        "How do I install pip with the get-pip.py script?",
        "installation.md",
        "python get-pip.py",
    ),
    Question(
        "How do I include another requirements file from a requirements file?",
        "reference/requirements-file-format.md",
        "-r other-requirements.txt",
    ),
    Question(
        "How do I set pip's timeout with an environment variable?",
        "topics/configuration.md",
        "PIP_DEFAULT_TIMEOUT",
    ),
    Question(
        "How do I make pip install into another Python environment?",
        "topics/python-option.md",
        "--python",
    ),
    Question(
        "How do I build wheels for an offline install bundle?",
        "topics/repeatable-installs.md",
        "pip wheel",
    ),
    Question("How do I check which version of pip I have?", "getting-started.md", "pip --version"),
    Question(
        "What does a ResolutionImpossible error mean?",
        "topics/dependency-resolution.md",
        "ResolutionImpossible",
    ),
]


# Vite's documentation (../shared/corpora/vite-docs): one site, English and Japanese, the
# same pages under en/ and ja/. Each entry: the page, the English question, the Japanese
# question, the fact (verbatim in both pages).
_VITE = [
    (
        "guide/index.md",
        "How do I scaffold a new Vite project with npm?",
        "npm で新しい Vite プロジェクトを作るには?",
        "npm create vite@latest",
    ),
    (
        "guide/env-and-mode.md",
        "Which prefix must an env variable have to reach client code?",
        "クライアントのコードに公開される環境変数にはどんな接頭辞が必要?",
        "VITE_",
    ),
    (
        "guide/env-and-mode.md",
        "Which .env file is loaded only in a given mode?",
        "特定のモードでだけ読み込まれる .env ファイルは?",
        ".env.[mode]",
    ),
    (
        "guide/env-and-mode.md",
        "How can my code tell whether it runs in production?",
        "アプリが本番環境で動いているかどうかを判定するには?",
        "import.meta.env.PROD",
    ),
    (
        "guide/cli.md",
        "How do I change the dev server's port on the command line?",
        "コマンドラインで開発サーバーのポートを変更するには?",
        "--port",
    ),
    (
        "guide/cli.md",
        "How do I preview the production build locally?",
        "本番用ビルドをローカルでプレビューするには?",
        "vite preview",
    ),
    (
        "config/server-options.md",
        "How do I proxy API requests to a backend during development?",
        "開発中に API リクエストをバックエンドにプロキシするには?",
        "server.proxy",
    ),
    (
        "config/server-options.md",
        "How do I make the dev server listen on all addresses, LAN included?",
        "LAN を含むすべてのアドレスで開発サーバーをリッスンさせるには?",
        "0.0.0.0",
    ),
    (
        "config/server-options.md",
        "How do I enable HTTPS on the dev server?",
        "開発サーバーで HTTPS を有効にするには?",
        "server.https",
    ),
    (
        "config/server-options.md",
        "How do I open the browser automatically when the server starts?",
        "サーバー起動時にブラウザーを自動で開くには?",
        "server.open",
    ),
    (
        "config/build-options.md",
        "How do I change the build's output directory?",
        "ビルドの出力先ディレクトリーを変更するには?",
        "build.outDir",
    ),
    (
        "config/build-options.md",
        "How do I generate source maps for the production build?",
        "本番ビルドでソースマップを生成するには?",
        "build.sourcemap",
    ),
    (
        "config/build-options.md",
        "How do I set which browsers the build targets?",
        "ビルドの対象ブラウザーを設定するには?",
        "build.target",
    ),
    (
        "config/build-options.md",
        "How can I turn minification off?",
        "ミニファイを無効にするには?",
        "build.minify",
    ),
    (
        "config/shared-options.md",
        "How do I define path aliases for imports?",
        "インポートのパスエイリアスを定義するには?",
        "resolve.alias",
    ),
    (
        "config/shared-options.md",
        "How do I serve static assets from another folder than public?",
        "public 以外のフォルダーから静的アセットを配信するには?",
        "publicDir",
    ),
    (
        "config/shared-options.md",
        "Where does Vite keep its cache files, and how do I move them?",
        "Vite のキャッシュファイルの保存先を変更するには?",
        "cacheDir",
    ),
    (
        "config/shared-options.md",
        "How do I load .env files from another directory?",
        "別のディレクトリーから .env ファイルを読み込むには?",
        "envDir",
    ),
    (
        "config/index.md",
        "How do I get type hints in my config file?",
        "設定ファイルで型の補完を効かせるには?",
        "defineConfig",
    ),
    (
        "config/index.md",
        "How do I read env variables inside the config file?",
        "設定ファイルの中で環境変数を使うには?",
        "loadEnv",
    ),
    (
        "guide/features.md",
        "How do I import many modules at once with a glob pattern?",
        "glob パターンで複数のモジュールをまとめてインポートするには?",
        "import.meta.glob",
    ),
    ("guide/features.md", "How do I use CSS modules?", "CSS モジュールを使うには?", ".module.css"),
    (
        "guide/features.md",
        "How do I load a WebAssembly file and initialize it myself?",
        "WebAssembly ファイルを読み込んで手動で初期化するには?",
        "?init",
    ),
    (
        "guide/features.md",
        "How do I import a web worker with a query suffix?",
        "クエリー接尾辞を付けて Web Worker をインポートするには?",
        "?worker",
    ),
    (
        "guide/features.md",
        "What do I install to use Sass?",
        "Sass を使うには何をインストールすればいい?",
        "sass-embedded",
    ),
    (
        "guide/assets.md",
        "How do I import a file's contents as a string?",
        "ファイルの内容を文字列としてインポートするには?",
        "?raw",
    ),
    (
        "guide/assets.md",
        "How do I build an asset URL at run time from import.meta.url?",
        "import.meta.url を使って実行時にアセットの URL を作るには?",
        "new URL(",
    ),
    (
        "guide/assets.md",
        "How do I import an asset explicitly as a URL?",
        "アセットを明示的に URL としてインポートするには?",
        "?url",
    ),
    (
        "guide/dep-pre-bundling.md",
        "How do I force Vite to pre-bundle dependencies again?",
        "依存関係の事前バンドルを強制的にやり直すには?",
        "--force",
    ),
    (
        "guide/dep-pre-bundling.md",
        "Where are pre-bundled dependencies cached?",
        "事前バンドルされた依存関係はどこにキャッシュされる?",
        "node_modules/.vite",
    ),
    (
        "guide/static-deploy.md",
        "How do I deploy to GitHub Pages with GitHub Actions?",
        "GitHub Actions で GitHub Pages にデプロイするには?",
        ".github/workflows/deploy.yml",
    ),
    (
        "guide/static-deploy.md",
        "How do I deploy with the Netlify CLI?",
        "Netlify CLI でデプロイするには?",
        "netlify deploy",
    ),
    (
        "guide/static-deploy.md",
        "How do I install the Vercel CLI to deploy?",
        "デプロイ用に Vercel CLI をインストールするには?",
        "npm i -g vercel",
    ),
    (
        "guide/static-deploy.md",
        "How do I deploy to GitLab Pages?",
        "GitLab Pages にデプロイするには?",
        ".gitlab-ci.yml",
    ),
    (
        "guide/build.md",
        "How do I build a library instead of an app?",
        "アプリではなくライブラリーとしてビルドするには?",
        "build.lib",
    ),
    (
        "guide/build.md",
        "How do I build a multi-page app with several HTML entry points?",
        "複数の HTML エントリーポイントを持つマルチページアプリをビルドするには?",
        "rolldownOptions.input",
    ),
    (
        "guide/build.md",
        "How do I rebuild automatically when files change?",
        "ファイルが変更されたときに自動で再ビルドするには?",
        "vite build --watch",
    ),
    (
        "guide/troubleshooting.md",
        "Vite crashes with an ENOSPC error. How do I fix it?",
        "Vite が ENOSPC エラーでクラッシュするときの対処法は?",
        "max_user_watches",
    ),
    (
        "guide/troubleshooting.md",
        "How do I fix 431 Request Header Fields Too Large?",
        "431 Request Header Fields Too Large を解決するには?",
        "max-http-header-size",
    ),
    (
        "guide/using-plugins.md",
        "How do I apply a plugin only during the build?",
        "プラグインをビルド時にだけ適用するには?",
        "apply: 'build'",
    ),
    (
        "guide/using-plugins.md",
        "How do I make a plugin run before Vite's core plugins?",
        "プラグインを Vite のコアプラグインより前に実行させるには?",
        "enforce",
    ),
    (
        "guide/ssr.md",
        "How do I run the dev server in middleware mode for SSR?",
        "SSR 用に開発サーバーをミドルウェアモードで動かすには?",
        "middlewareMode",
    ),
    (
        "guide/ssr.md",
        "How do I load a server entry module during SSR development?",
        "SSR の開発中にサーバーエントリーのモジュールを読み込むには?",
        "ssrLoadModule",
    ),
    (
        "guide/api-hmr.md",
        "How does a module accept its own hot update?",
        "モジュールが自身のホットアップデートを受け入れるには?",
        "import.meta.hot.accept",
    ),
    (
        "guide/api-hmr.md",
        "How do I keep state across hot updates?",
        "ホットアップデートの間で状態を保持するには?",
        "import.meta.hot.data",
    ),
    (
        "guide/api-javascript.md",
        "How do I start a dev server from JavaScript?",
        "JavaScript から開発サーバーを起動するには?",
        "createServer",
    ),
    (
        "guide/api-plugin.md",
        "How do I create a virtual module in a plugin?",
        "プラグインで仮想モジュールを作るには?",
        "virtual:",
    ),
    (
        "guide/api-plugin.md",
        "Which plugin hook lets me transform index.html?",
        "index.html を変換できるプラグインフックは?",
        "transformIndexHtml",
    ),
    (
        "guide/performance.md",
        "How do I warm up files that are requested often?",
        "頻繁に使われるファイルをウォームアップするには?",
        "server.warmup",
    ),
    (
        "guide/troubleshooting.md",
        "Requests are stalled forever on Linux. What should I raise?",
        "Linux でリクエストがいつまでも止まったままになるときは何を上げればいい?",
        "ulimit",
    ),
    (
        "guide/env-and-mode.md",
        "How do I add TypeScript types for my own env variables?",
        "独自の環境変数に TypeScript の型を付けるには?",
        "ImportMetaEnv",
    ),
]
VITE_EN = [Question(en, f"en/{page}", fact) for page, en, _, fact in _VITE]
VITE_JA = [Question(ja, f"ja/{page}", fact) for page, _, ja, fact in _VITE]


def halves(questions: list[Question]) -> tuple[list[Question], list[Question]]:
    """A set split in two, alternately: the first half is tuned on, the second is held out
    and only measured."""
    return questions[0::2], questions[1::2]
