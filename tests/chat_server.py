"""A real HTTP server on loopback that speaks the OpenAI Chat Completions protocol, for tests.

It answers ``POST /v1/chat/completions`` plainly (one JSON object) or streamed (server-sent
events, ``data: {...}`` chunks ending with ``data: [DONE]``), as the request asks, and records
every request it gets. Its behaviour is set per test:

- ``reply``: a function of the request's messages returning the reply text (a scripted model);
- ``fail_status``: answer every request with this HTTP error status;
- ``stall_s``: wait this long before sending anything;
- ``stall_after_first``: send the first streamed piece, then stall;
- ``piece_delay_s``: wait this long before each streamed piece after the first (a slow model);
- ``cut_off_after_first``: send the first streamed piece, then close the stream without a finish
  reason (what a llama.cpp server does to a reply that another request interrupts).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Reply = Callable[[list[dict]], str]


@dataclass
class ChatServerState:
    """What the server does and what it has seen."""

    reply: Reply = lambda messages: "Yes\nIt is so [1]."
    fail_status: int | None = None
    stall_s: float = 0.0
    stall_after_first: bool = False
    cut_off_after_first: bool = False
    piece_delay_s: float = 0.0
    piece_chars: int = 7
    requests: list[dict] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    state: ChatServerState

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})
        else:
            self._json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        state = self.state
        state.requests.append(body)
        if state.stall_s:
            state.release.wait(state.stall_s)
        if state.fail_status:
            self._json(
                state.fail_status,
                {"error": {"message": "scripted failure", "type": "server_error"}},
            )
            return
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._json(404, {"error": {"message": "not found"}})
            return
        text = state.reply(body.get("messages", []))
        created = int(time.time())
        if not body.get("stream"):
            self._json(
                200,
                {
                    "id": "chatcmpl-test",
                    "object": "chat.completion",
                    "created": created,
                    "model": body.get("model"),
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": text},
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                },
            )
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        pieces = [text[i : i + state.piece_chars] for i in range(0, len(text), state.piece_chars)]
        for n, piece in enumerate(pieces):
            if n and state.piece_delay_s:
                state.release.wait(state.piece_delay_s)
            chunk = {
                "id": "chatcmpl-test",
                "object": "chat.completion.chunk",
                "created": created,
                "model": body.get("model"),
                "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
            if n == 0 and state.stall_after_first:
                state.release.wait(30)
                return
            if n == 0 and state.cut_off_after_first:
                self.close_connection = True
                return
        done = {
            "id": "chatcmpl-test",
            "object": "chat.completion.chunk",
            "created": created,
            "model": body.get("model"),
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
        self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
        self.wfile.flush()

    def _json(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class ChatServer:
    """Context manager: a scripted Chat Completions server on 127.0.0.1 (a free port)."""

    def __init__(self, state: ChatServerState | None = None) -> None:
        self.state = state or ChatServerState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The ``/v1`` base URL to give the openai client."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.state.release.set()  # wake stalled handlers so the threads end
        self._server.shutdown()
        self._server.server_close()
