"""A local stand-in for an OpenAI-compatible API (chat completions with streaming,
embeddings), for the real `openai` client to talk HTTP to. A hosted LLM cannot be
reached from here; everything on Kura's side of the wire is real."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Reply = Callable[[dict], str]


class OpenAiStandIn:
    def __init__(self, reply: Reply, embed: Callable[[str], list[float]] | None = None) -> None:
        self.reply = reply
        self.embed = embed or (lambda text: [1.0, 0.0])
        self.requests: list[dict] = []
        self.fail_with: int | None = None
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                standin.requests.append(
                    {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
                )
                if standin.fail_with:
                    self._json(standin.fail_with, {"error": {"message": "down"}})
                elif self.path.endswith("/chat/completions"):
                    self._stream(standin.reply(body))
                elif self.path.endswith("/embeddings"):
                    vectors = [standin.embed(text) for text in body["input"]]
                    self._json(
                        200,
                        {
                            "object": "list",
                            "model": body["model"],
                            "data": [
                                {"object": "embedding", "index": i, "embedding": v}
                                for i, v in enumerate(vectors)
                            ],
                            "usage": {"prompt_tokens": 1, "total_tokens": 1},
                        },
                    )
                else:
                    self._json(404, {"error": {"message": "unknown"}})

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, text: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for piece in [text[i : i + 7] for i in range(0, len(text), 7)]:
                    event = {
                        "id": "c1",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": "stand-in",
                        "choices": [
                            {"index": 0, "delta": {"content": piece}, "finish_reason": None}
                        ],
                    }
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
