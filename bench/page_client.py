"""The web page's own events over HTTP, sent as the browser sends them.

The page's events (a question typed in the Ask tab, an upload in the Library tab) are private:
Gradio's clients list only ``/ask``. A benchmark or test that wants what a user of the page
gets, the answer streaming in or an upload's result lines, speaks Gradio's queue protocol
itself: join the queue with the event's function index (``POST /gradio_api/queue/join``), then
read the session's server-sent events (``GET /gradio_api/queue/data``) until the event completes.
Streamed outputs arrive as diffs of the previous ones; :class:`PageSession` applies them, so each
:class:`Update` holds the outputs whole, with the time it arrived.

One :class:`PageSession` is one browser tab (one Gradio session, with its own state). It runs one
event at a time, as a person at one tab does.
"""

from __future__ import annotations

import json
import mimetypes
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from gradio_client.utils import apply_diff

API = "gradio_api"


@dataclass(frozen=True)
class Update:
    """The outputs of an event at one moment.

    Attributes:
        at: ``time.monotonic()`` when it arrived.
        outputs: every output of the event, whole (diffs applied).
    """

    at: float
    outputs: tuple[Any, ...]


@dataclass
class EventRun:
    """What one event did, seen from the page.

    Attributes:
        sent: ``time.monotonic()`` when it was sent.
        updates: the streamed outputs, in order; the last is the final one.
        error: the server's message when the event failed, else None.
    """

    sent: float
    updates: list[Update] = field(default_factory=list)
    error: str | None = None

    @property
    def ended(self) -> float:
        """When the final outputs arrived (the send time when none came)."""
        return self.updates[-1].at if self.updates else self.sent

    def first(self, test: Callable[[tuple[Any, ...]], bool]) -> float | None:
        """When the first outputs passing ``test`` arrived, or None."""
        return next((u.at for u in self.updates if test(u.outputs)), None)


class PageSession:
    """One tab of the app at ``url``, speaking Gradio's queue protocol.

    Args:
        url: the app's address ("http://127.0.0.1:7860/").
        timeout: seconds an event may take before it counts as lost.
    """

    def __init__(self, url: str, timeout: float = 120.0) -> None:
        self.url = url.rstrip("/")
        self.session = uuid.uuid4().hex[:11]
        self.timeout = timeout
        self._http = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0))
        self._config: dict[str, Any] | None = None

    def reload(self) -> None:
        """Start a new Gradio session, as reloading the page does (an empty transcript)."""
        self.session = uuid.uuid4().hex[:11]

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> PageSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def config(self) -> dict[str, Any]:
        """The page's configuration (components and events), read once."""
        if self._config is None:
            response = self._http.get(f"{self.url}/config")
            response.raise_for_status()
            self._config = response.json()
        return self._config

    def event(self, elem_id: str, trigger: str) -> tuple[int, int]:
        """The function index and trigger of the event ``trigger`` of the element ``elem_id``.

        Raises:
            LookupError: the page has no such element or event.
        """
        config = self.config()
        component = next(
            (c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id),
            None,
        )
        if component is None:
            raise LookupError(f"no element #{elem_id} on the page")
        for dependency in config["dependencies"]:
            if [component, trigger] in [list(t) for t in dependency.get("targets", [])]:
                return dependency["id"], component
        raise LookupError(f"#{elem_id} has no {trigger} event")

    def upload(self, paths: Sequence[Path]) -> list[dict[str, Any]]:
        """Send files as the upload box does; returns their descriptions for an event's data."""
        files = [
            ("files", (p.name, p.read_bytes(), mimetypes.guess_type(p.name)[0] or "text/plain"))
            for p in paths
        ]
        response = self._http.post(f"{self.url}/{API}/upload", files=files)
        response.raise_for_status()
        return [
            {"path": kept, "orig_name": p.name, "meta": {"_type": "gradio.FileData"}}
            for kept, p in zip(response.json(), paths, strict=True)
        ]

    def run(self, elem_id: str, trigger: str, data: Sequence[Any]) -> EventRun:
        """Fire an event and follow it to its end.

        Args:
            elem_id: the element whose event it is ("question", "upload").
            trigger: the event ("submit", "upload").
            data: the event's inputs, in order (None for a ``gr.State``: the server holds it).

        Returns:
            The run; ``error`` says why when the server reports a failure or it timed out.
        """
        fn_index, trigger_id = self.event(elem_id, trigger)
        run = EventRun(time.monotonic())
        body = {
            "data": list(data),
            "fn_index": fn_index,
            "trigger_id": trigger_id,
            "session_hash": self.session,
            "event_data": None,
        }
        joined = self._http.post(f"{self.url}/{API}/queue/join", json=body)
        if joined.status_code != 200:
            run.error = f"join refused: HTTP {joined.status_code} {joined.text[:200]}"
            return run
        event_id = joined.json()["event_id"]
        outputs: list[Any] | None = None
        deadline = run.sent + self.timeout
        params = {"session_hash": self.session}
        try:
            with self._http.stream("GET", f"{self.url}/{API}/queue/data", params=params) as stream:
                for line in stream.iter_lines():
                    if time.monotonic() > deadline:
                        run.error = f"no answer within {self.timeout:g} s"
                        return run
                    if not line.startswith("data:"):
                        continue
                    message = json.loads(line[5:])
                    if message.get("event_id") not in (None, event_id):
                        continue
                    kind = message.get("msg")
                    if kind in ("process_generating", "process_completed"):
                        output = message.get("output") or {}
                        if not message.get("success", True) or output.get("error"):
                            run.error = str(output.get("error") or "failed")
                            return run
                        data_out = output.get("data") or []
                        if kind == "process_generating" and outputs is not None:
                            outputs = [apply_diff(o, d) for o, d in zip(outputs, data_out)]
                        elif data_out or outputs is None:
                            outputs = list(data_out)
                        run.updates.append(Update(time.monotonic(), tuple(outputs)))
                        if kind == "process_completed":
                            return run
                    elif kind == "unexpected_error":
                        run.error = str(message.get("message") or "unexpected error")
                        return run
                    elif kind == "close_stream":
                        break
        except httpx.HTTPError as exc:
            run.error = f"{type(exc).__name__}: {exc}"
            return run
        run.error = run.error or "the stream closed before the event completed"
        return run
